package amd

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Params tunes a Detector. Times are in milliseconds. The first nine fields carry the
// names and meaning of Asterisk's app_amd parameters; the rest are outdial's extensions.
// Build one with Preset, change fields directly or with Set, and check it with Validate.
type Params struct {
	// InitialSilence is the longest silence before the first word (initialSilence).
	InitialSilence int
	// Greeting is the longest voiced time a greeting may have (greeting). More means
	// MACHINE/LONGGREETING.
	Greeting int
	// AfterGreetingSilence is the silence after a short greeting that means HUMAN
	// (afterGreetingSilence).
	AfterGreetingSilence int
	// TotalAnalysisTime bounds the classification; past it the result is NOTSURE
	// (totalAnalysisTime).
	TotalAnalysisTime int
	// MinimumWordLength is the shortest voiced run that counts as a word (minimumWordLength).
	MinimumWordLength int
	// BetweenWordsSilence is the shortest silence that ends a word (betweenWordsSilence).
	BetweenWordsSilence int
	// MaximumNumberOfWords: one more word than this means MACHINE/MAXWORDS
	// (maximumNumberOfWords).
	MaximumNumberOfWords int
	// SilenceThreshold is the mean absolute sample value (0..32767) below which a frame is
	// silent (silenceThreshold). With Classic off it is only the floor under the adaptive
	// threshold.
	SilenceThreshold int
	// MaximumWordLength is the longest single voiced run (maximumWordLength).
	MaximumWordLength int

	// Classic selects the Asterisk state machine with a fixed energy threshold (classic).
	// Off, the detector uses an adaptive noise floor, noise rejection by zero-crossing
	// rate, tone exclusion and a silence wait that grows with the greeting.
	Classic bool
	// NoiseMargin is how many dB above the tracked noise floor a frame must be to be
	// voice (noiseMargin). Not used when Classic.
	NoiseMargin int
	// LowBandMargin is how many dB above its own noise floor the frame's level below
	// 1 kHz must be for the frame to be voice even when the whole-band level is not
	// (lowBandMargin); 0 turns the low-band test off. Not used when Classic.
	LowBandMargin int
	// ShortGreeting is the voiced time up to which AfterGreetingSilence decides HUMAN
	// (shortGreeting); after a longer greeting LongGreetingSilence is needed, which leaves
	// room for a voicemail beep to arrive. Not used when Classic.
	ShortGreeting int
	// LongGreetingSilence is the silence after a greeting longer than ShortGreeting that
	// means HUMAN (longGreetingSilence). Not used when Classic.
	LongGreetingSilence int
	// PhrasePause is the pause inside a greeting that separates phrases (phrasePause);
	// 0 turns the phrase rule off. Not used when Classic.
	PhrasePause int
	// PhraseGreeting is the greeting span after which a greeting of two or more phrases
	// means MACHINE/PHRASES (phraseGreeting): a live answer is one phrase and then
	// waits; a recording goes on. 0 turns the rule off. Not used when Classic.
	PhraseGreeting int
	// ContinuousSound is the time of voice in every single frame, without one 20 ms
	// dip, that means MACHINE/CONTINUOUSSOUND (continuousSound): live speech dips
	// between words every second or so, a greeting over a music bed does not. 0 turns
	// the rule off. Not used when Classic.
	ContinuousSound int
	// RecordedGreeting is the greeting span that means MACHINE/RECORDING when the line
	// carried no room noise, before the greeting or in one of its pauses
	// (recordedGreeting): for at least 100 ms every frame was under PlatformLevel. A
	// handset picks up its room from the moment it answers; a voicemail platform sends
	// digital silence or faint comfort noise until it plays the greeting, and a studio
	// prompt has silence between its sentences. 0 turns the rule off. Not used when
	// Classic.
	RecordedGreeting int
	// PlatformLevel is the frame level, in dB above 1 LSB rms (90 dB is full scale),
	// under which the line counts as noiseless (platformLevel): 8 is about -82 dBFS.
	PlatformLevel int
	// InitialSilenceHuman reports INITIALSILENCE as HUMAN instead of MACHINE
	// (initialSilenceHuman): a silent pick-up is more often a person than a machine, and
	// dropping a person is the costly error.
	InitialSilenceHuman bool
	// BeepDecides makes a beep heard before a decision mean MACHINE/BEEP (beepDecides).
	BeepDecides bool
	// FaxDetect reports fax tones (CNG 1100 Hz, CED 2100 Hz) as FAX (faxDetect).
	FaxDetect bool
	// SITDetect reports special information tones as SIT (sitDetect).
	SITDetect bool

	// DetectMessageEnd keeps listening after a MACHINE decision and reports MACHINE_END
	// when the greeting is over: at the end of a beep, after MessageEndSilence of silence,
	// or at ToneTimeout (detectMessageEnd).
	DetectMessageEnd bool
	// MessageEndSilence is the silence after the greeting that ends it when no beep comes
	// (messageEndSilence).
	MessageEndSilence int
	// ToneTimeout is the longest wait for the end of the greeting, counted from answer
	// (toneTimeout).
	ToneTimeout int

	// BeepMinLength and BeepMaxLength bound a beep's duration (beepMinLength, beepMaxLength).
	BeepMinLength int
	BeepMaxLength int
	// BeepMinHz and BeepMaxHz bound a beep's frequency (beepMinHz, beepMaxHz).
	BeepMinHz int
	BeepMaxHz int
	// ToneLevel is the mean absolute sample value a frame needs to be tested for a tone
	// (toneLevel).
	ToneLevel int
	// TonePurity is the percentage of a frame's energy that must lie in one frequency for
	// the frame to be tonal (tonePurity).
	TonePurity int
}

