package pacing

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// quad is the number of quadrature points over the answer-time distribution used by
// the predictive forecast.
const quad = 5

// quadU returns the answer-time quantiles at which the predictive forecast is
// evaluated.
func quadU() [quad]float64 { return [quad]float64{0.1, 0.3, 0.5, 0.7, 0.9} }

// Config tunes a Pacer. The zero value is usable.
type Config struct {
	// Rand breaks ties between equal-priority campaigns, rounds fractional power
	// ratios and shares scarce capacity by priority. Nil means a fixed seed, so that
	// decisions are reproducible.
	Rand rand.Source
	// Aim is the share of the abandonment target the predictive controller steers to,
	// leaving the rest as a margin for chance (0 means 0.7).
	Aim float64
	// Warmup is the number of dial outcomes a predictive campaign must have observed
	// before it dials more than progressive (0 means 100).
	Warmup int
	// Reserve is the number of abandons kept in hand on every compliance window:
	// predictive falls back to progressive when the window's remaining allowance
	// drops to it (0 means 1).
	Reserve float64
	// SlackScale is the remaining allowance (in abandons) below which the accepted
	// risk shrinks in proportion (0 means 15).
	SlackScale float64
	// Gain is the integral gain of the abandonment controller, per second (0 means
	// 1/2000: a slow controller wastes less of the allowance on its own noise).
	Gain float64
	// FullRing lets every unanswered predictive call ring until the campaign's Max
	// Ring Time: the pacer then never hangs up a late call (Decision.Hangups stays
	// empty). By default a call that has rung the minimum ring is cut when a live
	// answer on it would find no agent with a chance above the threshold a new call
	// must pass; it costs some live answers a retry (see docs/pacing.md).
	FullRing bool
}

// Pacer decides dial orders from snapshots. It holds reusable buffers and the state
// of the predictive controller per campaign ID, so a steady-state Decide allocates
// nothing. A Pacer is not safe for concurrent use: the engine owns one per node.
type Pacer struct {
	cfg Config
	rng *rand.Rand

	orders   []Order
	offers   []Offer
	hangups  []int
	reserved []reservedOrder
	work     []campWork
	ties     []int
	taken    []bool
	takenOff []int
	mapped   []mappedPick

	ctl      map[string]int
	ctlState []controller

	tokens float64
	last   time.Time
	phi    phiTable
	logs   logTable
}

type reservedOrder struct {
	Order
	key int64 // higher first: mapped customers, then longest idle agent
}

type mappedPick struct {
	campaign, contact, prio, cprio int
}

type controller struct {
	logTheta float64
	last     time.Time
	seen     bool
}

// Forecast is the predictive view of one campaign at the last Decide, for metrics and
// tests.
type Forecast struct {
	Pool      float64 // agents whose next call comes from this campaign
	Free      float64 // of which available now
	InFlight  int     // unreserved calls in flight
	Theta     float64 // marginal abandonment risk accepted
	Fallback  bool    // dialing progressively (warm-up, compliance reserve, no pool)
	Lines     int     // calls ordered by the forecast
	Progress  int     // what progressive would have ordered
	RiskAtMax float64 // forecast risk of the last call ordered
	// LateRisk is the forecast chance that a human answering now finds no agent within
	// the grace; above Theta, calls that have rung the minimum ring are hung up (Cut).
	LateRisk float64
	Cut      bool
}

type campWork struct {
	ringing, detecting, waiting int
	inflight                    int // unreserved calls in flight
	allInflight                 int
	hasWork                     bool
	readyLeft                   int
	want                        int // unreserved calls wanted
	reservedWant                int
	grant                       int
	pool, free                  float64
	// The forecast at quad answer-time quantiles, and at index quad for an answer now
	// (the late-call cut).
	tau       [quad + 1]float64 // answer-time quantiles, seconds
	answered  [quad + 1]float64 // P(a new call is a live answer by tau)
	supply    [quad + 1]float64 // agents free by tau+amd+grace: mean
	supplyVar [quad + 1]float64
	demand    [quad + 1]float64 // earlier calls ready by tau+amd: mean
	demandVar [quad + 1]float64
	ringMass  float64 // Ring.CDF(ring timeout): live answers come before it
	fc        Forecast
}

