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
	// onPreview answers a preview offer; onError takes a hub error the test expects
	// (true) instead of failing. Both run on the agent's reading goroutine.
	onPreview func(a *testAgent, o engine.Offer)
	onError   func(a *testAgent, msg string) bool
	// talk is how long the agent talks before its DTMF and hangup (default 900 ms).
	talk time.Duration
}

func startAgent(t *testing.T, srv *httptest.Server, token, name string, ports *media.PortPool, opts ...func(*testAgent)) *testAgent {
	t.Helper()
	a := &testAgent{t: t, name: name, talk: 900 * time.Millisecond}
	for _, o := range opts {
		o(a)
	}
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
				time.Sleep(a.talk)
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				_ = a.sess.SendDTMF(ctx, "5")
				time.Sleep(400 * time.Millisecond)
				a.send(map[string]any{"type": "hangup"})
			}(m.Offer.AttemptID)
		case "ended":
			a.send(map[string]any{"type": "disposition", "attempt_id": m.Attempt, "disposition": campaign.DispositionResolved, "notes": "test"})
		case "preview":
			if a.onPreview != nil && m.Offer != nil {
				a.onPreview(a, *m.Offer)
			}
		case "error":
			if a.onError == nil || !a.onError(a, m.Message) {
				a.t.Errorf("%s: hub error: %s", a.name, m.Message)
			}
		}
	}
}

func (a *testAgent) close() {
	a.ws.Close()
	a.wg.Wait()
	a.sess.Close()
	a.port.Close()
}

// agentWorld is a rig with an agent hub, an engine attached to it, a queue and Go
// agents logged in over WebSocket.
type agentWorld struct {
	*rig
	q      store.Queue
	hub    *console.Hub
	e      *engine.Engine
	srv    *httptest.Server
	ports  *media.PortPool
	agents []*testAgent
}

func newAgentWorld(t *testing.T, scenario string, block uint16, edit ...func(*engine.Config)) *agentWorld {
	t.Helper()
	clock := mondayMorning()
	w := &agentWorld{rig: newRig(t, scenario, clock, block)}
	ctx := context.Background()
	var err error
	if w.q, err = w.Store.CreateQueue(ctx, store.Queue{Name: "sales"}); err != nil {
		t.Fatal(err)
	}
	w.hub = console.NewHub(console.HubConfig{Store: w.Store, Legs: console.RTPLegs{Ports: w.Rig.Ports}})
	w.e = w.Engine(t, "node-a", w.hub, edit...)
	w.hub.Attach(w.e)
	w.srv = httptest.NewServer(w.hub)
	w.ports = w.agentPorts(t)
	runCtx, stop := context.WithCancel(ctx)
	go w.e.Run(runCtx)
	t.Cleanup(func() {
		for _, a := range w.agents {
			a.close()
		}
		stop()
		<-w.e.Done()
		w.hub.Close()
		w.srv.Close()
	})
	return w
}