// Preset names.
const (
	PresetDefault  = "default"
	PresetAsterisk = "asterisk"
)

// PresetNames lists the presets Preset knows.
func PresetNames() []string { return []string{PresetDefault, PresetAsterisk} }

// Preset returns the named parameter set: "asterisk" is Asterisk app_amd with its
// compiled defaults (and no tone decisions, as app_amd has none); "default" is outdial's
// tuned detector.
func Preset(name string) (Params, error) {
	p := Params{
		InitialSilence: 2500, Greeting: 1500, AfterGreetingSilence: 800,
		TotalAnalysisTime: 5000, MinimumWordLength: 100, BetweenWordsSilence: 50,
		MaximumNumberOfWords: 2, SilenceThreshold: 256, MaximumWordLength: 5000,
		MessageEndSilence: 1500, ToneTimeout: 30000,
		BeepMinLength: 80, BeepMaxLength: 2000, BeepMinHz: 400, BeepMaxHz: 2100,
		ToneLevel: 40, TonePurity: 90,
	}
	switch name {
	case PresetAsterisk:
		p.Classic = true
		p.ShortGreeting = 0
		p.LongGreetingSilence = 800
		p.NoiseMargin = 9
	case PresetDefault, "":
		// Tuned on a generated development corpus (seed 1); see docs/amd.md.
		p.InitialSilence = 2500
		p.Greeting = 5500
		p.AfterGreetingSilence = 800
		p.TotalAnalysisTime = 8000
		p.MinimumWordLength = 120
		p.BetweenWordsSilence = 120
		p.MaximumNumberOfWords = 100
		p.SilenceThreshold = 24
		p.MaximumWordLength = 8000
		p.NoiseMargin = 7
		p.LowBandMargin = 7
		p.ContinuousSound = 2500
		p.RecordedGreeting = 2000
		p.PlatformLevel = 8
		p.ShortGreeting = 1200
		p.LongGreetingSilence = 1300
		p.InitialSilenceHuman = true
		p.BeepDecides = true
		p.FaxDetect = true
		p.SITDetect = true
	default:
		return Params{}, fmt.Errorf("%w %q; choose one of %s", ErrUnknownPreset, name, strings.Join(PresetNames(), ", "))
	}
	return p, nil
}

// param describes one settable field: its key, accepted range and where it lives.
type param struct {
	key      string
	min, max int
	isBool   bool
	field    func(p *Params) *int
	flag     func(p *Params) *bool
}

