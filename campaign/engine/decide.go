package engine

import (
	"context"
	"slices"
	"time"

	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/pacing"
	"github.com/outdial/outdial/store"
)

var modes = map[campaign.Mode]pacing.Mode{
	campaign.ModeAgentless: pacing.Agentless, campaign.ModeProgressive: pacing.Progressive,
	campaign.ModePower: pacing.Power, campaign.ModePreview: pacing.Preview, campaign.ModePredictive: pacing.Predictive,
}

var agentStates = map[AgentState]pacing.AgentState{
	AgentAvailable: pacing.Available, AgentPaused: pacing.Paused, AgentBusy: pacing.OnCall,
	AgentSystemBusy: pacing.SystemBusy, AgentWrapUp: pacing.WrapUp,
}

// decide builds a pacing snapshot, asks for orders and starts the calls.
func (e *Engine) decide(ctx context.Context) {
	if e.draining || time.Now().Before(e.shortUntil) {
		return
	}
	s := &e.snap
	s.Now = e.cfg.Clock.Now()
	s.Campaigns, s.Agents, s.Calls, s.Connected = s.Campaigns[:0], s.Agents[:0], s.Calls[:0], 0
	s.Caps = e.cfg.Caps
	s.Caps.MaxAgentless = e.settings.MaxConcurrentCalls
	agentlessFull := false
	if m := e.settings.MaxConcurrentCalls; m > 0 && e.elsewhere > 0 {
		// The other nodes' live agentless calls use part of the account's cap.
		if room := m - e.elsewhere; room > 0 {
			s.Caps.MaxAgentless = room
		} else {
			agentlessFull = true
		}
	}
	// The buffers below are the engine's, reused tick after tick: a steady tick
	// allocates nothing (TestSteadyTickAllocatesNothing).
	camps := e.snapBuf.camps[:0]
	if e.snapBuf.byQueue == nil {
		e.snapBuf.byQueue = map[int64][]int{}
	}
	for q, l := range e.snapBuf.byQueue {
		e.snapBuf.byQueue[q] = l[:0]
	}
	for _, cp := range e.camps {
		cp.snap = -1
		if !cp.active && cp.inFlight == 0 {
			continue
		}
		ready := len(cp.hopper)
		if !cp.active || (agentlessFull && !cp.c.Dialing.Mode.AgentMode()) {
			ready = 0
		}
		pc := pacing.Campaign{ID: cp.c.Name, Mode: modes[cp.c.Dialing.Mode], Priority: cp.c.Priority, Ratio: cp.c.Dialing.PacingRatio,
			Compliance: pacing.Compliance{Target: cp.c.Dialing.AbandonTarget, Grace: e.cfg.Grace}, Ready: ready}
		if pc.Priority < 1 || pc.Priority > 5 {
			pc.Priority = campaign.DefaultPriority
		}
		if pc.Ratio == 0 && pc.Mode == pacing.Power {
			pc.Ratio = campaign.DefaultRatio
		}
		cp.est.Fill(&pc.Stats)
		cp.ledger.Fill(s.Now, &pc.Stats)
		cp.snap = len(camps)
		if cp.c.Dialing.Mode.AgentMode() {
			q := queueOf(cp)
			e.snapBuf.byQueue[q] = append(e.snapBuf.byQueue[q], cp.snap)
		}
		camps = append(camps, cp)
		s.Campaigns = append(s.Campaigns, pc)
	}
	e.snapBuf.camps = camps
	if len(camps) == 0 {
		return
	}
	agents := e.snapBuf.agents[:0]
	for _, a := range e.agents {
		serves := a.serves[:0]
		for _, q := range a.info.Queues {
			serves = append(serves, e.snapBuf.byQueue[q]...)
		}
		slices.Sort(serves)
		serves = slices.Compact(serves) // a queue listed twice is served once
		a.serves = serves
		a.snap = len(agents)
		agents = append(agents, a)
		s.Agents = append(s.Agents, pacing.Agent{State: agentStates[a.state], InState: time.Since(a.since), Campaigns: serves})
	}
	e.snapBuf.agents = agents
	e.snapCalls = e.snapCalls[:0]
	for _, c := range e.calls {
		if c.agent != 0 {
			s.Connected++
			continue
		}
		i := c.camp.snap
		if i < 0 {
			continue
		}
		ag := -1
		if r := e.agents[c.reserved]; r != nil && c.reserved != 0 {
			ag = r.snap
		}
		s.Calls = append(s.Calls, pacing.Call{Campaign: i, Stage: c.stage, Elapsed: time.Since(c.since), Agent: ag})
		e.snapCalls = append(e.snapCalls, c)
	}
	d, err := e.pacer.Decide(s)
	if err != nil {
		e.log.Warn("pacing", "err", err)
		return
	}
	for _, h := range d.Hangups {
		if h < 0 || h >= len(e.snapCalls) {
			continue
		}
		if c := e.snapCalls[h]; c.stage == pacing.Ringing && c.reserved == 0 {
			select {
			case c.cut <- struct{}{}:
			default: // asked already
			}
		}
	}
	for _, o := range d.Orders {
		cp := camps[o.Campaign]
		var a *agent
		if o.Agent >= 0 && o.Agent < len(agents) {
			a = agents[o.Agent]
		}
		for range o.Count {
			if len(cp.hopper) == 0 || !cp.active {
				break
			}
			rec := cp.hopper[0]
			cp.hopper = cp.hopper[1:]
			e.start(ctx, cp, rec, a)
		}
	}
	for _, of := range d.Offers {
		cp := camps[of.Campaign]
		if of.Agent < 0 || of.Agent >= len(agents) || len(cp.hopper) == 0 || !cp.active {
			continue
		}
		a := agents[of.Agent]
		if a.state != AgentAvailable || e.previews[a.info.ID] != nil {
			continue
		}
		rec := cp.hopper[0]
		cp.hopper = cp.hopper[1:]
		e.previews[a.info.ID] = &preview{camp: cp, rec: rec}
		e.setAgent(a, AgentSystemBusy)
		if e.cfg.Agents != nil {
			e.cfg.Agents.Preview(a.info.ID, e.offer(cp, rec, 0))
		}
	}
}