// New returns a Pacer.
func New(cfg Config) *Pacer {
	src := cfg.Rand
	if src == nil {
		src = rand.NewPCG(0x6f7574, 0x6469616c)
	}
	if cfg.Aim <= 0 || cfg.Aim > 1 {
		cfg.Aim = 0.7
	}
	if cfg.Warmup <= 0 {
		cfg.Warmup = 100
	}
	if cfg.Reserve <= 0 {
		cfg.Reserve = 1
	}
	if cfg.SlackScale <= 0 {
		cfg.SlackScale = 15
	}
	if cfg.Gain <= 0 {
		cfg.Gain = 1.0 / 2000
	}
	p := &Pacer{cfg: cfg, rng: rand.New(src), ctl: make(map[string]int)}
	p.phi.init()
	p.logs.init()
	return p
}

// Forecast returns the predictive view of campaign i at the last Decide.
func (p *Pacer) Forecast(i int) Forecast {
	if i < 0 || i >= len(p.work) {
		return Forecast{}
	}
	return p.work[i].fc
}

func validate(s *Snapshot) error {
	nc, na := len(s.Campaigns), len(s.Agents)
	for i := range s.Campaigns {
		c := &s.Campaigns[i]
		if c.Mode < Agentless || c.Mode > Predictive {
			return fmt.Errorf("campaign %d (%q): %w %d", i, c.ID, ErrUnknownMode, c.Mode)
		}
		if c.Priority < 1 || c.Priority > 5 {
			return fmt.Errorf("campaign %d (%q): priority %d: %w", i, c.ID, c.Priority, ErrPriority)
		}
		if c.Mode == Power && c.Ratio != 0 && (c.Ratio < 1 || c.Ratio > 10 || math.IsNaN(c.Ratio)) {
			return fmt.Errorf("campaign %d (%q): ratio %v: %w", i, c.ID, c.Ratio, ErrRatio)
		}
		if t := c.Compliance.Target; t < 0 || t > 0.5 || math.IsNaN(t) {
			return fmt.Errorf("campaign %d (%q): target %v: %w", i, c.ID, t, ErrTarget)
		}
		if c.Ready < 0 || c.MaxConcurrent < 0 || c.MaxLinesPerAgent < 0 {
			return fmt.Errorf("campaign %d (%q): ready, max concurrent and max lines: %w", i, c.ID, ErrNegative)
		}
		for j := range c.Contacts {
			if a := c.Contacts[j].Agent; a < -1 || a >= na {
				return fmt.Errorf("campaign %d (%q) contact %d: agent %d of %d: %w", i, c.ID, j, a, na, ErrIndex)
			}
		}
	}
	for i := range s.Agents {
		for _, c := range s.Agents[i].Campaigns {
			if c < 0 || c >= nc {
				return fmt.Errorf("agent %d (%q): campaign %d of %d: %w", i, s.Agents[i].ID, c, nc, ErrIndex)
			}
		}
	}
	for i := range s.Calls {
		c := &s.Calls[i]
		if c.Campaign < 0 || c.Campaign >= nc {
			return fmt.Errorf("call %d: campaign %d of %d: %w", i, c.Campaign, nc, ErrIndex)
		}
		if c.Agent < -1 || c.Agent >= na {
			return fmt.Errorf("call %d: agent %d of %d: %w", i, c.Agent, na, ErrIndex)
		}
	}
	if s.Caps.MaxAgentless < 0 || s.Caps.TrunkChannels < 0 || s.Caps.CPS < 0 || s.Connected < 0 {
		return fmt.Errorf("caps: %w", ErrNegative)
	}
	return nil
}

