package engine_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/campaign/engine"
)

// offerBook is the preview offers the agents hold, checked as they arrive: a record
// is never offered to two agents at once.
type offerBook struct {
	mu      sync.Mutex
	t       *testing.T
	held    map[int64]string // record -> agent holding its offer
	skips   map[int64][]int  // record -> skips_left of each offer
	refused map[int64]int    // record -> skips refused by the hub
	dialed  map[int64]string // record -> agent who dialed it
}

func (b *offerBook) offered(agent string, o engine.Offer) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if other, ok := b.held[o.RecordID]; ok && other != agent {
		b.t.Errorf("record %d offered to %s while %s holds it", o.RecordID, agent, other)
	}
	b.held[o.RecordID] = agent
	b.skips[o.RecordID] = append(b.skips[o.RecordID], o.SkipsLeft)
}

func (b *offerBook) answered(o engine.Offer, dial bool, agent string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.held, o.RecordID)
	if dial {
		b.dialed[o.RecordID] = agent
	}
}

// TestPreviewToAgents: two agents of one queue get preview offers over the hub. Each
// agent skips while the offer has skips left, then tries one skip more (the hub
// refuses it and the offer stands) and dials; the call is placed and bridged to that
// agent. No record is ever offered to both agents at once, none is dialed twice.
func TestPreviewToAgents(t *testing.T) {
	t.Parallel()
	w := newAgentWorld(t, "agents.yaml", blockPreview)
	book := &offerBook{t: t, held: map[int64]string{}, skips: map[int64][]int{}, refused: map[int64]int{}, dialed: map[int64]string{}}
	const contacts, maxSkips = 8, 2
	var current sync.Map // agent name -> the offer it holds (engine.Offer)
	preview := func(a *testAgent, o engine.Offer) {
		book.offered(a.name, o)
		current.Store(a.name, o)
		if o.SkipsLeft > 0 {
			book.answered(o, false, a.name)
			a.send(map[string]any{"type": "preview", "record_id": o.RecordID, "action": "skip"})
			return
		}
		a.send(map[string]any{"type": "preview", "record_id": o.RecordID, "action": "skip"}) // one too many
	}
	refused := func(a *testAgent, msg string) bool {
		v, ok := current.Load(a.name)
		if !ok || !strings.Contains(msg, "no skips left") {
			return false
		}
		o := v.(engine.Offer)
		book.mu.Lock()
		book.refused[o.RecordID]++
		book.mu.Unlock()
		book.answered(o, true, a.name)
		a.send(map[string]any{"type": "preview", "record_id": o.RecordID, "action": "dial"})
		return true
	}
	w.addAgents(t, 2, func(a *testAgent) { a.onPreview, a.onError = preview, refused })
	c := w.startCampaign(t, campaign.ModePreview, contacts, func(d *campaign.Definition) { d.Dialing.MaxSkips = maxSkips })
	inst := *c.InstanceID
	w.waitDone(t, inst, contacts)
	res := w.checkAgentCalls(t, inst)
	if res.connected != contacts || res.abandoned != 0 || res.other != 0 {
		t.Errorf("preview: %+v; every record dialed once by its agent and connected", res)
	}
	book.mu.Lock()
	defer book.mu.Unlock()
	if len(book.dialed) != contacts {
		t.Errorf("%d records dialed, want %d", len(book.dialed), contacts)
	}
	for rec, left := range book.skips {
		want := []int{2, 1, 0}
		if len(left) != len(want) || left[0] != want[0] || left[1] != want[1] || left[2] != want[2] {
			t.Errorf("record %d: offers with skips left %v, want %v", rec, left, want)
		}
		if book.refused[rec] != 1 {
			t.Errorf("record %d: %d skips refused at the limit, want 1", rec, book.refused[rec])
		}
		// The skips are kept in the store, so a restart or another node keeps the limit.
		if r, err := w.Store.CallRecordByID(t.Context(), rec); err != nil || r.PreviewSkips != maxSkips {
			t.Errorf("record %d: %d preview skips stored (%v), want %d", rec, r.PreviewSkips, err, maxSkips)
		}
	}
	// The agent who dialed a record is the agent it was bridged to.
	ctx := t.Context()
	for rec, who := range book.dialed {
		atts, err := w.Store.RecordAttempts(ctx, rec)
		if err != nil || len(atts) != 1 || atts[0].AgentID == nil {
			t.Errorf("record %d: attempts %+v (%v); one attempt with an agent", rec, atts, err)
			continue
		}
		ag, err := w.Store.AgentByID(ctx, *atts[0].AgentID)
		if err != nil || !strings.HasSuffix(who, strings.TrimPrefix(ag.Name, "Agent ")) {
			t.Errorf("record %d dialed by %s, bridged to %q (%v)", rec, who, ag.Name, err)
		}
	}
	per := map[string]int{}
	for _, who := range book.dialed {
		per[who]++
	}
	t.Logf("preview: %d records, 2 agents, max skips %d: %d offers skipped, %d skips refused, dials per agent %v; %s",
		contacts, maxSkips, contacts*maxSkips, contacts, per, w.latency(t, res.connected))
}
