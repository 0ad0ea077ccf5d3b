package storetest

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/outdial/outdial/store"
)

func testCampaigns(t *testing.T, open Opener) {
	for _, sub := range []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"CRUDAndLists", testCampaignCRUD},
		{"Transitions", testCampaignTransitions},
		{"LeaseAttempts", testLeaseAttempts},
		{"LeaseConcurrent", testLeaseConcurrent},
		{"LeaseRenew", testLeaseRenew},
		{"VoidAttempt", testVoidAttempt},
		{"Dashboard", testCampaignDashboard},
		{"SavedFilters", testSavedFilters},
		{"Flows", testFlows},
	} {
		t.Run(sub.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					f, ok := r.(mustFail)
					if !ok {
						panic(r)
					}
					t.Fatalf("unexpected error: %v", f.err)
				}
			}()
			sub.fn(t, open)
		})
	}
}

// campaignFixture makes a DNC list and n contact lists.
func campaignFixture(c context.Context, s store.Store, prefix string, n int) (dnc int64, lists []int64) {
	dnc = must(s.CreateList(c, store.List{Kind: store.ListDNC, Name: prefix + " dnc", Status: store.ListValidated})).ID
	for i := 0; i < n; i++ {
		lists = append(lists, must(s.CreateList(c, store.List{Kind: store.ListContact, Name: fmt.Sprintf("%s contacts %d", prefix, i), Status: store.ListValidated})).ID)
	}
	return dnc, lists
}

func newCampaign(c context.Context, s store.Store, name string, dnc int64, lists ...int64) store.Campaign {
	return must(s.CreateCampaign(c, store.Campaign{Name: name, Priority: 5, Mode: "agentless", DNCListID: dnc, ListIDs: lists,
		Definition: []byte(`{"k":"` + name + `"}`)}))
}

func testCampaignCRUD(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "campaign_crud")
	dnc, lists := campaignFixture(c, s, "x", 3)
	tr := must(s.CreateTrunk(c, store.Trunk{Name: "t", Address: "127.0.0.1:5070", Transport: "udp", MaxChannels: 1, MaxCPS: 1, Codecs: []string{"PCMU"}}))
	num := must(s.CreatePhoneNumber(c, store.PhoneNumber{Number: "+14155550100", Direction: store.DirectionOutbound, TrunkID: &tr.ID}))
	flow := must(s.CreateFlow(c, store.StoredFlow{Name: "f", Document: []byte(`{}`)}))
	a := must(s.CreateCampaign(c, store.Campaign{Name: "A", Priority: 3, Mode: "agentless", DNCListID: dnc, ListIDs: []int64{lists[1], lists[0]},
		CallerID: &num.ID, FlowID: &flow.ID, Definition: []byte(`{"x":1}`)}))
	if a.Status != store.CampaignReady || len(a.ListIDs) != 2 || a.ListIDs[0] != lists[1] || string(a.Definition) != `{"x":1}` {
		t.Fatalf("CreateCampaign = %+v", a)
	}
	_, err := s.CreateCampaign(c, store.Campaign{Name: "A", Priority: 5, Mode: "agentless", DNCListID: dnc})
	wantErr(t, err, store.ErrConflict)
	_, err = s.CreateCampaign(c, store.Campaign{Name: "ghost", Priority: 5, Mode: "agentless", DNCListID: dnc, ListIDs: []int64{999999}})
	wantErr(t, err, store.ErrNotFound)
	if cs := must(s.FindCampaigns(c, store.CampaignFilter{})); len(cs) != 1 {
		t.Fatalf("a failed create left rows: %+v", cs)
	}
	// The lists know the campaign uses them, and refuse deletion.
	l := must(s.ListByID(c, lists[0]))
	if len(l.Campaigns) != 1 || l.Campaigns[0] != "A" {
		t.Fatalf("list campaigns = %v", l.Campaigns)
	}
	wantErr(t, s.DeleteList(c, dnc), store.ErrInUse)
	b := newCampaign(c, s, "B", dnc, lists[2])
	a.ListIDs = []int64{lists[0]}
	a.Description = "changed"
	a = must(s.UpdateCampaign(c, a))
	if len(a.ListIDs) != 1 || a.Description != "changed" {
		t.Fatalf("UpdateCampaign = %+v", a)
	}
	if err := s.DeleteList(c, lists[1]); err != nil {
		t.Fatalf("a list no longer used could not be deleted: %v", err)
	}
	// Filters and sorts.
	if got := must(s.FindCampaigns(c, store.CampaignFilter{Sort: store.SortPriority})); len(got) != 2 || got[0].ID != b.ID {
		t.Fatalf("priority sort = %+v", got)
	}
	if got := must(s.FindCampaigns(c, store.CampaignFilter{Priorities: []int{3}, Search: "a"})); len(got) != 1 || got[0].ID != a.ID {
		t.Fatalf("filter = %+v", got)
	}
	if got := must(s.FindCampaigns(c, store.CampaignFilter{ListID: lists[2]})); len(got) != 1 || got[0].ID != b.ID {
		t.Fatalf("ListID filter = %+v", got)
	}
	if got := must(s.FindCampaigns(c, store.CampaignFilter{CallerID: num.ID})); len(got) != 1 || got[0].ID != a.ID {
		t.Fatalf("CallerID filter = %+v", got)
	}
	// Deleting a flow or number unlinks it from the campaign.
	if err := s.DeleteFlow(c, flow.ID); err != nil {
		t.Fatal(err)
	}
	if got := must(s.CampaignByID(c, a.ID)); got.FlowID != nil {
		t.Fatalf("flow still linked: %+v", got)
	}
	next := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	if err := s.SetCampaignSchedule(c, a.ID, &next, nil); err != nil {
		t.Fatal(err)
	}
	a = must(s.CampaignByID(c, a.ID))
	a.Scheduled = true
	a.NextStartAt = &next
	must(s.UpdateCampaign(c, a))
	due := next.Add(time.Minute)
	if got := must(s.FindCampaigns(c, store.CampaignFilter{StartDueBy: &due})); len(got) != 1 || got[0].ID != a.ID {
		t.Fatalf("StartDueBy = %+v", got)
	}
	early := next.Add(-time.Minute)
	if got := must(s.FindCampaigns(c, store.CampaignFilter{StartDueBy: &early})); len(got) != 0 {
		t.Fatalf("StartDueBy early = %+v", got)
	}
	if err := s.DeleteCampaign(c, a.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.DeleteCampaign(c, a.ID), store.ErrNotFound)
	if err := s.DeleteList(c, lists[0]); err != nil {
		t.Fatalf("list of a deleted campaign could not be deleted: %v", err)
	}
}

