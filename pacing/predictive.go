package pacing

import "math"

// phiTable holds the standard normal CDF on a grid, so that the forecast, which
// evaluates it thousands of times per decision, needs no erfc.
type phiTable struct {
	v [phiN + 1]float64
}

const (
	phiLo   = -8.0
	phiStep = 1.0 / 32
	phiN    = 512
)

func (t *phiTable) init() {
	for i := range t.v {
		z := phiLo + float64(i)*phiStep
		t.v[i] = 0.5 * math.Erfc(-z/math.Sqrt2)
	}
}

func (t *phiTable) at(z float64) float64 {
	f := (z - phiLo) * (1 / phiStep)
	if !(f > 0) {
		return 0
	}
	if f >= phiN {
		return 1
	}
	i := int(f)
	w := f - float64(i)
	return t.v[i] + w*(t.v[i+1]-t.v[i])
}

// cdf is d.CDF with the normal CDF from the table for log-normal distributions.
func (p *Pacer) cdf(d Dist, x float64) float64 {
	if d.Kind != DistLognormal || d.B <= 0 {
		return d.CDF(x)
	}
	if x <= 0 {
		return 0
	}
	return p.phi.at((p.logs.log(x) - d.A) / d.B)
}

// logTable gives the natural logarithm to about 1e-10 for normal positive x, cheaper
// than math.Log: the forecast takes thousands of them per decision. It splits the
// mantissa at its top 8 bits, looks up log and reciprocal there, and finishes with
// three terms of log1p.
type logTable struct {
	ln, inv [257]float64
}

func (t *logTable) init() {
	for i := range t.ln {
		c := 1 + float64(i)/256
		t.ln[i] = math.Log(c)
		t.inv[i] = 1 / c
	}
}

func (t *logTable) log(x float64) float64 {
	if !(x >= 0x1p-1000) || x > math.MaxFloat64 {
		return math.Log(x)
	}
	b := math.Float64bits(x)
	e := float64(int((b>>52)&0x7ff) - 1023)
	mb := b & (1<<52 - 1)
	i := int(mb >> 44)
	r := math.Float64frombits(mb|0x3ff<<52)*t.inv[i] - 1 // in [0, 1/256)
	return e*math.Ln2 + t.ln[i] + r*(1-r*(0.5-r*(1.0/3)))
}

// prepareForecasts sets the answer-time quadrature points of every predictive
// campaign (and the extra point "answered now" at index quad) and adds the demand of
// its calls in flight. Live answers come before the ring timeout, so the fitted ring
// distribution is truncated there (ringMass).
func (p *Pacer) prepareForecasts(s *Snapshot) {
	for i := range s.Campaigns {
		c := &s.Campaigns[i]
		if c.Mode != Predictive {
			continue
		}
		w := &p.work[i]
		st := &c.Stats
		timeout := st.RingTimeout.Seconds()
		lo := 0.0
		hi := 1.0
		if timeout > 0 {
			hi = st.Ring.CDF(timeout)
		}
		w.ringMass = max(hi, 1e-6)
		us := quadU()
		for k := range quad {
			w.tau[k] = st.Ring.Quantile(lo + us[k]*(hi-lo))
			w.answered[k] = st.AnswerRate * st.Ring.CDF(w.tau[k]) / w.ringMass
		}
		w.tau[quad], w.answered[quad] = 0, 0
	}
	for i := range s.Calls {
		call := &s.Calls[i]
		c := &s.Campaigns[call.Campaign]
		if c.Mode != Predictive || call.Agent >= 0 {
			continue
		}
		w := &p.work[call.Campaign]
		st := &c.Stats
		switch call.Stage {
		case Waiting:
			for k := range quad + 1 {
				w.demand[k]++
			}
		case Detecting:
			q := humanShare(st)
			for k := range quad + 1 {
				w.demand[k] += q
				w.demandVar[k] += q * (1 - q)
			}
		case Ringing:
			e := call.Elapsed.Seconds()
			base := p.liveCDF(w, st, e)
			u := p.unresolved(st, e, base)
			if u <= 1e-9 {
				continue
			}
			for k := range quad { // (an answer by tau = 0 adds nothing at index quad)
				q := st.AnswerRate * (p.liveCDF(w, st, e+w.tau[k]) - base) / u
				q = math.Min(math.Max(q, 0), 1)
				w.demand[k] += q
				w.demandVar[k] += q * (1 - q)
			}
		}
	}
}