// Decide returns the dial orders and preview offers for snapshot s. The Decision's
// slices are reused by the next call.
func (p *Pacer) Decide(s *Snapshot) (Decision, error) {
	if err := validate(s); err != nil {
		return Decision{}, err
	}
	p.orders = p.orders[:0]
	p.offers = p.offers[:0]
	p.hangups = p.hangups[:0]
	p.reserved = p.reserved[:0]
	p.work = grow(p.work, len(s.Campaigns))
	p.mapped = grow(p.mapped, len(s.Agents))
	p.takenOff = grow(p.takenOff, len(s.Campaigns)+1)
	total := 0
	for i := range s.Campaigns {
		p.takenOff[i] = total
		total += len(s.Campaigns[i].Contacts)
	}
	p.takenOff[len(s.Campaigns)] = total
	p.taken = grow(p.taken, total)
	clear(p.taken)

	p.countCalls(s)
	p.mapContacts(s)
	p.prepareForecasts(s)
	p.assignAgents(s)
	for i := range s.Campaigns {
		c := &s.Campaigns[i]
		w := &p.work[i]
		switch c.Mode {
		case Agentless:
			w.want = w.readyLeft
			if c.MaxConcurrent > 0 {
				w.want = min(w.want, c.MaxConcurrent-w.allInflight)
			}
		case Predictive:
			w.want = p.predict(s, i)
		}
		w.want = max(0, min(w.want, w.readyLeft))
	}
	p.share(s)
	p.emit(s)
	p.cutLateCalls(s)
	return Decision{Orders: p.orders, Offers: p.offers, Hangups: p.hangups}, nil
}

func grow[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n)
	}
	return b[:n]
}

func (p *Pacer) countCalls(s *Snapshot) {
	for i := range s.Campaigns {
		c := &s.Campaigns[i]
		p.work[i] = campWork{readyLeft: c.Ready, hasWork: c.Ready > 0 || len(c.Contacts) > 0}
	}
	for i := range s.Calls {
		call := &s.Calls[i]
		w := &p.work[call.Campaign]
		w.allInflight++
		switch call.Stage {
		case Ringing:
			w.ringing++
		case Detecting:
			w.detecting++
		case Waiting:
			w.waiting++
		}
		if call.Agent < 0 {
			w.inflight++
		}
	}
}

// mapContacts picks, for every available agent, its best mapped customer: highest
// campaign priority first, then highest customer priority.
func (p *Pacer) mapContacts(s *Snapshot) {
	for i := range p.mapped {
		p.mapped[i] = mappedPick{campaign: -1}
	}
	for ci := range s.Campaigns {
		c := &s.Campaigns[ci]
		if c.Mode == Agentless {
			continue
		}
		for j := range c.Contacts {
			a := c.Contacts[j].Agent
			if a < 0 || s.Agents[a].State != Available || !serves(&s.Agents[a], ci) {
				continue
			}
			m := &p.mapped[a]
			if m.campaign < 0 || c.Priority > m.prio || (c.Priority == m.prio && c.Contacts[j].Priority > m.cprio) {
				*m = mappedPick{campaign: ci, contact: j, prio: c.Priority, cprio: c.Contacts[j].Priority}
			}
		}
	}
}

func serves(a *Agent, c int) bool {
	for _, x := range a.Campaigns {
		if x == c {
			return true
		}
	}
	return false
}

// topCampaigns fills p.ties with the agent's highest-priority campaigns that have
// work and take agents.
func (p *Pacer) topCampaigns(s *Snapshot, a *Agent) {
	p.ties = p.ties[:0]
	best := 0
	for _, ci := range a.Campaigns {
		c := &s.Campaigns[ci]
		if c.Mode == Agentless || !p.work[ci].hasWork {
			continue
		}
		switch {
		case c.Priority > best:
			best = c.Priority
			p.ties = append(p.ties[:0], ci)
		case c.Priority == best:
			if !slices.Contains(p.ties, ci) {
				p.ties = append(p.ties, ci)
			}
		}
	}
}

