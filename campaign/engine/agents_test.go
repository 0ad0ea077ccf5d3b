package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http/httptest"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	dto "github.com/prometheus/client_model/go"

	"github.com/outdial/outdial/api"
	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/campaign/engine"
	"github.com/outdial/outdial/console"
	"github.com/outdial/outdial/media"
	"github.com/outdial/outdial/store"
)

// testAgent is a Go agent console: a WebSocket client of the hub with a plain RTP
// audio leg on loopback.
type testAgent struct {
	t      *testing.T
	name   string
	ws     *websocket.Conn
	wmu    sync.Mutex
	sess   *media.Session
	port   *media.Port
	echoes atomic.Int64 // DTMF digits heard back from the customer
	loud   atomic.Int64 // customer audio frames with speech in them
	calls  atomic.Int64
	wg     sync.WaitGroup
}

func startAgent(t *testing.T, srv *httptest.Server, token, name string, ports *media.PortPool) *testAgent {
	t.Helper()
	a := &testAgent{t: t, name: name}
	var err error
	a.ws, _, err = websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.port, err = ports.Allocate(); err != nil {
		t.Fatal(err)
	}
	if a.sess, err = media.NewSession(a.port.RTP(), media.SessionConfig{Codec: media.PCMU}); err != nil {
		t.Fatal(err)
	}
	a.sess.OnDTMF(media.DTMFHandlerFunc(func(d media.Digit) {
		if d.Digit == '5' {
			a.echoes.Add(1)
		}
	}))
	a.sess.OnPCM(media.PCMHandlerFunc(func(f []int16) {
		var sum float64
		for _, s := range f {
			sum += math.Abs(float64(s))
		}
		if sum/float64(len(f)) > 500 {
			a.loud.Add(1)
		}
	}))
	a.send(map[string]any{"type": "login", "token": token})
	a.expect("welcome")
	a.send(map[string]any{"type": "audio", "rtp": a.port.Addr().String()})
	m := a.expect("audio")
	var leg struct{ RTP string }
	b, _ := json.Marshal(m["audio"])
	_ = json.Unmarshal(b, &leg)
	remote, err := netip.ParseAddrPort(leg.RTP)
	if err != nil {
		t.Fatalf("%s: audio answer %v", name, m)
	}
	a.sess.SetRemote(remote)
	a.send(map[string]any{"type": "state", "state": "Available"})
	a.wg.Add(1)
	go a.work()
	return a
}

func (a *testAgent) send(m map[string]any) {
	a.wmu.Lock()
	defer a.wmu.Unlock()
	if err := a.ws.WriteJSON(m); err != nil {
		a.t.Errorf("%s: send: %v", a.name, err)
	}
}

func (a *testAgent) expect(typ string) map[string]any {
	for range 20 {
		var m map[string]any
		if err := a.ws.ReadJSON(&m); err != nil {
			a.t.Fatalf("%s: waiting for %s: %v", a.name, typ, err)
		}
		if m["type"] == typ {
			return m
		}
	}
	a.t.Fatalf("%s: no %s message", a.name, typ)
	return nil
}

// work takes calls: talks (DTMF 5 to the customer, who echoes it), hangs up and
// closes each with a disposition, until the connection closes.
func (a *testAgent) work() {
	defer a.wg.Done()
	for {
		var m struct {
			Type    string        `json:"type"`
			Offer   *engine.Offer `json:"offer"`
			Attempt int64         `json:"attempt_id"`
			Message string        `json:"message"`
		}
		if err := a.ws.ReadJSON(&m); err != nil {
			return
		}
		switch m.Type {
		case "call":
			a.calls.Add(1)
			go func(id int64) {
				// Listen to the customer's hello first: a digit stops the carrier's audio.
				time.Sleep(900 * time.Millisecond)
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				_ = a.sess.SendDTMF(ctx, "5")
				time.Sleep(400 * time.Millisecond)
				a.send(map[string]any{"type": "hangup"})
			}(m.Offer.AttemptID)
		case "ended":
			a.send(map[string]any{"type": "disposition", "attempt_id": m.Attempt, "disposition": campaign.DispositionResolved, "notes": "test"})
		case "error":
			a.t.Errorf("%s: hub error: %s", a.name, m.Message)
		}
	}
}

func (a *testAgent) close() {
	a.ws.Close()
	a.wg.Wait()
	a.sess.Close()
	a.port.Close()
}

