package console_test

import (
	"context"
	"fmt"
	"math"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pion/rtp"

	"github.com/outdial/outdial/campaign/engine"
	"github.com/outdial/outdial/media"
)

// rtpAgent is an agent's plain RTP audio leg on loopback: it plays a tone (the
// microphone) and counts what it hears.
type rtpAgent struct {
	sess    *media.Session
	port    *media.Port
	loud    atomic.Int64 // frames with sound in them
	packets atomic.Int64
	stop    context.CancelFunc
}

func newRTPAgent(t *testing.T, ports *media.PortPool) *rtpAgent {
	t.Helper()
	a := &rtpAgent{}
	var err error
	if a.port, err = ports.Allocate(); err != nil {
		t.Fatal(err)
	}
	if a.sess, err = media.NewSession(a.port.RTP(), media.SessionConfig{Codec: media.PCMU}); err != nil {
		t.Fatal(err)
	}
	a.sess.OnRTP(media.RTPHandlerFunc(func(p *rtp.Packet) error { a.packets.Add(1); return nil }))
	a.sess.OnPCM(media.PCMHandlerFunc(func(f []int16) {
		var sum float64
		for _, s := range f {
			sum += math.Abs(float64(s))
		}
		if sum/float64(len(f)) > 200 {
			a.loud.Add(1)
		}
	}))
	ctx, cancel := context.WithCancel(context.Background())
	a.stop = cancel
	samples := make([]int16, 8000*60)
	for i := range samples {
		samples[i] = int16(5000 * math.Sin(2*math.Pi*1000*float64(i)/8000))
	}
	go a.sess.Play(ctx, media.NewPCMReader(samples))
	t.Cleanup(func() { a.stop(); a.sess.Close(); a.port.Close() })
	return a
}

// openLeg sends the audio message of a and points a at the hub's side of the leg.
func (a *rtpAgent) openLeg(t *testing.T, c *websocket.Conn) {
	t.Helper()
	_ = c.WriteJSON(map[string]string{"type": "audio", "rtp": a.port.Addr().String()})
	m := readType(t, c, "audio")
	ans, _ := m["audio"].(map[string]any)
	addr, _ := ans["rtp"].(string)
	remote, err := netip.ParseAddrPort(addr)
	if err != nil {
		t.Fatalf("audio answer %+v", m)
	}
	a.sess.SetRemote(remote)
}

// readType reads messages until one of type typ (an error message fails the test).
func readType(t *testing.T, c *websocket.Conn, typ string) map[string]any {
	t.Helper()
	for range 20 {
		m := readMap(t, c)
		if m["type"] == "error" {
			t.Fatalf("hub error while waiting for %s: %v", typ, m["message"])
		}
		if m["type"] == typ {
			return m
		}
	}
	t.Fatalf("no %s message", typ)
	return nil
}

