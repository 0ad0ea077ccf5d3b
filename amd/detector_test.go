package amd

import (
	"math"
	"testing"
	"time"
)

func mustPreset(t testing.TB, name string, sets ...string) Params {
	t.Helper()
	p, err := Preset(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SetAll(sets); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustNew(t testing.TB, p Params) *Detector {
	t.Helper()
	d, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func msDur(ms int) time.Duration { return time.Duration(ms) * time.Millisecond }

// TestClassic checks the Asterisk state machine frame by frame on signals whose every
// frame is clearly voice (mean |x| far above 256) or digital silence.
func TestClassic(t *testing.T) {
	tests := []struct {
		name   string
		sets   []string
		sig    signal
		result Result
		cause  Cause
		at     int // ms
	}{
		{"initial silence", nil, signal{}.silence(3000), Machine, CauseInitialSilence, 2500},
		{"initial silence as human", []string{"initialSilenceHuman=true"}, signal{}.silence(3000), Human, CauseInitialSilence, 2500},
		// word confirmed at 600 ms, greeting starts; 800 ms of silence after 900 ms
		{"short greeting then silence", nil, signal{}.silence(500).speech(400, 8000, 180).silence(2000), Human, CauseSilenceAfterGreeting, 1700},
		// cumulative voice reaches 1500 ms at 200+1500
		{"long greeting", nil, signal{}.silence(200).speech(3000, 8000, 180), Machine, CauseLongGreeting, 1700},
		// words confirmed at 300, 550, 800 ms: the third is one too many
		{"three words", nil, signal{}.silence(200).speech(150, 8000, 180).silence(100).speech(150, 8000, 180).silence(100).speech(150, 8000, 180).silence(100).speech(150, 8000, 180), Machine, CauseMaxWords, 800},
		{"one very long word", []string{"greeting=60000", "maximumWordLength=2000"}, signal{}.silence(200).speech(4000, 8000, 180), Machine, CauseMaxWordLength, 2200},
		{"too long", []string{"greeting=60000", "maximumWordLength=120000"}, signal{}.silence(200).speech(6000, 8000, 180), NotSure, CauseTooLong, 5000},
		// a speech start without a leading silence is not counted as a word (state starts
		// in IN_WORD), but the greeting still starts after 100 ms of voice
		{"no leading silence", nil, signal{}.speech(5500, 8000, 180), Machine, CauseLongGreeting, 1500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustNew(t, mustPreset(t, PresetAsterisk, tt.sets...))
			decs := feedAll(d, tt.sig)
			if len(decs) != 1 {
				t.Fatalf("got %d decisions %v, want 1", len(decs), decs)
			}
			got := decs[0]
			if got.Result != tt.result || got.Cause != tt.cause || got.At != msDur(tt.at) {
				t.Errorf("got %v, want %s %s at %dms", got, tt.result, tt.cause, tt.at)
			}
		})
	}
}

// TestLowBandVoice: a hello a few dB over loud white noise in the whole band stands
// out below 1 kHz; with the low-band test off it is missed.
func TestLowBandVoice(t *testing.T) {
	sig := signal{}.silence(1000).speech(500, 5000, 140).silence(3000).withNoise(3000, 13)
	tests := []struct {
		set   string
		cause Cause
		at    int
	}{
		{"lowBandMargin=7", CauseSilenceAfterGreeting, 2300},
		{"lowBandMargin=0", CauseInitialSilence, 2500},
	}
	for _, tt := range tests {
		t.Run(tt.set, func(t *testing.T) {
			decs := feedAll(mustNew(t, mustPreset(t, PresetDefault, tt.set)), sig)
			if len(decs) != 1 || decs[0].Result != Human || decs[0].Cause != tt.cause || !within(decs[0].At, msDur(tt.at), 40) {
				t.Errorf("got %v, want HUMAN %s at %d ms", decs, tt.cause, tt.at)
			}
		})
	}
}

func within(got, want time.Duration, tol int) bool {
	d := got - want
	return d >= -msDur(tol) && d <= msDur(tol)
}

// TestAdaptive checks outdial's detector on noisy synthetic calls.
func TestAdaptive(t *testing.T) {
	const noise = 150
	type want struct {
		result Result
		cause  Cause
		at     int // ms, checked within tol
		tol    int
		tone   ToneKind
	}
	tests := []struct {
		name string
		sig  signal
		want []want
	}{
		{"silent pick-up", signal{}.silence(4000).withNoise(noise, 1),
			[]want{{Human, CauseInitialSilence, 2500, 0, ToneNone}}},
		{"no audio at all", signal{}.silence(4000),
			[]want{{NotSure, CauseNoAudio, 2500, 0, ToneNone}}},
		{"hello then silence", signal{}.silence(600).speech(500, 8000, 160).silence(3000).withNoise(noise, 2),
			[]want{{Human, CauseSilenceAfterGreeting, 1900, 80, ToneNone}}},
		{"hello then a second hello", signal{}.silence(400).speech(400, 6000, 220).silence(2000).speech(400, 6000, 220).silence(2000).withNoise(noise, 3),
			[]want{{Human, CauseSilenceAfterGreeting, 1600, 80, ToneNone}}},
		{"long greeting, beep", signal{}.silence(300).talk(6000, 8000, 120).silence(500).tone(1000, 400, 6000).silence(3000).withNoise(noise, 4),
			[]want{{Machine, CauseLongGreeting, 5800, 80, ToneNone}, {MachineEnd, CauseBeep, 7240, 40, ToneBeep}}},
		{"long greeting, no beep", signal{}.silence(300).talk(6000, 8000, 120).silence(3000).withNoise(noise, 5),
			[]want{{Machine, CauseLongGreeting, 5800, 80, ToneNone}, {MachineEnd, CauseSilence, 7800, 80, ToneNone}}},
		// a voicemail platform: digital silence until the recording plays
		{"greeting after a noiseless line", signal{}.silence(400).talk(4000, 8000, 120).silence(3000),
			[]want{{Machine, CauseRecording, 2400, 80, ToneNone}, {MachineEnd, CauseSilence, 5900, 80, ToneNone}}},
		{"greeting after faint comfort noise", signal{}.silence(400).withNoise(2, 13).talk(4000, 8000, 120).silence(3000),
			[]want{{Machine, CauseRecording, 2400, 80, ToneNone}, {MachineEnd, CauseSilence, 5900, 80, ToneNone}}},
		// a person on a noiseless line (a noise gate) who says hello is still a person
		{"hello on a noiseless line", signal{}.silence(600).speech(500, 8000, 160).silence(3000),
			[]want{{Human, CauseSilenceAfterGreeting, 1900, 80, ToneNone}}},
		// the same greeting where the room was heard before it is no RECORDING
		{"greeting after room noise", signal{}.silence(400).talk(4000, 8000, 120).silence(3000).withNoise(noise, 14),
			[]want{{Human, CauseSilenceAfterGreeting, 5700, 80, ToneNone}}},
		// sound in every frame (a music bed) is no live talker
		{"greeting over a music bed", signal{}.silence(300).speech(6000, 8000, 120).silence(3000).withNoise(noise, 11),
			[]want{{Machine, CauseContinuousSound, 2800, 40, ToneNone}, {MachineEnd, CauseSilence, 7800, 80, ToneNone}}},
		// a line so quiet (about 5 LSB rms) that it looks like digital silence by level:
		// it is still the noise floor, so the hello stands out
		{"very quiet line, hello", signal{}.silence(600).speech(500, 8000, 160).silence(3000).withNoise(8, 12),
			[]want{{Human, CauseSilenceAfterGreeting, 1900, 80, ToneNone}}},
		{"greeting of two phrases", signal{}.silence(300).speech(1200, 8000, 120).silence(400).speech(3000, 8000, 120).silence(3000).withNoise(noise, 10),
			[]want{{Machine, CausePhrases, 2300, 80, ToneNone}, {MachineEnd, CauseSilence, 6400, 80, ToneNone}}},
		{"short greeting, beep", signal{}.silence(300).speech(1800, 8000, 120).silence(300).tone(850, 300, 6000).silence(3000).withNoise(noise, 6),
			[]want{{MachineEnd, CauseBeep, 2740, 40, ToneBeep}}},
		{"fax CNG", signal{}.silence(300).tone(1100, 500, 8000).silence(3000).withNoise(noise, 7),
			[]want{{Fax, CauseTone, 840, 40, ToneFaxCNG}}},
		{"fax CED", signal{}.silence(300).tone(2100, 3300, 8000).silence(500).withNoise(noise, 8),
			[]want{{Fax, CauseTone, 2900, 40, ToneFaxCED}}},
		{"SIT", signal{}.silence(200).tone(913.8, 274, 8000).tone(1370.6, 274, 8000).tone(1776.7, 380, 8000).silence(2000).withNoise(noise, 9),
			[]want{{SIT, CauseTone, 1170, 40, ToneSIT}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustNew(t, mustPreset(t, PresetDefault, "detectMessageEnd=true", "phrasePause=300", "phraseGreeting=2000"))
			decs := feedAll(d, tt.sig)
			if len(decs) != len(tt.want) {
				t.Fatalf("got %d decisions %v, want %d", len(decs), decs, len(tt.want))
			}
			for i, w := range tt.want {
				got := decs[i]
				if got.Result != w.result || got.Cause != w.cause || !within(got.At, msDur(w.at), w.tol) || got.Tone.Kind != w.tone {
					t.Errorf("decision %d: got %v, want %s %s at %d±%dms tone %q", i, got, w.result, w.cause, w.at, w.tol, w.tone)
				}
			}
			if !d.Done() {
				t.Error("detector not done after its last decision")
			}
		})
	}
}

func TestBeepTiming(t *testing.T) {
	p := mustPreset(t, PresetDefault)
	for _, hz := range []float64{400, 700, 1000, 1400, 2000} {
		for _, ms := range []int{100, 250, 1000, 1900} {
			sig := signal{}.silence(310).tone(hz, ms, 5000).silence(500).withNoise(100, uint32(ms))
			td, err := NewToneDetector(p)
			if err != nil {
				t.Fatal(err)
			}
			evs := toneEvents(td, sig)
			if len(evs) != 1 || evs[0].Kind != ToneBeep {
				t.Errorf("%v Hz %d ms: got %v, want one beep", hz, ms, evs)
				continue
			}
			ev := evs[0]
			if !within(ev.Onset, msDur(310), 20) || !within(ev.End, msDur(310+ms), 20) || math.Abs(ev.Hz-hz) > 0.015*hz {
				t.Errorf("%v Hz %d ms: got %v, want onset 310 ms, end %d ms", hz, ms, ev, 310+ms)
			}
		}
	}
}

func TestNotBeeps(t *testing.T) {
	p := mustPreset(t, PresetDefault)
	tests := []struct {
		name string
		sig  signal
	}{
		{"tone too long", signal{}.silence(200).tone(1000, 2600, 6000).silence(500)},
		{"tone too short", signal{}.silence(200).tone(1000, 50, 6000).silence(500)},
		{"above the band", signal{}.silence(200).tone(3000, 400, 6000).silence(500)},
		{"ringback dual tone", signal{}.silence(200).dual(440, 480, 2000, 8000).silence(500)},
		{"speech", signal{}.silence(200).speech(3000, 8000, 140).silence(500).withNoise(100, 1)},
		{"white noise", signal{}.silence(3000).withNoise(4000, 2)},
		// the telephone band removed the fundamental: the second harmonic looks like a
		// tone, but the third and fourth are there
		{"held vowel", signal{}.silence(200).vowel(470, 200, 8000).silence(500).withNoise(50, 3)},
		{"gliding pure tone", signal{}.silence(200).glide(460, 500, 200, 8000).silence(500)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td, err := NewToneDetector(p)
			if err != nil {
				t.Fatal(err)
			}
			if evs := toneEvents(td, tt.sig); len(evs) != 0 {
				t.Errorf("got %v, want no tone", evs)
			}
		})
	}
}

func TestBeepSurvivesOneLostFrame(t *testing.T) {
	sig := signal{}.silence(200).tone(1000, 600, 6000).silence(500)
	// a lost packet in the middle of the beep
	for i := ms2n(400); i < ms2n(420); i++ {
		sig[i] = 0
	}
	td, err := NewToneDetector(mustPreset(t, PresetDefault))
	if err != nil {
		t.Fatal(err)
	}
	evs := toneEvents(td, sig)
	if len(evs) != 1 || evs[0].Kind != ToneBeep || !within(evs[0].End, msDur(800), 20) {
		t.Errorf("got %v, want one beep ending at 800 ms", evs)
	}
}

func TestResetGivesSameDecisions(t *testing.T) {
	sig := signal{}.silence(300).speech(6000, 8000, 120).silence(500).tone(1000, 400, 6000).silence(3000).withNoise(150, 11)
	d := mustNew(t, mustPreset(t, PresetDefault, "detectMessageEnd=true"))
	first := feedAll(d, sig)
	d.Reset()
	second := feedAll(d, sig)
	if len(first) == 0 || len(first) != len(second) {
		t.Fatalf("first run %v, second run %v", first, second)
	}
	for i := range first {
		if first[i] != second[i] {
			t.Errorf("decision %d: %v then %v", i, first[i], second[i])
		}
	}
}

func TestOddFramesDoNotPanic(t *testing.T) {
	for _, name := range PresetNames() {
		d := mustNew(t, mustPreset(t, name, "detectMessageEnd=true"))
		for _, n := range []int{0, 1, 7, 159, 161, 320, 1000} {
			frame := make([]int16, n)
			for i := range frame {
				frame[i] = int16((i * 7919) % 65536)
			}
			d.Feed(frame)
		}
		full := make([]int16, FrameSamples)
		for i := range full {
			full[i] = math.MaxInt16
			if i%2 == 1 {
				full[i] = math.MinInt16
			}
		}
		for range 500 {
			d.Feed(full)
		}
	}
}

func TestFeedDoesNotAllocate(t *testing.T) {
	sig := signal{}.silence(300).speech(3500, 8000, 120).silence(500).tone(1000, 400, 6000).silence(3000).withNoise(150, 12)
	for _, name := range PresetNames() {
		d := mustNew(t, mustPreset(t, name, "detectMessageEnd=true", "toneTimeout=600000"))
		i := 0
		allocs := testing.AllocsPerRun(len(sig)/FrameSamples-1, func() {
			if i+FrameSamples > len(sig) {
				i = 0
				d.Reset()
			}
			d.Feed(sig[i : i+FrameSamples])
			i += FrameSamples
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per frame, want 0", name, allocs)
		}
	}
}

func BenchmarkFeed(b *testing.B) {
	sig := signal{}.silence(300).speech(6000, 8000, 120).silence(500).tone(1000, 400, 6000).silence(3000).withNoise(150, 13)
	for _, name := range PresetNames() {
		b.Run(name, func(b *testing.B) {
			p := mustPreset(b, name, "detectMessageEnd=true", "toneTimeout=600000", "totalAnalysisTime=120000")
			// keep the detector busy for the whole signal: no decision ends it early
			p.Greeting, p.MaximumNumberOfWords, p.MaximumWordLength = 60000, 100, 120000
			p.InitialSilence, p.AfterGreetingSilence, p.LongGreetingSilence = 60000, 60000, 60000
			d := mustNew(b, p)
			frames := len(sig) / FrameSamples
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				k := i % frames
				if k == 0 {
					d.Reset()
				}
				d.Feed(sig[k*FrameSamples : (k+1)*FrameSamples])
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/frame")
		})
	}
}

// TestGap checks time that passes without audio (Detector.Gap): it runs the clocks
// like silence but is no evidence of a noiseless line.
func TestGap(t *testing.T) {
	type step struct {
		gapMs int    // > 0: a gap of this length
		sig   signal // else: these samples
	}
	tests := []struct {
		name  string
		steps []step
		want  Result
		cause Cause
		at    int
	}{
		{"hello, then the peer stops sending", []step{{sig: signal{}.silence(600).speech(500, 8000, 160).withNoise(150, 21)}, {gapMs: 3000}},
			Human, CauseSilenceAfterGreeting, 1900},
		{"nothing ever arrives", []step{{gapMs: 4000}}, NotSure, CauseNoAudio, 2500},
		// the same greeting after 400 ms of digital silence is RECORDING at 2.4 s
		{"a gap before a greeting", []step{{gapMs: 400}, {sig: signal{}.talk(4000, 8000, 120).silence(3000).withNoise(150, 22)}},
			Human, CauseSilenceAfterGreeting, 5700},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustNew(t, mustPreset(t, PresetDefault))
			var decs []Decision
			for _, s := range tt.steps {
				if s.gapMs > 0 {
					if dec, ok := d.Gap(ms2n(s.gapMs)); ok {
						decs = append(decs, dec)
					}
					continue
				}
				decs = append(decs, feedAll(d, s.sig)...)
			}
			if len(decs) != 1 || decs[0].Result != tt.want || decs[0].Cause != tt.cause || !within(decs[0].At, msDur(tt.at), 80) {
				t.Errorf("got %v, want %s %s at %d ms", decs, tt.want, tt.cause, tt.at)
			}
		})
	}
}