func testCampaignTransitions(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "campaign_transitions")
	dnc, lists := campaignFixture(c, s, "x", 3)
	a := newCampaign(c, s, "A", dnc, lists[0], lists[1])
	b := newCampaign(c, s, "B", dnc, lists[1])
	d := newCampaign(c, s, "D", dnc, lists[2])
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	start := func(cp store.Campaign, max int) (store.Campaign, error) {
		inst := must(s.CreateInstance(c, cp.ID, "play", at))
		out, err := s.TransitionCampaign(c, store.CampaignTransition{ID: cp.ID, From: []store.CampaignStatus{store.CampaignReady, store.CampaignCompleted},
			To: store.CampaignActive, Activate: inst.ID, MaxActive: max, At: at})
		if err != nil {
			must(0, s.DeleteInstance(c, inst.ID))
		}
		return out, err
	}
	a = must(start(a, 2))
	if a.Status != store.CampaignActive || a.InstanceID == nil || a.LastRunAt == nil || !a.LastRunAt.Equal(at) {
		t.Fatalf("started = %+v", a)
	}
	// B shares a list with running A.
	_, err := start(b, 5)
	wantErr(t, err, store.ErrConflict)
	// D has its own list but the limit is 1.
	_, err = start(d, 1)
	wantErr(t, err, store.ErrConflict)
	d = must(start(d, 2))
	// A wrong From is refused.
	_, err = s.TransitionCampaign(c, store.CampaignTransition{ID: a.ID, From: []store.CampaignStatus{store.CampaignPaused}, To: store.CampaignActive})
	wantErr(t, err, store.ErrConflict)
	a = must(s.TransitionCampaign(c, store.CampaignTransition{ID: a.ID, From: []store.CampaignStatus{store.CampaignActive}, To: store.CampaignPaused, Instance: store.InstancePaused}))
	if i := must(s.InstanceByID(c, *a.InstanceID)); i.Status != store.InstancePaused {
		t.Fatalf("instance = %+v", i)
	}
	// Paused still holds its lists.
	_, err = start(b, 5)
	wantErr(t, err, store.ErrConflict)
	a = must(s.TransitionCampaign(c, store.CampaignTransition{ID: a.ID, From: []store.CampaignStatus{store.CampaignPaused}, To: store.CampaignReady,
		Instance: store.InstanceEnded, EndReason: "stopped", At: at.Add(time.Hour)}))
	i := must(s.InstanceByID(c, *a.InstanceID))
	if i.Status != store.InstanceEnded || i.EndReason != "stopped" || i.EndedAt == nil || i.Number != 1 {
		t.Fatalf("stopped instance = %+v", i)
	}
	b = must(start(b, 5))
	if b.Status != store.CampaignActive {
		t.Fatalf("B = %+v", b)
	}
	// A second run of A numbers its instance 2 once B is done.
	must(s.TransitionCampaign(c, store.CampaignTransition{ID: b.ID, To: store.CampaignCompleted, Instance: store.InstanceEnded, EndReason: "all contacts dialed"}))
	a = must(start(a, 5))
	if is := must(s.Instances(c, a.ID)); len(is) != 2 || is[0].Number != 2 || is[0].Status != store.InstanceRunning || is[1].Status != store.InstanceEnded {
		t.Fatalf("instances = %+v", is)
	}
	wantErr(t, s.DeleteInstance(c, *a.InstanceID), store.ErrNotFound)
}

