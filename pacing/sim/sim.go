package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/outdial/outdial/pacing"
)

// epoch is the virtual wall-clock time at which every shift starts (a Monday, 09:00
// UTC); calendar days for the abandonment windows are UTC days.
func epoch() time.Time { return time.Date(2025, time.March, 3, 9, 0, 0, 0, time.UTC) }

const (
	decideGap     = 0.25 // seconds between event-driven decisions
	tickEvery     = 1.0  // seconds between periodic decisions (predictive)
	predictGap    = 0.5  // seconds between event-driven decisions (predictive)
	machineTalkS  = 8.0  // an agent reached by a machine hangs up after this
	defaultPrevS  = 10.0
	agentlessConc = 10 // spec default Max Concurrent Calls
)

type contact struct {
	id                                      int
	uOutcome, uRing, uTalk, uPatience, uAMD float64
	mapped                                  int // sim agent index, -1
	priority                                int
}

type call struct {
	active     bool
	c          contact
	truth      pacing.Outcome
	classHuman bool
	stage      pacing.Stage
	stageAt    float64
	dialAt     float64
	readyAt    float64
	agent      int // reserved sim agent, -1
	group      uint32
	gen        uint32
	inPacing   bool // ringing, detecting or waiting (or agentless flow)
}

type agent struct {
	loggedIn, leaving bool
	state             pacing.AgentState
	since             float64
	group             uint32
	groupLeft         int
	mappedGroup       bool
	idleSince         float64
	talkStart, talkS  float64
	talkHuman         bool
	gen               uint32
	snap              int
	previewContact    contact
}

// RunStats are the figures of one run (one mode, one seed).
type RunStats struct {
	Seed          uint64
	Dials         int
	LiveAnswers   int // humans answered (including those AMD hung up on)
	LiveConnects  int // humans bridged to an agent (or to the flow, agentless)
	Abandons      int
	AMDDropped    int // humans classed as machines and hung up
	TalkS         float64
	BusyS         float64 // talk (humans and machines) + wrap
	LoggedInS     float64
	LineS         float64 // integral of calls in flight
	Waits         []float64
	Idles         []float64
	Days          []pacing.Window
	MappedConnect int // mapped customers bridged to their agent
	MappedWrong   int // mapped customers bridged to another agent (must stay 0)
	Decisions     int // predictive decisions
	Fallbacks     int // of which dialed progressively (warm-up, compliance reserve)
	RingCuts      int // unanswered calls the pacer hung up after the minimum ring
	RingCutLive   int // of which a human would have answered before the ring timeout
}

type run struct {
	s        *Scenario
	mode     pacing.Mode
	spec     ModeSpec
	ring     pacing.Dist
	talk     pacing.Dist
	patience pacing.Dist
	hasPat   bool
	grace    float64
	timeout  float64
	outcomes Outcomes
	uk       bool

	t      float64
	q      queue
	rng    *rand.Rand // contact stream
	next   int
	calls  []call
	free   []int
	agents []agent
	wait   []int
	mapped []contact

	pacer  *pacing.Pacer
	est    *pacing.Estimator
	ledger *pacing.Ledger
	snap   pacing.Snapshot
	camps  [1]pacing.Campaign
	serve  []int
	snapCt []int // snapshot contact -> index in mapped
	snapAg []int // snapshot agent -> sim agent
	snapCl []int // snapshot call -> index in calls

	decideAt  float64
	decideGen uint32
	lastDec   float64
	groupSeq  uint32
	loggedIn  int
	inPacing  int
	connected int

	st RunStats
}

// RunOne runs mode index m of the scenario with one seed.
func (s *Scenario) RunOne(m int, seed uint64) (*RunStats, error) {
	if m < 0 || m >= len(s.Modes) {
		return nil, bad("modes", m, "index out of range")
	}
	r, err := newRun(s, s.Modes[m], seed)
	if err != nil {
		return nil, err
	}
	if err := r.loop(); err != nil {
		return nil, err
	}
	return &r.st, nil
}

