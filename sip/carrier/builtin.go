package carrier

import (
	"math"

	"github.com/outdial/outdial/media"
)

// Builtin is the Config.Audio value that plays the carrier's own clips, synthesized
// here, so that no files and no text-to-speech are needed: a person who says a short
// hello and then waits, and a voicemail greeting of two phrases ending in a beep.
const Builtin = "builtin"

// BuiltinHuman is the human clip: 0.4 s of line noise, a 0.5 s hello, 9 s of waiting.
func BuiltinHuman() []int16 {
	return Noisy(join(Silence(400), Speech(500, 180), Silence(9000)))
}

// BuiltinMachine is the machine clip: a greeting of 1.4 s and 2.4 s phrases, then a
// 1 kHz beep of 0.4 s at 4.75 s, then 9 s of silence for the message.
func BuiltinMachine() []int16 {
	return Noisy(join(Silence(300), Speech(1400, 120), Silence(350), Speech(2400, 120),
		Silence(300), Tone(1000, 400), Silence(9000)))
}

func builtinAudio() (human, machine []*clip) {
	return []*clip{{name: "builtin-hello", wav: &media.WAV{Samples: BuiltinHuman()}}},
		[]*clip{{name: "builtin-greeting", wav: &media.WAV{Samples: BuiltinMachine()}}}
}

func join(parts ...[]int16) []int16 {
	var all []int16
	for _, p := range parts {
		all = append(all, p...)
	}
	return all
}

// Speech is ms of a voiced sound around f0 Hz (8 kHz samples), with pitch and
// loudness moving as in speech: twelve harmonics, a slow pitch glide, four syllables
// a second.
func Speech(ms int, f0 float64) []int16 {
	n := ms * 8
	out := make([]int16, n)
	phase := 0.0
	for i := range n {
		t := float64(i) / 8000
		f := f0 * (1 + 0.15*math.Sin(2*math.Pi*0.7*t))
		phase += 2 * math.Pi * f / 8000
		env := 0.35 + 0.65*math.Abs(math.Sin(math.Pi*4*t))
		v := 0.0
		for h := 1; h <= 12; h++ {
			v += math.Sin(float64(h)*phase) / float64(h)
		}
		out[i] = int16(8000 * env * v / 2)
	}
	return out
}

// Silence is ms of zero samples.
func Silence(ms int) []int16 { return make([]int16, ms*8) }

// Tone is ms of a sine at hz.
func Tone(hz float64, ms int) []int16 {
	out := make([]int16, ms*8)
	for i := range out {
		out[i] = int16(6000 * math.Sin(2*math.Pi*hz*float64(i)/8000))
	}
	return out
}

// Noisy adds to s, in place, a little noise (a fixed pseudo-random sequence, so the
// same samples give the same audio) and returns it: the line of a handset.
func Noisy(s []int16) []int16 {
	x := uint32(7)
	for i := range s {
		x = x*1664525 + 1013904223
		s[i] += int16(int32(x>>16)%60 - 30)
	}
	return s
}