// runningInstance makes a campaign with an instance of the given records, running.
func runningInstance(c context.Context, t *testing.T, s store.Store, name string, recs []store.CallRecord) (store.Campaign, store.Instance) {
	dnc, lists := campaignFixture(c, s, name, 1)
	cp := newCampaign(c, s, name, dnc, lists...)
	inst := must(s.CreateInstance(c, cp.ID, "play", time.Now()))
	if n := must(s.WriteCallRecords(c, inst.ID, sliceSource(recs))); n != int64(len(recs)) {
		t.Fatalf("WriteCallRecords = %d, want %d", n, len(recs))
	}
	cp = must(s.TransitionCampaign(c, store.CampaignTransition{ID: cp.ID, To: store.CampaignActive, Activate: inst.ID}))
	return cp, must(s.InstanceByID(c, inst.ID))
}

func testLeaseAttempts(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "campaign_lease")
	t0 := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	recs := []store.CallRecord{
		{ContactID: 1, Phones: []string{"+14155550001", "+14155550101"}, FirstName: "Ann", Priority: 1, NextAttemptAt: t0, Fields: map[string]string{"balance": "12"}},
		{ContactID: 2, Phones: []string{"+14155550002"}, Priority: 9, NextAttemptAt: t0},
		{ContactID: 3, Phones: []string{"+14155550003"}, Priority: 5, NextAttemptAt: t0.Add(time.Hour)},
		{ContactID: 4, Phones: []string{"+14155550004"}, State: store.RecordDone, Disposition: "DNC Excluded", NextAttemptAt: t0},
	}
	_, inst := runningInstance(c, t, s, "lease", recs)
	if inst.Records != 4 {
		t.Fatalf("instance records = %d", inst.Records)
	}
	got := must(s.LeaseRecords(c, store.LeaseRequest{InstanceID: inst.ID, Node: "n1", Limit: 10, Now: t0, TTL: time.Minute}))
	if len(got) != 2 || got[0].ContactID != 2 || got[1].ContactID != 1 || got[1].Fields["balance"] != "12" || got[1].Phones[1] != "+14155550101" {
		t.Fatalf("lease = %+v", got)
	}
	// Nothing more is ready for anyone.
	if more := must(s.LeaseRecords(c, store.LeaseRequest{InstanceID: inst.ID, Node: "n2", Limit: 10, Now: t0, TTL: time.Minute})); len(more) != 0 {
		t.Fatalf("leased twice: %+v", more)
	}
	// n2 may not start an attempt on n1's lease.
	_, err := s.BeginAttempt(c, store.AttemptStart{RecordID: got[0].ID, Node: "n2", At: t0})
	wantErr(t, err, store.ErrConflict)
	a := must(s.BeginAttempt(c, store.AttemptStart{RecordID: got[0].ID, Node: "n1", CallID: "call-1", At: t0.Add(time.Second)}))
	if a.State != store.AttemptDialing || a.Seq != 1 || a.Number != "+14155550002" {
		t.Fatalf("BeginAttempt = %+v", a)
	}
	// A second attempt on the same record needs a new lease.
	_, err = s.BeginAttempt(c, store.AttemptStart{RecordID: got[0].ID, Node: "n1", At: t0.Add(2 * time.Second)})
	wantErr(t, err, store.ErrConflict)
	// The second lease has expired by t0+2m: another node takes it, and n1 cannot dial.
	later := t0.Add(2 * time.Minute)
	stolen := must(s.LeaseRecords(c, store.LeaseRequest{InstanceID: inst.ID, Node: "n2", Limit: 10, Now: later, TTL: time.Minute}))
	if len(stolen) != 1 || stolen[0].ID != got[1].ID {
		t.Fatalf("expired lease retake = %+v", stolen)
	}
	_, err = s.BeginAttempt(c, store.AttemptStart{RecordID: got[1].ID, Node: "n1", At: later})
	wantErr(t, err, store.ErrConflict)
	must(0, s.ReleaseRecord(c, store.RecordRelease{RecordID: got[1].ID, Node: "n2", NextAttemptAt: t0.Add(48 * time.Hour)}))
	// The backstop: one live call per number across records.
	dup := []store.CallRecord{{ContactID: 9, Phones: []string{"+14155550002"}, NextAttemptAt: t0}}
	_, inst2 := runningInstance(c, t, s, "dup", dup)
	dl := must(s.LeaseRecords(c, store.LeaseRequest{InstanceID: inst2.ID, Node: "n1", Limit: 1, Now: later, TTL: time.Minute}))
	_, err = s.BeginAttempt(c, store.AttemptStart{RecordID: dl[0].ID, Node: "n1", At: later})
	wantErr(t, err, store.ErrConflict)
	must(0, s.ReleaseRecord(c, store.RecordRelease{RecordID: dl[0].ID, Node: "n1", NextAttemptAt: later.Add(time.Hour), Skipped: true}))
	if r := must(s.CallRecordByID(c, dl[0].ID)); r.State != store.RecordReady || r.Skips != 1 || !r.NextAttemptAt.Equal(later.Add(time.Hour)) {
		t.Fatalf("released = %+v", r)
	}

	must(0, s.MarkAttempt(c, a.ID, store.AttemptRinging, t0.Add(2*time.Second)))
	must(0, s.MarkAttempt(c, a.ID, store.AttemptAnswered, t0.Add(5*time.Second)))
	if fl := must(s.InFlightAttempts(c, "n1")); len(fl) != 1 || fl[0].ID != a.ID || fl[0].State != store.AttemptAnswered {
		t.Fatalf("in flight = %+v", fl)
	}
	if fl := must(s.InFlightAttempts(c, "n2")); len(fl) != 0 {
		t.Fatalf("n2 in flight = %+v", fl)
	}
	retry := t0.Add(30 * time.Minute)
	fin := must(s.FinishAttempt(c, store.AttemptEnd{AttemptID: a.ID, State: store.AttemptFinal, Outcome: "Connected", Disposition: "Unresolved",
		At: t0.Add(65 * time.Second), NextAttemptAt: retry}))
	if fin.DurationMS != 60000 || fin.State != store.AttemptFinal || fin.EndedAt == nil {
		t.Fatalf("FinishAttempt = %+v", fin)
	}
	_, err = s.FinishAttempt(c, store.AttemptEnd{AttemptID: a.ID, State: store.AttemptFinal, At: t0})
	wantErr(t, err, store.ErrConflict)
	r := must(s.CallRecordByID(c, got[0].ID))
	if r.State != store.RecordReady || r.Attempts != 1 || r.Disposition != "Unresolved" || r.LastDurationMS != 60000 || !r.NextAttemptAt.Equal(retry) {
		t.Fatalf("record after finish = %+v", r)
	}
	// Not ready before its time; ready after.
	if rs := must(s.LeaseRecords(c, store.LeaseRequest{InstanceID: inst.ID, Node: "n1", Limit: 10, Now: retry.Add(-time.Second), TTL: time.Minute})); len(rs) != 0 {
		t.Fatalf("leased before its retry time: %+v", rs)
	}
	rs := must(s.LeaseRecords(c, store.LeaseRequest{InstanceID: inst.ID, Node: "n1", Limit: 1, Now: retry, TTL: time.Minute}))
	if len(rs) != 1 || rs[0].ID != r.ID {
		t.Fatalf("retry lease = %+v", rs)
	}
	// A crash: the attempt stays in flight; closing it as unknown never re-dials it.
	a2 := must(s.BeginAttempt(c, store.AttemptStart{RecordID: r.ID, Node: "n1", Number: "+14155550002", At: retry}))
	if a2.Seq != 2 {
		t.Fatalf("second attempt seq = %d", a2.Seq)
	}
	for _, x := range must(s.LeaseRecords(c, store.LeaseRequest{InstanceID: inst.ID, Node: "n2", Limit: 10, Now: retry.Add(time.Hour), TTL: time.Minute})) {
		if x.ID == r.ID {
			t.Fatalf("a record with an attempt in flight was leased: %+v", x)
		}
	}
	must(s.FinishAttempt(c, store.AttemptEnd{AttemptID: a2.ID, State: store.AttemptUnknown, Outcome: "Unknown", At: retry.Add(time.Minute), Final: true}))
	if hist := must(s.RecordAttempts(c, r.ID)); len(hist) != 2 || hist[1].State != store.AttemptUnknown {
		t.Fatalf("history = %+v", hist)
	}
	if n := must(s.UnansweredStreak(c, "+14155550002")); n != 1 {
		t.Fatalf("UnansweredStreak = %d, want 1 (the unknown attempt after the connected one)", n)
	}
	// Stopping ends the instance; nothing is leased afterwards.
	cp := must(s.CampaignByID(c, inst.CampaignID))
	must(s.TransitionCampaign(c, store.CampaignTransition{ID: cp.ID, To: store.CampaignReady, Instance: store.InstanceEnded}))
	if rs := must(s.LeaseRecords(c, store.LeaseRequest{InstanceID: inst.ID, Node: "n1", Limit: 10, Now: retry.Add(24 * time.Hour), TTL: time.Minute})); len(rs) != 0 {
		t.Fatalf("leased from an ended instance: %+v", rs)
	}
}

