package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"

	"github.com/outdial/outdial/api"
	"github.com/outdial/outdial/campaign/engine"
	"github.com/outdial/outdial/console"
	"github.com/outdial/outdial/media"
	"github.com/outdial/outdial/store"
)

// The softphone tests play the engine's part themselves (fakeEngine and the hub's
// engine-side methods), so every state of the console can be reached on purpose.
// The end-to-end test with the real engine and a SIP carrier is in
// softphone_engine_browser_test.go.

// routerEvent is what the hub reported to the engine.
type routerEvent struct {
	kind   string // online, ready, offline, preview
	agent  int64
	record int64
	yes    bool // ready: Available; preview: dial
}

// fakeEngine is a console.Router that records what agents asked for.
type fakeEngine struct{ ev chan routerEvent }

func (f *fakeEngine) AgentOnline(a engine.AgentInfo) {
	f.ev <- routerEvent{kind: "online", agent: a.ID}
}
func (f *fakeEngine) AgentReady(id int64, ready bool) {
	f.ev <- routerEvent{kind: "ready", agent: id, yes: ready}
}
func (f *fakeEngine) AgentOffline(id int64) { f.ev <- routerEvent{kind: "offline", agent: id} }
func (f *fakeEngine) PreviewAnswer(agent, record int64, dial bool) {
	f.ev <- routerEvent{kind: "preview", agent: agent, record: record, yes: dial}
}

// next waits up to 10 s for the next event of kind.
func (f *fakeEngine) next(t *testing.T, kind string) routerEvent {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case e := <-f.ev:
			if e.kind == kind {
				return e
			}
		case <-deadline:
			t.Fatalf("the hub never reported %q to the engine", kind)
		}
	}
}

// phoneEnv is the API, the manager UI, the agent console and the hub with WebRTC legs.
type phoneEnv struct {
	*env
	hub    *console.Hub
	engine *fakeEngine
	agent  store.Agent
	ports  *media.PortPool
}

