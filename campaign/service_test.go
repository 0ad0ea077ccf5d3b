package campaign_test

import (
	"context"
	"errors"
	"github.com/outdial/outdial/internal/pgtest"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/store"
	"github.com/outdial/outdial/store/sqlite"
)

// backends runs fn on SQLite and, when OUTDIAL_TEST_DATABASE_URL is set, PostgreSQL.
func backends(t *testing.T, fn func(t *testing.T, st store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		fn(t, st)
	})
	t.Run("postgres", func(t *testing.T) {
		fn(t, pgtest.Open(t, "campaign"))
	})
}

// world is a store with what campaigns link to.
type world struct {
	st                                store.Store
	svc                               *campaign.Service
	now                               time.Time
	list, list2, dnc, apiList         int64
	caller, inboundOnly, queue, flow  int64
	onCampaignDNC, onGlobalDNC, texan string
}

func setup(t *testing.T, st store.Store) *world {
	c := context.Background()
	w := &world{st: st, now: time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)} // Monday 10:00 in New York
	w.svc = campaign.NewService(st, campaign.Options{MaxActive: 2, Now: func() time.Time { return w.now }})
	must := func(id int64, err error) int64 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	l, err := st.CreateList(c, store.List{Kind: store.ListContact, Name: "leads", Status: store.ListValidated, Source: store.SourceCSV})
	w.list = must(l.ID, err)
	l, err = st.CreateList(c, store.List{Kind: store.ListContact, Name: "more leads", Status: store.ListValidated, Source: store.SourceCSV})
	w.list2 = must(l.ID, err)
	l, err = st.CreateList(c, store.List{Kind: store.ListContact, Name: "synced", Status: store.ListValidated, Source: store.SourceAPI})
	w.apiList = must(l.ID, err)
	l, err = st.CreateList(c, store.List{Kind: store.ListDNC, Name: "campaign dnc", Status: store.ListValidated})
	w.dnc = must(l.ID, err)
	w.onCampaignDNC, w.onGlobalDNC, w.texan = "+12125550102", "+12125550103", "+12125550104"
	contacts := []store.Contact{
		{Row: 2, Phones: []string{"+12125550101", "+12125550201"}, FirstName: "Ann", Fields: map[string]string{"state": "NY"}},
		{Row: 3, Phones: []string{w.onCampaignDNC}, FirstName: "Bob", Fields: map[string]string{"state": "NY"}},
		{Row: 4, Phones: []string{w.onGlobalDNC}, FirstName: "Cy", Fields: map[string]string{"state": "NY"}},
		{Row: 5, Phones: []string{w.texan}, FirstName: "Dee", Fields: map[string]string{"state": "TX"}},
		{Row: 6, Phones: []string{"+12125550105"}, FirstName: "Eve", TimeZone: "America/Los_Angeles", Fields: map[string]string{"state": "CA"}},
		{Row: 7, Phones: []string{"+12125550101"}, FirstName: "Ann again"},
	}
	i := 0
	if _, err := st.WriteContacts(c, w.list, 0, func() (store.Contact, error) {
		if i == len(contacts) {
			return store.Contact{}, io.EOF
		}
		i++
		return contacts[i-1], nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutDNCEntry(c, store.DNCEntry{ListID: w.dnc, Number: w.onCampaignDNC}); err != nil {
		t.Fatal(err)
	}
	g, err := st.GlobalDNC(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutDNCEntry(c, store.DNCEntry{ListID: g.ID, Number: w.onGlobalDNC}); err != nil {
		t.Fatal(err)
	}
	p, err := st.CreatePhoneNumber(c, store.PhoneNumber{Number: "+14155550100", Direction: store.DirectionOutbound})
	w.caller = must(p.ID, err)
	p, err = st.CreatePhoneNumber(c, store.PhoneNumber{Number: "+14155550199", Direction: store.DirectionInbound})
	w.inboundOnly = must(p.ID, err)
	q, err := st.CreateQueue(c, store.Queue{Name: "sales"})
	w.queue = must(q.ID, err)
	f, err := st.CreateFlow(c, store.StoredFlow{Name: "reminder", Document: []byte(`{}`)})
	w.flow = must(f.ID, err)
	return w
}

func (w *world) def(name string) campaign.Definition {
	return campaign.Definition{
		Name: name, ListIDs: []int64{w.list},
		Dialing:  campaign.Dialing{Mode: campaign.ModeAgentless, FlowID: &w.flow, AMD: true},
		Contacts: campaign.Choose{DNCListID: w.dnc, Filters: []campaign.Condition{{Field: "state", Op: "ne", Value: "tx"}}},
		Outreach: campaign.Outreach{CallerID: &w.caller, MaxAttempts: 2, RetryMinutes: 30,
			Timings: campaign.Timings{TimeZone: "America/New_York", Windows: []campaign.Window{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Start: "09:00", End: "18:00"}}}},
		Dispositions: campaign.DispositionSet{Positive: []string{campaign.DispositionResolved}},
	}
}

func wantIs(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("err = %v, want %v", err, target)
	}
}

