package amd

import "math"

// SampleRate is the only rate the package handles: 8 kHz, as G.711 carries.
const SampleRate = 8000

// FrameSamples is the usual frame: 20 ms at 8 kHz.
const FrameSamples = 160

// frameStats are the features of one frame. Computing them allocates nothing.
type frameStats struct {
	samples  int     // frame length
	meanAbs  int     // integer mean of |x|, as Asterisk's DSP computes it
	level    float64 // dB of the mean square after DC removal (0 dB = 1 LSB rms)
	lowLevel float64 // the same for the frame low-passed at 1 kHz (voiced speech band)
	zcr      float64 // zero crossings per sample, 0..1
	hz       float64 // frequency estimated from upward zero crossings; 0 if unknown
	purity   float64 // share of the energy at hz (Goertzel), 0..1; 0 if not measured
	harmonic float64 // the larger share at 1.5 hz or 2 hz, measured when purity >= harmonicGate
	allZero  bool    // every sample is 0 (no audio at all)
	missing  bool    // no audio arrived for this time (Detector.Gap)
	analysed bool    // purity was measured
}

// analyse computes the features of frame. toneLevel is the mean |x| under which no tone
// test is made; lo and hi bound the frequencies worth a tone test.
func analyse(frame []int16, toneLevel int, lo, hi float64) frameStats {
	var st frameStats
	n := len(frame)
	st.samples = n
	if n == 0 {
		st.allZero = true
		st.level = 0
		return st
	}
	var sum, sumAbs int64
	for _, s := range frame {
		v := int64(s)
		sum += v
		if v < 0 {
			v = -v
		}
		sumAbs += v
	}
	st.meanAbs = int(sumAbs / int64(n))
	st.allZero = sumAbs == 0
	mean := float64(sum) / float64(n)

	var sumSq float64
	var crossings, ups int
	var firstUp, lastUp float64
	prev := float64(frame[0]) - mean
	sumSq = prev * prev
	for i := 1; i < n; i++ {
		v := float64(frame[i]) - mean
		sumSq += v * v
		if (prev < 0) != (v < 0) {
			crossings++
			if prev < 0 {
				// upward crossing between i-1 and i, placed by linear interpolation
				pos := float64(i-1) + prev/(prev-v)
				if ups == 0 {
					firstUp = pos
				}
				lastUp = pos
				ups++
			}
		}
		prev = v
	}
	ms := sumSq / float64(n)
	st.level = 10 * math.Log10(ms+1)
	st.lowLevel = lowBandLevel(frame, mean)
	st.zcr = float64(crossings) / float64(n)
	if ups >= 3 && lastUp > firstUp {
		st.hz = float64(ups-1) * SampleRate / (lastUp - firstUp)
	}
	if st.meanAbs < toneLevel || st.hz < lo || st.hz > hi || sumSq == 0 {
		return st
	}
	// Goertzel at the estimated frequency: the share of the energy in that one tone.
	st.purity = min(share(frame, mean, sumSq, st.hz), 1)
	st.analysed = true
	if st.purity >= harmonicGate {
		// A vowel whose fundamental the telephone band removed looks like a tone at its
		// second harmonic; its third (1.5x) and fourth (2x) give it away. A beep is a sine.
		st.harmonic = share(frame, mean, sumSq, 1.5*st.hz)
		if f := 2 * st.hz; f < SampleRate/2 {
			st.harmonic = max(st.harmonic, share(frame, mean, sumSq, f))
		}
	}
	return st
}

// harmonicGate is the purity from which a frame's harmonics are measured: only frames
// that could pass as tonal need them.
const harmonicGate = 0.8

// share is the part of the frame's energy (sumSq, about mean) at hz, by Goertzel.
func share(frame []int16, mean, sumSq, hz float64) float64 {
	c := 2 * math.Cos(2*math.Pi*hz/SampleRate)
	var s1, s2 float64
	for _, s := range frame {
		s0 := float64(s) - mean + c*s1 - s2
		s2 = s1
		s1 = s0
	}
	power := s1*s1 + s2*s2 - c*s1*s2
	return 2 * power / (float64(len(frame)) * sumSq)
}

// Second-order Butterworth low-pass at 1 kHz for 8 kHz audio (bilinear transform).
const (
	lpB0 = 0.0976310729
	lpB1 = 2 * lpB0
	lpA1 = -0.9428090416
	lpA2 = 0.3333333333
)

// lowBandLevel is the level in dB of frame (less its mean) after the 1 kHz low-pass.
// Voiced speech keeps most of its energy below 1 kHz while hiss and white noise spread
// to 3.4 kHz, so this level rises out of broadband noise sooner than the full level.
// The filter starts settled on the first sample, so frames need no state between them.
func lowBandLevel(frame []int16, mean float64) float64 {
	x0 := float64(frame[0]) - mean
	x1, x2, y1, y2 := x0, x0, x0, x0
	var sum float64
	for _, s := range frame {
		x := float64(s) - mean
		y := lpB0*(x+x2) + lpB1*x1 - lpA1*y1 - lpA2*y2
		x2, x1 = x1, x
		y2, y1 = y1, y
		sum += y * y
	}
	return 10 * math.Log10(sum/float64(len(frame))+1)
}