// testLeaseRenew: a node renews the leases it still holds and only those; a renewed
// lease outlives its first TTL, a lost one is not renewed.
func testLeaseRenew(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "campaign_lease_renew")
	t0 := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	var recs []store.CallRecord
	for i := range 3 {
		recs = append(recs, store.CallRecord{ContactID: int64(i + 1), Phones: []string{fmt.Sprintf("+1415555010%d", i)}, Priority: 3 - i, NextAttemptAt: t0})
	}
	_, inst := runningInstance(c, t, s, "renew", recs)
	held := must(s.LeaseRecords(c, store.LeaseRequest{InstanceID: inst.ID, Node: "n1", Limit: 2, Now: t0, TTL: time.Minute}))
	if len(held) != 2 {
		t.Fatalf("lease = %+v", held)
	}
	a, b := held[0].ID, held[1].ID
	free := must(s.LeaseRecords(c, store.LeaseRequest{InstanceID: inst.ID, Node: "n2", Limit: 1, Now: t0, TTL: time.Hour}))[0].ID
	ids := func(xs []int64) string {
		sort.Slice(xs, func(i, j int) bool { return xs[i] < xs[j] })
		return fmt.Sprint(xs)
	}
	// Only n1's own leases are renewed: not n2's record, not an unknown id.
	at := t0.Add(50 * time.Second)
	if got := must(s.RenewLeases(c, "n1", []int64{a, b, free, 999999}, at.Add(time.Minute))); ids(got) != ids([]int64{a, b}) {
		t.Fatalf("n1 renews %v, want %v", got, []int64{a, b})
	}
	if got := must(s.RenewLeases(c, "n2", []int64{a}, at.Add(time.Minute))); len(got) != 0 {
		t.Fatalf("n2 renewed n1's lease: %v", got)
	}
	// Past the first TTL the renewed leases hold: nobody else gets them, n1 dials.
	at = t0.Add(90 * time.Second)
	if more := must(s.LeaseRecords(c, store.LeaseRequest{InstanceID: inst.ID, Node: "n3", Limit: 10, Now: at, TTL: time.Minute})); len(more) != 0 {
		t.Fatalf("renewed leases taken by n3: %+v", more)
	}
	must(s.BeginAttempt(c, store.AttemptStart{RecordID: a, Node: "n1", At: at}))
	// A record in a call is no longer leased, and an expired lease taken by another
	// node is lost: neither is renewed.
	at = t0.Add(3 * time.Minute)
	if got := must(s.LeaseRecords(c, store.LeaseRequest{InstanceID: inst.ID, Node: "n3", Limit: 10, Now: at, TTL: time.Minute})); len(got) != 1 || got[0].ID != b {
		t.Fatalf("n3 takes the expired lease: %+v, want record %d", got, b)
	}
	if got := must(s.RenewLeases(c, "n1", []int64{a, b}, at.Add(time.Minute))); len(got) != 0 {
		t.Fatalf("n1 renewed %v after losing both", got)
	}
	if got := must(s.RenewLeases(c, "n1", nil, at)); len(got) != 0 {
		t.Fatalf("renewing nothing = %v", got)
	}
	if _, err := s.RenewLeases(c, "", []int64{a}, at); err == nil {
		t.Fatal("renewing without a node name was accepted")
	}
}

