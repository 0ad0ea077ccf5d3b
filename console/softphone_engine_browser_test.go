package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/outdial/outdial/api"
	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/campaign/engine/enginetest"
	"github.com/outdial/outdial/console"
	"github.com/outdial/outdial/sip/carrier"
	"github.com/outdial/outdial/store"
)

// The tests of this file run the real engine: campaigns dialed through SIP to the
// simulated carrier (campaign/engine/enginetest), calls bridged to an agent in the
// browser over WebRTC, dispositions stored by the engine and read back from the store
// and the dashboard API.

// engineDesk is the console against the real engine: the test's API server and store,
// an enginetest rig, the hub with WebRTC legs, one agent of queue Sales, and the engine
// running until the test ends.
type engineDesk struct {
	*phoneEnv
	rig   *enginetest.Rig
	queue store.Queue
}

// newEngineDesk builds the desk; the carrier's RTP ports are base..base+999 and the
// dialer's the next thousand, distinct per test.
func newEngineDesk(t *testing.T, sc carrier.Scenario, base uint16, opts console.SoftphoneOptions) *engineDesk {
	t.Helper()
	e := newEnv(t)
	ctx := context.Background()
	clock := enginetest.NewClock(time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC), 1) // a Monday, 10:00 in New York
	rig := enginetest.New(t, enginetest.Options{Store: e.store, Clock: clock, Scenario: sc,
		CarrierPorts: [2]uint16{base, base + 999}, DialerPorts: [2]uint16{base + 1000, base + 1999}})
	q, ag, hub := agentDesk(t, e)
	eng := rig.Engine(t, "node-a", hub)
	hub.Attach(eng)
	e.srv.HandleRaw("/console/ws", hub)
	e.srv.HandleRaw("/console/", console.SoftphoneHandler(opts))
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan struct{})
	go func() { defer close(ran); eng.Run(runCtx) }()
	t.Cleanup(func() { stop(); <-ran; hub.Close() })
	return &engineDesk{phoneEnv: &phoneEnv{env: e, hub: hub, agent: ag}, rig: rig, queue: q}
}

// person is a contact of a test list: first name, last name, phone.
type person struct{ first, last, phone string }

func (p person) name() string { return p.first + " " + p.last }

// startCampaign creates def (its caller ID, queue, DNC list and a list of people
// filled in) and plays it; the returned campaign has its instance.
func (d *engineDesk) startCampaign(t *testing.T, def campaign.Definition, people ...person) campaign.Campaign {
	t.Helper()
	ctx := context.Background()
	l, err := d.store.CreateList(ctx, store.List{Kind: store.ListContact, Name: def.Name + " list", Status: store.ListValidated, Source: store.SourceCSV})
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	if _, err := d.store.WriteContacts(ctx, l.ID, 0, func() (store.Contact, error) {
		if i == len(people) {
			return store.Contact{}, io.EOF
		}
		p := people[i]
		i++
		return store.Contact{Row: int64(i + 1), Phones: []string{p.phone}, FirstName: p.first, LastName: p.last}, nil
	}); err != nil {
		t.Fatal(err)
	}
	dnc, err := d.store.CreateList(ctx, store.List{Kind: store.ListDNC, Name: def.Name + " dnc", Status: store.ListValidated})
	if err != nil {
		t.Fatal(err)
	}
	def.ListIDs, def.Contacts.DNCListID = []int64{l.ID}, dnc.ID
	def.Dialing.QueueID, def.Outreach.CallerID = &d.queue.ID, &d.rig.CallerID
	def.Outreach.Timings.TimeZone = "America/New_York"
	c, err := d.rig.Service.Create(ctx, def)
	if err != nil {
		t.Fatal(err)
	}
	if c, err = d.rig.Service.Act(ctx, c.ID, campaign.ActionPlay); err != nil {
		t.Fatal(err)
	}
	return c
}

// conversation is one record of a run with its attempts, oldest first.
type conversation struct {
	rec  store.CallRecord
	atts []store.Attempt
}