func intParam(key string, min, max int, f func(p *Params) *int) param {
	return param{key: key, min: min, max: max, field: f}
}

func boolParam(key string, f func(p *Params) *bool) param {
	return param{key: key, isBool: true, flag: f}
}

// params is the table of settable keys. It is a function, not a package variable, so
// the package holds no mutable state.
func params() []param {
	return []param{
		intParam("initialSilence", 100, 60000, func(p *Params) *int { return &p.InitialSilence }),
		intParam("greeting", 100, 60000, func(p *Params) *int { return &p.Greeting }),
		intParam("afterGreetingSilence", 100, 60000, func(p *Params) *int { return &p.AfterGreetingSilence }),
		intParam("totalAnalysisTime", 500, 120000, func(p *Params) *int { return &p.TotalAnalysisTime }),
		intParam("minimumWordLength", 20, 5000, func(p *Params) *int { return &p.MinimumWordLength }),
		intParam("betweenWordsSilence", 20, 5000, func(p *Params) *int { return &p.BetweenWordsSilence }),
		intParam("maximumNumberOfWords", 1, 100, func(p *Params) *int { return &p.MaximumNumberOfWords }),
		intParam("silenceThreshold", 1, 32767, func(p *Params) *int { return &p.SilenceThreshold }),
		intParam("maximumWordLength", 100, 120000, func(p *Params) *int { return &p.MaximumWordLength }),
		boolParam("classic", func(p *Params) *bool { return &p.Classic }),
		intParam("noiseMargin", 1, 40, func(p *Params) *int { return &p.NoiseMargin }),
		intParam("lowBandMargin", 0, 40, func(p *Params) *int { return &p.LowBandMargin }),
		intParam("shortGreeting", 0, 60000, func(p *Params) *int { return &p.ShortGreeting }),
		intParam("longGreetingSilence", 100, 60000, func(p *Params) *int { return &p.LongGreetingSilence }),
		intParam("phrasePause", 0, 5000, func(p *Params) *int { return &p.PhrasePause }),
		intParam("phraseGreeting", 0, 60000, func(p *Params) *int { return &p.PhraseGreeting }),
		intParam("continuousSound", 0, 60000, func(p *Params) *int { return &p.ContinuousSound }),
		intParam("recordedGreeting", 0, 60000, func(p *Params) *int { return &p.RecordedGreeting }),
		intParam("platformLevel", 0, 90, func(p *Params) *int { return &p.PlatformLevel }),
		boolParam("initialSilenceHuman", func(p *Params) *bool { return &p.InitialSilenceHuman }),
		boolParam("beepDecides", func(p *Params) *bool { return &p.BeepDecides }),
		boolParam("faxDetect", func(p *Params) *bool { return &p.FaxDetect }),
		boolParam("sitDetect", func(p *Params) *bool { return &p.SITDetect }),
		boolParam("detectMessageEnd", func(p *Params) *bool { return &p.DetectMessageEnd }),
		intParam("messageEndSilence", 100, 60000, func(p *Params) *int { return &p.MessageEndSilence }),
		intParam("toneTimeout", 1000, 600000, func(p *Params) *int { return &p.ToneTimeout }),
		intParam("beepMinLength", 40, 5000, func(p *Params) *int { return &p.BeepMinLength }),
		intParam("beepMaxLength", 40, 10000, func(p *Params) *int { return &p.BeepMaxLength }),
		intParam("beepMinHz", 300, 3400, func(p *Params) *int { return &p.BeepMinHz }),
		intParam("beepMaxHz", 300, 3400, func(p *Params) *int { return &p.BeepMaxHz }),
		intParam("toneLevel", 1, 32767, func(p *Params) *int { return &p.ToneLevel }),
		intParam("tonePurity", 10, 100, func(p *Params) *int { return &p.TonePurity }),
	}
}

// ParamKeys lists every key Set accepts, sorted.
func ParamKeys() []string {
	var keys []string
	for _, d := range params() {
		keys = append(keys, d.key)
	}
	sort.Strings(keys)
	return keys
}