func testLeaseConcurrent(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "campaign_lease_race")
	t0 := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	const n = 300
	recs := make([]store.CallRecord, n)
	for i := range recs {
		recs[i] = store.CallRecord{ContactID: int64(i + 1), Phones: []string{fmt.Sprintf("+1415555%04d", i)}, NextAttemptAt: t0}
	}
	_, inst := runningInstance(c, t, s, "race", recs)
	const workers = 6
	var mu sync.Mutex
	seen := map[int64]string{}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(node string) {
			defer wg.Done()
			for round := 0; round < 200; round++ {
				rs, err := s.LeaseRecords(c, store.LeaseRequest{InstanceID: inst.ID, Node: node, Limit: 7, Now: t0, TTL: time.Hour})
				if err != nil {
					errs <- err
					return
				}
				if len(rs) == 0 {
					return
				}
				for _, r := range rs {
					if _, err := s.BeginAttempt(c, store.AttemptStart{RecordID: r.ID, Node: node, At: t0}); err != nil {
						errs <- fmt.Errorf("node %s record %d: %w", node, r.ID, err)
						return
					}
					mu.Lock()
					if prev, dup := seen[r.ID]; dup {
						mu.Unlock()
						errs <- fmt.Errorf("record %d leased by %s and %s", r.ID, prev, node)
						return
					}
					seen[r.ID] = node
					mu.Unlock()
				}
			}
		}(fmt.Sprintf("node%d", w))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(seen) != n {
		t.Fatalf("dialed %d distinct records, want %d", len(seen), n)
	}
	if fl := must(s.InFlightAttempts(c, "")); len(fl) != n {
		t.Fatalf("in-flight attempts = %d, want %d", len(fl), n)
	}
}