// waitConversations waits (10 s at most) until the run's records have closed attempts
// in all and returns them by contact name.
func (d *engineDesk) waitConversations(t *testing.T, inst int64, closed int) map[string]conversation {
	t.Helper()
	ctx := context.Background()
	var got map[string]conversation
	n := 0
	for range 100 {
		rows, _, err := d.store.Executions(ctx, store.ExecutionFilter{InstanceID: inst, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		got, n = map[string]conversation{}, 0
		for _, r := range rows {
			atts, err := d.store.RecordAttempts(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range atts {
				if a.State == store.AttemptFinal {
					n++
				}
			}
			got[r.FirstName+" "+r.LastName] = conversation{rec: r, atts: atts}
		}
		if n >= closed {
			return got
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("run %d has %d closed attempts, want %d: %+v", inst, n, closed, got)
	return nil
}

// waitReports waits until the carrier has reported n calls and returns them by number.
func (d *engineDesk) waitReports(t *testing.T, n int) map[string][]carrier.Report {
	t.Helper()
	for range 100 {
		if d.rig.Reports.Count() >= n {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := d.rig.Reports.Count(); got != n {
		t.Fatalf("the carrier reported %d calls, want %d", got, n)
	}
	return d.rig.Reports.ByNumber()
}

// dashboard reads GET /api/v1/campaigns/{id}/dashboard as the supervisor.
func (d *engineDesk) dashboard(t *testing.T, id int64) api.Dashboard {
	t.Helper()
	ctx := context.Background()
	u, err := d.store.UserByUsername(ctx, string(store.RoleSupervisor))
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := api.CreateToken(ctx, d.store, u.ID, "dashboard", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.url+"/api/v1/campaigns/"+itoa(id)+"/dashboard", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var db api.Dashboard
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("dashboard: %s %s", res.Status, b)
	}
	if err := json.NewDecoder(res.Body).Decode(&db); err != nil {
		t.Fatal(err)
	}
	return db
}

// dashboardFigures are the dashboard's counts a test compares as a whole.
type dashboardFigures struct {
	records, done, dialed, attempts, connected int64
	outcomes, dispositions, matrix             map[string]int64 // matrix keys: "attempt/disposition"
}

func figuresOf(db api.Dashboard) dashboardFigures {
	f := dashboardFigures{records: db.Stats.Records, done: db.Stats.Done, dialed: db.Stats.Dialed, attempts: db.Stats.Attempts,
		connected: db.Stats.Connected, outcomes: map[string]int64{}, dispositions: map[string]int64{}, matrix: map[string]int64{}}
	for _, c := range db.Stats.Outcomes {
		f.outcomes[c.Name] = c.Count
	}
	for _, c := range db.Stats.Dispositions {
		f.dispositions[c.Name] = c.Count
	}
	for _, m := range db.Matrix {
		f.matrix[fmt.Sprintf("%d/%s", m.Attempt, m.Disposition)] = m.Count
	}
	return f
}

func (f dashboardFigures) equal(g dashboardFigures) bool {
	return f.records == g.records && f.done == g.done && f.dialed == g.dialed && f.attempts == g.attempts &&
		f.connected == g.connected && maps.Equal(f.outcomes, g.outcomes) && maps.Equal(f.dispositions, g.dispositions) &&
		maps.Equal(f.matrix, g.matrix)
}

// checkDashboard compares the dashboard API's figures with want, then opens the
// campaign's dashboard page as the supervisor in a second tab and waits for the agent
// disposition chart to show disposition.
func (d *engineDesk) checkDashboard(t *testing.T, c campaign.Campaign, want dashboardFigures, disposition string) {
	t.Helper()
	db := d.dashboard(t, c.ID)
	if got := figuresOf(db); !got.equal(want) {
		t.Errorf("dashboard figures\n got %+v\nwant %+v", got, want)
	}
	if db.Mode != c.Dialing.Mode {
		t.Errorf("dashboard mode %q, want %q", db.Mode, c.Dialing.Mode)
	}
	tb := d.tab()
	tb.login(store.RoleSupervisor)
	tb.open("/dashboard/" + itoa(c.ID))
	tb.waitJS("agent chart", fmt.Sprintf(`document.querySelector('#chart-agent g[data-name=%q]')`, disposition))
	tb.shot("dashboard")
}

// isConnecting holds while the page shows the "Connecting..." tray of a call the system
// dials for the agent.
const isConnecting = `!document.querySelector('#tray').hidden && document.querySelector('#tray-status').textContent === 'Connecting...' && document.querySelector('#preview').hidden`

// wrapUp waits for wrap-up, picks the disposition, writes notes and saves.
func (tb *tab) wrapUp(disposition, notes string) {
	tb.t.Helper()
	tb.waitText("wrap-up", "#state", "Wrap-up")
	tb.waitText("dispositions", "#dispositions", disposition)
	tb.shot("wrap-up-" + disposition)
	tb.do("disposition "+disposition, chromedp.Click(chromedp.CSS(fmt.Sprintf(`#dispositions input[value=%q]`, disposition))))
	if notes != "" {
		tb.do("notes", chromedp.SendKeys(chromedp.ID("notes"), notes))
	}
	tb.do("save disposition", chromedp.Click(chromedp.ID("wrap-save")))
	tb.waitJS("wrap-up closed", `document.querySelector('#wrap').hidden`)
}

// checkRetry checks that conversation cv's last attempt, by the agent, closed with
// disposition and that the record is ready again delay after it.
func checkRetry(t *testing.T, cv conversation, agent int64, disposition, notes string, delay time.Duration) {
	t.Helper()
	if len(cv.atts) == 0 {
		t.Fatalf("%s %s: no attempt", cv.rec.FirstName, cv.rec.LastName)
	}
	a := cv.atts[len(cv.atts)-1]
	if a.Outcome != campaign.OutcomeConnected || a.Disposition != disposition || a.AgentID == nil || *a.AgentID != agent || a.Notes != notes || a.EndedAt == nil {
		t.Errorf("%s %s: attempt %+v; want Connected, %q by agent %d with notes %q", cv.rec.FirstName, cv.rec.LastName, a, disposition, agent, notes)
		return
	}
	if cv.rec.State != store.RecordReady || cv.rec.Disposition != disposition {
		t.Errorf("%s %s: record %s with %q; want ready again with %q", cv.rec.FirstName, cv.rec.LastName, cv.rec.State, cv.rec.Disposition, disposition)
	}
	if got := cv.rec.NextAttemptAt.Sub(*a.EndedAt); got < delay-time.Second || got > delay+time.Second {
		t.Errorf("%s %s: next attempt %s after the call, want %s (the retry rule)", cv.rec.FirstName, cv.rec.LastName, got, delay)
	}
}

// TestSoftphoneWithEngine: an agent in a real browser takes a progressive call placed
// by the real engine through SIP to the simulated carrier, talks (audio both ways and
// a keypad digit the carrier receives), hangs up and chooses a disposition and notes,
// which the engine stores on the attempt.
func TestSoftphoneWithEngine(t *testing.T) {
	d := newEngineDesk(t, carrier.Scenario{Answer: 1, RingMS: [2]int{30, 120}, TalkMS: [2]int{30000, 30000}, DTMFEcho: true},
		52000, console.SoftphoneOptions{Version: "test"})
	ada := person{"Ada", "Lovelace", "+12125552001"}
	c := d.startCampaign(t, campaign.Definition{Name: "Spring renewals",
		Dialing:      campaign.Dialing{Mode: campaign.ModeProgressive},
		Outreach:     campaign.Outreach{MaxAttempts: 2, RetryMinutes: 60, MaxRingSeconds: 10},
		Dispositions: campaign.DispositionSet{Positive: []string{campaign.DispositionResolved}, Custom: []string{"Wants brochure"}},
	}, ada)

	tb := d.tab()
	d.signInConsole(tb)
	tb.do("click Available", chromedp.Click(chromedp.ID("go-available")))
	tb.waitText("call from the engine", "#tray-campaign", "Spring renewals")
	tb.waitText("contact", "#tray-contact", ada.name())
	tb.waitText("busy", "#state", "On a call")
	tb.waitFlow("audio with the carrier", tb.stats())
	tb.shot("1-call")
	tb.do("keypad", chromedp.Click(chromedp.CSS("#dtmf summary")), chromedp.Click(chromedp.CSS(`#dtmf button[aria-label="Key 5"]`)))
	// Hang up only once the browser has sent the digit's last event and a second
	// more of audio has flowed, however slow the machine.
	tb.waitJS("digit sent", `outdialConsole.tonesDone() >= 1`)
	tb.waitSent("a second more of audio", 50)
	tb.do("end call", chromedp.Click(chromedp.ID("hangup")))
	tb.wrapUp("Wants brochure", "send the PDF")

	// The engine stores the disposition on the attempt and the notes on the record.
	cv := d.waitConversations(t, *c.InstanceID, 1)[ada.name()]
	if len(cv.atts) != 1 {
		t.Fatalf("attempts %+v, want one", cv.atts)
	}
	got := cv.atts[0]
	if got.Disposition != "Wants brochure" || got.Outcome != campaign.OutcomeConnected || got.AgentID == nil || got.Notes != "send the PDF" {
		t.Errorf("stored attempt %+v; want outcome %s, disposition Wants brochure, the agent and the notes", got, campaign.OutcomeConnected)
	}
	if cv.rec.LastNotes != "send the PDF" {
		t.Errorf("Latest Execution row notes %q, want the agent's", cv.rec.LastNotes)
	}
	tb.waitJS("console free", `document.querySelector('#tray').hidden && document.querySelector('#wrap').hidden`)
	tb.shot("3-done")

	// The carrier received the agent's audio and the keypad digit.
	rep := d.waitReports(t, 1)[ada.phone][0]
	if rep.Outcome != "answered" || rep.RTP == nil || rep.RTP.PacketsReceived < 50 || !strings.Contains(rep.Digits, "5") {
		t.Errorf("carrier report %+v (rtp %+v); want an answered call with the agent's audio and digit 5", rep, rep.RTP)
	}
}

// TestSoftphonePowerWithEngine: a power campaign (ratio 2) with the real engine. The
// agent goes Available; the page shows "Connecting..." while the engine dials two
// contacts for the agent at once; both answer: the first is accepted automatically and
// talks with the agent (audio both ways), the second finds nobody free (safe harbour,
// Abandoned). The agent's disposition has a retry rule: the record is ready again after
// the rule's delay, the abandoned one after the campaign's retry period, and the
// dashboard counts both.
func TestSoftphonePowerWithEngine(t *testing.T) {
	d := newEngineDesk(t, carrier.Scenario{Answer: 1, RingMS: [2]int{1500, 1500}, TalkMS: [2]int{30000, 30000}},
		54000, console.SoftphoneOptions{Version: "test"})
	people := []person{{"Ada", "Lovelace", "+12125552101"}, {"Grace", "Hopper", "+12125552102"}}
	c := d.startCampaign(t, campaign.Definition{Name: "Power renewals",
		Dialing:  campaign.Dialing{Mode: campaign.ModePower, PacingRatio: 2},
		Outreach: campaign.Outreach{MaxAttempts: 3, RetryMinutes: 60, MaxRingSeconds: 10},
		Messages: campaign.Messages{SafeHarbour: "Power renewals calling. We will call again. Press {{optOutDigit}} to stop."},
		Dispositions: campaign.DispositionSet{Positive: []string{campaign.DispositionResolved},
			Rules: []campaign.RetryRule{{Disposition: campaign.DispositionUnresolved, Attempts: 2, DelayMinutes: 45}}},
	}, people...)

	tb := d.tab()
	d.signInConsole(tb)
	tb.do("click Available", chromedp.Click(chromedp.ID("go-available")))
	tb.waitJS("connecting", isConnecting)
	tb.waitText("system busy", "#state", "System Busy: Connecting...")
	tb.shot("1-connecting")

	// The first answer is the agent's, without a click.
	tb.waitText("call", "#tray-campaign", "Power renewals")
	tb.waitText("busy", "#state", "On a call")
	tb.waitText("power mode", "#serving", "(power)")
	talked := eval[string](tb, `document.querySelector('#tray-contact dd').textContent`)
	var agentCall, abandoned person
	switch talked {
	case people[0].name():
		agentCall, abandoned = people[0], people[1]
	case people[1].name():
		agentCall, abandoned = people[1], people[0]
	default:
		t.Fatalf("the tray shows %q, not a contact of the campaign", talked)
	}
	tb.waitFlow("audio with the carrier", tb.stats())
	tb.shot("2-call")
	// While the agent talks, the other answered call waits the grace (2 s) for an agent,
	// hears the safe-harbour message and closes as Abandoned: its attempt is the first
	// one closed.
	if cv := d.waitConversations(t, *c.InstanceID, 1)[abandoned.name()]; len(cv.atts) != 1 || cv.atts[0].State != store.AttemptFinal {
		t.Fatalf("%s: %+v; want its call closed while the agent talks", abandoned.name(), cv)
	}
	tb.waitFlow("audio still flowing", tb.stats())
	tb.do("end call", chromedp.Click(chromedp.ID("hangup")))
	tb.wrapUp(campaign.DispositionUnresolved, "call after the board meeting")
	tb.waitText("available again", "#state", "Available")
	tb.shot("3-available")

	// The store: the agent's disposition drives its retry (the rule's 45 minutes), the
	// abandoned call is retried after the campaign's 60.
	convs := d.waitConversations(t, *c.InstanceID, 2)
	checkRetry(t, convs[agentCall.name()], d.agent.ID, campaign.DispositionUnresolved, "call after the board meeting", 45*time.Minute)
	ab := convs[abandoned.name()]
	if len(ab.atts) != 1 || ab.atts[0].Outcome != campaign.OutcomeAbandoned || ab.atts[0].AgentID != nil || ab.atts[0].EndedAt == nil {
		t.Errorf("%s: attempts %+v; want one Abandoned without an agent", abandoned.name(), ab.atts)
	} else if got := ab.rec.NextAttemptAt.Sub(*ab.atts[0].EndedAt); ab.rec.State != store.RecordReady || got < 59*time.Minute || got > 61*time.Minute {
		t.Errorf("%s: record %s, next attempt %s after the call; want ready again after 1h", abandoned.name(), ab.rec.State, got)
	}

	// The carrier: two calls at once (ratio 2), the agent's audio on the talked one.
	reps := d.waitReports(t, 2)
	if r := reps[agentCall.phone]; len(r) != 1 || r[0].Outcome != "answered" || r[0].RTP == nil || r[0].RTP.PacketsReceived < 50 {
		t.Errorf("carrier reports for %s: %+v; want one answered call with the agent's audio", agentCall.phone, r)
	}
	if r := reps[abandoned.phone]; len(r) != 1 || r[0].Outcome != "answered" {
		t.Errorf("carrier reports for %s: %+v; want one answered call", abandoned.phone, r)
	}

	d.checkDashboard(t, c, dashboardFigures{records: 2, done: 0, dialed: 2, attempts: 2, connected: 1,
		outcomes:     map[string]int64{campaign.OutcomeConnected: 1, campaign.OutcomeAbandoned: 1},
		dispositions: map[string]int64{campaign.DispositionUnresolved: 1},
		matrix:       map[string]int64{"1/" + campaign.DispositionUnresolved: 1, "1/" + campaign.OutcomeAbandoned: 1},
	}, campaign.DispositionUnresolved)
}

// TestSoftphonePreviewWithEngine: a preview campaign (one skip per record) with the real
// engine. The first offer shows the 30-second timer; the agent skips it, dials the next
// one, talks (audio both ways) and chooses a custom disposition with a retry rule. The
// skipped record comes back with no skip left and is dialed in turn (a skip is not an
// attempt), closed as Resolved. The store and the dashboard hold both.
func TestSoftphonePreviewWithEngine(t *testing.T) {
	d := newEngineDesk(t, carrier.Scenario{Answer: 1, RingMS: [2]int{1000, 1000}, TalkMS: [2]int{30000, 30000}},
		56000, console.SoftphoneOptions{Version: "test"}) // the page's default 30 s timer: the agent acts before it ends
	const later = "Call back later"
	people := map[string]person{}
	for _, p := range []person{{"Alan", "Turing", "+12125552201"}, {"Katherine", "Johnson", "+12125552202"}} {
		people[p.name()] = p
	}
	c := d.startCampaign(t, campaign.Definition{Name: "Preview callbacks",
		Dialing:  campaign.Dialing{Mode: campaign.ModePreview, MaxSkips: 1},
		Outreach: campaign.Outreach{MaxAttempts: 2, RetryMinutes: 60, MaxRingSeconds: 10},
		Dispositions: campaign.DispositionSet{Custom: []string{later}, Positive: []string{campaign.DispositionResolved},
			Rules: []campaign.RetryRule{{Disposition: later, Attempts: 1, DelayMinutes: 30}}},
	}, people["Alan Turing"], people["Katherine Johnson"])

	tb := d.tab()
	d.signInConsole(tb)
	tb.do("click Available", chromedp.Click(chromedp.ID("go-available")))
	offered := func(step string) person {
		t.Helper()
		tb.waitJS(step, `!document.querySelector('#preview').hidden && document.querySelector('#preview-contact dd')`)
		p, ok := people[eval[string](tb, `document.querySelector('#preview-contact dd').textContent`)]
		if !ok {
			tb.shot("failed-" + step)
			t.Fatalf("%s: the offer is not a contact of the campaign", step)
		}
		return p
	}
	skipped := offered("first offer")
	tb.waitText("campaign", "#preview-campaign", "Preview callbacks")
	tb.waitJS("30 s timer", `/^0:(2[0-9]|30)$/.test(document.querySelector('#preview-timer').textContent)`)
	tb.waitText("lock", "#preview-lock", "no other agent")
	tb.waitText("one skip", "#skips-left", "1 skip left")
	tb.waitText("system busy", "#state", "System Busy")
	tb.shot("1-offer")
	tb.do("skip", chromedp.Click(chromedp.ID("skip")))

	// The next record: dialed by the agent.
	tb.waitJS("next offer", fmt.Sprintf(`!document.querySelector('#preview').hidden && !document.querySelector('#preview-contact').textContent.includes(%q)`, skipped.first))
	dialed := offered("next offer")
	if dialed == skipped {
		t.Fatalf("the skipped record %s was offered again at once", skipped.name())
	}
	tb.shot("2-next-offer")
	tb.do("dial", chromedp.Click(chromedp.ID("dial")))
	tb.waitJS("connecting", isConnecting)
	tb.waitText("system busy", "#state", "System Busy: Connecting...")
	tb.shot("3-connecting")
	tb.waitText("call", "#tray-contact", dialed.name())
	tb.waitText("busy", "#state", "On a call")
	tb.waitFlow("audio with the carrier", tb.stats())
	tb.shot("4-call")
	tb.do("end call", chromedp.Click(chromedp.ID("hangup")))
	tb.wrapUp(later, "after 3 pm")

	// The skipped record comes back, at its skip limit; the agent dials it.
	if p := offered("skipped record again"); p != skipped {
		t.Fatalf("offered %s after the call, want the skipped %s", p.name(), skipped.name())
	}
	tb.waitJS("skip hidden", `document.querySelector('#skip').hidden`)
	tb.waitText("skip limit", "#skips-left", "Skip limit reached")
	tb.shot("5-skip-limit")
	convs := d.waitConversations(t, *c.InstanceID, 1)
	if cv := convs[skipped.name()]; len(cv.atts) != 0 || cv.rec.Attempts != 0 {
		t.Errorf("the skip was stored as an attempt: %+v", cv)
	}
	checkRetry(t, convs[dialed.name()], d.agent.ID, later, "after 3 pm", 30*time.Minute)
	tb.do("dial skipped", chromedp.Click(chromedp.ID("dial")))
	tb.waitText("second call", "#tray-contact", skipped.name())
	tb.waitFlow("second call audio", tb.stats())
	tb.do("end second call", chromedp.Click(chromedp.ID("hangup")))
	tb.wrapUp(campaign.DispositionResolved, "")
	tb.waitText("available again", "#state", "Available")
	tb.shot("6-done")

	convs = d.waitConversations(t, *c.InstanceID, 2)
	if cv := convs[skipped.name()]; len(cv.atts) != 1 || cv.atts[0].Disposition != campaign.DispositionResolved || cv.rec.State != store.RecordDone {
		t.Errorf("%s: %+v; want one attempt, Resolved, the record done (a positive final outcome)", skipped.name(), cv)
	}
	if cv := convs[dialed.name()]; len(cv.atts) != 1 || cv.rec.State != store.RecordReady {
		t.Errorf("%s: %+v; want one attempt and the record waiting for its retry", dialed.name(), cv)
	}
	reps := d.waitReports(t, 2)
	for _, p := range []person{dialed, skipped} {
		if r := reps[p.phone]; len(r) != 1 || r[0].Outcome != "answered" || r[0].RTP == nil || r[0].RTP.PacketsReceived < 50 {
			t.Errorf("carrier reports for %s: %+v; want one answered call with the agent's audio", p.phone, r)
		}
	}
	d.checkDashboard(t, c, dashboardFigures{records: 2, done: 1, dialed: 2, attempts: 2, connected: 2,
		outcomes:     map[string]int64{campaign.OutcomeConnected: 2},
		dispositions: map[string]int64{later: 1, campaign.DispositionResolved: 1},
		matrix:       map[string]int64{"1/" + later: 1, "1/" + campaign.DispositionResolved: 1},
	}, later)
}