func readMap(t *testing.T, c *websocket.Conn) map[string]any {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
	var m map[string]any
	if err := c.ReadJSON(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// waitCount polls n every 50 ms (at most 10 s) until it exceeds from+by.
func waitCount(t *testing.T, what string, n *atomic.Int64, from, by int64) {
	t.Helper()
	for range 200 {
		if n.Load() > from+by {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: %d, want more than %d", what, n.Load(), from+by)
}

// quiet checks that n does not grow over a short window, after packets in flight
// have landed.
func quiet(t *testing.T, what string, n *atomic.Int64) {
	t.Helper()
	time.Sleep(200 * time.Millisecond)
	from := n.Load()
	time.Sleep(600 * time.Millisecond)
	if got := n.Load() - from; got != 0 {
		t.Errorf("%s: %d frames in 600 ms, want none", what, got)
	}
}

func login(t *testing.T, c *websocket.Conn, tok string) map[string]any {
	t.Helper()
	_ = c.WriteJSON(map[string]string{"type": "login", "token": tok})
	return readType(t, c, "welcome")
}

func hubPorts(t *testing.T) *media.PortPool {
	t.Helper()
	ports, err := media.NewPortPool(media.PortPoolConfig{IP: netip.MustParseAddr("127.0.0.1"), Min: 50900, Max: 50999})
	if err != nil {
		t.Fatal(err)
	}
	return ports
}

// TestHubHold: on hold the agent hears nothing and the customer nothing of the agent
// (the engine plays hold audio to the customer when Held says so: engine's
// TestHoldAudio); resuming restores both ways.
func TestHubHold(t *testing.T) {
	srv, hub, _, tok, id := hubRig(t)
	ports := hubPorts(t)
	c, _, err := dial(t, srv, "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	login(t, c, tok)
	agent := newRTPAgent(t, ports)
	agent.openLeg(t, c)
	cust := newCustomer(t, ports)
	call, err := hub.Connect(context.Background(), id, engine.Offer{AttemptID: 5, RecordID: 2, Campaign: "Hold test"})
	if err != nil {
		t.Fatal(err)
	}
	unbridge := media.Bridge(cust.near, call.Leg())
	defer unbridge()
	readType(t, c, "call")
	waitCount(t, "agent hears the customer", &agent.loud, agent.loud.Load(), 10)
	waitCount(t, "customer hears the agent", &cust.loud, cust.loud.Load(), 10)

	for _, on := range []bool{true, false} {
		_ = c.WriteJSON(map[string]any{"type": "hold", "on": on})
		if m := readType(t, c, "hold"); m["held"] != on {
			t.Fatalf("hold %v answered %v", on, m)
		}
		select {
		case got := <-call.Held():
			if got != on {
				t.Fatalf("the engine was told held=%v, want %v", got, on)
			}
		case <-time.After(3 * time.Second):
			t.Fatalf("the engine was not told of hold %v", on)
		}
		if on {
			quiet(t, "on hold the agent hears the customer", &agent.loud)
			quiet(t, "on hold the customer hears the agent", &cust.loud)
		} else {
			waitCount(t, "after resume the agent hears the customer", &agent.loud, agent.loud.Load(), 10)
			waitCount(t, "after resume the customer hears the agent", &cust.loud, cust.loud.Load(), 10)
		}
	}
	// Only the latest change waits for the engine: hold, resume, hold reads as held.
	for _, on := range []bool{true, false, true} {
		_ = c.WriteJSON(map[string]any{"type": "hold", "on": on})
		readType(t, c, "hold")
	}
	if got := <-call.Held(); !got {
		t.Error("after hold, resume, hold the engine reads resume")
	}
	select {
	case got := <-call.Held():
		t.Errorf("a stale hold change %v is still queued", got)
	default:
	}
	// In wrap-up there is nothing to hold.
	call.Ended()
	readType(t, c, "ended")
	_ = c.WriteJSON(map[string]any{"type": "hold", "on": false})
	if m := readMap(t, c); m["type"] != "error" || !strings.Contains(fmt.Sprint(m["message"]), "ended") {
		t.Errorf("hold in wrap-up answered %v, want an error", m)
	}
}

// TestHubReloadMovesCall: a page reload during a call (new WebSocket, new audio leg)
// moves the call to the new leg: the customer's audio reaches it, its audio reaches
// the customer, and the old leg is closed. The hold state comes back with the call.
func TestHubReloadMovesCall(t *testing.T) {
	srv, hub, _, tok, id := hubRig(t)
	ports := hubPorts(t)
	c1, _, err := dial(t, srv, "")
	if err != nil {
		t.Fatal(err)
	}
	login(t, c1, tok)
	old := newRTPAgent(t, ports)
	old.openLeg(t, c1)
	cust := newCustomer(t, ports)
	offer := engine.Offer{AttemptID: 9, RecordID: 4, Campaign: "Reload test"}
	call, err := hub.Connect(context.Background(), id, offer)
	if err != nil {
		t.Fatal(err)
	}
	unbridge := media.Bridge(cust.near, call.Leg())
	defer unbridge()
	readType(t, c1, "call")
	waitCount(t, "old leg hears the customer", &old.loud, old.loud.Load(), 10)
	_ = c1.WriteJSON(map[string]any{"type": "hold", "on": true})
	readType(t, c1, "hold")

	// The reload: the page's socket goes, a new page logs in and opens a new leg.
	c1.Close()
	c2, _, err := dial(t, srv, "")
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	login(t, c2, tok)
	if m := readType(t, c2, "call"); m["offer"].(map[string]any)["attempt_id"] != float64(offer.AttemptID) {
		t.Fatalf("call after reload %v", m)
	}
	if m := readMap(t, c2); m["type"] != "hold" || m["held"] != true {
		t.Fatalf("after the call the hub says %v, want the hold state", m)
	}
	fresh := newRTPAgent(t, ports)
	fresh.openLeg(t, c2)
	quiet(t, "on hold the new leg hears the customer", &fresh.loud)
	_ = c2.WriteJSON(map[string]any{"type": "hold", "on": false})
	readType(t, c2, "hold")

	waitCount(t, "new leg hears the customer", &fresh.loud, fresh.loud.Load(), 10)
	heard := cust.loud.Load()
	old.stop() // only the new leg's microphone plays now
	waitCount(t, "customer hears the new leg", &cust.loud, heard, 10)
	quiet(t, "the old leg (closed) still receives", &old.packets)
}
