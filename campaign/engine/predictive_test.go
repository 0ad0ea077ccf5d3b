package engine_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/campaign/engine"
)

// TestPredictiveToAgents runs a predictive campaign with three Go agents: after a short
// warm-up the pacer's forecast decides how many lines to dial, calls are not reserved
// and go to whichever agent is free. Midway every agent pauses while calls ring: those
// people answer, find no agent within the 2 s grace, hear the safe-harbour message and
// count as abandoned. The abandon ratio metric must equal abandoned / live answers from
// the store, every abandoned call must have lasted the grace and carried our message,
// and every agent must have taken calls.
func TestPredictiveToAgents(t *testing.T) {
	t.Parallel()
	w := newAgentWorld(t, "power.yaml", blockPredictive, func(c *engine.Config) {
		c.Pacing.Warmup = 8
		c.Pacing.Reserve = 0.01
	})
	w.addAgents(t, 3)
	const contacts = 45
	c := w.startCampaign(t, campaign.ModePredictive, contacts, func(d *campaign.Definition) {
		d.Dialing.AbandonTarget = 0.1
		d.Outreach.MaxAttempts = 1
	})
	inst := *c.InstanceID
	ctx := context.Background()
	// Watch the calls in flight; pause every agent once a third of the list is done.
	maxInFlight := 0.0
	waitFor(t, 1200, "a third of the contacts done", func() bool {
		maxInFlight = math.Max(maxInFlight, testutil.ToFloat64(w.Metrics.InFlight))
		st, err := w.Store.InstanceStats(ctx, inst)
		return err == nil && st.Done >= contacts/3 && testutil.ToFloat64(w.Metrics.InFlight) >= 2
	})
	for _, a := range w.agents {
		a.send(map[string]any{"type": "state", "state": "Paused"})
	}
	waitFor(t, 200, "an abandoned call", func() bool {
		maxInFlight = math.Max(maxInFlight, testutil.ToFloat64(w.Metrics.InFlight))
		st, err := w.Store.InstanceStats(ctx, inst)
		if err != nil {
			return false
		}
		for _, o := range st.Outcomes {
			if o.Name == campaign.OutcomeAbandoned && o.Count > 0 {
				return testutil.ToFloat64(w.Metrics.InFlight) == 0
			}
		}
		return false
	})
	for _, a := range w.agents {
		a.send(map[string]any{"type": "state", "state": "Available"})
	}
	waitFor(t, 1200, "every contact done", func() bool {
		maxInFlight = math.Max(maxInFlight, testutil.ToFloat64(w.Metrics.InFlight))
		st, err := w.Store.InstanceStats(ctx, inst)
		return err == nil && st.Done == contacts
	})
	if err := w.e.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	res := w.checkAgentCalls(t, inst)
	if maxInFlight <= float64(len(w.agents)) {
		t.Errorf("at most %v calls in flight for %d agents: the forecast never dialed ahead of the free agents", maxInFlight, len(w.agents))
	}
	for _, a := range w.agents {
		if a.calls.Load() == 0 {
			t.Errorf("%s took no call", a.name)
		}
	}
	if res.abandoned == 0 {
		t.Fatalf("%+v: the calls ringing when the agents paused were not abandoned", res)
	}
	// Every abandoned call waited the grace and heard our message (the carrier got RTP).
	calls := w.Reports.ByNumber()
	for _, num := range res.abandonedNumbers {
		for _, rep := range calls[num] {
			if rep.Talked < 2*time.Second || rep.RTP == nil || rep.RTP.PacketsReceived < 10 {
				t.Errorf("%s abandoned: the carrier talked %v and received %+v; the safe-harbour message plays after the 2 s grace", num, rep.Talked, rep.RTP)
			}
		}
	}
	ratio := testutil.ToFloat64(w.Metrics.AbandonRatio.WithLabelValues(c.Name))
	want := float64(res.abandoned) / float64(res.abandoned+res.connected)
	if math.Abs(ratio-want) > 1e-9 {
		t.Errorf("outdial_campaign_abandon_ratio = %v; the store has %d abandoned of %d live answers (%v)", ratio, res.abandoned, res.abandoned+res.connected, want)
	}
	st, err := w.Store.InstanceStats(ctx, inst)
	if err != nil {
		t.Fatal(err)
	}
	if st.Attempts != int64(w.Reports.Count()) {
		t.Errorf("stats: %d attempts, the carrier saw %d calls", st.Attempts, w.Reports.Count())
	}
	t.Logf("predictive: %d contacts, 3 agents: %d connected, %d abandoned, %d not answered, abandon ratio %.3f; at most %.0f calls in flight; %s",
		contacts, res.connected, res.abandoned, res.other, ratio, maxInFlight, w.latency(t, res.connected))
}
