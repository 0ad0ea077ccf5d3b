package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/campaign/engine"
	"github.com/outdial/outdial/lists"
	"github.com/outdial/outdial/store"
)

// population is the contact list of the agentless test and what each number is.
type population struct {
	csv                                  string
	invalid                              int
	campaignDNC, globalDNC, lateDNC, far []string
	allowed                              map[string]bool
}

func makePopulation(n int) population {
	p := population{allowed: map[string]bool{}}
	var b strings.Builder
	b.WriteString("phone,first,last,tz,balance\n")
	for i := range n {
		num := fmt.Sprintf("+1212555%04d", 1000+i)
		tz := ""
		switch {
		case i%20 == 1:
			p.campaignDNC = append(p.campaignDNC, num)
		case i%30 == 2:
			p.globalDNC = append(p.globalDNC, num)
		case i%30 == 3:
			p.lateDNC = append(p.lateDNC, num) // joins the DNC list after the run started
		case i%15 == 4:
			tz = "Asia/Tokyo" // 00:00 there: outside every window and the hard limits
			p.far = append(p.far, num)
		default:
			p.allowed[num] = true
		}
		fmt.Fprintf(&b, "%s,First%d,Last%d,%s,%d.00\n", num, i, i, tz, 10*i)
	}
	b.WriteString("12345,Bad,Number,,0\nnot a number,Worse,Number,,0\n")
	p.invalid = 2
	p.csv = b.String()
	return p
}

type agentlessSetup struct {
	camp   campaign.Campaign
	pop    population
	dnc    int64
	listID int64
}