func TestServiceValidation(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		w := setup(t, st)
		c := context.Background()
		tests := []struct {
			name  string
			edit  func(d *campaign.Definition)
			field string
		}{
			{"no DNC list", func(d *campaign.Definition) { d.Contacts.DNCListID = 0 }, "contacts.dnc_list_id"},
			{"a contact list as DNC", func(d *campaign.Definition) { d.Contacts.DNCListID = w.list2 }, "contacts.dnc_list_id"},
			{"inbound caller ID", func(d *campaign.Definition) { d.Outreach.CallerID = &w.inboundOnly }, "outreach.caller_id"},
			{"missing list", func(d *campaign.Definition) { d.ListIDs = []int64{987654} }, "list_ids[0]"},
			{"mixed sources", func(d *campaign.Definition) { d.ListIDs = []int64{w.list, w.apiList} }, "list_ids[1]"},
			{"eleven lists", func(d *campaign.Definition) { d.ListIDs = []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11} }, "list_ids"},
			{"priority 6", func(d *campaign.Definition) { d.Priority = 6 }, "priority"},
			{"queue on agentless", func(d *campaign.Definition) { d.Dialing.QueueID = &w.queue }, "dialing.queue_id"},
			{"power ratio 11", func(d *campaign.Definition) {
				d.Dialing = campaign.Dialing{Mode: campaign.ModePower, QueueID: &w.queue, PacingRatio: 11}
			}, "dialing.pacing_ratio"},
			{"skips outside preview", func(d *campaign.Definition) {
				d.Dialing = campaign.Dialing{Mode: campaign.ModeProgressive, QueueID: &w.queue, MaxSkips: 2}
			}, "dialing.max_skips"},
			{"unknown mode", func(d *campaign.Definition) { d.Dialing.Mode = "telepathic" }, "dialing.mode"},
			{"bad window", func(d *campaign.Definition) { d.Outreach.Timings.Windows[0].End = "9pm" }, "outreach.timings.windows[0].end"},
			{"bad zone", func(d *campaign.Definition) { d.Outreach.Timings.TimeZone = "EST5EDT-ish" }, "outreach.timings.time_zone"},
			{"ring 5s", func(d *campaign.Definition) { d.Outreach.MaxRingSeconds = 5 }, "outreach.max_ring_seconds"},
			{"bad filter op", func(d *campaign.Definition) { d.Contacts.Filters[0].Op = "like" }, "contacts.filters[0].op"},
			{"bad schedule", func(d *campaign.Definition) { d.Schedule = &campaign.Schedule{Start: "tomorrow", TimeZone: "UTC"} }, "schedule.start"},
			{"rule on unknown disposition", func(d *campaign.Definition) {
				d.Dispositions.Rules = []campaign.RetryRule{{Disposition: "Maybe", Attempts: 1}}
			}, "dispositions.rules[0].disposition"},
		}
		for _, tt := range tests {
			d := w.def("v")
			tt.edit(&d)
			_, err := w.svc.Create(c, d)
			var fe *campaign.FieldError
			if !errors.Is(err, campaign.ErrInvalidCampaign) || !errors.As(err, &fe) || fe.Field != tt.field {
				t.Errorf("%s: err = %v, want a field error on %s", tt.name, err, tt.field)
			}
		}
		// Defaults of the spec.
		d := w.def("defaults")
		d.Dialing = campaign.Dialing{Mode: campaign.ModePower, QueueID: &w.queue}
		got, err := w.svc.Create(c, d)
		if err != nil {
			t.Fatal(err)
		}
		if got.Priority != 5 || got.Dialing.PacingRatio != 2 || got.Status != store.CampaignReady || got.Outreach.MaxRingSeconds != 30 {
			t.Fatalf("defaults = %+v", got)
		}
		d = w.def("predictive")
		d.Dialing = campaign.Dialing{Mode: campaign.ModePredictive, QueueID: &w.queue}
		if got, err := w.svc.Create(c, d); err != nil || got.Dialing.AbandonTarget != 0.03 {
			t.Fatalf("predictive = %+v %v", got.Dialing, err)
		}
	})
}