// offer describes a record to an agent.
func (e *Engine) offer(cp *camp, rec store.CallRecord, attemptID int64) Offer {
	o := Offer{AttemptID: attemptID, RecordID: rec.ID, CampaignID: cp.c.ID, Campaign: cp.c.Name, Mode: cp.c.Dialing.Mode,
		Number: rec.Phone, FirstName: rec.FirstName, LastName: rec.LastName, Fields: rec.Fields,
		Dispositions: append(campaign.AgentDispositions(), cp.c.Dispositions.Custom...)}
	if o.Number == "" && len(rec.Phones) > 0 {
		o.Number = rec.Phones[0]
	}
	if cp.c.Dialing.Mode == campaign.ModePreview {
		o.SkipsLeft = max(cp.c.Dialing.MaxSkips-rec.PreviewSkips, 0)
	}
	return o
}

// previewAnswer dials or skips the record offered to an agent.
func (e *Engine) previewAnswer(ctx context.Context, ev evPreview) {
	p := e.previews[ev.agent]
	a := e.agents[ev.agent]
	if p == nil || a == nil || p.rec.ID != ev.record {
		return
	}
	if !ev.dial && p.rec.PreviewSkips < p.camp.c.Dialing.MaxSkips {
		// The skip is counted in the store first, so that the limit holds across
		// restarts and nodes; a skip that cannot be counted is refused (the offer
		// stands), never allowed past the limit.
		n, err := e.cfg.Store.SkipPreview(ctx, p.rec.ID, e.cfg.Node)
		if err != nil {
			e.log.Warn("preview skip not counted; the offer stands", "record_id", p.rec.ID, "err", err)
			if e.cfg.Agents != nil {
				e.cfg.Agents.Preview(a.info.ID, e.offer(p.camp, p.rec, 0))
			}
			return
		}
		delete(e.previews, ev.agent)
		p.rec.PreviewSkips = n
		p.camp.hopper = append(p.camp.hopper, p.rec) // to the back: the next agent may take it
		e.agentFree(a)
		e.decide(ctx)
		return
	}
	if !ev.dial { // no skips left: the offer stands
		if e.cfg.Agents != nil {
			e.cfg.Agents.Preview(a.info.ID, e.offer(p.camp, p.rec, 0))
		}
		return
	}
	delete(e.previews, ev.agent)
	if !p.camp.active {
		e.releaseRecord(ctx, p.rec)
		e.agentFree(a)
		return
	}
	e.start(ctx, p.camp, p.rec, a)
}

// start places a call in its own goroutine, reserving agent a (if any) for it.
func (e *Engine) start(ctx context.Context, cp *camp, rec store.CallRecord, a *agent) {
	e.nextKey++
	c := &call{key: e.nextKey, camp: cp, rec: rec, stage: pacing.Ringing, since: time.Now(), cut: make(chan struct{}, 1)}
	if a != nil {
		c.reserved = a.info.ID
		a.reserved[c.key] = true
		if a.state != AgentSystemBusy {
			e.setAgent(a, AgentSystemBusy)
		}
	}
	e.calls[c.key] = c
	cp.inFlight++
	e.cfg.Metrics.InFlight.Set(float64(len(e.calls)))
	j := job{key: c.key, c: cp.c, flow: cp.flow, callerID: cp.callerID, trunks: cp.trunks, rec: rec,
		offer: e.offer(cp, rec, 0), set: e.settings, cut: c.cut}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		end := e.runCall(ctx, j)
		e.post(evEnded{key: j.key, end: end})
	}()
}