// agentDesk gives the env's agent user an agent profile in a "Sales" queue and returns
// the queue and the agent with a hub whose audio legs are WebRTC.
func agentDesk(t *testing.T, e *env) (store.Queue, store.Agent, *console.Hub) {
	t.Helper()
	ctx := context.Background()
	q, err := e.store.CreateQueue(ctx, store.Queue{Name: "Sales"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := e.store.UserByUsername(ctx, string(store.RoleAgent))
	if err != nil {
		t.Fatal(err)
	}
	ag, err := e.store.CreateAgent(ctx, store.Agent{UserID: u.ID, Name: "Test agent", QueueIDs: []int64{q.ID}})
	if err != nil {
		t.Fatal(err)
	}
	legs, err := console.NewWebRTCLegs(console.WebRTCConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return q, ag, console.NewHub(console.HubConfig{Store: e.store, Legs: legs})
}

func newPhoneEnv(t *testing.T, opts console.SoftphoneOptions) *phoneEnv {
	t.Helper()
	e := newEnv(t)
	_, ag, hub := agentDesk(t, e)
	fe := &fakeEngine{ev: make(chan routerEvent, 256)}
	hub.Attach(fe)
	t.Cleanup(func() { hub.Close() })
	e.srv.HandleRaw("/console/ws", hub)
	e.srv.HandleRaw("/console/", console.SoftphoneHandler(opts))
	ports, err := media.NewPortPool(media.PortPoolConfig{IP: netip.MustParseAddr("127.0.0.1"), Min: 51000, Max: 51999})
	if err != nil {
		t.Fatal(err)
	}
	return &phoneEnv{env: e, hub: hub, engine: fe, agent: ag, ports: ports}
}

// signInConsole opens /console/, signs in as the agent and waits for audio.
func (p *phoneEnv) signInConsole(tb *tab) {
	tb.t.Helper()
	tb.do("open console", chromedp.Navigate(p.url+"/console/"), chromedp.WaitVisible(chromedp.ID("username")))
	tb.do("sign in",
		chromedp.SendKeys(chromedp.ID("username"), string(store.RoleAgent)),
		chromedp.SendKeys(chromedp.ID("password"), password(store.RoleAgent)),
		chromedp.Click(chromedp.CSS("#signin-form button[type=submit]")))
	tb.waitText("welcome", "#state", "Break")
	tb.waitJS("audio ready", `document.querySelector('#audio').dataset.audio === 'ready'`)
	tb.waitText("queues", "#serving", "Queue Sales") // named by the hub's welcome
}

// goAvailable clicks Available and plays the engine's answer.
func (p *phoneEnv) goAvailable(tb *tab) {
	tb.t.Helper()
	tb.do("click Available", chromedp.Click(chromedp.ID("go-available")))
	if ev := p.engine.next(tb.t, "ready"); !ev.yes || ev.agent != p.agent.ID {
		tb.t.Fatalf("Available reached the engine as %+v", ev)
	}
	p.hub.State(p.agent.ID, engine.AgentAvailable)
	tb.waitText("available", "#state", "Available")
}

// customer is the far end of a call: the carrier's session (far) talking over
// loopback to the dialer's session (near), which the test bridges to the agent.
type customer struct {
	far, near       *media.Session
	farPort, nearPt *media.Port
	loud            atomic.Int64 // frames the far end heard with sound in them
	digits          chan rune
	stop            context.CancelFunc
}

func newCustomer(t *testing.T, ports *media.PortPool) *customer {
	t.Helper()
	c := &customer{digits: make(chan rune, 16)}
	var err error
	if c.farPort, err = ports.Allocate(); err != nil {
		t.Fatal(err)
	}
	if c.nearPt, err = ports.Allocate(); err != nil {
		t.Fatal(err)
	}
	if c.far, err = media.NewSession(c.farPort.RTP(), media.SessionConfig{Codec: media.PCMU, Remote: c.nearPt.Addr()}); err != nil {
		t.Fatal(err)
	}
	if c.near, err = media.NewSession(c.nearPt.RTP(), media.SessionConfig{Codec: media.PCMU, Remote: c.farPort.Addr()}); err != nil {
		t.Fatal(err)
	}
	c.far.OnPCM(media.PCMHandlerFunc(func(f []int16) {
		var sum float64
		for _, s := range f {
			sum += math.Abs(float64(s))
		}
		if sum/float64(len(f)) > 200 {
			c.loud.Add(1)
		}
	}))
	c.far.OnDTMF(media.DTMFHandlerFunc(func(d media.Digit) { c.digits <- d.Digit }))
	ctx, cancel := context.WithCancel(context.Background())
	c.stop = cancel
	samples := make([]int16, 8000*60)
	for i := range samples {
		samples[i] = int16(5000 * math.Sin(2*math.Pi*440*float64(i)/8000))
	}
	go c.far.Play(ctx, media.NewPCMReader(samples)) // the customer says "aaah" for a minute
	t.Cleanup(c.close)
	return c
}

func (c *customer) close() {
	c.stop()
	c.far.Close()
	c.near.Close()
	c.farPort.Close()
	c.nearPt.Close()
}

// audioStats reads the console's WebRTC counters (getStats).
type audioStats struct {
	Sent     int    `json:"sent"`
	Received int    `json:"received"`
	Codec    string `json:"codec"`
}

func (tb *tab) stats() audioStats {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Evaluate[audioStats](`outdialConsole.stats()`, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("getStats: %v", err)
	}
	return s
}

// waitSent waits until the browser has sent n more audio packets (20 ms each).
func (tb *tab) waitSent(step string, n int) {
	tb.t.Helper()
	from := tb.stats()
	for range 200 {
		if s := tb.stats(); s.Sent >= from.Sent+n {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.shot("failed-" + step)
	tb.t.Fatalf("%s: the browser did not send %d more audio packets in 10 s", step, n)
}

// waitFlow waits until both WebRTC counters rose above from.
func (tb *tab) waitFlow(step string, from audioStats) audioStats {
	tb.t.Helper()
	var s audioStats
	for range 100 {
		s = tb.stats()
		if s.Sent > from.Sent+10 && s.Received > from.Received+10 {
			return s
		}
		time.Sleep(100 * time.Millisecond)
	}
	tb.shot("failed-" + step)
	tb.t.Fatalf("%s: audio does not flow both ways: %+v, was %+v", step, s, from)
	return s
}

// waitFarHears waits until the far end has heard sound from the browser's microphone.
func waitFarHears(t *testing.T, c *customer, step string) {
	t.Helper()
	from := c.loud.Load()
	for range 100 {
		if c.loud.Load() > from+3 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: the far end heard no sound from the fake microphone (%d loud frames)", step, c.loud.Load())
}

func TestSoftphoneProgressiveCall(t *testing.T) {
	p := newPhoneEnv(t, console.SoftphoneOptions{Version: "test"})
	tb := p.tab()
	p.signInConsole(tb)
	tb.shot("1-signed-in")
	if ev := p.engine.next(t, "online"); ev.agent != p.agent.ID {
		t.Fatalf("online event %+v", ev)
	}
	p.goAvailable(tb)
	tb.shot("2-available")

	// The engine connects an answered progressive call to the agent.
	cust := newCustomer(t, p.ports)
	offer := engine.Offer{AttemptID: 77, RecordID: 7, CampaignID: 3, Campaign: "Spring renewals", Mode: "progressive",
		Number: "+12125550199", FirstName: "Ada", LastName: "Lovelace", Fields: map[string]string{"plan": "Gold"},
		Dispositions: []string{"Resolved", "Unresolved", "Call back"}}
	call, err := p.hub.Connect(context.Background(), p.agent.ID, offer)
	if err != nil {
		t.Fatal(err)
	}
	unbridge := media.Bridge(cust.near, call.Leg())
	defer unbridge()
	p.hub.State(p.agent.ID, engine.AgentBusy)
	tb.waitText("tray campaign", "#tray-campaign", "Spring renewals")
	tb.waitText("tray contact", "#tray-contact", "Ada Lovelace")
	tb.waitText("tray field", "#tray-contact", "Gold")
	tb.waitText("busy", "#state", "On a call")
	if n := eval[int](tb, `[...document.querySelectorAll('button')].filter(b => /transfer/i.test(b.textContent)).length`); n != 0 {
		t.Errorf("%d transfer buttons in a progressive call; the spec offers none", n)
	}
	s0 := tb.stats()
	s1 := tb.waitFlow("call audio", s0)
	if s1.Codec != "audio/PCMU" {
		t.Errorf("browser sends %q, want audio/PCMU (G.711 end to end)", s1.Codec)
	}
	waitFarHears(t, cust, "call audio")
	tb.shot("3-call")

	// Mute: the customer stops hearing the agent.
	tb.do("mute", chromedp.Click(chromedp.ID("mute")))
	tb.waitJS("muted", `document.querySelector('#mute').getAttribute('aria-pressed') === 'true'`)
	tb.waitText("muted status", "#tray-status", "Muted")
	time.Sleep(300 * time.Millisecond) // packets already in flight
	before := cust.loud.Load()
	time.Sleep(1200 * time.Millisecond) // the fake microphone beeps every second
	if got := cust.loud.Load() - before; got != 0 {
		t.Errorf("muted: the customer heard %d loud frames from the agent", got)
	}
	tb.shot("4-muted")
	tb.do("unmute", chromedp.Click(chromedp.ID("mute")))
	tb.waitJS("unmuted", `document.querySelector('#mute').getAttribute('aria-pressed') === 'false'`)
	waitFarHears(t, cust, "unmuted")

	// Hold: neither side hears the other; the engine is told, to play hold audio to
	// the customer (campaign/engine TestHoldAudio checks what the customer hears).
	heldIs := func(want bool) {
		t.Helper()
		select {
		case got := <-call.Held():
			if got != want {
				t.Errorf("the engine was told held=%v, want %v", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("the engine was not told held=%v", want)
		}
	}
	tb.do("hold", chromedp.Click(chromedp.ID("hold")))
	tb.waitText("held", "#tray-status", "On hold")
	heldIs(true)
	time.Sleep(300 * time.Millisecond)
	held := tb.stats()
	time.Sleep(600 * time.Millisecond)
	if s := tb.stats(); s.Received > held.Received+3 {
		t.Errorf("on hold the agent still receives the customer: %d -> %d packets", held.Received, s.Received)
	}
	tb.shot("5-hold")
	tb.do("resume", chromedp.Click(chromedp.ID("hold")))
	tb.waitJS("resumed", `document.querySelector('#hold').getAttribute('aria-pressed') === 'false'`)
	heldIs(false)

	// Keypad: a digit reaches the customer as an RFC 4733 event.
	tb.do("keypad", chromedp.Click(chromedp.CSS("#dtmf summary")), chromedp.Click(chromedp.CSS(`#dtmf button[aria-label="Key 5"]`)))
	select {
	case d := <-cust.digits:
		if d != '5' {
			t.Errorf("customer heard digit %q, want 5", d)
		}
	case <-time.After(5 * time.Second):
		t.Error("the customer heard no DTMF digit from the keypad")
	}

	// A dropped WebSocket: the console reconnects, the state and the call stay, and the
	// audio (its own WebRTC connection) never stopped.
	welcomes := eval[int](tb, `outdialConsole.snapshot().welcomes`)
	tb.do("drop socket", chromedp.Evaluate[chromedp.Void](`outdialConsole.dropSocket()`))
	tb.waitJS("reconnected", fmt.Sprintf(`outdialConsole.snapshot().welcomes > %d && outdialConsole.snapshot().conn === 'online'`, welcomes))
	tb.waitText("call kept", "#tray-campaign", "Spring renewals")
	tb.waitText("state kept", "#state", "On a call")
	tb.waitFlow("audio after reconnect", tb.stats())
	tb.shot("6-reconnected")

	// A page reload: a new page, WebSocket and audio leg. The hub moves the call to the
	// new leg: the new page receives the customer and the customer hears it.
	tb.do("reload", chromedp.Reload())
	tb.waitText("call after reload", "#tray-campaign", "Spring renewals")
	tb.waitText("state after reload", "#state", "On a call")
	tb.waitFlow("audio after reload", audioStats{})
	waitFarHears(t, cust, "after reload")
	tb.shot("6b-reloaded")

	// End call: the agent hangs up, the engine ends the call and asks for wrap-up.
	tb.do("end call", chromedp.Click(chromedp.ID("hangup")))
	select {
	case <-call.HungUp():
	case <-time.After(10 * time.Second):
		t.Fatal("End call did not reach the hub")
	}
	unbridge()
	call.Ended()
	p.hub.State(p.agent.ID, engine.AgentWrapUp)
	tb.waitText("wrap-up", "#state", "Wrap-up")
	tb.waitText("dispositions", "#dispositions", "Call back")
	// Saving without a choice is refused on the page.
	tb.do("save without choice", chromedp.Click(chromedp.ID("wrap-save")))
	tb.waitText("choose", "#wrap-error", "Choose a disposition")
	tb.shot("7-wrap-up")
	tb.do("disposition",
		chromedp.Click(chromedp.CSS(`#dispositions input[value="Call back"]`)),
		chromedp.SendKeys(chromedp.ID("notes"), "wants a call on Monday"),
		chromedp.Click(chromedp.ID("wrap-save")))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	w, err := call.Disposition(ctx)
	if err != nil {
		t.Fatalf("no disposition: %v", err)
	}
	if w.Disposition != "Call back" || w.Notes != "wants a call on Monday" {
		t.Errorf("disposition %+v", w)
	}
	p.hub.State(p.agent.ID, engine.AgentAvailable)
	tb.waitText("available again", "#state", "Available")
	tb.waitJS("tray gone", `document.querySelector('#tray').hidden && document.querySelector('#wrap').hidden`)
	tb.shot("8-after-call")
}

func TestSoftphonePreview(t *testing.T) {
	p := newPhoneEnv(t, console.SoftphoneOptions{Version: "test", PreviewTimeout: 3 * time.Second, RedirectAfter: time.Second})
	tb := p.tab()
	p.signInConsole(tb)
	p.goAvailable(tb)

	// A record with one skip left: Dial, Skip, the timer and the lock notice.
	o := engine.Offer{RecordID: 11, CampaignID: 5, Campaign: "Preview callbacks", Mode: "preview", Number: "+12125550111",
		FirstName: "Grace", LastName: "Hopper", SkipsLeft: 1, Dispositions: []string{"Resolved"}}
	p.hub.State(p.agent.ID, engine.AgentSystemBusy)
	p.hub.Preview(p.agent.ID, o)
	tb.waitText("preview", "#preview-contact", "Grace Hopper")
	tb.waitText("timer", "#preview-timer", "0:0")
	tb.waitText("lock", "#preview-lock", "no other agent")
	tb.waitJS("skip shown", `!document.querySelector('#skip').hidden`)
	tb.shot("1-preview")
	tb.do("skip", chromedp.Click(chromedp.ID("skip")))
	if ev := p.engine.next(t, "preview"); ev.record != 11 || ev.yes {
		t.Fatalf("skip reached the engine as %+v", ev)
	}

	// The next offer is at the skip limit: no Skip; nobody acts, so the timer dials it.
	// The agent is on another tab: a banner (and a notification where allowed) says
	// so, and the console takes the agent back.
	tb.do("hide tab", chromedp.Evaluate[chromedp.Void](`Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'})`))
	o2 := o
	o2.RecordID, o2.FirstName, o2.SkipsLeft = 12, "Alan", 0
	p.hub.Preview(p.agent.ID, o2)
	tb.waitText("redirect banner", "#redirect", "Bringing you back to the console")
	tb.waitText("second preview", "#preview-contact", "Alan Hopper")
	tb.waitJS("skip hidden", `document.querySelector('#skip').hidden`)
	tb.waitText("skip limit", "#skips-left", "Skip limit reached")
	tb.shot("2-skip-limit")
	tb.waitText("brought back", "#redirect", "You were brought back")
	ev := p.engine.next(t, "preview")
	if ev.record != 12 || !ev.yes {
		t.Fatalf("the timer's end reached the engine as %+v, want dial of record 12", ev)
	}
	tb.do("show tab", chromedp.Evaluate[chromedp.Void](`delete document.visibilityState; document.dispatchEvent(new Event('visibilitychange'))`))
	tb.waitJS("banner gone", `document.querySelector('#redirect').hidden`)
	tb.waitJS("connecting", isConnecting)
	tb.waitText("system busy", "#state", "System Busy")
	tb.shot("3-connecting")

	// The lock: a second agent cannot answer the record offered to the first.
	ctx := context.Background()
	u2, err := p.store.CreateUser(ctx, store.User{Username: "agent2", DisplayName: "Agent Two", Role: store.RoleAgent, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.store.CreateAgent(ctx, store.Agent{UserID: u2.ID, Name: "Agent Two"}); err != nil {
		t.Fatal(err)
	}
	tok, _, err := api.CreateToken(ctx, p.store, u2.ID, "console", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	hdr := map[string][]string{"Origin": {p.url}}
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(p.url, "http")+"/console/ws", hdr)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	read := func(typ string) map[string]any {
		t.Helper()
		_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		for range 10 {
			var m map[string]any
			if err := ws.ReadJSON(&m); err != nil {
				t.Fatalf("agent2 waiting for %s: %v", typ, err)
			}
			if m["type"] == typ {
				return m
			}
		}
		t.Fatalf("agent2: no %s", typ)
		return nil
	}
	_ = ws.WriteJSON(map[string]any{"type": "login", "token": tok})
	read("welcome")
	p.hub.Preview(p.agent.ID, engine.Offer{RecordID: 13, CampaignID: 5, Campaign: "Preview callbacks", Mode: "preview", Number: "+12125550113"})
	tb.waitText("third preview", "#preview-contact", "+12125550113")
	_ = ws.WriteJSON(map[string]any{"type": "preview", "record_id": 13, "action": "dial"})
	if m := read("error"); !strings.Contains(fmt.Sprint(m["message"]), "not offered to you") {
		t.Errorf("agent2 dialing agent1's record: %v", m)
	}
	tb.shot("4-locked")
}

// TestSoftphoneMicrophoneRefused: a refused microphone is said plainly, with a retry.
func TestSoftphoneMicrophoneRefused(t *testing.T) {
	p := newPhoneEnv(t, console.SoftphoneOptions{Version: "test"})
	tb := p.tab()
	tb.do("blank", chromedp.Navigate("about:blank"))
	if _, err := chromedp.Call(tb.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));`}); err != nil {
		t.Fatal(err)
	}
	tb.do("open console", chromedp.Navigate(p.url+"/console/"), chromedp.WaitVisible(chromedp.ID("username")))
	tb.do("sign in",
		chromedp.SendKeys(chromedp.ID("username"), string(store.RoleAgent)),
		chromedp.SendKeys(chromedp.ID("password"), password(store.RoleAgent)),
		chromedp.Click(chromedp.CSS("#signin-form button[type=submit]")))
	tb.waitText("mic refused", "#audio", "microphone is blocked")
	tb.waitJS("retry shown", `!document.querySelector('#audio-retry').hidden`)
	tb.do("try Available", chromedp.Click(chromedp.ID("go-available")))
	tb.waitText("not ready", "#notice", "audio is not ready")
	if n := len(p.engine.ev); n > 0 {
		for range n {
			if ev := <-p.engine.ev; ev.kind == "ready" {
				t.Errorf("Available reached the engine without audio: %+v", ev)
			}
		}
	}
	tb.shot("mic-refused")
}

// TestSoftphoneServes checks the console page itself: its boot data and headers.
func TestSoftphoneServes(t *testing.T) {
	p := newPhoneEnv(t, console.SoftphoneOptions{Version: "v9", PreviewTimeout: 30 * time.Second})
	tb := p.tab()
	tb.do("open", chromedp.Navigate(p.url+"/console/"), chromedp.WaitVisible(chromedp.ID("username")))
	var boot struct {
		PreviewSeconds float64 `json:"preview_seconds"`
		RedirectMS     int64   `json:"redirect_ms"`
		Socket         string  `json:"socket"`
	}
	raw := eval[string](tb, `document.getElementById('boot').textContent`)
	if err := json.Unmarshal([]byte(raw), &boot); err != nil {
		t.Fatal(err)
	}
	if boot.PreviewSeconds != 30 || boot.RedirectMS != 5000 || boot.Socket != "/console/ws" {
		t.Errorf("boot %+v", boot)
	}
	// Every control has a name a screen reader can say.
	unnamed := eval[[]string](tb, `[...document.querySelectorAll('button, input, textarea, select')].filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim()).map(e => e.id || e.outerHTML)`)
	if len(unnamed) > 0 {
		t.Errorf("controls without a label: %v", unnamed)
	}
}
