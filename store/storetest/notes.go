package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial/store"
)

// testAttemptNotes: the agent's notes are stored on the attempt and shown on the
// record (Latest Execution) until its next attempt begins; an attempt without notes
// keeps the earlier attempt's notes where they were.
func testAttemptNotes(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "attempt_notes")
	t0 := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	for i, notes := range []string{
		"",
		"wants a call on Monday",
		"Ünïcödé, 'quotes', \"double\", back\\slash; semi-colon\nsecond line -- not a comment",
		strings.Repeat("long note ", 200),
	} {
		t.Run(fmt.Sprintf("notes %d", i), func(t *testing.T) {
			phone := fmt.Sprintf("+1415555%04d", 7000+i)
			_, inst := runningInstance(c, t, s, fmt.Sprintf("notes%d", i), []store.CallRecord{{ContactID: int64(i + 1), Phones: []string{phone}, NextAttemptAt: t0}})
			recs := must(s.LeaseRecords(c, store.LeaseRequest{InstanceID: inst.ID, Node: "n1", Limit: 1, Now: t0, TTL: time.Minute}))
			if len(recs) != 1 {
				t.Fatalf("lease = %+v", recs)
			}
			a := must(s.BeginAttempt(c, store.AttemptStart{RecordID: recs[0].ID, Node: "n1", At: t0}))
			must(0, s.MarkAttempt(c, a.ID, store.AttemptAnswered, t0.Add(time.Second)))
			retry := t0.Add(time.Hour)
			fin := must(s.FinishAttempt(c, store.AttemptEnd{AttemptID: a.ID, State: store.AttemptFinal, Outcome: "Connected", Disposition: "Call back",
				At: t0.Add(time.Minute), NextAttemptAt: retry, Notes: notes}))
			if fin.Notes != notes {
				t.Errorf("FinishAttempt notes %q, want %q", fin.Notes, notes)
			}
			if got := must(s.AttemptByID(c, a.ID)); got.Notes != notes {
				t.Errorf("AttemptByID notes %q, want %q", got.Notes, notes)
			}
			if got := must(s.CallRecordByID(c, recs[0].ID)); got.LastNotes != notes {
				t.Errorf("record last notes %q, want %q", got.LastNotes, notes)
			}
			rows, _ := must2(s.Executions(c, store.ExecutionFilter{InstanceID: inst.ID, Limit: 10}))
			if len(rows) != 1 || rows[0].LastNotes != notes {
				t.Errorf("Executions = %+v, want last notes %q", rows, notes)
			}

			// The next attempt: the record shows no notes while it runs and after it
			// closes without any; the first attempt keeps its own.
			recs = must(s.LeaseRecords(c, store.LeaseRequest{InstanceID: inst.ID, Node: "n1", Limit: 1, Now: retry, TTL: time.Minute}))
			if len(recs) != 1 {
				t.Fatalf("retry lease = %+v", recs)
			}
			a2 := must(s.BeginAttempt(c, store.AttemptStart{RecordID: recs[0].ID, Node: "n1", At: retry}))
			if got := must(s.CallRecordByID(c, recs[0].ID)); got.LastNotes != "" {
				t.Errorf("record in its second attempt still shows notes %q", got.LastNotes)
			}
			must(s.FinishAttempt(c, store.AttemptEnd{AttemptID: a2.ID, State: store.AttemptFinal, Outcome: "No Answer", At: retry.Add(time.Minute), Final: true}))
			hist := must(s.RecordAttempts(c, recs[0].ID))
			if len(hist) != 2 || hist[0].Notes != notes || hist[1].Notes != "" {
				t.Errorf("history notes = %+v, want %q then none", hist, notes)
			}
			rows, _ = must2(s.Executions(c, store.ExecutionFilter{InstanceID: inst.ID, Limit: 10}))
			if len(rows) != 1 || rows[0].LastNotes != "" {
				t.Errorf("Executions after the second attempt = %+v, want no notes", rows)
			}
		})
	}
}
