package amd

import (
	"fmt"
	"math"
	"time"
)

// Result is what the detector decided.
type Result int

// Results. A Detector reports at most one classification (Human, Machine, NotSure, Fax
// or SIT) and, when Params.DetectMessageEnd is on and the call is a machine, one
// MachineEnd. A beep heard before any classification ends the greeting at once: then
// MachineEnd (or Machine with cause BEEP when DetectMessageEnd is off) is the only report.
const (
	ResultNone Result = iota
	Human
	Machine
	NotSure
	Fax
	SIT
	// MachineEnd means a machine whose greeting is over: a message may start now.
	MachineEnd
)

// String returns the upper-case name: HUMAN, MACHINE, NOTSURE, FAX, SIT, MACHINE_END.
func (r Result) String() string {
	switch r {
	case Human:
		return "HUMAN"
	case Machine:
		return "MACHINE"
	case NotSure:
		return "NOTSURE"
	case Fax:
		return "FAX"
	case SIT:
		return "SIT"
	case MachineEnd:
		return "MACHINE_END"
	}
	return ""
}

// IsMachine reports whether r means an answering machine (Machine or MachineEnd).
func (r Result) IsMachine() bool { return r == Machine || r == MachineEnd }

// Cause says which rule produced a decision.
type Cause int

// Causes. The names follow Asterisk's AMDCAUSE where Asterisk has the rule.
const (
	CauseNone Cause = iota
	// CauseInitialSilence: no word within InitialSilence.
	CauseInitialSilence
	// CauseSilenceAfterGreeting: a greeting followed by enough silence (Asterisk: HUMAN).
	CauseSilenceAfterGreeting
	// CauseLongGreeting: the greeting's voiced time reached Greeting.
	CauseLongGreeting
	// CauseMaxWords: more than MaximumNumberOfWords words.
	CauseMaxWords
	// CauseMaxWordLength: one voiced run reached MaximumWordLength.
	CauseMaxWordLength
	// CauseTooLong: TotalAnalysisTime passed without a decision.
	CauseTooLong
	// CauseNoAudio: only digital silence (all-zero samples) until InitialSilence.
	CauseNoAudio
	// CauseBeep: a voicemail beep ended.
	CauseBeep
	// CauseSilence: the machine greeting ended in MessageEndSilence of silence.
	CauseSilence
	// CauseToneTimeout: ToneTimeout passed while waiting for the greeting to end.
	CauseToneTimeout
	// CauseTone: a fax or SIT tone; Decision.Tone says which.
	CauseTone
	// CausePhrases: the greeting went on after a sentence pause and reached
	// PhraseGreeting.
	CausePhrases
	// CauseContinuousSound: voice in every frame for ContinuousSound: no live talker
	// goes that long without a single 20 ms dip; a recording over a music bed does.
	CauseContinuousSound
	// CauseRecording: a greeting of RecordedGreeting on a line that carried no room
	// noise at some point before it or in its pauses (under PlatformLevel for at least
	// quietRunMs): a media server playing a recording, not a handset with a person at it.
	CauseRecording
)

// String returns the cause name: INITIALSILENCE, SILENCEAFTERGREETING, LONGGREETING,
// MAXWORDS, MAXWORDLENGTH, TOOLONG, NOAUDIO, BEEP, SILENCE, TONETIMEOUT, TONE, PHRASES,
// CONTINUOUSSOUND, RECORDING.
func (c Cause) String() string {
	switch c {
	case CauseInitialSilence:
		return "INITIALSILENCE"
	case CauseSilenceAfterGreeting:
		return "SILENCEAFTERGREETING"
	case CauseLongGreeting:
		return "LONGGREETING"
	case CauseMaxWords:
		return "MAXWORDS"
	case CauseMaxWordLength:
		return "MAXWORDLENGTH"
	case CauseTooLong:
		return "TOOLONG"
	case CauseNoAudio:
		return "NOAUDIO"
	case CauseBeep:
		return "BEEP"
	case CauseSilence:
		return "SILENCE"
	case CauseToneTimeout:
		return "TONETIMEOUT"
	case CauseTone:
		return "TONE"
	case CausePhrases:
		return "PHRASES"
	case CauseContinuousSound:
		return "CONTINUOUSSOUND"
	case CauseRecording:
		return "RECORDING"
	}
	return ""
}