func newRun(s *Scenario, spec ModeSpec, seed uint64) (*run, error) {
	mode, err := pacing.ParseMode(spec.Mode)
	if err != nil {
		return nil, err
	}
	ring, err := s.RingS.dist("ring_s")
	if err != nil {
		return nil, err
	}
	talk, err := s.TalkS.dist("talk_s")
	if err != nil {
		return nil, err
	}
	r := &run{
		s: s, mode: mode, spec: spec, ring: ring, talk: talk,
		grace: s.GraceS, timeout: s.RingTimeoutS, outcomes: s.Outcomes, uk: s.Compliance == "uk",
		rng:      rand.New(rand.NewPCG(seed, 1)),
		pacer:    newPacer(s.Pacer, spec, seed),
		est:      pacing.NewEstimator(pacing.Lognormal(10, 0.5), pacing.LognormalMeanCV(120, 1), time.Duration(s.RingTimeoutS*float64(time.Second))),
		ledger:   pacing.NewLedger(time.UTC),
		serve:    []int{0},
		decideAt: -1,
	}
	r.st.Seed = seed
	if r.grace <= 0 {
		r.grace = pacing.DefaultGrace.Seconds()
	}
	if s.CustomerPatienceS.Dist != "" {
		r.patience, _ = s.CustomerPatienceS.dist("customer_patience_s")
		r.hasPat = true
	}
	if mode != pacing.Agentless {
		r.setAgents(s.Agents)
	}
	if s.MappedPerAgent > 0 && mode != pacing.Agentless {
		mr := rand.New(rand.NewPCG(seed, 3))
		for a := 0; a < s.Agents; a++ {
			for k := 0; k < s.MappedPerAgent; k++ {
				c := r.draw(mr)
				c.id = -(len(r.mapped) + 1)
				c.mapped = a
				c.priority = 1 + mr.IntN(5)
				r.mapped = append(r.mapped, c)
			}
		}
	}
	for i, d := range s.Drift {
		r.q.push(event{at: d.AtS, kind: evDrift, id: i})
	}
	for i, c := range s.AgentChanges {
		r.q.push(event{at: c.AtS, kind: evAgents, id: i})
	}
	r.want(0)
	return r, nil
}

func newPacer(cfg pacing.Config, spec ModeSpec, seed uint64) *pacing.Pacer {
	cfg.Rand = rand.NewPCG(seed, 2)
	cfg.FullRing = cfg.FullRing || spec.FullRing
	return pacing.New(cfg)
}

func (r *run) draw(g *rand.Rand) contact {
	return contact{uOutcome: g.Float64(), uRing: g.Float64(), uTalk: g.Float64(), uPatience: g.Float64(), uAMD: g.Float64(), mapped: -1}
}

func (r *run) now() time.Time {
	return epoch().Add(time.Duration(r.t * float64(time.Second)))
}

func (r *run) loop() error {
	shift := r.s.ShiftS
	for len(r.q.ev) > 0 {
		e := r.q.pop()
		if e.at > shift {
			break
		}
		r.advance(e.at)
		if err := r.handle(e); err != nil {
			return err
		}
	}
	r.advance(shift)
	r.finish()
	return nil
}

// advance integrates the time-weighted figures up to t.
func (r *run) advance(t float64) {
	dt := t - r.t
	if dt > 0 {
		r.st.LoggedInS += dt * float64(r.loggedIn)
		r.st.LineS += dt * float64(r.inPacing)
		r.t = t
	}
}

func (r *run) finish() {
	for i := range r.agents {
		a := &r.agents[i]
		if !a.loggedIn {
			continue
		}
		switch a.state {
		case pacing.OnCall:
			d := r.t - a.talkStart
			r.st.BusyS += d
			if a.talkHuman {
				r.st.TalkS += d
			}
		case pacing.WrapUp:
			r.st.BusyS += r.t - a.since
		}
	}
	y, m, d := epoch().Date()
	last := r.now()
	for day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); !day.After(last); day = day.Add(24 * time.Hour) {
		r.st.Days = append(r.st.Days, r.ledger.Day(day))
	}
}

