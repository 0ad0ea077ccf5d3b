package amd

import (
	"fmt"
	"math"
	"time"
)

// ToneKind says what a tone burst was.
type ToneKind int

// Tone kinds. ToneNone is the zero value.
const (
	ToneNone ToneKind = iota
	// ToneBeep is a single steady tone (or a short run of them) of voicemail-beep
	// frequency and length.
	ToneBeep
	// ToneFaxCNG is the calling fax tone: 1100 Hz for about 0.5 s, heard before any speech.
	ToneFaxCNG
	// ToneFaxCED is the answering fax/modem tone: 2100 Hz for 2.6 s or more.
	ToneFaxCED
	// ToneSIT is a special information tone: three rising tones near 914/985, 1371/1429
	// and 1777 Hz.
	ToneSIT
)

// String returns the lower-case name used in JSON output: "", "beep", "fax-cng",
// "fax-ced" or "sit".
func (k ToneKind) String() string {
	switch k {
	case ToneBeep:
		return "beep"
	case ToneFaxCNG:
		return "fax-cng"
	case ToneFaxCED:
		return "fax-ced"
	case ToneSIT:
		return "sit"
	}
	return ""
}

// ToneEvent is one recognised tone burst.
type ToneEvent struct {
	Kind ToneKind
	// Onset and End are the burst's edges, measured from the first frame fed. For a
	// FaxCED, End is when the tone had lasted long enough to be sure.
	Onset, End time.Duration
	// Hz is the frequency of the burst's longest tone.
	Hz float64
}

// String describes the event, for logs.
func (e ToneEvent) String() string {
	if e.Kind == ToneNone {
		return "no tone"
	}
	return fmt.Sprintf("%s %.0f Hz %v-%v", e.Kind, e.Hz, e.Onset, e.End)
}

// Tone limits taken from the standards the tones come from.
const (
	cngHz, cngTolerance     = 1100, 38
	cngMinMs, cngMaxMs      = 380, 750
	cedHz, cedTolerance     = 2100, 30
	cedMinMs                = 2600
	sitTolerance            = 0.025
	sitMinMs, sitMaxMs      = 150, 500
	runTolerance            = 0.03  // a steady tone stays within 3 % of its mean
	maxHarmonic             = 0.008 // a beep's mean share at 1.5x and 2x its frequency
	maxBeepDrift            = 0.015 // a beep's frequency spread, (highest-lowest)/lowest
	maxGapFrames            = 1     // one lost or mangled frame does not split a tone
	samplesPerMs            = SampleRate / 1000
	maxRunsPerBurst         = 4
	sitFirstLo, sitFirstHi  = 913.8, 985.2
	sitSecondLo, sitSecondH = 1370.6, 1428.5
	sitThird                = 1776.7
)

// toneRun is one steady tone: its edges in samples and its mean frequency.
type toneRun struct {
	start, end int64
	hzSum      float64
	harmSum    float64 // sum of the frames' harmonic shares
	lo, hi     float64 // lowest and highest frame frequency
	frames     int
}

func (r toneRun) hz() float64        { return r.hzSum / float64(r.frames) }
func (r toneRun) harmonic() float64  { return r.harmSum / float64(r.frames) }
func (r toneRun) drift() float64     { return (r.hi - r.lo) / r.lo }
func (r toneRun) ms() int64          { return (r.end - r.start) / samplesPerMs }
func near(f, want, tol float64) bool { return math.Abs(f-want) <= tol }

// toneTracker groups tonal frames into runs of one steady frequency, and runs into
// bursts, and names a burst when it ends. It holds fixed-size state only.
type toneTracker struct {
	minMs, maxMs int64
	minHz, maxHz float64
	purity       float64
	fax, sit     bool
	cur          toneRun
	curActive    bool
	runs         [maxRunsPerBurst]toneRun
	nRuns        int
	overflow     bool // the burst had more runs than fit, or a run too long for a beep
	reported     bool // a tone was already reported for this burst (CED)
	gap          int
}

func newToneTracker(p Params) toneTracker {
	return toneTracker{
		minMs: int64(p.BeepMinLength), maxMs: int64(p.BeepMaxLength),
		minHz: float64(p.BeepMinHz), maxHz: float64(p.BeepMaxHz),
		purity: float64(p.TonePurity) / 100,
		fax:    p.FaxDetect, sit: p.SITDetect,
	}
}

// band returns the frequencies worth a tone test for p.
func band(p Params) (lo, hi float64) {
	lo, hi = float64(p.BeepMinHz), float64(p.BeepMaxHz)
	lo = math.Min(lo, sitFirstLo)
	hi = math.Max(hi, cedHz)
	return lo * 0.95, hi * 1.05
}

func (t *toneTracker) reset() {
	*t = toneTracker{minMs: t.minMs, maxMs: t.maxMs, minHz: t.minHz, maxHz: t.maxHz, purity: t.purity, fax: t.fax, sit: t.sit}
}

// tonal reports whether a frame with these features is a pure tone.
func (t *toneTracker) tonal(st *frameStats) bool {
	return st.analysed && st.purity >= t.purity
}

// busy reports whether a tone is in progress (or just paused for a lost frame).
func (t *toneTracker) busy() bool { return t.curActive || t.nRuns > 0 }

func (t *toneTracker) closeRun() {
	if !t.curActive {
		return
	}
	t.curActive = false
	if t.cur.frames < 2 {
		return // a single tonal frame is a glitch, not a tone
	}
	if t.nRuns == len(t.runs) {
		t.overflow = true
		return
	}
	t.runs[t.nRuns] = t.cur
	t.nRuns++
}

