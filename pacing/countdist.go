package pacing

import "math"

// pmfMax is the longest count distribution kept exactly; larger sums fall back to a
// normal approximation, which is accurate for them.
const pmfMax = 64

// pmfTail is the probability below which the top of a count distribution is dropped.
const pmfTail = 1e-12

// countPMF is the distribution of a sum of independent Bernoulli variables (a
// Poisson-binomial count): p[j] = P(X = j) for j < n. n == 0 means the support
// outgrew pmfMax and the distribution is no longer exact.
type countPMF struct {
	n int
	p [pmfMax]float64
}

func (c *countPMF) reset() {
	c.n = 1
	c.p[0] = 1
}

// add adds a Bernoulli(q) to the sum.
func (c *countPMF) add(q float64) {
	n := c.n
	if n == 0 || q <= 0 {
		return
	}
	if q >= 1 {
		if n == pmfMax {
			c.n = 0
			return
		}
		copy(c.p[1:n+1], c.p[:n])
		c.p[0] = 0
		c.n = n + 1
		return
	}
	if n == pmfMax {
		c.n = 0
		return
	}
	c.p[n] = c.p[n-1] * q
	for j := n - 1; j > 0; j-- {
		c.p[j] = c.p[j]*(1-q) + c.p[j-1]*q
	}
	c.p[0] *= 1 - q
	n++
	for n > 1 && c.p[n-1] < pmfTail {
		n--
	}
	c.n = n
}

// campPMF holds, for each forecast horizon of a predictive campaign, the exact
// distributions of the demand (earlier calls needing an agent) and of the uncertain
// part of the supply (agents that may be free by then); agents certain to be free are
// counted in sure.
type campPMF struct {
	dem  [quad]countPMF
	sup  [quad]countPMF
	sure [quad]float64
	// tail[k][j] = P(demand - uncertain supply >= j - off[k]), j < tailN[k]
	tail  [quad][2 * pmfMax]float64
	off   [quad]int
	tailN [quad]int
}

func (m *campPMF) reset() {
	for k := range quad {
		m.dem[k].reset()
		m.sup[k].reset()
		m.sure[k] = 0
	}
}

// addSupply counts an agent (weight share) who is free by horizon k with chance r.
func (m *campPMF) addSupply(k int, share, r float64) {
	if r <= 0 || share <= 0 {
		return
	}
	if r >= 1 && share >= 1 {
		m.sure[k] += share
		return
	}
	m.sup[k].add(share * r)
}

// exact reports whether every distribution fitted.
func (m *campPMF) exact() bool {
	for k := range quad {
		if m.dem[k].n == 0 || m.sup[k].n == 0 {
			return false
		}
	}
	return true
}

// settle builds the tail of demand minus uncertain supply for every horizon.
func (m *campPMF) settle() {
	for k := range quad {
		d, s := &m.dem[k], &m.sup[k]
		off := s.n - 1
		n := d.n + s.n - 1
		t := &m.tail[k]
		clear(t[:n])
		for i := 0; i < d.n; i++ {
			pd := d.p[i]
			if pd == 0 {
				continue
			}
			for j := 0; j < s.n; j++ {
				t[i-j+off] += pd * s.p[j]
			}
		}
		acc := 0.0
		for j := n - 1; j >= 0; j-- {
			acc += t[j]
			t[j] = min(acc, 1)
		}
		m.off[k], m.tailN[k] = off, n
	}
}

// atLeast returns P(demand - uncertain supply >= x) at horizon k, interpolated
// linearly between integers.
func (m *campPMF) atLeast(k int, x float64) float64 {
	i := math.Floor(x)
	w := x - i
	return (1-w)*m.tailAt(k, int(i)) + w*m.tailAt(k, int(i)+1)
}

func (m *campPMF) tailAt(k, v int) float64 {
	j := v + m.off[k]
	if j <= 0 {
		return 1
	}
	if j >= m.tailN[k] {
		return 0
	}
	return m.tail[k][j]
}

// binomialFits reports whether Binomial(n, f) probabilities can be computed by
// recurrence from P(B = 0) without underflow, for every f in fs.
func binomialFits(n int, fs *[quad]float64) bool {
	for _, f := range fs {
		if float64(n)*math.Log1p(-min(max(f, 0), 1-1e-9)) < -600 {
			return false
		}
	}
	return true
}

// risk returns P(the n-th new call finds no agent) averaged over the horizons: the
// new calls before it are each answered by horizon k with chance f[k], and free
// agents are free for sure.
func (m *campPMF) risk(free float64, f *[quad]float64, n int) float64 {
	var sum float64
	var rk [quad]float64
	for k := range quad {
		c := free + m.sure[k] // demand+others-uncertain >= c means no agent
		fk := min(max(f[k], 0), 1-1e-9)
		others := n - 1
		// P(B = b) for B ~ Binomial(others, fk), by recurrence from b = 0.
		pb := math.Exp(float64(others) * math.Log1p(-fk))
		cum := 0.0
		var r float64
		for b := 0; b <= others; b++ {
			x := c - float64(b)
			if x <= float64(-m.off[k]) {
				r += max(0, 1-cum)
				break
			}
			r += pb * m.atLeast(k, x)
			cum += pb
			pb *= float64(others-b) / float64(b+1) * fk / (1 - fk)
		}
		rk[k] = r
	}
	if LaterMax {
		run := 0.0
		for k := quad - 1; k >= 0; k-- {
			run = max(run, rk[k])
			sum += run
		}
	} else {
		for k := range quad {
			sum += rk[k]
		}
	}
	return sum / quad
}

var LaterMax bool