func (r *run) handle(e event) error {
	switch e.kind {
	case evDecide:
		if e.gen != r.decideGen {
			return nil
		}
		r.decideAt = -1
		return r.decide()
	case evRingEnd:
		c := &r.calls[e.id]
		if c.active && c.gen == e.gen {
			r.ringEnd(e.id)
		}
	case evDetectEnd:
		c := &r.calls[e.id]
		if c.active && c.gen == e.gen {
			r.detectEnd(e.id)
		}
	case evGiveUp:
		c := &r.calls[e.id]
		if c.active && c.gen == e.gen && (c.stage == pacing.Waiting || c.stage == pacing.Flow) {
			r.abandon(e.id)
		}
	case evTalkEnd:
		a := &r.agents[e.id]
		if a.gen == e.gen && a.state == pacing.OnCall {
			r.talkEnd(e.id)
		}
	case evWrapEnd:
		a := &r.agents[e.id]
		if a.gen == e.gen && a.state == pacing.WrapUp {
			r.st.BusyS += r.t - a.since
			r.est.Wrap(time.Duration((r.t - a.since) * float64(time.Second)))
			r.agentFree(e.id)
		}
	case evPreviewEnd:
		a := &r.agents[e.id]
		if a.gen == e.gen && a.state == pacing.SystemBusy && a.loggedIn {
			r.dial(a.previewContact, e.id)
		}
	case evDrift:
		r.outcomes = r.s.Drift[e.id].Outcomes
	case evAgents:
		r.setAgents(r.s.AgentChanges[e.id].Agents)
	}
	return nil
}

// want asks for a decision at t or as soon after the last one as the gap allows.
func (r *run) want(t float64) {
	gap := decideGap
	if r.mode == pacing.Predictive {
		gap = predictGap
	}
	t = math.Max(t, r.lastDec+gap)
	if r.decideAt >= 0 && r.decideAt <= t {
		return
	}
	r.decideGen++
	r.decideAt = t
	r.q.push(event{at: t, kind: evDecide, gen: r.decideGen})
}

func (r *run) setAgents(n int) {
	active := 0
	for i := range r.agents {
		if r.agents[i].loggedIn && !r.agents[i].leaving {
			active++
		}
	}
	for i := range r.agents {
		if active >= n {
			break
		}
		a := &r.agents[i]
		if a.loggedIn && a.leaving {
			a.leaving = false
			active++
		}
	}
	for i := 0; active < n; i++ {
		if i == len(r.agents) {
			r.agents = append(r.agents, agent{})
		}
		a := &r.agents[i]
		if a.loggedIn {
			continue
		}
		*a = agent{loggedIn: true, gen: a.gen + 1, state: pacing.Paused}
		r.loggedIn++
		active++
		r.agentFree(i)
	}
	// Log out: free agents at once, busy ones when they finish.
	for pass := 0; pass < 2 && active > n; pass++ {
		for i := len(r.agents) - 1; i >= 0 && active > n; i-- {
			a := &r.agents[i]
			if !a.loggedIn || a.leaving {
				continue
			}
			if pass == 0 && a.state != pacing.Available {
				continue
			}
			active--
			if a.state == pacing.Available {
				r.logout(i)
			} else {
				a.leaving = true
			}
		}
	}
	r.want(r.t)
}

func (r *run) logout(i int) {
	a := &r.agents[i]
	a.loggedIn, a.leaving = false, false
	a.gen++
	a.group, a.groupLeft = 0, 0
	r.loggedIn--
}