// step feeds the features of the frame that starts at sample start. speechSeen says
// whether words were heard before (a CNG tone must come first).
func (t *toneTracker) step(st *frameStats, start int64, speechSeen bool) (ToneEvent, bool) {
	end := start + int64(st.samples)
	if t.tonal(st) {
		if t.curActive && t.gap <= maxGapFrames && math.Abs(st.hz-t.cur.hz()) <= runTolerance*t.cur.hz() {
			t.cur.end = end
			t.cur.frames++
			t.cur.hzSum += st.hz
			t.cur.harmSum += st.harmonic
			t.cur.lo, t.cur.hi = min(t.cur.lo, st.hz), max(t.cur.hi, st.hz)
		} else {
			t.closeRun()
			t.cur = toneRun{start: start, end: end, hzSum: st.hz, harmSum: st.harmonic, lo: st.hz, hi: st.hz, frames: 1}
			t.curActive = true
		}
		t.gap = 0
		if t.reported {
			return ToneEvent{}, false
		}
		if t.fax && t.cur.frames >= 2 && near(t.cur.hz(), cedHz, cedTolerance) && t.cur.ms() >= cedMinMs {
			t.reported = true
			return t.event(ToneFaxCED, t.cur.start, t.cur.end, t.cur.hz()), true
		}
		if t.cur.ms() > t.maxMs {
			t.overflow = true
		}
		return ToneEvent{}, false
	}
	if !t.busy() {
		return ToneEvent{}, false
	}
	t.gap++
	if t.gap <= maxGapFrames {
		return ToneEvent{}, false
	}
	t.closeRun()
	ev, ok := t.evaluate(speechSeen)
	t.nRuns = 0
	t.overflow = false
	t.reported = false
	t.gap = 0
	return ev, ok
}

func (t *toneTracker) event(k ToneKind, start, end int64, hz float64) ToneEvent {
	return ToneEvent{
		Kind:  k,
		Onset: time.Duration(start) * time.Second / SampleRate,
		End:   time.Duration(end) * time.Second / SampleRate,
		Hz:    math.Round(hz),
	}
}

// evaluate names the burst that just ended.
func (t *toneTracker) evaluate(speechSeen bool) (ToneEvent, bool) {
	if t.nRuns == 0 || t.reported {
		return ToneEvent{}, false
	}
	runs := t.runs[:t.nRuns]
	first, last := runs[0], runs[len(runs)-1]
	longest := first
	for _, r := range runs {
		if r.ms() > longest.ms() {
			longest = r
		}
	}
	if t.sit && len(runs) == 3 && isSIT(runs) {
		return t.event(ToneSIT, first.start, last.end, longest.hz()), true
	}
	if t.overflow {
		return ToneEvent{}, false
	}
	if t.fax && !speechSeen && len(runs) == 1 && near(first.hz(), cngHz, cngTolerance) &&
		first.ms() >= cngMinMs && first.ms() <= cngMaxMs {
		return t.event(ToneFaxCNG, first.start, first.end, first.hz()), true
	}
	total := (last.end - first.start) / samplesPerMs
	if total < t.minMs || total > t.maxMs {
		return ToneEvent{}, false
	}
	for _, r := range runs {
		if f := r.hz(); f < t.minHz*(1-runTolerance) || f > t.maxHz*(1+runTolerance) {
			return ToneEvent{}, false
		}
		if r.harmonic() > maxHarmonic || r.drift() > maxBeepDrift {
			// a held vowel: harmonics, and a pitch that glides; a beep is a steady sine
			return ToneEvent{}, false
		}
	}
	return t.event(ToneBeep, first.start, last.end, longest.hz()), true
}

func isSIT(runs []toneRun) bool {
	for _, r := range runs {
		if ms := r.ms(); ms < sitMinMs || ms > sitMaxMs {
			return false
		}
	}
	f1, f2, f3 := runs[0].hz(), runs[1].hz(), runs[2].hz()
	ok1 := near(f1, sitFirstLo, sitTolerance*sitFirstLo) || near(f1, sitFirstHi, sitTolerance*sitFirstHi)
	ok2 := near(f2, sitSecondLo, sitTolerance*sitSecondLo) || near(f2, sitSecondH, sitTolerance*sitSecondH)
	ok3 := near(f3, sitThird, sitTolerance*sitThird)
	return ok1 && ok2 && ok3
}

// ToneDetector finds beeps, fax tones and SIT on their own, for example on early media
// before answer. It uses the tone fields of Params and treats every stream as having had
// no speech, so a lone 1100 Hz burst of CNG length is reported as ToneFaxCNG.
type ToneDetector struct {
	tr     toneTracker
	lo, hi float64
	level  int
	pos    int64
}

// NewToneDetector returns a ToneDetector for p, or the error of p.Validate.
func NewToneDetector(p Params) (*ToneDetector, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	lo, hi := band(p)
	return &ToneDetector{tr: newToneTracker(p), lo: lo, hi: hi, level: p.ToneLevel}, nil
}

// Feed analyses one frame (any length; 160 samples is usual) and returns a tone event
// when a burst has just been recognised.
func (d *ToneDetector) Feed(frame []int16) (ToneEvent, bool) {
	st := analyse(frame, d.level, d.lo, d.hi)
	start := d.pos
	d.pos += int64(len(frame))
	return d.tr.step(&st, start, false)
}

// Reset makes d ready for a new stream.
func (d *ToneDetector) Reset() {
	d.tr.reset()
	d.pos = 0
}
