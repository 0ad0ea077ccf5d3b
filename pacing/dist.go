package pacing

import "math"

// DistKind names the shape of a Dist.
type DistKind uint8

// Distribution shapes.
const (
	DistFixed DistKind = iota
	DistLognormal
	DistExponential
	DistUniform
)

// Dist is a distribution of durations in seconds. It is a small value type: copy it
// freely. Build it with Fixed, Lognormal, LognormalMeanCV, Exponential or Uniform.
type Dist struct {
	Kind DistKind
	// A and B are the shape parameters: Fixed (value, -), Lognormal (mu, sigma of
	// the log), Exponential (mean, -), Uniform (min, max).
	A, B float64
}

// Fixed is a distribution that always takes the value v seconds.
func Fixed(v float64) Dist { return Dist{Kind: DistFixed, A: v} }

// Lognormal is a log-normal distribution with the given median (seconds) and sigma
// of the natural logarithm.
func Lognormal(median, sigma float64) Dist {
	if median <= 0 {
		median = 1e-3
	}
	return Dist{Kind: DistLognormal, A: math.Log(median), B: sigma}
}

// LognormalMeanCV is a log-normal distribution with the given mean (seconds) and
// coefficient of variation (standard deviation / mean).
func LognormalMeanCV(mean, cv float64) Dist {
	if mean <= 0 {
		mean = 1e-3
	}
	s2 := math.Log(1 + cv*cv)
	return Dist{Kind: DistLognormal, A: math.Log(mean) - s2/2, B: math.Sqrt(s2)}
}

// Exponential is an exponential distribution with the given mean (seconds).
func Exponential(mean float64) Dist { return Dist{Kind: DistExponential, A: mean} }

// Uniform is a uniform distribution on [min, max] seconds.
func Uniform(min, max float64) Dist { return Dist{Kind: DistUniform, A: min, B: max} }

// Mean returns the mean in seconds.
func (d Dist) Mean() float64 {
	switch d.Kind {
	case DistLognormal:
		return math.Exp(d.A + d.B*d.B/2)
	case DistExponential:
		return d.A
	case DistUniform:
		return (d.A + d.B) / 2
	}
	return d.A
}

// CDF returns P(X <= x).
func (d Dist) CDF(x float64) float64 {
	switch d.Kind {
	case DistLognormal:
		if x <= 0 {
			return 0
		}
		if d.B <= 0 {
			return step(x, math.Exp(d.A))
		}
		return 0.5 * math.Erfc(-(math.Log(x)-d.A)/(d.B*math.Sqrt2))
	case DistExponential:
		if x <= 0 {
			return 0
		}
		if d.A <= 0 {
			return 1
		}
		return 1 - math.Exp(-x/d.A)
	case DistUniform:
		if x <= d.A {
			return step(x, d.A)
		}
		if x >= d.B {
			return 1
		}
		return (x - d.A) / (d.B - d.A)
	}
	return step(x, d.A)
}

func step(x, at float64) float64 {
	if x >= at {
		return 1
	}
	return 0
}

// Survival returns P(X > x).
func (d Dist) Survival(x float64) float64 { return 1 - d.CDF(x) }

// CondCDF returns P(X <= elapsed+h | X > elapsed): the chance that something which
// has lasted elapsed seconds ends within the next h seconds.
func (d Dist) CondCDF(elapsed, h float64) float64 {
	s := d.Survival(elapsed)
	if s <= 1e-12 {
		return 1
	}
	p := (d.CDF(elapsed+h) - d.CDF(elapsed)) / s
	if p < 0 {
		return 0
	}
	if p > 1 {
		return 1
	}
	return p
}

// Quantile returns the value x with P(X <= x) = u, for u in (0, 1). The simulator
// draws durations by passing uniform random numbers here, so that two runs that
// share the numbers share the durations.
func (d Dist) Quantile(u float64) float64 {
	if u <= 0 {
		u = 1e-12
	}
	if u >= 1 {
		u = 1 - 1e-12
	}
	switch d.Kind {
	case DistLognormal:
		return math.Exp(d.A + d.B*math.Sqrt2*math.Erfinv(2*u-1))
	case DistExponential:
		return -d.A * math.Log(1-u)
	case DistUniform:
		return d.A + u*(d.B-d.A)
	}
	return d.A
}