func (r *run) decide() error {
	r.lastDec = r.t
	r.buildSnapshot()
	d, err := r.pacer.Decide(&r.snap)
	if err != nil {
		return fmt.Errorf("sim: t=%.1fs: %w", r.t, err)
	}
	for _, h := range d.Hangups {
		r.cut(r.snapCl[h])
	}
	var usedMapped []int
	for _, o := range d.Orders {
		ai := -1
		if o.Agent >= 0 {
			ai = r.snapAgent(o.Agent)
		}
		var g uint32
		if ai >= 0 {
			a := &r.agents[ai]
			r.groupSeq++
			g = r.groupSeq
			a.state, a.since = pacing.SystemBusy, r.t
			a.group, a.groupLeft, a.mappedGroup = g, 0, o.Contact >= 0
		}
		for k := 0; k < o.Count; k++ {
			var c contact
			if o.Contact >= 0 && k == 0 {
				mi := r.snapCt[o.Contact]
				c = r.mapped[mi]
				usedMapped = append(usedMapped, mi)
			} else {
				c = r.nextContact()
			}
			id := r.dial(c, ai)
			if ai >= 0 {
				r.calls[id].group = g
				r.agents[ai].groupLeft++
			}
		}
	}
	for _, of := range d.Offers {
		ai := r.snapAgent(of.Agent)
		a := &r.agents[ai]
		var c contact
		if of.Contact >= 0 {
			mi := r.snapCt[of.Contact]
			c = r.mapped[mi]
			usedMapped = append(usedMapped, mi)
		} else {
			c = r.nextContact()
		}
		a.state, a.since = pacing.SystemBusy, r.t
		a.previewContact = c
		a.gen++
		prev := r.s.PreviewS
		if prev == 0 {
			prev = defaultPrevS
		}
		r.q.push(event{at: r.t + prev, kind: evPreviewEnd, id: ai, gen: a.gen})
	}
	if len(usedMapped) > 0 {
		slices.Sort(usedMapped)
		for i := len(usedMapped) - 1; i >= 0; i-- {
			r.mapped = slices.Delete(r.mapped, usedMapped[i], usedMapped[i]+1)
		}
	}
	if r.mode == pacing.Predictive {
		r.st.Decisions++
		if r.pacer.Forecast(0).Fallback {
			r.st.Fallbacks++
		}
		r.want(r.t + tickEvery)
	}
	return nil
}

func (r *run) snapAgent(snapIdx int) int {
	if snapIdx < 0 || snapIdx >= len(r.snapAg) {
		return -1
	}
	return r.snapAg[snapIdx]
}

func (r *run) nextContact() contact {
	c := r.draw(r.rng)
	c.id = r.next
	r.next++
	return c
}