func testCampaignDashboard(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "campaign_dashboard")
	t0 := time.Date(2026, 3, 3, 15, 0, 0, 0, time.UTC)
	recs := []store.CallRecord{
		{ContactID: 1, Phones: []string{"+14155550001"}, FirstName: "Ann", LastName: "Lee", Priority: 5, NextAttemptAt: t0},
		{ContactID: 2, Phones: []string{"+14155550002"}, FirstName: "Bob", LastName: "Ray", Priority: 3, NextAttemptAt: t0},
		{ContactID: 3, Phones: []string{"+14155550003"}, FirstName: "Cy", LastName: "Annet", Priority: 1, NextAttemptAt: t0},
		{ContactID: 4, Phones: []string{"+14155550004"}, State: store.RecordDone, Disposition: "DNC Excluded", NextAttemptAt: t0},
		{ContactID: 5, Phones: []string{"+14155550005"}, State: store.RecordDone, Disposition: "Filter Skipped", NextAttemptAt: t0},
	}
	_, inst := runningInstance(c, t, s, "dash", recs)
	// Scripted calls: contact, start offset, answered after, talk, outcome, disposition, final.
	type call struct {
		contact      int64
		at           time.Duration
		ans, talk    time.Duration
		outcome, dis string
		final        bool
	}
	calls := []call{
		{1, 0, 0, 0, "No Answer", "", false},
		{2, 0, 2 * time.Second, 30 * time.Second, "Connected", "Resolved", true},
		{3, 0, 0, 0, "Busy", "", false},
		{1, time.Hour, 3 * time.Second, 90 * time.Second, "Connected", "Requires Supervisor", true},
		{3, time.Hour, 0, 0, "No Answer", "", false},
	}
	ids := map[int64]int64{}
	for i, cl := range calls {
		now := t0.Add(cl.at)
		rs := must(s.LeaseRecords(c, store.LeaseRequest{InstanceID: inst.ID, Node: "n", Limit: 10, Now: now, TTL: time.Minute}))
		for _, r := range rs {
			ids[r.ContactID] = r.ID
			if r.ContactID != cl.contact {
				must(0, s.ReleaseRecord(c, store.RecordRelease{RecordID: r.ID, Node: "n", NextAttemptAt: now}))
			}
		}
		a := must(s.BeginAttempt(c, store.AttemptStart{RecordID: ids[cl.contact], Node: "n", At: now}))
		end := now.Add(10 * time.Second)
		if cl.ans > 0 {
			must(0, s.MarkAttempt(c, a.ID, store.AttemptAnswered, now.Add(cl.ans)))
			end = now.Add(cl.ans + cl.talk)
		}
		must(s.FinishAttempt(c, store.AttemptEnd{AttemptID: a.ID, State: store.AttemptFinal, Outcome: cl.outcome, Disposition: cl.dis,
			At: end, Final: cl.final, NextAttemptAt: now.Add(time.Hour)}))
		_ = i
	}
	st := must(s.InstanceStats(c, inst.ID))
	if st.Records != 5 || st.Done != 4 || st.Dialed != 3 || st.Attempts != 5 || st.Connected != 2 || st.Unconnected != 3 {
		t.Fatalf("stats = %+v", st)
	}
	if st.AvgDurationMS != 60000 {
		t.Fatalf("avg duration = %v, want 60000", st.AvgDurationMS)
	}
	wantCounts := func(got []store.Count, want string) {
		t.Helper()
		var parts []string
		for _, c := range got {
			parts = append(parts, fmt.Sprintf("%s=%d", c.Name, c.Count))
		}
		if fmt.Sprint(parts) != want {
			t.Fatalf("counts = %v, want %s", parts, want)
		}
	}
	wantCounts(st.Outcomes, "[Connected=2 No Answer=2 Busy=1 DNC Excluded=1 Filter Skipped=1]")
	wantCounts(st.Dispositions, "[Requires Supervisor=1 Resolved=1]")
	m := must(s.DispositionMatrix(c, inst.ID))
	var cells []string
	for _, x := range m {
		cells = append(cells, fmt.Sprintf("%d/%s=%d", x.Attempt, x.Disposition, x.Count))
	}
	if fmt.Sprint(cells) != "[1/Resolved=1 2/No Answer=1 2/Requires Supervisor=1]" {
		t.Fatalf("matrix = %v", cells)
	}
	names := func(rs []store.CallRecord) string {
		var out []string
		for _, r := range rs {
			out = append(out, fmt.Sprint(r.ContactID))
		}
		return fmt.Sprint(out)
	}
	tests := []struct {
		name  string
		f     store.ExecutionFilter
		want  string
		total int64
	}{
		{"default newest first", store.ExecutionFilter{}, "[1 3 2 4 5]", 5},
		{"oldest first", store.ExecutionFilter{Desc: true}, "[2 1 3 4 5]", 5},
		{"by priority", store.ExecutionFilter{Sort: store.SortPriority}, "[1 2 3 4 5]", 5},
		{"by disposition", store.ExecutionFilter{Sort: store.SortDisposition}, "[4 5 3 1 2]", 5},
		{"filter disposition", store.ExecutionFilter{Dispositions: []string{"Resolved", "No Answer"}}, "[3 2]", 2},
		{"filter priority then search", store.ExecutionFilter{Priorities: []int{1, 5}, Search: "ann"}, "[1 3]", 2},
		{"search phone", store.ExecutionFilter{Search: "0002"}, "[2]", 1},
		{"date range", store.ExecutionFilter{Since: t0.Add(30 * time.Minute)}, "[1 3]", 2},
		{"page", store.ExecutionFilter{Limit: 2, Offset: 1}, "[3 2]", 5},
	}
	for _, tt := range tests {
		tt.f.InstanceID = inst.ID
		rs, total, err := s.Executions(c, tt.f)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := names(rs); got != tt.want || total != tt.total {
			t.Errorf("%s: got %s (%d), want %s (%d)", tt.name, got, total, tt.want, tt.total)
		}
	}
}