// setupAgentless stores the list, DNC lists, flow and settings, and creates the
// campaign (not started); edit changes the campaign's definition before it is created.
func setupAgentless(t *testing.T, r *rig, n, concurrency int, edit ...func(*campaign.Definition)) agentlessSetup {
	ctx := context.Background()
	s := agentlessSetup{pop: makePopulation(n)}
	ls := lists.New(r.Store, lists.Options{})
	l, rep, err := ls.CreateContactList(ctx, lists.NewList{Name: "e2e"}, strings.NewReader(s.pop.csv),
		lists.ImportOptions{Mapping: lists.Mapping{Phones: []string{"phone"}, FirstName: "first", LastName: "last", TimeZone: "tz"}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rejected != int64(s.pop.invalid) || rep.Imported != int64(n) {
		t.Fatalf("import: %+v; want %d imported, %d rejected", rep, n, s.pop.invalid)
	}
	s.listID = l.ID
	dl, err := r.Store.CreateList(ctx, store.List{Kind: store.ListDNC, Name: "campaign dnc", Status: store.ListValidated})
	if err != nil {
		t.Fatal(err)
	}
	s.dnc = dl.ID
	g, err := r.Store.GlobalDNC(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, num := range s.pop.campaignDNC {
		if _, err := r.Store.PutDNCEntry(ctx, store.DNCEntry{ListID: dl.ID, Number: num}); err != nil {
			t.Fatal(err)
		}
	}
	for _, num := range s.pop.globalDNC {
		if _, err := r.Store.PutDNCEntry(ctx, store.DNCEntry{ListID: g.ID, Number: num}); err != nil {
			t.Fatal(err)
		}
	}
	doc, err := os.ReadFile(filepath.Join("testdata", "survey.json"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := r.Store.CreateFlow(ctx, store.StoredFlow{Name: "survey", Document: doc})
	if err != nil {
		t.Fatal(err)
	}
	set := campaign.DefaultSettings()
	set.MaxConcurrentCalls = concurrency
	b, _ := json.Marshal(set)
	if err := r.Store.PutSetting(ctx, campaign.SettingsKey, b); err != nil {
		t.Fatal(err)
	}
	def := campaign.Definition{Name: "agentless e2e", ListIDs: []int64{l.ID},
		Dialing:  campaign.Dialing{Mode: campaign.ModeAgentless, FlowID: &f.ID, AMD: true},
		Contacts: campaign.Choose{DNCListID: dl.ID},
		Outreach: campaign.Outreach{CallerID: &r.CallerID, MaxAttempts: 3, RetryMinutes: 1, MaxRingSeconds: 10,
			Timings: campaign.Timings{TimeZone: "America/New_York", Windows: []campaign.Window{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Start: "09:00", End: "18:00"}}}},
		Messages:     campaign.Messages{Voicemail: "Hello, this is the dentist. Please call us back."},
		Dispositions: campaign.DispositionSet{Positive: []string{campaign.DispositionResolved}},
	}
	for _, f := range edit {
		f(&def)
	}
	c, err := r.Service.Create(ctx, def)
	if err != nil {
		t.Fatal(err)
	}
	s.camp = c
	return s
}

// allowedDone reports whether every allowed contact's record is final.
func allowedDone(t *testing.T, r *rig, inst int64, allowed map[string]bool) (int, bool) {
	rows, _, err := r.Store.Executions(context.Background(), store.ExecutionFilter{InstanceID: inst, Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	done := 0
	for _, rec := range rows {
		if allowed[rec.Phones[0]] && rec.State == store.RecordDone {
			done++
		}
	}
	return done, done == len(allowed)
}

// runAgentless plays the campaign of s, puts its late DNC numbers on the campaign's
// DNC list, runs an engine until every allowed contact is done (polling at most polls
// times, every 50 ms) and drains it. It returns the campaign's instance and the wall
// time from the engine's start to the end of the drain. farEnd, when not nil, reports
// an error once the far end is gone: the run stops there, since every call placed
// after it would reach nobody and end Failed. One engine runs per node named (node-a
// when none is), all on the rig's store.
func runAgentless(t *testing.T, r *rig, s agentlessSetup, polls int, farEnd func() error, nodes ...string) (int64, time.Duration) {
	t.Helper()
	ctx := context.Background()
	c, err := r.Service.Act(ctx, s.camp.ID, campaign.ActionPlay)
	if err != nil {
		t.Fatal(err)
	}
	inst := *c.InstanceID
	for _, num := range s.pop.lateDNC {
		if _, err := r.Store.PutDNCEntry(ctx, store.DNCEntry{ListID: s.dnc, Number: num}); err != nil {
			t.Fatal(err)
		}
	}
	if len(nodes) == 0 {
		nodes = []string{"node-a"}
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var engines []*engine.Engine
	for _, node := range nodes {
		e := r.Engine(t, node, nil)
		engines = append(engines, e)
		go e.Run(runCtx)
	}
	start := time.Now()
	waitFor(t, polls, "every allowed contact done", func() bool {
		if farEnd != nil {
			if err := farEnd(); err != nil {
				done, _ := allowedDone(t, r, inst, s.pop.allowed)
				t.Fatalf("the far end ended after %v, with %d of %d allowed contacts done: %v", time.Since(start).Round(time.Second), done, len(s.pop.allowed), err)
			}
		}
		_, ok := allowedDone(t, r, inst, s.pop.allowed)
		return ok
	})
	for _, e := range engines {
		if err := e.Drain(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return inst, time.Since(start)
}

// TestAgentlessEndToEnd runs an agentless campaign against the simulated carrier over
// real SIP and RTP on loopback and holds every call to the carrier's own log.
func TestAgentlessEndToEnd(t *testing.T) {
	t.Parallel()
	clock := mondayMorning()
	r := newRig(t, "agentless.yaml", clock, blockAgentless)
	// OUTDIAL_E2E_CONTACTS scales the run (the 1,000: see docs/engine.md); CI
	// keeps 300 for time.
	n := 300
	if v, err := strconv.Atoi(os.Getenv("OUTDIAL_E2E_CONTACTS")); err == nil && v >= 50 && v <= 5000 {
		n = v
	}
	s := setupAgentless(t, r, n, 60)
	inst, elapsed := runAgentless(t, r, s, 8*n, nil)
	checkAgentless(t, r, s, inst)
	t.Logf("%d contacts (%d allowed), %d calls placed in %v (%.1f calls/s)", n, len(s.pop.allowed), r.Reports.Count(), elapsed.Round(time.Millisecond),
		float64(r.Reports.Count())/elapsed.Seconds())
}

// carrierOutcome is the campaign outcome the carrier's plan implies.
func carrierOutcome(rep interface {
}, kind string, code int, machine bool) string {
	switch kind {
	case "answer":
		if machine {
			return campaign.OutcomeMachine
		}
		return campaign.OutcomeConnected
	case "busy":
		return campaign.OutcomeBusy
	case "no_answer":
		return campaign.OutcomeNoAnswer
	}
	if code == 404 {
		return campaign.OutcomeInvalidNumber
	}
	return campaign.OutcomeFailed
}

func checkAgentless(t *testing.T, r *rig, s agentlessSetup, inst int64) {
	t.Helper()
	ctx := context.Background()
	calls := r.Reports.ByNumber()
	// Nothing forbidden was ever dialed.
	for num := range calls {
		if !s.pop.allowed[num] {
			t.Errorf("%s was dialed: it is on a DNC list, outside its hours or not in the list", num)
		}
	}
	rows, _, err := r.Store.Executions(ctx, store.ExecutionFilter{InstanceID: inst, Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	rules := s.camp.Rules()
	var attempts, connected, machines, dialed int64
	for _, rec := range rows {
		num := rec.Phones[0]
		atts, err := r.Store.RecordAttempts(ctx, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := calls[num]
		if len(atts) != len(got) {
			t.Errorf("%s: %d attempts in the store, %d INVITEs at the carrier", num, len(atts), len(got))
			continue
		}
		if len(atts) > 0 {
			dialed++
		}
		if !s.pop.allowed[num] {
			if contains(s.pop.far, num) && rec.Skips == 0 {
				t.Errorf("%s (out of hours) was not reported skipped", num)
			}
			continue
		}
		var hist []campaign.Try
		for i, a := range atts {
			want := carrierOutcome(nil, string(got[i].Plan.Kind), got[i].Plan.Code, got[i].Plan.Machine)
			if a.Outcome != want {
				t.Errorf("%s attempt %d: outcome %q, carrier plan %+v (%s)", num, i+1, a.Outcome, got[i].Plan, want)
			}
			if a.Outcome == campaign.OutcomeConnected {
				connected++
				if a.Disposition != campaign.DispositionResolved {
					t.Errorf("%s attempt %d: disposition %q; the callee pressed 1 (carrier digits %q)", num, i+1, a.Disposition, got[i].Digits)
				}
			}
			if a.Outcome == campaign.OutcomeMachine {
				machines++
				if got[i].Talked < 5*time.Second {
					t.Errorf("%s attempt %d: machine call ended after %v, before its beep (voicemail drop)", num, i+1, got[i].Talked)
				}
			}
			// Each retry was allowed, and not earlier than planned.
			if i > 0 {
				plan := campaign.NextAttempt(hist, rec.Phones, rules, atts[i-1].EndedAt.UTC())
				if plan.Final {
					t.Errorf("%s: attempt %d placed although the rules said final (%s)", num, i+1, plan.Reason)
				} else if a.StartedAt.Before(plan.At.Add(-time.Second)) {
					t.Errorf("%s: attempt %d at %v, before the retry time %v", num, i+1, a.StartedAt, plan.At)
				}
			}
			hist = append(hist, campaign.Try{Number: a.Number, Outcome: a.Outcome, Disposition: a.Disposition, At: a.StartedAt})
			attempts++
		}
		if plan := campaign.NextAttempt(hist, rec.Phones, rules, time.Now()); !plan.Final {
			t.Errorf("%s: done after %d attempts, but the rules want another (%s)", num, len(hist), plan.Reason)
		}
	}
	// The dashboard matches the calls placed.
	st, err := r.Store.InstanceStats(ctx, inst)
	if err != nil {
		t.Fatal(err)
	}
	if st.Attempts != int64(r.Reports.Count()) || st.Connected != connected || st.Dialed != dialed || st.Records != int64(len(rows)) {
		t.Errorf("stats %+v; carrier saw %d calls, %d connected, %d records dialed of %d", st, r.Reports.Count(), connected, dialed, len(rows))
	}
	var metricSum float64
	for _, o := range campaign.SystemOutcomes() {
		if o != campaign.OutcomeDNCExcluded && o != campaign.OutcomeFilterSkipped {
			metricSum += testutil.ToFloat64(r.Metrics.Dials.WithLabelValues(s.camp.Name, o))
		}
	}
	if int(metricSum) != r.Reports.Count() {
		t.Errorf("outdial_campaign_dials_total sums to %v, carrier saw %d calls", metricSum, r.Reports.Count())
	}
	if machines == 0 || connected == 0 {
		t.Errorf("machines %d, connected %d: the scenario has both", machines, connected)
	}
	t.Logf("stats: records %d, dialed %d, attempts %d, connected %d, machines %d, outcomes %v", st.Records, st.Dialed, st.Attempts, st.Connected, machines, st.Outcomes)
}