// Figures are the numbers a decision was made on, all in milliseconds except where named.
type Figures struct {
	// SilenceMs is the silence that was running (since the last word, for the adaptive
	// detector; consecutive silent frames for Classic).
	SilenceMs int
	// VoiceMs is the cumulative voiced time.
	VoiceMs int
	// WordMs is the current voiced run.
	WordMs int
	// Words is the number of words counted.
	Words int
	// GreetingMs is the span from the first word's start to the last word's end.
	GreetingMs int
	// Phrases is the number of phrases (speech split by PhrasePause) in the greeting.
	Phrases int
	// Limit is the parameter value the deciding figure was compared with.
	Limit int
	// NoiseFloorDB and LevelDB are the tracked noise floor and the last frame's level in
	// dB above 1 LSB rms (0 for Classic).
	NoiseFloorDB, LevelDB float64
	// QuietMs is the longest run of non-voice frames under PlatformLevel so far:
	// digital silence or comfort noise rather than a room (0 for Classic).
	QuietMs int
}

// Decision is one report of the detector.
type Decision struct {
	Result Result
	Cause  Cause
	// At is the time from answer (the first frame fed) to the end of the deciding frame.
	At time.Duration
	// Tone is the beep, fax or SIT tone behind the decision, if any.
	Tone ToneEvent
	// Figures are the numbers behind the decision.
	Figures Figures
}

// String explains the decision in one line, for logs.
func (d Decision) String() string {
	s := fmt.Sprintf("%s %s at %v (silence %dms, voice %dms, words %d, greeting %dms, limit %d)",
		d.Result, d.Cause, d.At, d.Figures.SilenceMs, d.Figures.VoiceMs, d.Figures.Words, d.Figures.GreetingMs, d.Figures.Limit)
	if d.Cause == CauseRecording {
		s += fmt.Sprintf(", quiet line %dms", d.Figures.QuietMs)
	}
	if d.Tone.Kind != ToneNone {
		s += ", " + d.Tone.String()
	}
	return s
}

type phase int

const (
	phaseClassify phase = iota
	phaseAwaitEnd
	phaseDone
)

// Detector classifies one call from 20 ms frames of 8 kHz PCM. It allocates nothing
// per frame and is not safe for concurrent use; use one per call and Reset it to reuse.
type Detector struct {
	p      Params
	lo, hi float64
	tones  toneTracker
	phase  phase

	pos     int64 // samples fed
	totalMs int
	audio   bool // a non-zero sample was seen

	// Classic (Asterisk) state.
	dspSilence       int
	inSilenceState   bool
	inInitialSilence bool
	inGreeting       bool
	silenceMs        int
	consecutiveVoice int
	voiceMs          int
	words            int

	// Adaptive state.
	floor      minTracker
	lowFloor   minTracker // noise floor of the low band (frameStats.lowLevel)
	voiceRun   int        // current voiced run, ms
	solidRun   int        // voice in every frame for this long, ms
	gapMs      int        // silence since the last voiced frame, ms
	inWord     bool       // the current run has been counted as a word
	greetStart int64      // sample where the first word started
	lastWord   int64      // sample where the last word's voice ended
	lastLevel  float64
	prevVoice  bool
	lastVoice  int64 // sample where the last syllable-length voiced run was heard
	phrases    int   // phrases in the greeting: runs of speech split by PhrasePause
	flatRun    int   // consecutive flat frames (digital silence or lost packets), ms
	missing    bool  // the last frame was a Gap, not audio
	quietRun   int   // current run of non-voice frames under PlatformLevel, ms
	quietMax   int   // longest such run, ms

	// Message-end state.
	endSilenceMs int
}

// New returns a Detector for p, or the error of p.Validate.
func New(p Params) (*Detector, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	d := &Detector{p: p}
	d.lo, d.hi = band(p)
	d.tones = newToneTracker(p)
	d.Reset()
	return d, nil
}

// Params returns the parameters d runs with.
func (d *Detector) Params() Params { return d.p }

// Reset makes d ready for a new call with the same parameters.
func (d *Detector) Reset() {
	*d = Detector{p: d.p, lo: d.lo, hi: d.hi, tones: d.tones}
	d.tones.reset()
	d.inInitialSilence = true
	d.floor.reset()
	d.lowFloor.reset()
}