// Set changes the parameter named key (the lower-camel names of ParamKeys, matched
// without regard to case) to value. Booleans accept true/false/1/0. The error names the
// key and the accepted range.
func (p *Params) Set(key, value string) error {
	for _, d := range params() {
		if !strings.EqualFold(d.key, key) {
			continue
		}
		v := strings.TrimSpace(value)
		if d.isBool {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%w: %s=%q: write true or false", ErrBadValue, d.key, value)
			}
			*d.flag(p) = b
			return nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < d.min || n > d.max {
			return fmt.Errorf("%w: %s=%q: write a whole number from %d to %d", ErrBadValue, d.key, value, d.min, d.max)
		}
		*d.field(p) = n
		return nil
	}
	return fmt.Errorf("%w %q; known keys: %s", ErrUnknownParam, key, strings.Join(ParamKeys(), ", "))
}

// SetAll applies "key=value" assignments in order.
func (p *Params) SetAll(assignments []string) error {
	for _, a := range assignments {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			return fmt.Errorf("%w: %q: write key=value", ErrBadValue, a)
		}
		if err := p.Set(strings.TrimSpace(k), v); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks every field against the range Set accepts and the relations between
// fields. The error names the first key that is wrong.
func (p Params) Validate() error {
	for _, d := range params() {
		if d.isBool {
			continue
		}
		n := *d.field(&p)
		if n < d.min || n > d.max {
			return fmt.Errorf("%w: %s=%d: must be from %d to %d", ErrBadValue, d.key, n, d.min, d.max)
		}
	}
	if p.BeepMinLength > p.BeepMaxLength {
		return fmt.Errorf("%w: beepMinLength=%d is above beepMaxLength=%d", ErrBadValue, p.BeepMinLength, p.BeepMaxLength)
	}
	if p.BeepMinHz > p.BeepMaxHz {
		return fmt.Errorf("%w: beepMinHz=%d is above beepMaxHz=%d", ErrBadValue, p.BeepMinHz, p.BeepMaxHz)
	}
	return nil
}

// Timeouts are the campaign's "Voice Machine Timeouts" settings.
type Timeouts struct {
	// Decision is how long to wait for the machine to respond before returning control:
	// the whole classification budget.
	Decision time.Duration
	// GreetingCompletion is how long to wait for silence after a greeting before
	// returning control: the silence that ends a machine greeting when no beep comes.
	GreetingCompletion time.Duration
	// NoSpeech is how long to wait for speech to begin.
	NoSpeech time.Duration
	// Tone is the longest wait to detect a beep or tone.
	Tone time.Duration
}

// ApplyTimeouts maps the spec's Voice Machine Timeouts onto p; a zero duration leaves
// the matching field alone:
//
//	Decision           -> TotalAnalysisTime
//	GreetingCompletion -> MessageEndSilence
//	NoSpeech           -> InitialSilence
//	Tone               -> ToneTimeout, and DetectMessageEnd on
//
// Values are rounded to whole milliseconds and checked by Validate.
func (p *Params) ApplyTimeouts(t Timeouts) error {
	if t.Decision > 0 {
		p.TotalAnalysisTime = int(t.Decision.Milliseconds())
	}
	if t.GreetingCompletion > 0 {
		p.MessageEndSilence = int(t.GreetingCompletion.Milliseconds())
	}
	if t.NoSpeech > 0 {
		p.InitialSilence = int(t.NoSpeech.Milliseconds())
	}
	if t.Tone > 0 {
		p.ToneTimeout = int(t.Tone.Milliseconds())
		p.DetectMessageEnd = true
	}
	return p.Validate()
}

// Pairs returns every parameter as "key=value", in the order of the parameter table.
func (p Params) Pairs() []string {
	var out []string
	for _, d := range params() {
		if d.isBool {
			out = append(out, fmt.Sprintf("%s=%t", d.key, *d.flag(&p)))
		} else {
			out = append(out, fmt.Sprintf("%s=%d", d.key, *d.field(&p)))
		}
	}
	return out
}
