package engine_test

import (
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial/campaign/engine"
	"github.com/outdial/outdial/campaign/engine/enginetest"
	"github.com/outdial/outdial/media"
	"github.com/outdial/outdial/sip/carrier"
)

// rig is an enginetest.Rig on one test's block of UDP ports.
type rig struct {
	*enginetest.Rig
	// block is the first of the rig's 2,500 UDP ports: the carrier's RTP (1,000),
	// the dialer's (1,000) and the agents' (500). Tests that run in parallel use
	// different blocks, so that a port one test frees never carries another's audio.
	block uint16
}

// Port blocks of the tests, one each (below the ephemeral range).
const (
	blockAgentless   = 10000
	blockCrash       = 12500
	blockProgressive = 15000
	blockPower       = 17500
	blockSipp        = 20000
	blockPreview     = 22500
	blockPredictive  = 25000
	blockLease       = 27500
	blockNodes       = 2500 // below the others: 30000 and up are taken by other packages
	blockRingCut     = 5000
)

// newRig starts the simulated carrier with a scenario from testdata and a rig whose
// trunk points at it.
func newRig(t *testing.T, scenario string, clock engine.Clock, block uint16) *rig {
	t.Helper()
	sc, err := carrier.LoadScenario(filepath.Join("testdata", scenario))
	if err != nil {
		t.Fatal(err)
	}
	return newRigWith(t, enginetest.Options{Scenario: sc, Clock: clock}, block)
}

// newRigTo returns a rig whose trunk points at the far end address (ip:port).
func newRigTo(t *testing.T, address string, clock engine.Clock, block uint16) *rig {
	t.Helper()
	return newRigWith(t, enginetest.Options{Address: address, Clock: clock}, block)
}

// newRigWith builds the rig of o on the port block.
func newRigWith(t *testing.T, o enginetest.Options, block uint16) *rig {
	t.Helper()
	o.CarrierPorts = [2]uint16{block, block + 999}
	o.DialerPorts = [2]uint16{block + 1000, block + 1999}
	return &rig{Rig: enginetest.New(t, o), block: block}
}

// mondayMorning is a clock 60 times faster than the wall clock from Monday 10:00 in
// New York, inside the campaigns' calling windows.
func mondayMorning() *enginetest.Clock {
	return enginetest.NewClock(time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC), 60)
}

// agentPorts is the rig's port pool for Go agents' audio legs.
func (r *rig) agentPorts(t *testing.T) *media.PortPool {
	t.Helper()
	p, err := media.NewPortPool(media.PortPoolConfig{IP: netip.MustParseAddr("127.0.0.1"), Min: r.block + 2000, Max: r.block + 2499})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// waitFor polls cond every 50 ms, at most n times.
func waitFor(t *testing.T, n int, what string, cond func() bool) {
	t.Helper()
	for range n {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("gave up waiting for %s", what)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