func (p *Pacer) assignAgents(s *Snapshot) {
	for ai := range s.Agents {
		a := &s.Agents[ai]
		if a.State == Paused || a.State == SystemBusy {
			continue
		}
		if a.State == Available && p.mapped[ai].campaign >= 0 {
			m := p.mapped[ai]
			p.topCampaigns(s, a)
			if len(p.ties) == 0 || s.Campaigns[p.ties[0]].Priority <= m.prio {
				p.taken[p.takenOff[m.campaign]+m.contact] = true
				if s.Campaigns[m.campaign].Mode == Preview {
					p.offers = append(p.offers, Offer{Campaign: m.campaign, Agent: ai, Contact: m.contact})
				} else {
					p.reserve(Order{Campaign: m.campaign, Count: 1, Agent: ai, Contact: m.contact}, 1<<62)
				}
				continue
			}
		}
		p.topCampaigns(s, a)
		if len(p.ties) == 0 {
			continue
		}
		if a.State != Available {
			// On call or wrapping up: feeds the release forecast of the predictive
			// campaigns it will serve next, shared evenly between tied campaigns.
			share := 1 / float64(len(p.ties))
			for _, ci := range p.ties {
				if s.Campaigns[ci].Mode == Predictive {
					p.release(&s.Campaigns[ci], ci, a, share)
				}
			}
			continue
		}
		ci := p.ties[0]
		if len(p.ties) > 1 {
			ci = p.ties[p.rng.IntN(len(p.ties))]
		}
		c := &s.Campaigns[ci]
		w := &p.work[ci]
		switch c.Mode {
		case Preview:
			if j := p.nextUnmapped(s, ci); j >= 0 {
				p.offers = append(p.offers, Offer{Campaign: ci, Agent: ai, Contact: j})
			} else if w.readyLeft > 0 {
				w.readyLeft--
				p.offers = append(p.offers, Offer{Campaign: ci, Agent: ai, Contact: -1})
			}
		case Progressive, Power:
			n := 1
			if c.Mode == Power {
				r := c.Ratio
				if r == 0 {
					r = 2
				}
				n = int(r)
				if f := r - float64(n); f > 0 && p.rng.Float64() < f {
					n++
				}
			}
			n = min(n, w.readyLeft)
			if n > 0 {
				w.readyLeft -= n
				p.reserve(Order{Campaign: ci, Count: n, Agent: ai, Contact: -1}, int64(a.InState))
			}
		case Predictive:
			w.pool++
			w.free++
		}
	}
}

func (p *Pacer) reserve(o Order, key int64) {
	p.reserved = append(p.reserved, reservedOrder{Order: o, key: key})
	p.work[o.Campaign].reservedWant += o.Count
}

// nextUnmapped returns the untaken unmapped contact of campaign ci with the highest
// customer priority, or -1.
func (p *Pacer) nextUnmapped(s *Snapshot, ci int) int {
	best := -1
	cs := s.Campaigns[ci].Contacts
	off := p.takenOff[ci]
	for j := range cs {
		if cs[j].Agent >= 0 || p.taken[off+j] {
			continue
		}
		if best < 0 || cs[j].Priority > cs[best].Priority {
			best = j
		}
	}
	if best >= 0 {
		p.taken[off+best] = true
	}
	return best
}

// NextContact returns the index in cs of the contact to dial next for agent (-1 for a
// call not placed for an agent): the agent's own mapped customers first, then unmapped
// contacts, each by customer priority, first listed on ties. A contact mapped to another
// agent is never returned. It returns -1 when none fits.
func NextContact(cs []Contact, agent int) int {
	best, bestMapped := -1, false
	for j := range cs {
		a := cs[j].Agent
		if a >= 0 && a != agent {
			continue
		}
		mapped := a >= 0
		switch {
		case best < 0, mapped && !bestMapped:
			best, bestMapped = j, mapped
		case mapped == bestMapped && cs[j].Priority > cs[best].Priority:
			best = j
		}
	}
	return best
}