// humanShare is P(a call being analysed is a human).
func humanShare(st *Stats) float64 {
	d := st.AnswerRate + st.MachineRate
	if d <= 0 {
		return 1
	}
	return st.AnswerRate / d
}

// liveCDF is P(a live answer comes within x seconds of the dial | it comes).
func (p *Pacer) liveCDF(w *campWork, st *Stats, x float64) float64 {
	return min(p.cdf(st.Ring, x)/w.ringMass, 1)
}

// unresolved is P(a dial is still ringing after e seconds); ringCDF is liveCDF(e).
func (p *Pacer) unresolved(st *Stats, e, ringCDF float64) float64 {
	na := max(0, 1-st.AnswerRate-st.MachineRate-st.BusyRate)
	u := st.AnswerRate*(1-ringCDF) + (st.MachineRate+st.BusyRate)*(1-p.cdf(st.OtherRing, e))
	if st.RingTimeout <= 0 || e < st.RingTimeout.Seconds() {
		u += na
	}
	return u
}

// release adds agent a (weight share) to the pool of a predictive campaign and its
// chance to be free at each forecast horizon.
func (p *Pacer) release(c *Campaign, ci int, a *Agent, share float64) {
	w := &p.work[ci]
	st := &c.Stats
	amd := st.AMD.Seconds()
	grace := c.Compliance.grace().Seconds()
	wrap := st.Wrap.Seconds()
	e := a.InState.Seconds()
	w.pool += share
	base, surv := 0.0, 0.0
	if a.State == OnCall {
		if w.tau[quad-1]+amd+grace <= wrap {
			return // its wrap-up alone outlasts every horizon
		}
		base = p.cdf(st.Talk, e)
		surv = 1 - base
	}
	for k := range quad + 1 {
		h := w.tau[k] + amd + grace
		var r float64
		switch a.State {
		case OnCall:
			if h > wrap {
				if surv <= 1e-12 {
					r = 1
				} else {
					r = min(max((p.cdf(st.Talk, e+h-wrap)-base)/surv, 0), 1)
				}
			}
		case WrapUp:
			if wrap-e <= h {
				r = 1
			}
		}
		w.supply[k] += share * r
		w.supplyVar[k] += share * r * (1 - r)
	}
}

// risk returns the forecast probability that the n-th new call, if it is answered by
// a human, finds no agent within the grace.
func (w *campWork) risk(phi *phiTable, n int) float64 {
	var sum float64
	for k := range quad {
		sum += w.riskAt(phi, k, n)
	}
	return sum / quad
}

// riskAt is the chance that the n-th new call, answered by a human at forecast point
// k, finds no agent within the grace (a normal approximation of supply - demand).
func (w *campWork) riskAt(phi *phiTable, k, n int) float64 {
	f := w.answered[k]
	others := float64(n-1) * f
	mu := w.free + w.supply[k] - w.demand[k] - others
	v := w.supplyVar[k] + w.demandVar[k] + float64(n-1)*f*(1-f) + 0.25
	return phi.at((0.5 - mu) / math.Sqrt(v))
}

