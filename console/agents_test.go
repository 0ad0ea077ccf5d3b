package console_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/outdial/outdial/api"
	"github.com/outdial/outdial/campaign/engine"
	"github.com/outdial/outdial/console"
	"github.com/outdial/outdial/media"
	"github.com/outdial/outdial/store"
	"github.com/outdial/outdial/store/sqlite"
)

// router records what the hub reports, in order.
type router struct{ ch chan string }

func (r router) AgentOnline(i engine.AgentInfo) { r.ch <- "online" }
func (r router) AgentReady(id int64, ready bool) {
	r.ch <- map[bool]string{true: "ready", false: "pause"}[ready]
}
func (r router) AgentOffline(id int64) { r.ch <- "offline" }
func (r router) PreviewAnswer(a, rec int64, dial bool) {
	r.ch <- map[bool]string{true: "dial", false: "skip"}[dial]
}

func hubRig(t *testing.T) (*httptest.Server, *console.Hub, router, string, int64) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	u, err := st.CreateUser(ctx, store.User{Username: "ann", DisplayName: "Ann", Role: store.RoleAgent, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	q, err := st.CreateQueue(ctx, store.Queue{Name: "Sales"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := st.CreateAgent(ctx, store.Agent{UserID: u.ID, Name: "Ann", QueueIDs: []int64{q.ID}})
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := api.CreateToken(ctx, st, u.ID, "console", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ports, err := media.NewPortPool(media.PortPoolConfig{IP: netip.MustParseAddr("127.0.0.1"), Min: 50800, Max: 50899})
	if err != nil {
		t.Fatal(err)
	}
	r := router{ch: make(chan string, 16)}
	hub := console.NewHub(console.HubConfig{Store: st, Legs: console.RTPLegs{Ports: ports}, Reconnect: 200 * time.Millisecond})
	hub.Attach(r)
	srv := httptest.NewServer(hub)
	t.Cleanup(func() { srv.Close(); hub.Close() })
	return srv, hub, r, tok, a.ID
}

func dial(t *testing.T, srv *httptest.Server, origin string) (*websocket.Conn, *http.Response, error) {
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	return websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), h)
}

func read(t *testing.T, c *websocket.Conn) console.ServerMsg {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
	var m console.ServerMsg
	if err := c.ReadJSON(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestHubLogin(t *testing.T) {
	srv, _, _, tok, _ := hubRig(t)
	for _, tc := range []struct {
		name, origin, token, want string
	}{
		{"good token", "", tok, "welcome"},
		{"same origin", srv.URL, tok, "welcome"},
		{"bad token", "", "od_nope", "error"},
		{"not a token", "", "hunter2", "error"},
		{"foreign origin", "https://evil.example", tok, "refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, err := dial(t, srv, tc.origin)
			if tc.want == "refused" {
				if err == nil {
					c.Close()
					t.Fatal("a foreign Origin was upgraded")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_ = c.WriteJSON(map[string]string{"type": "login", "token": tc.token})
			m := read(t, c)
			if m.Type != tc.want {
				t.Fatalf("got %+v, want %s", m, tc.want)
			}
			if m.Type == "welcome" && (len(m.Queues) != 1 || m.Queues[0].Name != "Sales" || m.Agent == nil || m.Queues[0].ID != m.Agent.QueueIDs[0]) {
				t.Errorf("welcome names the queues %+v of agent %+v; want its queue Sales", m.Queues, m.Agent)
			}
		})
	}
}

// TestHubStatesAndReconnect: Available needs an audio leg; a reconnect within the grace
// keeps the agent (no second online, no offline); a longer absence logs it out.
func TestHubStatesAndReconnect(t *testing.T) {
	srv, hub, r, tok, id := hubRig(t)
	c, _, err := dial(t, srv, "")
	if err != nil {
		t.Fatal(err)
	}
	_ = c.WriteJSON(map[string]string{"type": "login", "token": tok})
	read(t, c)
	if got := <-r.ch; got != "online" {
		t.Fatalf("router got %q", got)
	}
	_ = c.WriteJSON(map[string]string{"type": "state", "state": "Available"})
	if m := read(t, c); m.Type != "error" || !strings.Contains(m.Message, "audio") {
		t.Fatalf("Available without audio: %+v", m)
	}
	_ = c.WriteJSON(map[string]string{"type": "audio", "rtp": "127.0.0.1:51500"})
	if m := read(t, c); m.Type != "audio" {
		t.Fatalf("audio answer: %+v", m)
	}
	_ = c.WriteJSON(map[string]string{"type": "state", "state": "Available"})
	if got := <-r.ch; got != "ready" {
		t.Fatalf("router got %q", got)
	}
	hub.State(id, engine.AgentAvailable)
	if m := read(t, c); m.Type != "state" || m.State != engine.AgentAvailable {
		t.Fatalf("state push: %+v", m)
	}
	c.Close()
	c, _, err = dial(t, srv, "")
	if err != nil {
		t.Fatal(err)
	}
	_ = c.WriteJSON(map[string]string{"type": "login", "token": tok})
	if m := read(t, c); m.Type != "welcome" || m.State != engine.AgentAvailable {
		t.Fatalf("reconnect welcome: %+v", m)
	}
	c.Close()
	select {
	case got := <-r.ch:
		if got != "offline" {
			t.Fatalf("router got %q, want offline after the grace", got)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("agent not logged out after the reconnect grace")
	}
}