func TestServiceLifecycleAndCalls(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		w := setup(t, st)
		c := context.Background()
		svc := w.svc
		a, err := svc.Create(c, w.def("Spring"))
		if err != nil {
			t.Fatal(err)
		}
		// Not runnable without a caller ID.
		noCaller := w.def("No caller")
		noCaller.ListIDs = []int64{w.list2}
		noCaller.Outreach.CallerID = nil
		nc, err := svc.Create(c, noCaller)
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.Act(c, nc.ID, campaign.ActionPlay)
		wantIs(t, err, campaign.ErrNotReady)

		a, err = svc.Act(c, a.ID, campaign.ActionPlay)
		if err != nil || a.Status != store.CampaignActive || a.InstanceID == nil {
			t.Fatalf("play = %+v %v", a, err)
		}
		stats, err := st.InstanceStats(c, *a.InstanceID)
		if err != nil {
			t.Fatal(err)
		}
		// 6 rows: one duplicate left out, 3 ready, 1 filtered, 2 on DNC lists.
		if stats.Records != 5 || stats.Done != 3 {
			t.Fatalf("snapshot stats = %+v", stats)
		}
		counts := map[string]int64{}
		for _, o := range stats.Outcomes {
			counts[o.Name] = o.Count
		}
		if counts[campaign.OutcomeDNCExcluded] != 2 || counts[campaign.OutcomeFilterSkipped] != 1 {
			t.Fatalf("excluded = %v", counts)
		}
		// Running: no edit, no delete, no second campaign on the same list, linked
		// number and flow protected.
		_, err = svc.Update(c, a.ID, a.Definition)
		wantIs(t, err, campaign.ErrNotEditable)
		wantIs(t, svc.Delete(c, a.ID), campaign.ErrNotEditable)
		b, err := svc.Create(c, w.def("Summer"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.Act(c, b.ID, campaign.ActionPlay)
		wantIs(t, err, campaign.ErrRefused)
		if is, _ := st.Instances(c, b.ID); len(is) != 0 {
			t.Fatalf("a refused run left instances: %+v", is)
		}
		wantIs(t, svc.InUse(c, w.caller, 0), campaign.ErrInUse)
		wantIs(t, svc.InUse(c, 0, w.flow), campaign.ErrInUse)
		// Paused: limited edits.
		a, err = svc.Act(c, a.ID, campaign.ActionPause)
		if err != nil || a.Status != store.CampaignPaused {
			t.Fatalf("pause = %+v %v", a.Status, err)
		}
		d := a.Definition
		d.ListIDs = []int64{w.list, w.list2}
		_, err = svc.Update(c, a.ID, d)
		wantIs(t, err, campaign.ErrNotEditable)
		d = a.Definition
		d.Description = "paused edit"
		if a, err = svc.Update(c, a.ID, d); err != nil || a.Description != "paused edit" {
			t.Fatalf("limited edit = %v", err)
		}
		_, err = svc.Act(c, a.ID, campaign.ActionPlay)
		wantIs(t, err, campaign.ErrTransition)
		if a, err = svc.Act(c, a.ID, campaign.ActionResume); err != nil || a.Status != store.CampaignActive {
			t.Fatalf("resume = %v", err)
		}

		// The engine's side: lease, check, dial, finish.
		recs, err := st.LeaseRecords(c, store.LeaseRequest{InstanceID: *a.InstanceID, Node: "n1", Limit: 10, Now: w.now, TTL: time.Minute})
		if err != nil || len(recs) != 2 {
			t.Fatalf("lease = %+v %v", recs, err)
		}
		byName := map[string]store.CallRecord{}
		for _, r := range recs {
			byName[r.FirstName] = r
		}
		ann, eve := byName["Ann"], byName["Eve"]
		if len(ann.Phones) != 2 {
			t.Fatalf("Ann = %+v", ann)
		}
		// Eve lives in Los Angeles: 07:00 there, not contactable until 09:00 PT.
		v := svc.CheckDial(c, a, eve, eve.Phones[0], w.now)
		if v.OK || v.Final || !v.Next.Equal(time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC)) || v.Zone != "America/Los_Angeles" {
			t.Fatalf("Eve verdict = %+v", v)
		}
		if err := st.ReleaseRecord(c, store.RecordRelease{RecordID: eve.ID, Node: "n1", NextAttemptAt: v.Next, Skipped: true}); err != nil {
			t.Fatal(err)
		}
		v = svc.CheckDial(c, a, ann, ann.Phones[0], w.now)
		if !v.OK || v.Zone != "America/New_York" {
			t.Fatalf("Ann verdict = %+v", v)
		}
		att, err := st.BeginAttempt(c, store.AttemptStart{RecordID: ann.ID, Node: "n1", Number: ann.Phones[0], At: w.now})
		if err != nil {
			t.Fatal(err)
		}
		_, plan, err := svc.Finish(c, a, campaign.Result{AttemptID: att.ID, Outcome: campaign.OutcomeNoAnswer, At: w.now.Add(40 * time.Second)})
		if err != nil || plan.Final || plan.Number != ann.Phones[0] || !plan.At.Equal(w.now.Add(40*time.Second+30*time.Minute)) {
			t.Fatalf("finish no answer = %+v %v", plan, err)
		}
		// A crash mid-call: the attempt closes as Unknown and is retried by the rules,
		// on the second number (the first had its 2 attempts).
		w.now = plan.At
		recs, _ = st.LeaseRecords(c, store.LeaseRequest{InstanceID: *a.InstanceID, Node: "n1", Limit: 10, Now: w.now, TTL: time.Minute})
		if len(recs) != 1 || recs[0].ID != ann.ID {
			t.Fatalf("retry lease = %+v", recs)
		}
		att, err = st.BeginAttempt(c, store.AttemptStart{RecordID: ann.ID, Node: "n1", Number: ann.Phones[0], At: w.now})
		if err != nil {
			t.Fatal(err)
		}
		// Auto-DNC: with a threshold of 2, Ann's first number (No Answer, then Unknown)
		// joins the global DNC list.
		if err := st.PutSetting(c, campaign.SettingsKey, []byte(`{"unanswered_call_attempts_to_dnc": 2, "unanswered_dnc_keep_months": 6}`)); err != nil {
			t.Fatal(err)
		}
		if n, err := svc.CloseInFlightAsUnknown(c, "n2"); n != 0 || err != nil {
			t.Fatalf("closing another node's = %d %v", n, err)
		}
		if n, err := svc.CloseInFlightAsUnknown(c, "n1"); n != 1 || err != nil {
			t.Fatalf("CloseInFlightAsUnknown = %d %v", n, err)
		}
		if got, _ := st.AttemptByID(c, att.ID); got.State != store.AttemptUnknown || got.Outcome != campaign.OutcomeUnknown {
			t.Fatalf("closed attempt = %+v", got)
		}
		r, _ := st.CallRecordByID(c, ann.ID)
		if r.State != store.RecordReady || r.Phone != ann.Phones[1] || !r.NextAttemptAt.After(w.now) {
			t.Fatalf("record after crash = %+v", r)
		}
		// The number joined a DNC list after the snapshot: the dial-time check stops it.
		if err := svc.AddToDNC(c, a, ann.Phones[1], "opt-out"); err != nil {
			t.Fatal(err)
		}
		if v := svc.CheckDial(c, a, r, ann.Phones[1], w.now); v.OK || !v.Final || v.Outcome != campaign.OutcomeDNCExcluded {
			t.Fatalf("DNC at dial time = %+v", v)
		}
		w.now = w.now.Add(2 * time.Hour)
		recs, _ = st.LeaseRecords(c, store.LeaseRequest{InstanceID: *a.InstanceID, Node: "n1", Limit: 10, Now: w.now, TTL: time.Minute})
		var eveRec store.CallRecord
		for _, x := range recs {
			if x.ID == eve.ID {
				eveRec = x
			} else if err := st.ReleaseRecord(c, store.RecordRelease{RecordID: x.ID, Node: "n1", NextAttemptAt: w.now.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		if eveRec.ID == 0 {
			t.Fatalf("Eve not leased at 09:00 PT: %+v", recs)
		}
		att, _ = st.BeginAttempt(c, store.AttemptStart{RecordID: eve.ID, Node: "n1", At: w.now})
		if _, plan, err = svc.Finish(c, a, campaign.Result{AttemptID: att.ID, Outcome: campaign.OutcomeConnected, Disposition: campaign.DispositionResolved, At: w.now.Add(time.Minute)}); err != nil || !plan.Final {
			t.Fatalf("resolved = %+v %v", plan, err)
		}
		g, _ := st.GlobalDNC(c)
		e, err := st.DNCMatch(c, ann.Phones[0], []int64{g.ID}, w.now)
		if err != nil || e.ExpiresAt == nil || e.Source == "" {
			t.Fatalf("auto-DNC entry = %+v %v", e, err)
		}
		if _, err := st.DNCMatch(c, eve.Phones[0], []int64{g.ID}, w.now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a connected number was auto-DNC'd: %v", err)
		}

		// Stop resets; a new Play is instance 2 from the full list.
		a, err = svc.Act(c, a.ID, campaign.ActionStop)
		if err != nil || a.Status != store.CampaignReady {
			t.Fatalf("stop = %v", err)
		}
		if err := svc.InUse(c, w.caller, 0); err != nil {
			t.Fatalf("a stopped campaign still protects its number: %v", err)
		}
		if r, _ := st.CallRecordByID(c, ann.ID); r.State != store.RecordDone || r.Disposition != campaign.OutcomeRetryCancelled {
			t.Fatalf("Ann after stop = %+v", r)
		}
		a, err = svc.Act(c, a.ID, campaign.ActionPlay)
		if err != nil {
			t.Fatal(err)
		}
		inst, _ := st.InstanceByID(c, *a.InstanceID)
		if inst.Number != 2 || inst.Records != 5 {
			t.Fatalf("second run = %+v", inst)
		}
		// Clone: Ready, no schedule, a free name.
		cl, err := svc.Clone(c, a.ID, "")
		if err != nil || cl.Name != "Spring (copy)" || cl.Status != store.CampaignReady || cl.Schedule != nil {
			t.Fatalf("clone = %+v %v", cl, err)
		}
		if cl2, err := svc.Clone(c, a.ID, ""); err != nil || cl2.Name != "Spring (copy 2)" {
			t.Fatalf("second clone = %+v %v", cl2.Name, err)
		}
	})
}

func TestServiceScheduleTick(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		w := setup(t, st)
		c := context.Background()
		d := w.def("Weekly")
		d.Schedule = &campaign.Schedule{Start: "2026-03-03T09:00", End: "2026-03-03T12:00", TimeZone: "America/New_York",
			Recurrence: &campaign.Recurrence{Frequency: campaign.Weekly, Every: 1}}
		s, err := w.svc.Create(c, d)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Date(2026, 3, 3, 14, 0, 0, 0, time.UTC)
		if s.NextStartAt == nil || !s.NextStartAt.Equal(start) {
			t.Fatalf("next start = %v", s.NextStartAt)
		}
		_, err = w.svc.Act(c, s.ID, campaign.ActionPlay)
		wantIs(t, err, campaign.ErrScheduled)
		wantIs(t, w.svc.InUse(c, w.caller, 0), campaign.ErrInUse)
		if rep := w.svc.Tick(c, start.Add(-16*time.Minute)); len(rep.Scrubbed)+len(rep.Started) != 0 || len(rep.Errors) != 0 {
			t.Fatalf("tick 16 min early = %+v", rep)
		}
		rep := w.svc.Tick(c, start.Add(-15*time.Minute))
		if len(rep.Scrubbed) != 1 || len(rep.Errors) != 0 {
			t.Fatalf("scrub tick = %+v", rep)
		}
		if rep := w.svc.Tick(c, start.Add(-10*time.Minute)); len(rep.Scrubbed) != 0 {
			t.Fatalf("scrubbed twice: %+v", rep)
		}
		// Editing the campaign drops the prepared run; the next tick scrubs again.
		s, _ = w.svc.Get(c, s.ID)
		s.Description = "edited"
		if _, err := w.svc.Update(c, s.ID, s.Definition); err != nil {
			t.Fatal(err)
		}
		if is, _ := st.Instances(c, s.ID); len(is) != 0 {
			t.Fatalf("a stale prepared run survived the edit: %+v", is)
		}
		if rep := w.svc.Tick(c, start.Add(-5*time.Minute)); len(rep.Scrubbed) != 1 {
			t.Fatalf("re-scrub after edit = %+v", rep)
		}
		is, _ := st.Instances(c, s.ID)
		if len(is) != 1 || is[0].Status != store.InstancePreparing || is[0].Records != 5 {
			t.Fatalf("prepared = %+v", is)
		}
		rep = w.svc.Tick(c, start)
		if len(rep.Started) != 1 || len(rep.Errors) != 0 {
			t.Fatalf("start tick = %+v", rep)
		}
		s, _ = w.svc.Get(c, s.ID)
		if s.Status != store.CampaignActive || *s.InstanceID != is[0].ID || !s.NextStartAt.Equal(start.AddDate(0, 0, 7).Add(-time.Hour)) {
			t.Fatalf("after start = %+v", s)
		}
		// The occurrence ends at 12:00 local: the run completes.
		rep = w.svc.Tick(c, start.Add(3*time.Hour))
		if len(rep.Completed) != 1 {
			t.Fatalf("end tick = %+v", rep)
		}
		s, _ = w.svc.Get(c, s.ID)
		if s.Status != store.CampaignCompleted {
			t.Fatalf("after end = %+v", s.Status)
		}
		// Next week's occurrence is a fresh run.
		next := start.AddDate(0, 0, 7).Add(-time.Hour) // 09:00 EDT after the switch
		rep = w.svc.Tick(c, next)
		if len(rep.Started) != 1 {
			t.Fatalf("second occurrence = %+v", rep)
		}
		is, _ = st.Instances(c, s.ID)
		if len(is) != 2 || is[0].Number != 2 || is[0].Records != 5 {
			t.Fatalf("instances = %+v", is)
		}
		// The scheduler's starts and the completion are in the audit log, for the
		// Campaign Logs.
		var runs []string
		entries, err := st.ListAudit(c, store.AuditFilter{Resource: campaign.AuditResource})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Actor == campaign.AuditScheduler && e.ResourceID == strconv.FormatInt(s.ID, 10) {
				runs = append(runs, e.Action+": "+e.Detail)
			}
		}
		slices.Sort(runs)
		want := []string{"run completed: end date reached", "run started: on schedule", "run started: on schedule"}
		if !slices.Equal(runs, want) {
			t.Errorf("scheduler audit entries %q, want %q", runs, want)
		}
	})
}
