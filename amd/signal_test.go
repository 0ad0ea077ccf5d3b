package amd

import "math"

// Synthetic test signals. Everything is deterministic: noise comes from a fixed LCG.

// signal is a sequence of samples under construction.
type signal []int16

func ms2n(ms int) int { return ms * SampleRate / 1000 }

// silence appends ms of digital silence.
func (s signal) silence(ms int) signal { return append(s, make([]int16, ms2n(ms))...) }

// tone appends a sine of amplitude amp with 5 ms ramps.
func (s signal) tone(hz float64, ms int, amp float64) signal {
	n := ms2n(ms)
	ramp := ms2n(5)
	for i := range n {
		g := 1.0
		if i < ramp {
			g = float64(i) / float64(ramp)
		} else if n-i < ramp {
			g = float64(n-i) / float64(ramp)
		}
		s = append(s, int16(amp*g*math.Sin(2*math.Pi*hz*float64(i)/SampleRate)))
	}
	return s
}

// dual appends two sines at once (ringback-like).
func (s signal) dual(f1, f2 float64, ms int, amp float64) signal {
	for i := range ms2n(ms) {
		t := float64(i) / SampleRate
		s = append(s, int16(amp*(math.Sin(2*math.Pi*f1*t)+math.Sin(2*math.Pi*f2*t))/2))
	}
	return s
}

// vowel appends a held vowel whose fundamental the telephone band removed: its second
// harmonic at f with the third and fourth (1.5 f, 2 f) 14 and 20 dB under it.
func (s signal) vowel(f float64, ms int, amp float64) signal {
	for i := range ms2n(ms) {
		t := float64(i) / SampleRate
		v := math.Sin(2*math.Pi*f*t) + 0.2*math.Sin(2*math.Pi*1.5*f*t) + 0.1*math.Sin(2*math.Pi*2*f*t)
		s = append(s, int16(amp*v/1.3))
	}
	return s
}

// glide appends a sine whose frequency moves linearly from f1 to f2 (a sung note).
func (s signal) glide(f1, f2 float64, ms int, amp float64) signal {
	n := ms2n(ms)
	phase := 0.0
	for i := range n {
		phase += 2 * math.Pi * (f1 + (f2-f1)*float64(i)/float64(n)) / SampleRate
		s = append(s, int16(amp*math.Sin(phase)))
	}
	return s
}

// speech appends a crude voiced sound: a harmonic series on a gliding fundamental with
// a syllable-rate envelope (4 syllables a second), loud enough for any threshold.
func (s signal) speech(ms int, amp float64, f0 float64) signal {
	n := ms2n(ms)
	phase := 0.0
	for i := range n {
		t := float64(i) / SampleRate
		f := f0 * (1 + 0.15*math.Sin(2*math.Pi*0.7*t))
		phase += 2 * math.Pi * f / SampleRate
		env := 0.35 + 0.65*math.Abs(math.Sin(math.Pi*4*t))
		v := 0.0
		for h := 1; h <= 12; h++ {
			v += math.Sin(float64(h)*phase) / float64(h)
		}
		s = append(s, int16(amp*env*v/2))
	}
	return s
}

// talk appends ms of speech as words of 400 ms with 80 ms gaps between them: gaps
// shorter than betweenWordsSilence, so the greeting is one run, but live speech's dips.
func (s signal) talk(ms int, amp float64, f0 float64) signal {
	for ms > 0 {
		w := min(ms, 400)
		s = s.speech(w, amp, f0)
		ms -= w
		if ms > 0 {
			g := min(ms, 80)
			s = s.silence(g)
			ms -= g
		}
	}
	return s
}

// noise adds (mixes) white noise of the given rms from sample from to the end, or
// appends ms of noise when from < 0.
type lcg uint32

func (l *lcg) next() float64 {
	*l = *l*1664525 + 1013904223
	return float64(int32(*l)) / math.MaxInt32
}

// withNoise returns a copy of s with uniform white noise of amplitude amp mixed in.
func (s signal) withNoise(amp float64, seed uint32) signal {
	r := lcg(seed)
	out := make(signal, len(s))
	for i, v := range s {
		x := float64(v) + amp*r.next()
		out[i] = int16(math.Max(-32768, math.Min(32767, x)))
	}
	return out
}

// frames feeds s to d in 20 ms frames and returns every decision.
func feedAll(d *Detector, s signal) []Decision {
	var out []Decision
	for i := 0; i+FrameSamples <= len(s); i += FrameSamples {
		if dec, ok := d.Feed(s[i : i+FrameSamples]); ok {
			out = append(out, dec)
		}
	}
	return out
}

func toneEvents(d *ToneDetector, s signal) []ToneEvent {
	var out []ToneEvent
	for i := 0; i+FrameSamples <= len(s); i += FrameSamples {
		if ev, ok := d.Feed(s[i : i+FrameSamples]); ok {
			out = append(out, ev)
		}
	}
	// flush: two frames of silence end any tone in progress
	for range 3 {
		if ev, ok := d.Feed(make([]int16, FrameSamples)); ok {
			out = append(out, ev)
		}
	}
	return out
}