// agentCampaign runs an agent-mode campaign with three Go agents and checks every call.
func agentCampaign(t *testing.T, mode campaign.Mode, contacts int) {
	clock := newFastClock(time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC), 60)
	block := uint16(blockProgressive)
	if mode == campaign.ModePower {
		block = blockPower
	}
	r := newRig(t, "agents.yaml", clock, block)
	ctx := context.Background()
	q, err := r.st.CreateQueue(ctx, store.Queue{Name: "sales"})
	if err != nil {
		t.Fatal(err)
	}
	hub := console.NewHub(console.HubConfig{Store: r.st, Legs: console.RTPLegs{Ports: r.ports}})
	e := r.engine(t, "node-a", hub)
	hub.Attach(e)
	srv := httptest.NewServer(hub)
	defer srv.Close()
	defer hub.Close()
	agentPorts := r.agentPorts(t)
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go e.Run(runCtx)
	var agents []*testAgent
	for i := range 3 {
		u, err := r.st.CreateUser(ctx, store.User{Username: fmt.Sprintf("agent%d", i), DisplayName: fmt.Sprintf("Agent %d", i), Role: store.RoleAgent, PasswordHash: "x"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.st.CreateAgent(ctx, store.Agent{UserID: u.ID, Name: u.DisplayName, QueueIDs: []int64{q.ID}}); err != nil {
			t.Fatal(err)
		}
		tok, _, err := api.CreateToken(ctx, r.st, u.ID, "console", time.Hour, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		agents = append(agents, startAgent(t, srv, tok, u.Username, agentPorts))
	}
	defer func() {
		for _, a := range agents {
			a.close()
		}
	}()
	var b strings.Builder
	b.WriteString("phone,first\n")
	for i := range contacts {
		fmt.Fprintf(&b, "+1212555%04d,Customer%d\n", 2000+i, i)
	}
	l, err := r.st.CreateList(ctx, store.List{Kind: store.ListContact, Name: "agents", Status: store.ListValidated, Source: store.SourceCSV})
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	if _, err := r.st.WriteContacts(ctx, l.ID, func() (store.Contact, error) {
		if i == contacts {
			return store.Contact{}, errEOF
		}
		i++
		return store.Contact{Row: int64(i + 1), Phones: []string{fmt.Sprintf("+1212555%04d", 2000+i-1)}, FirstName: fmt.Sprintf("Customer%d", i-1)}, nil
	}); err != nil {
		t.Fatal(err)
	}
	dl, err := r.st.CreateList(ctx, store.List{Kind: store.ListDNC, Name: "dnc", Status: store.ListValidated})
	if err != nil {
		t.Fatal(err)
	}
	dialing := campaign.Dialing{Mode: mode, QueueID: &q.ID}
	if mode == campaign.ModePower {
		dialing.PacingRatio = 2
	}
	c, err := r.svc.Create(ctx, campaign.Definition{Name: string(mode) + " e2e", ListIDs: []int64{l.ID},
		Dialing:  dialing,
		Contacts: campaign.Choose{DNCListID: dl.ID},
		Outreach: campaign.Outreach{CallerID: &r.caller, MaxAttempts: 2, RetryMinutes: 1, MaxRingSeconds: 10,
			Timings: campaign.Timings{TimeZone: "America/New_York"}},
		Messages:     campaign.Messages{SafeHarbour: "Sorry, nobody is free. Press 9 to opt out."},
		Dispositions: campaign.DispositionSet{Positive: []string{campaign.DispositionResolved}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if c, err = r.svc.Act(ctx, c.ID, campaign.ActionPlay); err != nil {
		t.Fatal(err)
	}
	inst := *c.InstanceID
	waitFor(t, 1200, "every contact done", func() bool {
		st, err := r.st.InstanceStats(ctx, inst)
		return err == nil && st.Done == int64(contacts)
	})
	if err := e.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	// Every call answered reached an agent (audio both ways) or was abandoned after
	// the grace with the safe-harbour message.
	rows, _, err := r.st.Executions(ctx, store.ExecutionFilter{InstanceID: inst, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var connected, abandoned int
	for _, rec := range rows {
		atts, _ := r.st.RecordAttempts(ctx, rec.ID)
		for _, a := range atts {
			switch a.Outcome {
			case campaign.OutcomeConnected:
				connected++
				if a.AgentID == nil || a.Disposition != campaign.DispositionResolved {
					t.Errorf("%s: connected without agent or disposition: %+v", a.Number, a)
				}
			case campaign.OutcomeAbandoned:
				abandoned++
			default:
				t.Errorf("%s: outcome %q; every call answers in this scenario", a.Number, a.Outcome)
			}
		}
	}
	digits := 0
	for _, rep := range r.log.all {
		if strings.Contains(rep.Digits, "5") {
			digits++
		}
	}
	var echoes, loud, taken int64
	for _, a := range agents {
		echoes += a.echoes.Load()
		loud += a.loud.Load()
		taken += a.calls.Load()
	}
	if int(taken) != connected || digits != connected || echoes < int64(connected) || loud == 0 {
		t.Errorf("connected %d: agents took %d calls, the customers heard %d agents' digits, the agents heard %d echoes and %d loud frames",
			connected, taken, digits, echoes, loud)
	}
	if mode == campaign.ModeProgressive && abandoned != 0 {
		t.Errorf("progressive abandoned %d calls; it reserves an agent per call", abandoned)
	}
	h := histogram(t, r, "outdial_answer_to_agent_seconds")
	if h.GetSampleCount() != uint64(connected) {
		t.Errorf("answer-to-agent histogram has %d samples, %d calls connected", h.GetSampleCount(), connected)
	}
	t.Logf("%s: %d contacts, %d connected, %d abandoned; answer-to-agent p50 <= %s, p99 <= %s, mean %.1f ms",
		mode, contacts, connected, abandoned, quantile(h, 0.5), quantile(h, 0.99), 1000*h.GetSampleSum()/float64(max(h.GetSampleCount(), 1)))
}

var errEOF = io.EOF

func histogram(t *testing.T, r *rig, name string) *dto.Histogram {
	mfs, err := r.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetHistogram()
		}
	}
	t.Fatalf("no metric %s", name)
	return nil
}

// quantile returns the upper bound of the bucket holding quantile q.
func quantile(h *dto.Histogram, q float64) string {
	want := q * float64(h.GetSampleCount())
	bs := h.GetBucket()
	sort.Slice(bs, func(i, j int) bool { return bs[i].GetUpperBound() < bs[j].GetUpperBound() })
	for _, b := range bs {
		if float64(b.GetCumulativeCount()) >= want {
			return fmt.Sprintf("%gms", 1000*b.GetUpperBound())
		}
	}
	return "+Inf"
}

func TestProgressiveToAgents(t *testing.T) { agentCampaign(t, campaign.ModeProgressive, 12) }

func TestPowerToAgents(t *testing.T) { agentCampaign(t, campaign.ModePower, 12) }