func (r *run) buildSnapshot() {
	s := &r.snap
	s.Now = r.now()
	c := &r.camps[0]
	*c = pacing.Campaign{
		ID: "sim", Mode: r.mode, Priority: 5, Ratio: r.spec.Ratio,
		MaxConcurrent: r.spec.MaxConcurrent, MaxLinesPerAgent: r.spec.MaxLinesPerAgent,
		Compliance: pacing.Compliance{Target: r.spec.AbandonTarget, Grace: time.Duration(r.grace * float64(time.Second))},
		Ready:      1 << 30,
		Contacts:   c.Contacts[:0],
	}
	if r.uk {
		c.Compliance.Rule = pacing.RuleUK
	}
	if r.mode == pacing.Agentless && c.MaxConcurrent == 0 {
		c.MaxConcurrent = agentlessConc
	}
	r.est.Fill(&c.Stats)
	r.ledger.Fill(s.Now, &c.Stats)
	s.Campaigns = r.camps[:]
	s.Agents = s.Agents[:0]
	r.snapAg = r.snapAg[:0]
	for i := range r.agents {
		a := &r.agents[i]
		if !a.loggedIn {
			continue
		}
		a.snap = len(s.Agents)
		r.snapAg = append(r.snapAg, i)
		st := a.state
		if a.leaving {
			st = pacing.Paused
		}
		s.Agents = append(s.Agents, pacing.Agent{State: st, InState: time.Duration((r.t - a.since) * float64(time.Second)), Campaigns: r.serve})
	}
	r.snapCt = r.snapCt[:0]
	for i, m := range r.mapped {
		a := &r.agents[m.mapped]
		if !a.loggedIn || a.leaving {
			continue
		}
		c.Contacts = append(c.Contacts, pacing.Contact{ID: fmt.Sprint(m.id), Priority: m.priority, Agent: a.snap})
		r.snapCt = append(r.snapCt, i)
	}
	s.Calls = s.Calls[:0]
	r.snapCl = r.snapCl[:0]
	for i := range r.calls {
		cl := &r.calls[i]
		if !cl.active || !cl.inPacing {
			continue
		}
		ag := -1
		if cl.agent >= 0 {
			a := &r.agents[cl.agent]
			if a.loggedIn && a.group == cl.group && a.state == pacing.SystemBusy {
				ag = a.snap
			}
		}
		s.Calls = append(s.Calls, pacing.Call{Campaign: 0, Stage: cl.stage, Elapsed: time.Duration((r.t - cl.stageAt) * float64(time.Second)), Agent: ag})
		r.snapCl = append(r.snapCl, i)
	}
	s.Connected = r.connected
	s.Caps = pacing.Caps{TrunkChannels: r.s.TrunkChannels, CPS: r.s.CPS}
}

// dial places a call to contact c, reserved for sim agent ai (-1: none), and returns
// the call's index.
func (r *run) dial(c contact, ai int) int {
	var id int
	if n := len(r.free); n > 0 {
		id = r.free[n-1]
		r.free = r.free[:n-1]
	} else {
		r.calls = append(r.calls, call{})
		id = len(r.calls) - 1
	}
	cl := &r.calls[id]
	gen := cl.gen + 1
	*cl = call{active: true, c: c, stage: pacing.Ringing, stageAt: r.t, dialAt: r.t, agent: ai, gen: gen, inPacing: true}
	if ai >= 0 && r.mode == pacing.Preview {
		r.groupSeq++
		cl.group = r.groupSeq
		a := &r.agents[ai]
		a.group, a.groupLeft, a.mappedGroup = cl.group, 1, c.mapped >= 0
	}
	r.inPacing++
	r.st.Dials++
	o := r.outcomes
	var ring float64
	switch u := c.uOutcome; {
	case u < o.Human:
		cl.truth = pacing.Human
		ring = r.ring.Quantile(c.uRing)
		if ring >= r.timeout {
			cl.truth, ring = pacing.NoAnswer, r.timeout
		}
	case u < o.Human+o.Machine:
		cl.truth = pacing.Machine
		ring = pacing.Uniform(math.Min(12, 0.6*r.timeout), r.timeout).Quantile(c.uRing)
	case u < o.Human+o.Machine+o.Busy:
		cl.truth = pacing.Busy
		ring = pacing.Uniform(2, 6).Quantile(c.uRing)
	default:
		cl.truth, ring = pacing.NoAnswer, r.timeout
	}
	r.q.push(event{at: r.t + ring, kind: evRingEnd, id: id, gen: gen})
	return id
}

// cut hangs up a ringing call on the pacer's order (Decision.Hangups). The dialer
// sees a No Answer; the estimator learns it as a censored dial.
func (r *run) cut(id int) {
	cl := &r.calls[id]
	if !cl.active || cl.stage != pacing.Ringing {
		return
	}
	r.st.RingCuts++
	if cl.truth == pacing.Human {
		r.st.RingCutLive++
	}
	r.est.Cut(time.Duration((r.t - cl.dialAt) * float64(time.Second)))
	r.endCall(id)
}