// Done reports whether d has nothing more to report for this call.
func (d *Detector) Done() bool { return d.phase == phaseDone }

// Feed analyses the next frame (160 samples for 20 ms; other lengths are timed by their
// sample count) and returns a decision when one is made on this frame.
func (d *Detector) Feed(frame []int16) (Decision, bool) {
	if d.phase == phaseDone || len(frame) == 0 {
		return Decision{}, false
	}
	st := analyse(frame, d.p.ToneLevel, d.lo, d.hi)
	return d.step(&st)
}

// Gap tells d that samples of audio are missing: the peer sent nothing (silence
// suppression without comfort noise, a stalled stream) while that much time passed.
// Time runs on as silence, but nothing is learned from it: the noise floor stays and
// a gap is never evidence of a noiseless line. It reports the first decision made.
func (d *Detector) Gap(samples int) (Decision, bool) {
	for samples > 0 && d.phase != phaseDone {
		n := min(samples, FrameSamples)
		samples -= n
		st := frameStats{samples: n, allZero: true, missing: true}
		if dec, ok := d.step(&st); ok {
			return dec, true
		}
	}
	return Decision{}, false
}

// step runs the detector on one analysed frame.
func (d *Detector) step(st *frameStats) (Decision, bool) {
	start := d.pos
	d.pos += int64(st.samples)
	frameMs := st.samples / samplesPerMs
	d.totalMs += frameMs
	if !st.allZero {
		d.audio = true
	}
	tonal := d.tones.tonal(st)
	ev, hasTone := d.tones.step(st, start, d.words > 0)

	voice := false
	if !d.p.Classic {
		voice = d.adaptiveVoice(st, tonal)
	}

	switch d.phase {
	case phaseClassify:
		if hasTone {
			if dec, ok := d.toneDecision(ev); ok {
				return dec, true
			}
		}
		var dec Decision
		var ok bool
		if d.p.Classic {
			dec, ok = d.classicStep(st, frameMs)
			voice = st.meanAbs >= d.p.SilenceThreshold
		} else {
			dec, ok = d.adaptiveStep(voice, frameMs)
		}
		if !ok {
			return Decision{}, false
		}
		return d.finish(dec), true
	case phaseAwaitEnd:
		if d.p.Classic {
			voice = st.meanAbs >= d.p.SilenceThreshold && !tonal
		}
		if hasTone && ev.Kind == ToneBeep {
			d.phase = phaseDone
			return d.decision(MachineEnd, CauseBeep, 0, ev), true
		}
		if voice || tonal || d.tones.busy() {
			d.endSilenceMs = 0
		} else {
			d.endSilenceMs += frameMs
		}
		if d.endSilenceMs >= d.p.MessageEndSilence {
			d.phase = phaseDone
			dec := d.decision(MachineEnd, CauseSilence, d.p.MessageEndSilence, ToneEvent{})
			dec.Figures.SilenceMs = d.endSilenceMs
			return dec, true
		}
		if d.totalMs >= d.p.ToneTimeout {
			d.phase = phaseDone
			return d.decision(MachineEnd, CauseToneTimeout, d.p.ToneTimeout, ToneEvent{}), true
		}
	}
	return Decision{}, false
}

// finish moves to the next phase after a classification.
func (d *Detector) finish(dec Decision) Decision {
	if dec.Result == Machine && d.p.DetectMessageEnd {
		d.phase = phaseAwaitEnd
		d.endSilenceMs = 0
	} else {
		d.phase = phaseDone
	}
	return dec
}

func (d *Detector) toneDecision(ev ToneEvent) (Decision, bool) {
	switch ev.Kind {
	case ToneFaxCNG, ToneFaxCED:
		if d.p.FaxDetect {
			d.phase = phaseDone
			return d.decision(Fax, CauseTone, 0, ev), true
		}
	case ToneSIT:
		if d.p.SITDetect {
			d.phase = phaseDone
			return d.decision(SIT, CauseTone, 0, ev), true
		}
	case ToneBeep:
		if d.p.BeepDecides {
			d.phase = phaseDone
			if d.p.DetectMessageEnd {
				return d.decision(MachineEnd, CauseBeep, 0, ev), true
			}
			return d.decision(Machine, CauseBeep, 0, ev), true
		}
	}
	return Decision{}, false
}

func (d *Detector) decide(r Result, c Cause, limit int) Decision {
	return d.decision(r, c, limit, ToneEvent{})
}

