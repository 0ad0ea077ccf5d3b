package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/store"
)

// TestCrashNeverRedials kills an engine mid-campaign (its context cancelled with calls
// in flight: nothing more is written, as in a crash), starts a new engine of the same
// node on the same store and proves that no attempt in flight was dialed again: the
// attempts are closed as Unknown, and every INVITE the carrier received is one attempt
// row, with retries only when the rules allow.
func TestCrashNeverRedials(t *testing.T) {
	t.Parallel()
	clock := mondayMorning()
	r := newRig(t, "agentless.yaml", clock, blockCrash)
	s := setupAgentless(t, r, 90, 30)
	ctx := context.Background()
	c, err := r.Service.Act(ctx, s.camp.ID, campaign.ActionPlay)
	if err != nil {
		t.Fatal(err)
	}
	inst := *c.InstanceID
	first := r.Engine(t, "node-a", nil)
	killCtx, kill := context.WithCancel(ctx)
	go first.Run(killCtx)
	var inFlight []store.Attempt
	waitFor(t, 1200, "calls in flight after 40 calls", func() bool {
		if r.Reports.Count() < 40 {
			return false
		}
		inFlight, err = r.Store.InFlightAttempts(ctx, "node-a")
		return err == nil && len(inFlight) >= 5
	})
	kill()
	<-first.Done()
	left, err := r.Store.InFlightAttempts(ctx, "node-a")
	if err != nil || len(left) == 0 {
		t.Fatalf("after the kill: %d attempts in flight (%v); the test needs some", len(left), err)
	}
	second := r.Engine(t, "node-a", nil)
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go second.Run(runCtx)
	waitFor(t, 1600, "every allowed contact done after the restart", func() bool {
		_, ok := allowedDone(t, r, inst, s.pop.allowed)
		return ok
	})
	if err := second.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	calls := r.Reports.ByNumber()
	unknown := 0
	for _, a := range left {
		got, err := r.Store.AttemptByID(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != store.AttemptUnknown || got.Outcome != campaign.OutcomeUnknown {
			t.Errorf("attempt %d left in flight is %s/%q after the restart, want unknown", a.ID, got.State, got.Outcome)
		}
		unknown++
		atts, err := r.Store.RecordAttempts(ctx, a.RecordID)
		if err != nil {
			t.Fatal(err)
		}
		if len(atts) < len(calls[a.Number]) {
			t.Errorf("%s: %d attempt rows, %d INVITEs: a call was placed without its row", a.Number, len(atts), len(calls[a.Number]))
		}
		if len(atts) > s.camp.Outreach.MaxAttempts {
			t.Errorf("%s: %d attempts, more than the %d allowed", a.Number, len(atts), s.camp.Outreach.MaxAttempts)
		}
		for _, b := range atts {
			if b.Seq > got.Seq && b.StartedAt.Before(got.EndedAt.Add(time.Duration(s.camp.Outreach.RetryMinutes)*time.Minute-time.Second)) {
				t.Errorf("%s: attempt %d started %v, before the retry period after the unknown attempt ended %v", a.Number, b.Seq, b.StartedAt, got.EndedAt)
			}
		}
	}
	// Across the whole run: one INVITE per attempt row, never a number twice at once.
	checkAgentlessCounts(t, r, inst)
	t.Logf("killed with %d attempts in flight; %d calls in all, %d closed as Unknown", len(left), r.Reports.Count(), unknown)
}

func checkAgentlessCounts(t *testing.T, r *rig, inst int64) {
	t.Helper()
	ctx := context.Background()
	calls := r.Reports.ByNumber()
	rows, _, err := r.Store.Executions(ctx, store.ExecutionFilter{InstanceID: inst, Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, rec := range rows {
		atts, err := r.Store.RecordAttempts(ctx, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		total += len(atts)
		// Every INVITE has its row. A row may lack its INVITE only when the kill came
		// between the row and the INVITE: such an attempt is closed as Unknown.
		unknown := 0
		for _, a := range atts {
			if a.State == store.AttemptUnknown {
				unknown++
			}
		}
		if n := len(calls[rec.Phones[0]]); n > len(atts) || len(atts)-n > unknown {
			t.Errorf("%s: %d attempt rows (%d unknown), %d INVITEs", rec.Phones[0], len(atts), unknown, n)
		}
		for i := 1; i < len(atts); i++ {
			if atts[i-1].EndedAt == nil || atts[i].StartedAt.Before(*atts[i-1].EndedAt) {
				t.Errorf("%s: attempt %d started before attempt %d ended", rec.Phones[0], i+1, i)
			}
		}
	}
	if total < r.Reports.Count() {
		t.Errorf("%d attempt rows, the carrier saw %d INVITEs", total, r.Reports.Count())
	}
}
