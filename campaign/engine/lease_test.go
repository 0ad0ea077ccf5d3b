package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/campaign/engine"
	"github.com/outdial/outdial/store"
)

// TestLeaseRenewedWhileWaiting: the records a node holds outlive the lease TTL many
// times over (an agent looks at each preview offer for four TTLs; the other record
// waits in the hopper meanwhile), while a second node of the same store leases every
// record it can. The first node renews its leases: the second never gets a record,
// and every dial of the first is accepted.
func TestLeaseRenewedWhileWaiting(t *testing.T) {
	t.Parallel()
	const ttl = 30 * time.Second // Clock time: 0.5 s of wall time at 60x
	short := func(c *engine.Config) { c.LeaseTTL = ttl }
	w := newAgentWorld(t, "agents.yaml", blockLease, short)
	offered := make(chan struct{}, 4)
	w.addAgents(t, 1, func(a *testAgent) {
		a.onPreview = func(a *testAgent, o engine.Offer) {
			select {
			case offered <- struct{}{}:
			default:
			}
			go func() {
				time.Sleep(2 * time.Second) // four TTLs
				a.send(map[string]any{"type": "preview", "record_id": o.RecordID, "action": "dial"})
			}()
		}
	})
	const contacts = 2
	c := w.startCampaign(t, campaign.ModePreview, contacts)
	select {
	case <-offered:
	case <-time.After(10 * time.Second):
		t.Fatal("no preview offer")
	}
	other := w.Engine(t, "node-b", nil, short)
	runCtx, stop := context.WithCancel(context.Background())
	defer stop()
	go other.Run(runCtx)
	w.waitDone(t, *c.InstanceID, contacts)
	if err := other.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	res := w.checkAgentCalls(t, *c.InstanceID)
	if res.connected != contacts {
		t.Errorf("%+v: every record dialed by node-a's agent and connected", res)
	}
	inFlight, err := w.Store.InFlightAttempts(context.Background(), "")
	if err != nil || len(inFlight) != 0 {
		t.Errorf("attempts left in flight: %v %v", inFlight, err)
	}
	rows, _, _ := w.Store.Executions(context.Background(), store.ExecutionFilter{InstanceID: *c.InstanceID, Limit: 100})
	for _, rec := range rows {
		atts, _ := w.Store.RecordAttempts(context.Background(), rec.ID)
		for _, a := range atts {
			if a.Node != "node-a" {
				t.Errorf("%s dialed by %s: node-a's lease was lost", a.Number, a.Node)
			}
		}
	}
}
