package engine_test

import (
	"context"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/outdial/outdial/campaign/engine"
	"github.com/outdial/outdial/campaign/engine/enginetest"
	"github.com/outdial/outdial/internal/pgtest"
	"github.com/outdial/outdial/sip/carrier"
	"github.com/outdial/outdial/store"
)

// TestAgentlessTwoNodesPostgres: two engine nodes share one PostgreSQL and dial one
// agentless campaign at the same time through the simulated carrier. Every check of
// the single-node test holds (nothing forbidden dialed, store and carrier agree call
// by call, retries by the rules); both nodes dial; no record is in two calls at once;
// and the account's Max Concurrent Calls holds across the nodes while both dial up to
// it together. Each node's pacer aims at what the other nodes leave of the cap, so few
// dials reach the store's refusal (logged, not required).
func TestAgentlessTwoNodesPostgres(t *testing.T) {
	t.Parallel()
	st := pgtest.Open(t, "engine_two_nodes")
	sc, err := carrier.LoadScenario(filepath.Join("testdata", "agentless.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// A short hopper, so that neither node leases the whole list at once.
	r := newRigWith(t, enginetest.Options{Scenario: sc, Clock: mondayMorning(), Store: st, Hopper: 6}, blockNodes)
	const n, maxCalls = 40, 6
	s := setupAgentless(t, r, n, maxCalls)
	inst, elapsed := runAgentless(t, r, s, 2400, nil, "node-a", "node-b")
	checkAgentless(t, r, s, inst)

	ctx := context.Background()
	rows, _, err := r.Store.Executions(ctx, store.ExecutionFilter{InstanceID: inst, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	byNode := map[string]int{}
	nodesOf := map[string][]string{} // number -> node of each attempt, in order
	for _, rec := range rows {
		atts, err := r.Store.RecordAttempts(ctx, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i, a := range atts {
			byNode[a.Node]++
			nodesOf[a.Number] = append(nodesOf[a.Number], a.Node)
			if a.EndedAt == nil {
				t.Errorf("%s attempt %d never ended", a.Number, a.Seq)
				continue
			}
			if i > 0 && a.StartedAt.Before(*atts[i-1].EndedAt) {
				t.Errorf("%s: attempt %d (%s) began before attempt %d (%s) ended", a.Number, a.Seq, a.Node, atts[i-1].Seq, atts[i-1].Node)
			}
		}
	}
	// The most calls live at once, as the carrier saw them (wall clock; the attempts'
	// own times are on the 60x test clock, where the milliseconds a BeginAttempt
	// waits for the cap's lock become seconds). The carrier is done with a call a few
	// milliseconds after the SIP end the engine records it by, so calls count from
	// skew after they arrive: a call really over the cap overlaps for its whole ring
	// or talk.
	const skew = 30 * time.Millisecond
	type edge struct {
		at    time.Time
		delta int
		node  string
	}
	reps := r.Reports.All()
	sort.Slice(reps, func(i, j int) bool { return reps[i].Start.Before(reps[j].Start) })
	seen := map[string]int{}
	var edges []edge
	for _, rep := range reps {
		node := "?"
		if ns := nodesOf[rep.To]; seen[rep.To] < len(ns) {
			node = ns[seen[rep.To]]
		}
		seen[rep.To]++
		edges = append(edges, edge{rep.Start.Add(skew), 1, node}, edge{rep.End, -1, node})
	}
	sort.Slice(edges, func(i, j int) bool {
		if edges[i].at.Equal(edges[j].at) {
			return edges[i].delta < edges[j].delta
		}
		return edges[i].at.Before(edges[j].at)
	})
	live, most, shared := 0, 0, 0
	liveOn := map[string]int{}
	for _, e := range edges {
		live += e.delta
		liveOn[e.node] += e.delta
		most = max(most, live)
		if live == maxCalls && e.delta > 0 && liveOn["node-a"] > 0 && liveOn["node-b"] > 0 {
			shared++ // the cap reached with both nodes dialing
		}
	}
	held := testutil.ToFloat64(r.Metrics.LocalDialFailures.WithLabelValues(engine.ReasonMaxConcurrentCalls))
	t.Logf("%d contacts, %d calls in %v: by node %v; at most %d live (Max Concurrent Calls %d); the cap reached by both nodes together %d times; %v dials held for the cap",
		n, r.Reports.Count(), elapsed.Round(time.Millisecond), byNode, most, maxCalls, shared, held)
	if most > maxCalls {
		t.Errorf("%d calls were live at once across the nodes; Max Concurrent Calls is %d", most, maxCalls)
	}
	if byNode["node-a"] == 0 || byNode["node-b"] == 0 {
		t.Errorf("attempts by node %v: both nodes should dial", byNode)
	}
	if shared == 0 {
		t.Error("the two nodes never reached the cap together: they never competed for it, so the test proved nothing")
	}
}
