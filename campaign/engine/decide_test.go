package engine

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/pacing"
)

// tickWorld is an engine at a steady pacing tick: campaigns of every agent mode with
// nothing ready (so no call starts), agents in every state serving some of them, and
// calls in flight. Only decide runs; nothing is dialed.
func tickWorld(nCamps, nAgents, nCalls int) *Engine {
	e := &Engine{cfg: Config{Clock: SystemClock{}, Grace: pacing.DefaultGrace, Metrics: NewMetrics(nil)},
		log: slog.New(slog.DiscardHandler), pacer: pacing.New(pacing.Config{}),
		camps: map[int64]*camp{}, agents: map[int64]*agent{}, calls: map[uint64]*call{},
		settings: campaign.DefaultSettings()}
	modes := []campaign.Mode{campaign.ModeProgressive, campaign.ModePower, campaign.ModePredictive, campaign.ModePreview, campaign.ModeAgentless}
	var camps []*camp
	for i := range nCamps {
		q := int64(i % 10)
		c := campaign.Campaign{ID: int64(i + 1)}
		c.Name = fmt.Sprintf("c%d", i)
		c.Priority = 1 + i%5
		c.Dialing = campaign.Dialing{Mode: modes[i%len(modes)], QueueID: &q, PacingRatio: 2}
		cp := &camp{c: c, active: true, ledger: pacing.NewLedger(time.UTC),
			est: pacing.NewEstimator(pacing.Lognormal(9.5, 0.5), pacing.LognormalMeanCV(180, 1), 20*time.Second)}
		e.camps[c.ID] = cp
		camps = append(camps, cp)
	}
	states := []AgentState{AgentAvailable, AgentBusy, AgentWrapUp, AgentPaused, AgentSystemBusy}
	for i := range nAgents {
		a := &agent{info: AgentInfo{ID: int64(i + 1), Queues: []int64{int64(i % 10), int64((i + 3) % 10)}},
			state: states[i%len(states)], since: time.Now().Add(-time.Duration(i%90) * time.Second), reserved: map[uint64]bool{}}
		e.agents[a.info.ID] = a
	}
	for i := range nCalls {
		k := uint64(i + 1)
		e.calls[k] = &call{key: k, camp: camps[i%len(camps)], stage: pacing.Ringing, since: time.Now().Add(-time.Duration(i%20) * time.Second),
			cut: make(chan struct{}, 1)}
	}
	return e
}

// TestSteadyTickAllocatesNothing: once its buffers have grown, building the pacing
// snapshot and deciding allocates nothing.
func TestSteadyTickAllocatesNothing(t *testing.T) {
	e := tickWorld(20, 200, 300)
	ctx := context.Background()
	e.decide(ctx)
	if len(e.snap.Campaigns) != 20 || len(e.snap.Agents) != 200 || len(e.snap.Calls) != 300 {
		t.Fatalf("snapshot %d campaigns, %d agents, %d calls; want 20, 200, 300", len(e.snap.Campaigns), len(e.snap.Agents), len(e.snap.Calls))
	}
	served := 0
	for _, a := range e.snap.Agents {
		served += len(a.Campaigns)
	}
	if served == 0 {
		t.Fatal("no agent serves a campaign: the snapshot misses the queues")
	}
	if n := testing.AllocsPerRun(20, func() { e.decide(ctx) }); n != 0 {
		t.Errorf("a steady tick allocates %.0f times; want 0", n)
	}
}

func BenchmarkDecideTick50Campaigns1000Agents(b *testing.B) {
	e := tickWorld(50, 1000, 1500)
	ctx := context.Background()
	e.decide(ctx)
	b.ReportAllocs()
	for b.Loop() {
		e.decide(ctx)
	}
}