func testSavedFilters(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "campaign_filters")
	u := must(s.CreateUser(c, store.User{Username: "mgr", Role: store.RoleManager, PasswordHash: "h"}))
	a := must(s.CreateSavedFilter(c, store.SavedFilter{UserID: u.ID, Name: "active", Default: true, Statuses: []store.CampaignStatus{store.CampaignActive}, Priorities: []int{4, 5}}))
	if !a.Default || len(a.Priorities) != 2 || a.Statuses[0] != store.CampaignActive || len(a.Modes) != 0 {
		t.Fatalf("CreateSavedFilter = %+v", a)
	}
	_, err := s.CreateSavedFilter(c, store.SavedFilter{UserID: u.ID, Name: "active"})
	wantErr(t, err, store.ErrConflict)
	b := must(s.CreateSavedFilter(c, store.SavedFilter{UserID: u.ID, Name: "power", Modes: []string{"power", "predictive"}, Default: true}))
	fs := must(s.SavedFilters(c, u.ID))
	if len(fs) != 2 || fs[0].Default || !fs[1].Default || fs[1].ID != b.ID {
		t.Fatalf("only one default expected: %+v", fs)
	}
	must(s.SetDefaultSavedFilter(c, a.ID, true))
	if got := must(s.SavedFilterByID(c, b.ID)); got.Default {
		t.Fatal("marking a default did not unmark the other")
	}
	if got := must(s.SetDefaultSavedFilter(c, a.ID, false)); got.Default {
		t.Fatal("unmark failed")
	}
	b.Name = "power2"
	if got := must(s.UpdateSavedFilter(c, b)); got.Name != "power2" || len(got.Modes) != 2 {
		t.Fatalf("UpdateSavedFilter = %+v", got)
	}
	must(0, s.DeleteSavedFilter(c, a.ID))
	wantErr(t, s.DeleteSavedFilter(c, a.ID), store.ErrNotFound)
}

func testFlows(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "flows")
	f := must(s.CreateFlow(c, store.StoredFlow{Name: "reminder", Description: "d", Document: []byte(`{"start":"a"}`)}))
	_, err := s.CreateFlow(c, store.StoredFlow{Name: "reminder", Document: []byte(`{}`)})
	wantErr(t, err, store.ErrConflict)
	f.Document = []byte(`{"start":"b"}`)
	if got := must(s.UpdateFlow(c, f)); string(got.Document) != `{"start":"b"}` {
		t.Fatalf("UpdateFlow = %+v", got)
	}
	must(s.CreateFlow(c, store.StoredFlow{Name: "alpha", Document: []byte(`{}`)}))
	fs := must(s.ListFlows(c))
	names := []string{fs[0].Name, fs[1].Name}
	if !sort.StringsAreSorted(names) || len(fs) != 2 {
		t.Fatalf("ListFlows = %v", names)
	}
	must(0, s.DeleteFlow(c, f.ID))
	_, err = s.FlowByID(c, f.ID)
	wantErr(t, err, store.ErrNotFound)
}