func (r *run) ringEnd(id int) {
	cl := &r.calls[id]
	ring := time.Duration((r.t - cl.dialAt) * float64(time.Second))
	switch cl.truth {
	case pacing.Busy, pacing.NoAnswer:
		r.est.Outcome(cl.truth, ring)
		r.endCall(id)
		return
	}
	if cl.truth == pacing.Human {
		r.st.LiveAnswers++
		r.ledger.Live(r.now())
	}
	if r.s.AMDS > 0 {
		cl.stage, cl.stageAt = pacing.Detecting, r.t
		r.q.push(event{at: r.t + r.s.AMDS, kind: evDetectEnd, id: id, gen: cl.gen})
		return
	}
	r.est.Outcome(cl.truth, ring)
	cl.classHuman = true
	r.ready(id)
}

func (r *run) detectEnd(id int) {
	cl := &r.calls[id]
	if cl.truth == pacing.Human {
		cl.classHuman = cl.c.uAMD >= r.s.AMDFalseMachine
	} else {
		cl.classHuman = cl.c.uAMD < r.s.AMDFalseHuman
	}
	observed := pacing.Machine
	if cl.classHuman {
		observed = pacing.Human
	}
	r.est.Outcome(observed, time.Duration((cl.stageAt-cl.dialAt)*float64(time.Second)))
	r.est.Detect(time.Duration((r.t - cl.stageAt) * float64(time.Second)))
	if !cl.classHuman {
		if cl.truth == pacing.Human {
			r.st.AMDDropped++
			if r.uk {
				r.st.Abandons++
				r.ledger.Abandon(r.now())
			}
		}
		r.endCall(id)
		return
	}
	r.ready(id)
}

// ready: the call needs an agent now.
func (r *run) ready(id int) {
	cl := &r.calls[id]
	cl.readyAt = r.t
	if r.mode == pacing.Agentless {
		cl.stage, cl.stageAt = pacing.Flow, r.t
		if cl.truth == pacing.Human {
			r.st.LiveConnects++
			r.st.Waits = append(r.st.Waits, 0)
		}
		d := machineTalkS
		if cl.truth == pacing.Human {
			d = math.Max(1, r.talk.Quantile(cl.c.uTalk))
		}
		// The flow ends the call after d seconds; reuse the give-up event.
		r.q.push(event{at: r.t + d, kind: evGiveUp, id: id, gen: cl.gen})
		cl.stage = pacing.Flow
		return
	}
	if ai := r.findAgent(cl); ai >= 0 {
		r.connect(id, ai)
		return
	}
	cl.stage, cl.stageAt = pacing.Waiting, r.t
	r.wait = append(r.wait, id)
	g := r.grace
	if r.hasPat {
		g = math.Min(g, r.patience.Quantile(cl.c.uPatience))
	}
	r.q.push(event{at: r.t + g, kind: evGiveUp, id: id, gen: cl.gen})
}

func (r *run) findAgent(cl *call) int {
	if cl.c.mapped >= 0 {
		a := &r.agents[cl.c.mapped]
		if a.loggedIn && (a.state == pacing.Available || (a.state == pacing.SystemBusy && a.group == cl.group)) {
			return cl.c.mapped
		}
		return -1
	}
	if cl.agent >= 0 {
		a := &r.agents[cl.agent]
		if a.loggedIn && a.state == pacing.SystemBusy && a.group == cl.group {
			return cl.agent
		}
	}
	best := -1
	for i := range r.agents {
		a := &r.agents[i]
		if a.loggedIn && !a.leaving && a.state == pacing.Available && (best < 0 || a.idleSince < r.agents[best].idleSince) {
			best = i
		}
	}
	if best >= 0 {
		return best
	}
	if r.mode == pacing.Power || r.mode == pacing.Progressive {
		for i := range r.agents {
			a := &r.agents[i]
			if a.loggedIn && a.state == pacing.SystemBusy && a.groupLeft > 0 && !a.mappedGroup {
				return i
			}
		}
	}
	return -1
}