// share grants each campaign its calls within the global caps; when capacity is
// short it is drawn by lottery weighted by campaign priority, so that over time each
// campaign gets priority / sum of priorities of the capacity it competes for.
func (p *Pacer) share(s *Snapshot) {
	budget := math.MaxInt
	if s.Caps.TrunkChannels > 0 {
		budget = max(0, s.Caps.TrunkChannels-len(s.Calls)-s.Connected)
	}
	if s.Caps.CPS > 0 {
		if !p.last.IsZero() {
			dt := s.Now.Sub(p.last).Seconds()
			if dt > 0 {
				p.tokens += dt * s.Caps.CPS
			}
		} else {
			p.tokens = s.Caps.CPS
		}
		p.tokens = min(p.tokens, max(s.Caps.CPS, 1))
		budget = min(budget, int(p.tokens))
	}
	p.last = s.Now

	// Agentless campaigns first share their own concurrency cap.
	if s.Caps.MaxAgentless > 0 {
		inflight, want := 0, 0
		for i := range s.Campaigns {
			if s.Campaigns[i].Mode == Agentless {
				inflight += p.work[i].allInflight
				want += p.work[i].want
			}
		}
		room := max(0, s.Caps.MaxAgentless-inflight)
		if want > room {
			p.lottery(s, room, true)
			for i := range s.Campaigns {
				if s.Campaigns[i].Mode == Agentless {
					p.work[i].want = p.work[i].grant
				}
			}
		}
	}
	want := 0
	for i := range p.work {
		want += p.work[i].want + p.work[i].reservedWant
	}
	if want <= budget {
		for i := range p.work {
			p.work[i].grant = p.work[i].want + p.work[i].reservedWant
		}
	} else {
		p.lottery(s, budget, false)
	}
	if s.Caps.CPS > 0 {
		for i := range p.work {
			p.tokens -= float64(p.work[i].grant)
		}
	}
}

func (p *Pacer) lottery(s *Snapshot, budget int, agentlessOnly bool) {
	left := 0
	for i := range p.work {
		w := &p.work[i]
		w.grant = 0
		if agentlessOnly && s.Campaigns[i].Mode != Agentless {
			continue
		}
		left += s.Campaigns[i].Priority * boolInt(p.demand(i, agentlessOnly) > 0)
	}
	for ; budget > 0 && left > 0; budget-- {
		r := p.rng.IntN(left)
		for i := range p.work {
			if agentlessOnly && s.Campaigns[i].Mode != Agentless {
				continue
			}
			if p.demand(i, agentlessOnly) <= p.work[i].grant {
				continue
			}
			pr := s.Campaigns[i].Priority
			if r >= pr {
				r -= pr
				continue
			}
			p.work[i].grant++
			if p.work[i].grant >= p.demand(i, agentlessOnly) {
				left -= pr
			}
			break
		}
	}
}

func (p *Pacer) demand(i int, agentlessOnly bool) int {
	if agentlessOnly {
		return p.work[i].want
	}
	return p.work[i].want + p.work[i].reservedWant
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// emit turns grants into orders: reserved orders first (mapped customers, then the
// longest-idle agents), then one unreserved order per campaign.
func (p *Pacer) emit(s *Snapshot) {
	slices.SortFunc(p.reserved, func(a, b reservedOrder) int { return cmp.Compare(b.key, a.key) })
	for _, r := range p.reserved {
		w := &p.work[r.Campaign]
		n := min(r.Count, w.grant)
		if n <= 0 {
			continue
		}
		w.grant -= n
		o := r.Order
		o.Count = n
		p.orders = append(p.orders, o)
	}
	for i := range p.work {
		if g := p.work[i].grant; g > 0 {
			p.orders = append(p.orders, Order{Campaign: i, Count: g, Agent: -1, Contact: -1})
		}
	}
}