func (d *Detector) decision(r Result, c Cause, limit int, ev ToneEvent) Decision {
	f := Figures{
		SilenceMs: d.silenceMs, VoiceMs: d.voiceMs, Words: d.words, Limit: limit,
	}
	if d.p.Classic {
		f.WordMs = d.consecutiveVoice
	} else {
		f.WordMs = d.voiceRun
		f.NoiseFloorDB = d.floor.value()
		f.LevelDB = d.lastLevel
		f.Phrases = d.phrases
		f.QuietMs = d.quietMax
		if d.words > 0 {
			f.GreetingMs = d.span()
			f.SilenceMs = int((d.pos - max(d.lastWord, d.lastVoice)) / samplesPerMs)
		} else {
			f.SilenceMs = d.totalMs
		}
	}
	return Decision{Result: r, Cause: c, At: time.Duration(d.pos) * time.Second / SampleRate, Tone: ev, Figures: f}
}

// classicStep is Asterisk app_amd's state machine on one frame, as described in its
// documentation and source comments: mean |x| against a fixed threshold, consecutive
// silence, words of at least MinimumWordLength, and cumulative voiced time.
func (d *Detector) classicStep(st *frameStats, frameMs int) (Decision, bool) {
	p := &d.p
	if d.totalMs >= p.TotalAnalysisTime {
		return d.decide(NotSure, CauseTooLong, p.TotalAnalysisTime), true
	}
	if st.meanAbs < p.SilenceThreshold {
		d.dspSilence += frameMs
	} else {
		d.dspSilence = 0
	}
	if s := d.dspSilence; s > 0 {
		d.silenceMs = s
		if s >= p.BetweenWordsSilence {
			d.inSilenceState = true
			d.consecutiveVoice = 0
		}
		if d.inInitialSilence && s >= p.InitialSilence {
			if p.InitialSilenceHuman {
				return d.decide(Human, CauseInitialSilence, p.InitialSilence), true
			}
			return d.decide(Machine, CauseInitialSilence, p.InitialSilence), true
		}
		if d.inGreeting && s >= p.AfterGreetingSilence {
			return d.decide(Human, CauseSilenceAfterGreeting, p.AfterGreetingSilence), true
		}
		return Decision{}, false
	}
	d.consecutiveVoice += frameMs
	d.voiceMs += frameMs
	if d.consecutiveVoice >= p.MinimumWordLength && d.inSilenceState {
		d.words++
		d.inSilenceState = false
	}
	if d.consecutiveVoice >= p.MaximumWordLength {
		return d.decide(Machine, CauseMaxWordLength, p.MaximumWordLength), true
	}
	if d.words > p.MaximumNumberOfWords {
		return d.decide(Machine, CauseMaxWords, p.MaximumNumberOfWords), true
	}
	if d.inGreeting && d.voiceMs >= p.Greeting {
		return d.decide(Machine, CauseLongGreeting, p.Greeting), true
	}
	if d.voiceMs >= p.MinimumWordLength {
		d.silenceMs = 0
	}
	if d.consecutiveVoice >= p.MinimumWordLength && !d.inGreeting {
		d.inInitialSilence = false
		d.inGreeting = true
	}
	return Decision{}, false
}

// zcrNoise is the zero-crossing rate above which a weak frame is taken for hiss rather
// than speech; zcrNoiseMargin is how far above the voice threshold such a frame must be
// to count as speech anyway (a loud fricative).
const (
	zcrNoise       = 0.45
	zcrNoiseMargin = 10
	hysteresisDB   = 3
	// broadbandDB is how far under the whole-band noise floor the low-band floor must
	// be for the low-band voice test to be used: white noise band-limited to telephone
	// speech has about a quarter of its energy below 1 kHz (-6 dB).
	broadbandDB = 4
	// flatFrameDB is the level (after DC removal) under which a frame is taken for a
	// lost packet or digital silence and kept out of the noise floor: G.711 silence
	// decodes to one constant value (0 for mu-law, ±8 for A-law), while even a very
	// quiet line has some variation.
	flatFrameDB = 3
	// minVoiceRunMs is the voiced run that restarts the silence count once a greeting
	// has started: shorter runs are clicks, not syllables.
	minVoiceRunMs = 40
	// digitalRunMs is the run of flat frames taken for the source's own digital silence
	// rather than lost packets, which come one or two at a time.
	digitalRunMs = 100
	// quietRunMs is the run of quiet frames that RECORDING needs: longer than a lost
	// packet or two on a live line.
	quietRunMs = 100
)