func (r *run) connect(id, ai int) {
	cl := &r.calls[id]
	a := &r.agents[ai]
	r.releaseGroup(cl, ai)
	if a.state == pacing.SystemBusy {
		a.group, a.groupLeft = 0, 0
	}
	human := cl.truth == pacing.Human
	if human {
		r.st.LiveConnects++
		r.st.Waits = append(r.st.Waits, r.t-cl.readyAt)
		if cl.c.mapped >= 0 {
			if cl.c.mapped == ai {
				r.st.MappedConnect++
			} else {
				r.st.MappedWrong++
			}
		}
	}
	r.st.Idles = append(r.st.Idles, r.t-a.idleSince)
	d := machineTalkS
	if human {
		d = math.Max(1, r.talk.Quantile(cl.c.uTalk))
	}
	a.gen++
	a.state, a.since = pacing.OnCall, r.t
	a.talkStart, a.talkS, a.talkHuman = r.t, d, human
	r.q.push(event{at: r.t + d, kind: evTalkEnd, id: ai, gen: a.gen})
	r.removeCall(id)
	r.connected++
}

// releaseGroup accounts for a call of a reservation group that will not reach the
// reserved agent (except when it goes to agent to).
func (r *run) releaseGroup(cl *call, to int) {
	if cl.agent < 0 || cl.group == 0 {
		return
	}
	b := &r.agents[cl.agent]
	if !b.loggedIn || b.group != cl.group || b.state != pacing.SystemBusy {
		return
	}
	b.groupLeft--
	if cl.agent == to {
		return
	}
	if b.groupLeft <= 0 {
		b.group = 0
		r.agentFree(cl.agent)
	}
}

func (r *run) talkEnd(ai int) {
	a := &r.agents[ai]
	r.connected--
	r.st.BusyS += a.talkS
	if a.talkHuman {
		r.st.TalkS += a.talkS
		r.est.Talk(time.Duration(a.talkS * float64(time.Second)))
	}
	if r.s.WrapS <= 0 {
		r.agentFree(ai)
		return
	}
	a.gen++
	a.state, a.since = pacing.WrapUp, r.t
	r.q.push(event{at: r.t + r.s.WrapS, kind: evWrapEnd, id: ai, gen: a.gen})
}

// agentFree: the agent can take a call; waiting callers first.
func (r *run) agentFree(ai int) {
	a := &r.agents[ai]
	a.gen++
	if a.leaving {
		r.logout(ai)
		r.want(r.t)
		return
	}
	if a.state != pacing.SystemBusy {
		a.idleSince = r.t
	}
	a.state, a.since = pacing.Available, r.t
	a.group, a.groupLeft = 0, 0
	for k, id := range r.wait {
		cl := &r.calls[id]
		if cl.c.mapped >= 0 && cl.c.mapped != ai {
			continue
		}
		r.wait = slices.Delete(r.wait, k, k+1)
		r.connect(id, ai)
		return
	}
	r.want(r.t)
}

func (r *run) abandon(id int) {
	cl := &r.calls[id]
	if r.mode == pacing.Agentless {
		r.endCall(id) // the flow finished
		return
	}
	if k := slices.Index(r.wait, id); k >= 0 {
		r.wait = slices.Delete(r.wait, k, k+1)
	}
	if cl.truth == pacing.Human {
		r.st.Abandons++
		r.ledger.Abandon(epoch().Add(time.Duration(cl.readyAt * float64(time.Second))))
	}
	r.endCall(id)
}

func (r *run) endCall(id int) {
	cl := &r.calls[id]
	r.releaseGroup(cl, -1)
	r.removeCall(id)
	r.want(r.t)
}

func (r *run) removeCall(id int) {
	cl := &r.calls[id]
	if cl.inPacing {
		r.inPacing--
	}
	cl.active, cl.inPacing = false, false
	cl.gen++
	r.free = append(r.free, id)
}
