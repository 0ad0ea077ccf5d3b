package engine_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/campaign/engine"
	"github.com/outdial/outdial/pacing"
)

// cutEveryRing is a scripted pacer: it orders one call, then asks at every decision
// to hang up every call still ringing, from its first second on.
type cutEveryRing struct {
	mu      sync.Mutex
	ordered time.Time
	asked   int // hangups asked for
}

func (p *cutEveryRing) Decide(s *pacing.Snapshot) (pacing.Decision, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var d pacing.Decision
	if p.ordered.IsZero() && len(s.Campaigns) > 0 && s.Campaigns[0].Ready > 0 {
		p.ordered = time.Now()
		d.Orders = []pacing.Order{{Campaign: 0, Count: 1, Agent: -1, Contact: -1}}
	}
	for i, c := range s.Calls {
		if c.Stage == pacing.Ringing {
			d.Hangups = append(d.Hangups, i)
			p.asked++
		}
	}
	return d, nil
}

var _ engine.Pacer = (*cutEveryRing)(nil)

// TestRingCutWaitsForMinRing: a pacer that asks to hang up a ringing call at once is
// refused until the call has rung the 15 s minimum (the US and UK rule); then the
// engine CANCELs it over SIP. The carrier, which would ring for two minutes, logs a
// cancelled call; the attempt ends No Answer and outdial_campaign_ring_cuts_total
// counts it.
func TestRingCutWaitsForMinRing(t *testing.T) {
	t.Parallel()
	r := newRig(t, "longring.yaml", mondayMorning(), blockRingCut)
	s := setupAgentless(t, r, 1, 1, func(d *campaign.Definition) {
		d.Outreach.MaxRingSeconds = 60
		d.Outreach.MaxAttempts = 1
	})
	ctx := context.Background()
	c, err := r.Service.Act(ctx, s.camp.ID, campaign.ActionPlay)
	if err != nil {
		t.Fatal(err)
	}
	p := &cutEveryRing{}
	e := r.Engine(t, "node-a", nil, func(c *engine.Config) { c.Pacer = p })
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go e.Run(runCtx)
	var ended time.Time
	waitFor(t, 1200, "the call ended", func() bool {
		if r.Reports.Count() > 0 {
			ended = time.Now()
			return true
		}
		return false
	})
	waitFor(t, 200, "the record done", func() bool {
		_, ok := allowedDone(t, r, *c.InstanceID, s.pop.allowed)
		return ok
	})
	if err := e.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	rang, asked := ended.Sub(p.ordered), p.asked
	p.mu.Unlock()
	rep := r.Reports.All()[0]
	if rep.Outcome != "cancelled" {
		t.Errorf("carrier logged %q; want cancelled (our CANCEL)", rep.Outcome)
	}
	if rang < pacing.DefaultMinRing || rang > 30*time.Second {
		t.Errorf("the call rang %v; a cut must wait for the %v minimum and come long before the 60 s max ring", rang, pacing.DefaultMinRing)
	}
	if asked < 10 {
		t.Errorf("the pacer asked %d times; it asks at every decision, so the engine refused it many times before the minimum ring", asked)
	}
	st, err := r.Store.InstanceStats(ctx, *c.InstanceID)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Outcomes) != 1 || st.Outcomes[0].Name != campaign.OutcomeNoAnswer || st.Outcomes[0].Count != 1 {
		t.Errorf("outcomes %+v; want one No Answer", st.Outcomes)
	}
	if n := testutil.ToFloat64(r.Metrics.RingCuts.WithLabelValues(s.camp.Name)); n != 1 {
		t.Errorf("outdial_campaign_ring_cuts_total = %v; want 1", n)
	}
	t.Logf("cut after %v; the pacer asked %d times", rang.Round(time.Millisecond), asked)
}