// testVoidAttempt: an attempt still dialing (no INVITE left) is deleted and its record
// is as BeginAttempt found it, still leased by the node; an attempt past dialing, or
// gone, cannot be voided.
func testVoidAttempt(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "campaign_void_attempt")
	t0 := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	recs := []store.CallRecord{
		{ContactID: 1, Phones: []string{"+14155550201"}, Priority: 2, NextAttemptAt: t0},
		{ContactID: 2, Phones: []string{"+14155550202"}, Priority: 1, NextAttemptAt: t0},
	}
	_, inst := runningInstance(c, t, s, "void", recs)
	held := must(s.LeaseRecords(c, store.LeaseRequest{InstanceID: inst.ID, Node: "n1", Limit: 2, Now: t0, TTL: time.Hour}))
	if len(held) != 2 {
		t.Fatalf("lease = %+v", held)
	}
	withHistory, fresh := held[0], held[1]

	// withHistory: one closed attempt (Busy, with notes), then leased and begun again.
	a1 := must(s.BeginAttempt(c, store.AttemptStart{RecordID: withHistory.ID, Node: "n1", At: t0.Add(time.Second)}))
	must(s.FinishAttempt(c, store.AttemptEnd{AttemptID: a1.ID, State: store.AttemptFinal, Outcome: "Busy", Notes: "call later",
		At: t0.Add(5 * time.Second), NextAttemptAt: t0.Add(time.Minute)}))
	at := t0.Add(2 * time.Minute)
	if got := must(s.LeaseRecords(c, store.LeaseRequest{InstanceID: inst.ID, Node: "n1", Limit: 5, Now: at, TTL: time.Hour})); len(got) != 1 || got[0].ID != withHistory.ID {
		t.Fatalf("re-lease = %+v, want record %d", got, withHistory.ID)
	}
	before := must(s.CallRecordByID(c, withHistory.ID))
	for _, tc := range []struct {
		name string
		rec  store.CallRecord
	}{{"after a closed attempt", before}, {"first attempt", must(s.CallRecordByID(c, fresh.ID))}} {
		a := must(s.BeginAttempt(c, store.AttemptStart{RecordID: tc.rec.ID, Node: "n1", At: at.Add(time.Second)}))
		if err := s.VoidAttempt(c, a.ID); err != nil {
			t.Fatalf("%s: VoidAttempt: %v", tc.name, err)
		}
		_, err := s.AttemptByID(c, a.ID)
		wantErr(t, err, store.ErrNotFound)
		got := must(s.CallRecordByID(c, tc.rec.ID))
		if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", tc.rec) {
			t.Fatalf("%s: record after the void\n got %+v\nwant %+v", tc.name, got, tc.rec)
		}
		if n := len(must(s.RecordAttempts(c, tc.rec.ID))); n != tc.rec.Attempts {
			t.Fatalf("%s: %d attempt rows, want %d", tc.name, n, tc.rec.Attempts)
		}
		wantErr(t, s.VoidAttempt(c, a.ID), store.ErrNotFound)
	}
	if got := must(s.CallRecordByID(c, withHistory.ID)); got.Attempts != 1 || got.Disposition != "Busy" || got.LastNotes != "call later" ||
		got.LastStartedAt == nil || !got.LastStartedAt.Equal(a1.StartedAt) || got.State != store.RecordLeased || got.LeaseOwner != "n1" {
		t.Fatalf("record with history after the void = %+v", got)
	}
	// The record is still n1's: no other node leases it, n1 renews and dials it, and
	// the number is free again for a live call.
	if more := must(s.LeaseRecords(c, store.LeaseRequest{InstanceID: inst.ID, Node: "n2", Limit: 5, Now: at, TTL: time.Hour})); len(more) != 0 {
		t.Fatalf("a voided record went to n2: %+v", more)
	}
	if got := must(s.RenewLeases(c, "n1", []int64{withHistory.ID, fresh.ID}, at.Add(2*time.Hour))); len(got) != 2 {
		t.Fatalf("renewed %v after the voids, want both", got)
	}
	a2 := must(s.BeginAttempt(c, store.AttemptStart{RecordID: withHistory.ID, Node: "n1", At: at.Add(2 * time.Second)}))
	if a2.Seq != 2 {
		t.Fatalf("attempt after a void has seq %d, want 2", a2.Seq)
	}
	// Past dialing (the INVITE left): not voidable, nothing changes.
	if err := s.MarkAttempt(c, a2.ID, store.AttemptRinging, at.Add(3*time.Second)); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.VoidAttempt(c, a2.ID), store.ErrConflict)
	if got := must(s.AttemptByID(c, a2.ID)); got.State != store.AttemptRinging {
		t.Fatalf("refused void changed the attempt: %+v", got)
	}
	if got := must(s.CallRecordByID(c, withHistory.ID)); got.State != store.RecordCalling || got.Attempts != 2 {
		t.Fatalf("refused void changed the record: %+v", got)
	}
	// Closed: not voidable either.
	wantErr(t, s.VoidAttempt(c, a1.ID), store.ErrConflict)
}