// predict returns the number of unreserved calls predictive campaign i should place.
func (p *Pacer) predict(s *Snapshot, i int) int {
	c := &s.Campaigns[i]
	w := &p.work[i]
	st := &c.Stats
	ctl := p.controllerFor(c.ID)
	target := c.Compliance.target()
	aim := target * p.cfg.Aim

	prog := max(0, int(math.Floor(w.free+1e-9))-w.inflight)
	fc := Forecast{Pool: w.pool, Free: w.free, InFlight: w.inflight, Progress: prog}
	defer func() { w.fc = fc }()

	// Compliance: the smallest remaining allowance (in abandons) over the windows
	// checked; none left means progressive, little left means proportionally timid.
	slack := math.Inf(1)
	windows := [2]Window{st.Day, st.Rolling}
	nw := 1
	if c.Compliance.Rule == RuleUS {
		nw = 2
	}
	for _, win := range windows[:nw] {
		slack = min(slack, target*float64(win.LiveAnswers)-float64(win.Abandons)-p.cfg.Reserve)
	}

	// Controller: integral action on the recent abandonment rate.
	dt := 0.0
	if ctl.seen {
		dt = min(5, s.Now.Sub(ctl.last).Seconds())
	}
	ctl.last, ctl.seen = s.Now, true
	warm := st.Outcomes >= p.cfg.Warmup
	if warm && dt > 0 && st.Recent.LiveAnswers > 0 {
		weight := min(1, float64(st.Recent.LiveAnswers)/50)
		errRel := (aim - st.Recent.Rate()) / aim
		errRel = min(errRel, 1)
		ctl.logTheta += p.cfg.Gain * dt * weight * errRel
		ctl.logTheta = min(max(ctl.logTheta, math.Log(1e-3)), math.Log(0.5))
	}
	theta := math.Exp(ctl.logTheta)
	theta *= min(1, max(0, slack)/p.cfg.SlackScale)
	fc.Theta = theta
	fc.LateRisk = w.riskAt(&p.phi, quad, 1)
	if !warm || w.pool < 1 || st.AnswerRate <= 0 || slack <= 0 {
		fc.Fallback = true
		fc.Lines = prog
		return prog
	}
	// A call still ringing after the minimum ring is cut when a human answering it now
	// would be riskier than the last new call may be: the same bar, applied to the
	// answers most likely to arrive when nobody is free.
	fc.Cut = !p.cfg.FullRing && fc.LateRisk > theta
	maxLines := c.MaxLinesPerAgent
	if maxLines <= 0 {
		maxLines = 3
	}
	hi := int(maxLines*w.pool) - w.inflight
	hi = min(hi, w.readyLeft)
	if hi <= prog {
		fc.Lines = max(prog, 0)
		return fc.Lines
	}
	// Largest n in (prog, hi] whose marginal risk stays within theta.
	lo := prog
	if r := w.risk(&p.phi, lo+1); r > theta {
		fc.Lines = prog
		fc.RiskAtMax = r
		return prog
	}
	lo++
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if w.risk(&p.phi, mid) <= theta {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	fc.Lines = lo
	fc.RiskAtMax = w.risk(&p.phi, lo)
	return lo
}

func (p *Pacer) controllerFor(id string) *controller {
	i, ok := p.ctl[id]
	if !ok {
		i = len(p.ctlState)
		p.ctl[id] = i
		p.ctlState = append(p.ctlState, controller{logTheta: math.Log(0.1)})
	}
	return &p.ctlState[i]
}

// cutLateCalls lists the calls to hang up: unreserved calls of predictive campaigns
// whose forecast asked for a cut that have rung at least the minimum ring.
func (p *Pacer) cutLateCalls(s *Snapshot) {
	for i := range s.Calls {
		call := &s.Calls[i]
		c := &s.Campaigns[call.Campaign]
		if c.Mode != Predictive || call.Agent >= 0 || call.Stage != Ringing || !p.work[call.Campaign].fc.Cut {
			continue
		}
		if call.Elapsed >= c.Compliance.minRing() {
			p.hangups = append(p.hangups, i)
		}
	}
}
