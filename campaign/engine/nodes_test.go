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
// and the account's Max Concurrent Calls holds across the nodes, although each node
// alone would dial up to it.
func TestAgentlessTwoNodesPostgres(t *testing.T) {
	t.Parallel()
	st := pgtest.Open(t, "engine_two_nodes")
	sc, err := carrier.LoadScenario(filepath.Join("testdata", "agentless.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	r := newRigWith(t, enginetest.Options{Scenario: sc, Clock: mondayMorning(), Store: st}, blockNodes)
	const n, maxCalls = 40, 6
	s := setupAgentless(t, r, n, maxCalls)
	inst, elapsed := runAgentless(t, r, s, 2400, nil, "node-a", "node-b")
	checkAgentless(t, r, s, inst)

	ctx := context.Background()
	rows, _, err := r.Store.Executions(ctx, store.ExecutionFilter{InstanceID: inst, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	type edge struct {
		at    time.Time
		delta int
	}
	var edges []edge
	byNode := map[string]int{}
	for _, rec := range rows {
		atts, err := r.Store.RecordAttempts(ctx, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i, a := range atts {
			byNode[a.Node]++
			if a.EndedAt == nil {
				t.Errorf("%s attempt %d never ended", a.Number, a.Seq)
				continue
			}
			if i > 0 && a.StartedAt.Before(*atts[i-1].EndedAt) {
				t.Errorf("%s: attempt %d (%s) began before attempt %d (%s) ended", a.Number, a.Seq, a.Node, atts[i-1].Seq, atts[i-1].Node)
			}
			edges = append(edges, edge{a.StartedAt, 1}, edge{*a.EndedAt, -1})
		}
	}
	// The most calls live at once, by the attempts' own times (ends before starts at
	// the same instant).
	sort.Slice(edges, func(i, j int) bool {
		if edges[i].at.Equal(edges[j].at) {
			return edges[i].delta < edges[j].delta
		}
		return edges[i].at.Before(edges[j].at)
	})
	live, most := 0, 0
	for _, e := range edges {
		live += e.delta
		most = max(most, live)
	}
	held := testutil.ToFloat64(r.Metrics.LocalDialFailures.WithLabelValues(engine.ReasonMaxConcurrentCalls))
	t.Logf("%d contacts, %d calls in %v: by node %v; at most %d live (Max Concurrent Calls %d); %v dials held for the cap",
		n, r.Reports.Count(), elapsed.Round(time.Millisecond), byNode, most, maxCalls, held)
	if most > maxCalls {
		t.Errorf("%d calls were live at once across the nodes; Max Concurrent Calls is %d", most, maxCalls)
	}
	if byNode["node-a"] == 0 || byNode["node-b"] == 0 {
		t.Errorf("attempts by node %v: both nodes should dial", byNode)
	}
	if held == 0 {
		t.Error("no dial was held for the shared cap: the nodes never competed, so the test proved nothing")
	}
}