// adaptiveVoice decides whether a frame is speech: loud enough over the tracked noise
// floor and the absolute floor, not a pure tone, and not weak hiss.
func (d *Detector) adaptiveVoice(st *frameStats, tonal bool) bool {
	v := d.voiceDecision(st, tonal)
	d.prevVoice = v
	return v
}

func (d *Detector) voiceDecision(st *frameStats, tonal bool) bool {
	d.missing = st.missing
	if st.missing {
		d.flatRun = 0
		return false
	}
	floor, lowFloor := d.floor.value(), d.lowFloor.value()
	flat := st.level < flatFrameDB
	if flat {
		d.flatRun += st.samples / samplesPerMs
	} else {
		d.flatRun = 0
	}
	switch {
	case !flat:
		d.floor.add(st.level, st.samples)
		d.lowFloor.add(st.lowLevel, st.samples)
	case d.flatRun >= digitalRunMs:
		// a long flat run is the source's own digital silence (a media server, a
		// noise gate): that is its background, and whatever comes next stands out
		d.floor.add(0, st.samples)
		d.lowFloor.add(0, st.samples)
	default:
		// a short flat run is a lost packet: it would drag the floor to nothing
	}
	d.lastLevel = st.level
	if st.allZero || st.meanAbs < d.p.SilenceThreshold || tonal || !d.floor.primed() {
		return false
	}
	margin := float64(d.p.NoiseMargin)
	if d.prevVoice {
		margin -= hysteresisDB // a word in progress may dip a little
	}
	need := floor + margin
	if st.level >= need && (st.zcr <= zcrNoise || st.level >= need+zcrNoiseMargin) {
		return true
	}
	// Voiced speech in broadband noise: the band below 1 kHz stands out first. Only
	// when the noise is broadband (its low band well under its whole level); noise
	// that is mostly low (brown, hum) gains nothing there and fluctuates more.
	if d.p.LowBandMargin == 0 || lowFloor > floor-broadbandDB {
		return false
	}
	return st.lowLevel >= lowFloor+float64(d.p.LowBandMargin)-(float64(d.p.NoiseMargin)-margin)
}

// trackQuiet measures the line between words: the longest run of non-voice frames
// under PlatformLevel (flat frames included). A handset never goes that quiet.
func (d *Detector) trackQuiet(voice bool, ms int) {
	if d.voiceRun > 0 || voice || d.missing {
		d.quietRun = 0
		return
	}
	if d.lastLevel < float64(d.p.PlatformLevel) {
		d.quietRun += ms
		d.quietMax = max(d.quietMax, d.quietRun)
	} else {
		d.quietRun = 0
	}
}

