package console_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/campaign/engine/enginetest"
	"github.com/outdial/outdial/console"
	"github.com/outdial/outdial/sip/carrier"
	"github.com/outdial/outdial/store"
)

// TestSoftphoneWithEngine: an agent in a real browser takes a progressive call placed
// by the real engine through SIP to the simulated carrier, talks (audio both ways and
// a keypad digit the carrier receives), hangs up and chooses a disposition and notes,
// which the engine stores on the attempt.
func TestSoftphoneWithEngine(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	clock := enginetest.NewClock(time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC), 1) // a Monday, 10:00 in New York
	rig := enginetest.New(t, enginetest.Options{Store: e.store, Clock: clock,
		Scenario:     carrier.Scenario{Answer: 1, RingMS: [2]int{30, 120}, TalkMS: [2]int{30000, 30000}, DTMFEcho: true},
		CarrierPorts: [2]uint16{52000, 52999}, DialerPorts: [2]uint16{53000, 53999}})
	q, err := e.store.CreateQueue(ctx, store.Queue{Name: "Sales"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := e.store.UserByUsername(ctx, string(store.RoleAgent))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.CreateAgent(ctx, store.Agent{UserID: u.ID, Name: "Test agent", QueueIDs: []int64{q.ID}}); err != nil {
		t.Fatal(err)
	}
	legs, err := console.NewWebRTCLegs(console.WebRTCConfig{})
	if err != nil {
		t.Fatal(err)
	}
	hub := console.NewHub(console.HubConfig{Store: e.store, Legs: legs})
	eng := rig.Engine(t, "node-a", hub)
	hub.Attach(eng)
	e.srv.HandleRaw("/console/ws", hub)
	e.srv.HandleRaw("/console/", console.SoftphoneHandler(console.SoftphoneOptions{Version: "test"}))
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan struct{})
	go func() { defer close(ran); eng.Run(runCtx) }()
	t.Cleanup(func() { stop(); <-ran; hub.Close() })

	// One contact in a progressive campaign of the agent's queue.
	l, err := e.store.CreateList(ctx, store.List{Kind: store.ListContact, Name: "renewals", Status: store.ListValidated, Source: store.SourceCSV})
	if err != nil {
		t.Fatal(err)
	}
	done := false
	if _, err := e.store.WriteContacts(ctx, l.ID, func() (store.Contact, error) {
		if done {
			return store.Contact{}, io.EOF
		}
		done = true
		return store.Contact{Row: 2, Phones: []string{"+12125552001"}, FirstName: "Ada", LastName: "Lovelace"}, nil
	}); err != nil {
		t.Fatal(err)
	}
	dnc, err := e.store.CreateList(ctx, store.List{Kind: store.ListDNC, Name: "dnc", Status: store.ListValidated})
	if err != nil {
		t.Fatal(err)
	}
	c, err := rig.Service.Create(ctx, campaign.Definition{Name: "Spring renewals", ListIDs: []int64{l.ID},
		Dialing:  campaign.Dialing{Mode: campaign.ModeProgressive, QueueID: &q.ID},
		Contacts: campaign.Choose{DNCListID: dnc.ID},
		Outreach: campaign.Outreach{CallerID: &rig.CallerID, MaxAttempts: 2, RetryMinutes: 60, MaxRingSeconds: 10,
			Timings: campaign.Timings{TimeZone: "America/New_York"}},
		Dispositions: campaign.DispositionSet{Positive: []string{campaign.DispositionResolved}, Custom: []string{"Wants brochure"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if c, err = rig.Service.Act(ctx, c.ID, campaign.ActionPlay); err != nil {
		t.Fatal(err)
	}

	tb := e.tab()
	p := &phoneEnv{env: e, hub: hub}
	p.signInConsole(tb)
	tb.do("click Available", chromedp.Click(chromedp.ID("go-available")))
	tb.waitText("call from the engine", "#tray-campaign", "Spring renewals")
	tb.waitText("contact", "#tray-contact", "Ada Lovelace")
	tb.waitText("busy", "#state", "On a call")
	tb.waitFlow("audio with the carrier", tb.stats())
	tb.shot("1-call")
	tb.do("keypad", chromedp.Click(chromedp.CSS("#dtmf summary")), chromedp.Click(chromedp.CSS(`#dtmf button[aria-label="Key 5"]`)))
	time.Sleep(500 * time.Millisecond) // the digit's events take ~200 ms to send
	tb.do("end call", chromedp.Click(chromedp.ID("hangup")))
	tb.waitText("wrap-up", "#state", "Wrap-up")
	tb.waitText("dispositions", "#dispositions", "Wants brochure")
	tb.shot("2-wrap-up")
	tb.do("disposition",
		chromedp.Click(chromedp.CSS(`#dispositions input[value="Wants brochure"]`)),
		chromedp.SendKeys(chromedp.ID("notes"), "send the PDF"),
		chromedp.Click(chromedp.ID("wrap-save")))

	// The engine stores the disposition on the attempt.
	inst := *c.InstanceID
	var got store.Attempt
	var row store.CallRecord
	for range 100 {
		rows, _, err := e.store.Executions(ctx, store.ExecutionFilter{InstanceID: inst, Limit: 10})
		if err == nil && len(rows) == 1 {
			atts, _ := e.store.RecordAttempts(ctx, rows[0].ID)
			if len(atts) == 1 && atts[0].Disposition != "" {
				got, row = atts[0], rows[0]
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got.Disposition != "Wants brochure" || got.Outcome != campaign.OutcomeConnected || got.AgentID == nil || got.Notes != "send the PDF" {
		t.Errorf("stored attempt %+v; want outcome %s, disposition Wants brochure, the agent and the notes", got, campaign.OutcomeConnected)
	}
	if row.LastNotes != "send the PDF" {
		t.Errorf("Latest Execution row notes %q, want the agent's", row.LastNotes)
	}
	tb.waitJS("console free", `document.querySelector('#tray').hidden && document.querySelector('#wrap').hidden`)
	tb.shot("3-done")

	// The carrier received the agent's audio and the keypad digit.
	var rep carrier.Report
	for range 100 {
		if all := rig.Reports.All(); len(all) == 1 {
			rep = all[0]
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if rep.Outcome != "answered" || rep.RTP == nil || rep.RTP.PacketsReceived < 50 || !strings.Contains(rep.Digits, "5") {
		t.Errorf("carrier report %+v (rtp %+v); want an answered call with the agent's audio and digit 5", rep, rep.RTP)
	}
}