// addAgents logs in n agents of the queue, Available.
func (w *agentWorld) addAgents(t *testing.T, n int, opts ...func(*testAgent)) []*testAgent {
	t.Helper()
	ctx := context.Background()
	var out []*testAgent
	for range n {
		i := len(w.agents)
		u, err := w.Store.CreateUser(ctx, store.User{Username: fmt.Sprintf("agent%d", i), DisplayName: fmt.Sprintf("Agent %d", i), Role: store.RoleAgent, PasswordHash: "x"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Store.CreateAgent(ctx, store.Agent{UserID: u.ID, Name: u.DisplayName, QueueIDs: []int64{w.q.ID}}); err != nil {
			t.Fatal(err)
		}
		tok, _, err := api.CreateToken(ctx, w.Store, u.ID, "console", time.Hour, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		a := startAgent(t, w.srv, tok, u.Username, w.ports, opts...)
		w.agents = append(w.agents, a)
		out = append(out, a)
	}
	return out
}

// startCampaign stores contacts (+1212555 2000 on) and runs a campaign of the queue.
func (w *agentWorld) startCampaign(t *testing.T, mode campaign.Mode, contacts int, edit ...func(*campaign.Definition)) campaign.Campaign {
	t.Helper()
	ctx := context.Background()
	l, err := w.Store.CreateList(ctx, store.List{Kind: store.ListContact, Name: "agents", Status: store.ListValidated, Source: store.SourceCSV})
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	if _, err := w.Store.WriteContacts(ctx, l.ID, 0, func() (store.Contact, error) {
		if i == contacts {
			return store.Contact{}, errEOF
		}
		i++
		return store.Contact{Row: int64(i + 1), Phones: []string{fmt.Sprintf("+1212555%04d", 2000+i-1)}, FirstName: fmt.Sprintf("Customer%d", i-1)}, nil
	}); err != nil {
		t.Fatal(err)
	}
	dl, err := w.Store.CreateList(ctx, store.List{Kind: store.ListDNC, Name: "dnc", Status: store.ListValidated})
	if err != nil {
		t.Fatal(err)
	}
	def := campaign.Definition{Name: string(mode) + " e2e", ListIDs: []int64{l.ID},
		Dialing:  campaign.Dialing{Mode: mode, QueueID: &w.q.ID},
		Contacts: campaign.Choose{DNCListID: dl.ID},
		Outreach: campaign.Outreach{CallerID: &w.CallerID, MaxAttempts: 2, RetryMinutes: 1, MaxRingSeconds: 10,
			Timings: campaign.Timings{TimeZone: "America/New_York"}},
		Messages:     campaign.Messages{SafeHarbour: "Sorry, nobody is free. Press 9 to opt out."},
		Dispositions: campaign.DispositionSet{Positive: []string{campaign.DispositionResolved}},
	}
	for _, f := range edit {
		f(&def)
	}
	c, err := w.Service.Create(ctx, def)
	if err != nil {
		t.Fatal(err)
	}
	if c, err = w.Service.Act(ctx, c.ID, campaign.ActionPlay); err != nil {
		t.Fatal(err)
	}
	return c
}

// waitDone waits until every record of the instance is final, then drains the engine.
func (w *agentWorld) waitDone(t *testing.T, inst int64, contacts int) {
	t.Helper()
	ctx := context.Background()
	waitFor(t, 1200, "every contact done", func() bool {
		st, err := w.Store.InstanceStats(ctx, inst)
		return err == nil && st.Done == int64(contacts)
	})
	if err := w.e.Drain(ctx); err != nil {
		t.Fatal(err)
	}
}

// agentCalls holds what the store says about the calls of an agent-mode run.
type agentCalls struct {
	connected, abandoned, other int
	byAgent                     map[int64]int
	abandonedNumbers            []string
}

// checkAgentCalls checks every attempt of the instance: a connected call has its
// agent and the agent's disposition; audio went both ways on every connected call.
func (w *agentWorld) checkAgentCalls(t *testing.T, inst int64) agentCalls {
	t.Helper()
	ctx := context.Background()
	rows, _, err := w.Store.Executions(ctx, store.ExecutionFilter{InstanceID: inst, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	res := agentCalls{byAgent: map[int64]int{}}
	for _, rec := range rows {
		atts, _ := w.Store.RecordAttempts(ctx, rec.ID)
		for _, a := range atts {
			switch a.Outcome {
			case campaign.OutcomeConnected:
				res.connected++
				if a.AgentID == nil || a.Disposition != campaign.DispositionResolved {
					t.Errorf("%s: connected without agent or disposition: %+v", a.Number, a)
				} else {
					res.byAgent[*a.AgentID]++
				}
			case campaign.OutcomeAbandoned:
				res.abandoned++
				res.abandonedNumbers = append(res.abandonedNumbers, a.Number)
				if a.AgentID != nil {
					t.Errorf("%s: abandoned with agent %d", a.Number, *a.AgentID)
				}
			default:
				res.other++
			}
		}
	}
	digits := 0
	for _, rep := range w.Reports.All() {
		if strings.Contains(rep.Digits, "5") {
			digits++
		}
	}
	var echoes, loud, taken int64
	for _, a := range w.agents {
		echoes += a.echoes.Load()
		loud += a.loud.Load()
		taken += a.calls.Load()
	}
	if int(taken) != res.connected || digits != res.connected || echoes < int64(res.connected) || (res.connected > 0 && loud == 0) {
		t.Errorf("connected %d: agents took %d calls, the customers heard %d agents' digits, the agents heard %d echoes and %d loud frames",
			res.connected, taken, digits, echoes, loud)
	}
	return res
}

// latency reports the answer-to-agent histogram and checks it has one sample per
// connected call.
func (w *agentWorld) latency(t *testing.T, connected int) string {
	t.Helper()
	h := histogram(t, w.rig, "outdial_answer_to_agent_seconds")
	if h.GetSampleCount() != uint64(connected) {
		t.Errorf("answer-to-agent histogram has %d samples, %d calls connected", h.GetSampleCount(), connected)
	}
	var fast uint64
	for _, b := range h.GetBucket() {
		if b.GetUpperBound() == 0.3 {
			fast = b.GetCumulativeCount()
		}
	}
	return fmt.Sprintf("answer-to-agent p50 <= %s, p99 <= %s, mean %.1f ms, %d of %d over 300 ms", quantile(h, 0.5), quantile(h, 0.99),
		1000*h.GetSampleSum()/float64(max(h.GetSampleCount(), 1)), h.GetSampleCount()-fast, h.GetSampleCount())
}

// TestProgressiveToAgents: one call per free agent, the agent reserved; every call
// answers, so no call may wait for an agent.
func TestProgressiveToAgents(t *testing.T) {
	t.Parallel()
	w := newAgentWorld(t, "agents.yaml", blockProgressive)
	w.addAgents(t, 3)
	c := w.startCampaign(t, campaign.ModeProgressive, 12)
	w.waitDone(t, *c.InstanceID, 12)
	res := w.checkAgentCalls(t, *c.InstanceID)
	if res.abandoned != 0 || res.other != 0 || res.connected != 12 {
		t.Errorf("progressive: %+v; every call answers and has its reserved agent", res)
	}
	t.Logf("progressive: 12 contacts, 3 agents, %d connected, %d abandoned; %s", res.connected, res.abandoned, w.latency(t, res.connected))
}

// TestPowerToAgents: ratio 2 against a carrier where a third of the calls answer (the
// spec's typical 30-40%), six agents.
func TestPowerToAgents(t *testing.T) {
	t.Parallel()
	w := newAgentWorld(t, "power.yaml", blockPower)
	w.addAgents(t, 6)
	const contacts = 60
	c := w.startCampaign(t, campaign.ModePower, contacts, func(d *campaign.Definition) {
		d.Dialing.PacingRatio = 2
		d.Outreach.MaxAttempts = 1
	})
	w.waitDone(t, *c.InstanceID, contacts)
	res := w.checkAgentCalls(t, *c.InstanceID)
	if res.connected == 0 || res.other == 0 {
		t.Errorf("power: %+v; the carrier answers some calls and not others", res)
	}
	for _, a := range w.agents {
		if a.calls.Load() == 0 {
			t.Errorf("%s took no call", a.name)
		}
	}
	t.Logf("power: %d contacts, 6 agents, ratio 2: %d connected, %d abandoned, %d not answered; %s", contacts, res.connected, res.abandoned, res.other,
		w.latency(t, res.connected))
}

var errEOF = io.EOF

func histogram(t *testing.T, r *rig, name string) *dto.Histogram {
	mfs, err := r.Registry.Gather()
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
