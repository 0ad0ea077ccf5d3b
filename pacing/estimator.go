package pacing

import (
	"math"
	"time"
)

// Outcome is how a dial ended its ringing.
type Outcome uint8

// Dial outcomes.
const (
	Human Outcome = iota
	Machine
	Busy
	NoAnswer
)

// Estimator keeps the running statistics of one campaign from observed events only:
// outcome rates (exponentially weighted over about the last Memory outcomes), log-
// normal fits of ring and talk times, mean wrap and detection times. It reads no clock
// and allocates nothing.
type Estimator struct {
	// Memory is the number of recent observations that carry most weight (0: 300).
	Memory int

	n                    int
	human, mach, busy    float64
	ring, other, talk    logFit
	wrap, amd            meanFit
	ringTimeout          time.Duration
	priorRing, priorTalk Dist
}

type logFit struct {
	n        int
	mean, m2 float64
}

func (f *logFit) add(x float64, memory int) {
	if x <= 0.05 {
		x = 0.05
	}
	l := math.Log(x)
	f.n++
	a := 1 / float64(f.n)
	if m := 1 / float64(memory); a < m {
		a = m
	}
	d := l - f.mean
	f.mean += a * d
	f.m2 = (1 - a) * (f.m2 + a*d*d)
}

func (f *logFit) dist(prior Dist) Dist {
	if f.n < 10 {
		return prior
	}
	return Dist{Kind: DistLognormal, A: f.mean, B: math.Sqrt(f.m2)}
}

type meanFit struct {
	n    int
	mean float64
}

func (f *meanFit) add(x float64, memory int) {
	f.n++
	a := 1 / float64(f.n)
	if m := 1 / float64(memory); a < m {
		a = m
	}
	f.mean += a * (x - f.mean)
}

// NewEstimator returns an estimator whose priors (used until enough events are seen)
// are the given ring and talk distributions and ring timeout.
func NewEstimator(ring, talk Dist, ringTimeout time.Duration) *Estimator {
	return &Estimator{priorRing: ring, priorTalk: talk, ringTimeout: ringTimeout, human: 0.3, mach: 0.15, busy: 0.1}
}

func (e *Estimator) memory() int {
	if e.Memory <= 0 {
		return 300
	}
	return e.Memory
}

// Outcome records how a dial ended ringing and after how long.
func (e *Estimator) Outcome(o Outcome, ring time.Duration) {
	mem := e.memory()
	var h, m, b float64
	switch o {
	case Human:
		h = 1
		e.ring.add(ring.Seconds(), mem)
	case Machine:
		m = 1
		e.other.add(ring.Seconds(), mem)
	case Busy:
		b = 1
		e.other.add(ring.Seconds(), mem)
	}
	e.rates(h, m, b)
}

// rates moves the outcome rates toward one more outcome's (shares of) human, machine
// and busy.
func (e *Estimator) rates(h, m, b float64) {
	e.n++
	a := 1 / float64(e.n)
	if w := 1 / float64(e.memory()); a < w {
		a = w
	}
	e.human += a * (h - e.human)
	e.mach += a * (m - e.mach)
	e.busy += a * (b - e.busy)
}

// Cut records a dial the dialer hung up unanswered after ring (Decision.Hangups).
// Its outcome is unknown, so the rates move toward what the current fits expect of a
// call still ringing then, and the ring fits are left alone: counting it as No Answer
// would bias the answer rate down.
func (e *Estimator) Cut(ring time.Duration) {
	x := ring.Seconds()
	ringDist, other := e.ring.dist(e.priorRing), e.other.dist(e.priorRing)
	mass := 1.0
	if e.ringTimeout > 0 {
		mass = max(ringDist.CDF(e.ringTimeout.Seconds()), 1e-6)
	}
	live := e.human * max(0, 1-ringDist.CDF(x)/mass)
	rest := (e.mach + e.busy) * (1 - other.CDF(x))
	u := live + rest + max(0, 1-e.human-e.mach-e.busy)
	var h, m, b float64
	if u > 0 {
		h = live / u
		if e.mach+e.busy > 0 {
			m = rest / u * e.mach / (e.mach + e.busy)
			b = rest / u * e.busy / (e.mach + e.busy)
		}
	}
	e.rates(h, m, b)
}

// Talk records one talk time.
func (e *Estimator) Talk(d time.Duration) { e.talk.add(d.Seconds(), e.memory()) }

// Wrap records one wrap-up time.
func (e *Estimator) Wrap(d time.Duration) { e.wrap.add(d.Seconds(), e.memory()) }

// Detect records one answering-machine detection time (answer to decision).
func (e *Estimator) Detect(d time.Duration) { e.amd.add(d.Seconds(), e.memory()) }

// Fill writes the estimates into st (windows are left alone; see Ledger.Fill).
func (e *Estimator) Fill(st *Stats) {
	st.Outcomes = e.n
	st.AnswerRate = e.human
	st.MachineRate = e.mach
	st.BusyRate = e.busy
	st.Ring = e.ring.dist(e.priorRing)
	st.OtherRing = e.other.dist(e.priorRing)
	st.RingTimeout = e.ringTimeout
	st.Talk = e.talk.dist(e.priorTalk)
	st.Wrap = time.Duration(e.wrap.mean * float64(time.Second))
	st.AMD = time.Duration(e.amd.mean * float64(time.Second))
}