// adaptiveStep is outdial's classifier on one frame, given the voice decision.
func (d *Detector) adaptiveStep(voice bool, frameMs int) (Decision, bool) {
	p := &d.p
	d.trackQuiet(voice, frameMs)
	if voice {
		if d.words > 0 && p.PhrasePause > 0 && d.voiceRun == 0 &&
			int((d.pos-int64(frameMs*samplesPerMs)-max(d.lastWord, d.lastVoice))/samplesPerMs) >= p.PhrasePause {
			d.phrases++
		}
		d.voiceRun += frameMs
		d.solidRun += frameMs
		d.gapMs = 0
		d.voiceMs += frameMs
		if !d.inWord && d.voiceRun >= p.MinimumWordLength {
			d.inWord = true
			d.words++
			if d.words == 1 {
				d.greetStart = d.pos - int64(d.voiceRun*samplesPerMs)
				d.phrases = 1
			}
		}
		if d.inWord {
			d.lastWord = d.pos
		}
		if d.voiceRun >= minVoiceRunMs {
			d.lastVoice = d.pos
		}
	} else {
		d.solidRun = 0
		d.gapMs += frameMs
		if d.gapMs >= p.BetweenWordsSilence {
			d.voiceRun = 0
			d.inWord = false
		}
	}
	started := d.words > 0
	switch {
	case started && p.ContinuousSound > 0 && d.solidRun >= p.ContinuousSound:
		return d.decide(Machine, CauseContinuousSound, p.ContinuousSound), true
	case started && d.voiceRun >= p.MaximumWordLength:
		return d.decide(Machine, CauseMaxWordLength, p.MaximumWordLength), true
	case d.words > p.MaximumNumberOfWords:
		return d.decide(Machine, CauseMaxWords, p.MaximumNumberOfWords), true
	case started && p.RecordedGreeting > 0 && d.quietMax >= quietRunMs && d.span() >= p.RecordedGreeting:
		// a long greeting on a line that went quieter than any room: a recording
		return d.decide(Machine, CauseRecording, p.RecordedGreeting), true
	case started && p.PhraseGreeting > 0 && d.phrases >= 2 && d.span() >= p.PhraseGreeting:
		// a greeting that goes on after a sentence pause: the cadence of a recording
		return d.decide(Machine, CausePhrases, p.PhraseGreeting), true
	case started && d.span() >= p.Greeting:
		// the greeting's span, pauses included: robust when noise hides quiet syllables
		return d.decide(Machine, CauseLongGreeting, p.Greeting), true
	}
	quiet := !voice && !d.tones.busy()
	if started && quiet {
		need := p.AfterGreetingSilence
		if d.span() > p.ShortGreeting {
			need = p.LongGreetingSilence
		}
		if int((d.pos-max(d.lastWord, d.lastVoice))/samplesPerMs) >= need {
			return d.decide(Human, CauseSilenceAfterGreeting, need), true
		}
	}
	if !started && quiet && d.voiceRun == 0 && d.totalMs >= p.InitialSilence {
		if !d.audio {
			return d.decide(NotSure, CauseNoAudio, p.InitialSilence), true
		}
		if p.InitialSilenceHuman {
			return d.decide(Human, CauseInitialSilence, p.InitialSilence), true
		}
		return d.decide(Machine, CauseInitialSilence, p.InitialSilence), true
	}
	if d.totalMs >= p.TotalAnalysisTime {
		return d.decide(NotSure, CauseTooLong, p.TotalAnalysisTime), true
	}
	return Decision{}, false
}

// span is the greeting so far in ms: from the first word's start to the last voice.
func (d *Detector) span() int {
	if d.words == 0 {
		return 0
	}
	return int((max(d.lastWord, d.lastVoice) - d.greetStart) / samplesPerMs)
}

// minTracker follows the noise floor as the minimum frame level over the last
// minBlocks blocks of blockSamples each ("minimum statistics"), and lets the floor it
// reports rise by at most riseDBPerFrame a frame, so a long stretch of speech without
// pauses is not mistaken for noise. Fixed size.
type minTracker struct {
	blocks  [minBlocks]float64
	filled  int
	next    int
	cur     float64
	curN    int
	started bool
	floor   float64
	frames  int
}

const (
	minBlocks      = 8
	blockSamples   = 10 * FrameSamples // 200 ms: the window is 1.6 s
	primeSamples   = 2 * FrameSamples  // audio needed before the floor is trusted
	riseDBPerFrame = 0.04              // 2 dB a second: music under a greeting is not noise
)

func (m *minTracker) reset() { *m = minTracker{} }

func (m *minTracker) add(level float64, samples int) {
	if !m.started || level < m.cur {
		m.cur = level
	}
	m.started = true
	m.curN += samples
	if m.curN >= blockSamples {
		m.blocks[m.next] = m.cur
		m.next = (m.next + 1) % minBlocks
		if m.filled < minBlocks {
			m.filled++
		}
		m.curN = 0
		m.started = false
	}
	target := m.window()
	switch {
	case m.frames == 0 || target <= m.floor:
		m.floor = target
	default:
		m.floor = math.Min(target, m.floor+riseDBPerFrame*float64(samples)/FrameSamples)
	}
	m.frames++
}

// primed reports whether enough audio was seen to trust the floor.
func (m *minTracker) primed() bool { return m.filled > 0 || m.curN >= primeSamples }

// window is the minimum level over the window.
func (m *minTracker) window() float64 {
	v := m.cur
	have := m.started
	for i := 0; i < m.filled; i++ {
		if !have || m.blocks[i] < v {
			v = m.blocks[i]
			have = true
		}
	}
	return v
}

// value is the current floor in dB.
func (m *minTracker) value() float64 { return m.floor }
