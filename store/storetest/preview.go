package storetest

import (
	"testing"
	"time"

	"github.com/outdial/outdial/store"
)

// testPreviewSkips: a preview skip is counted on the record the node holds, survives
// the record leaving and coming back (a restart, another node), and is refused for a
// record the node does not hold.
func testPreviewSkips(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "preview_skips")
	t0 := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	_, inst := runningInstance(c, t, s, "preview", []store.CallRecord{{ContactID: 1, Phones: []string{"+14155559001"}, NextAttemptAt: t0}})
	recs := must(s.LeaseRecords(c, store.LeaseRequest{InstanceID: inst.ID, Node: "n1", Limit: 1, Now: t0, TTL: time.Minute}))
	if len(recs) != 1 || recs[0].PreviewSkips != 0 {
		t.Fatalf("lease = %+v", recs)
	}
	id := recs[0].ID
	if n := must(s.SkipPreview(c, id, "n1")); n != 1 {
		t.Errorf("first skip = %d, want 1", n)
	}
	if n := must(s.SkipPreview(c, id, "n1")); n != 2 {
		t.Errorf("second skip = %d, want 2", n)
	}
	_, err := s.SkipPreview(c, id, "n2")
	wantErr(t, err, store.ErrConflict)
	// The lease runs out; another node leases the record and sees the skips.
	later := t0.Add(2 * time.Minute)
	recs = must(s.LeaseRecords(c, store.LeaseRequest{InstanceID: inst.ID, Node: "n2", Limit: 1, Now: later, TTL: time.Minute}))
	if len(recs) != 1 || recs[0].PreviewSkips != 2 {
		t.Fatalf("lease by n2 = %+v, want the record with 2 skips", recs)
	}
	if r := must(s.CallRecordByID(c, id)); r.PreviewSkips != 2 {
		t.Errorf("record preview skips = %d, want 2", r.PreviewSkips)
	}
}
