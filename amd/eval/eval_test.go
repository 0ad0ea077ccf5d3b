package eval

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/outdial/outdial/amd"
	"github.com/outdial/outdial/media"
)

func TestReadManifest(t *testing.T) {
	f, err := os.Open("testdata/manifest.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	calls, err := ReadManifest(f)
	if err != nil {
		t.Fatal(err)
	}
	want := []Call{
		{File: "h1.wav", Label: LabelHuman, Kind: "short/line", SpeechStart: 500 * time.Millisecond, SpeechEnd: 900 * time.Millisecond, BeepOnset: -1, BeepEnd: -1},
		{File: "m1.wav", Label: LabelMachine, Kind: "carrier/platform", SpeechStart: 300 * time.Millisecond, SpeechEnd: 6300 * time.Millisecond, BeepOnset: 6800 * time.Millisecond, BeepEnd: 7200 * time.Millisecond},
		{File: "s1.wav", Label: LabelHuman, Kind: "silent/line", SpeechStart: -1, SpeechEnd: -1, BeepOnset: -1, BeepEnd: -1},
	}
	if len(calls) != len(want) {
		t.Fatalf("got %d calls", len(calls))
	}
	for i := range want {
		if calls[i] != want[i] {
			t.Errorf("call %d: got %+v, want %+v", i, calls[i], want[i])
		}
	}
}

func TestReadManifestErrors(t *testing.T) {
	tests := []struct {
		name, csv string
		err       error
		inMsg     string
	}{
		{"no label column", "file,kind\na.wav,x\n", ErrManifest, `"label"`},
		{"bad label", "file,label\na.wav,robot\n", ErrManifest, "row 2, column label"},
		{"bad time", "file,label,beep_end_ms\na.wav,machine,soon\n", ErrManifest, "beep_end_ms"},
		{"empty file", "file,label\n,human\n", ErrManifest, "empty file"},
		{"no rows", "file,label\n", ErrNoCalls, ""},
		{"empty", "", ErrManifest, "header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadManifest(strings.NewReader(tt.csv))
			if !errors.Is(err, tt.err) || !strings.Contains(err.Error(), tt.inMsg) {
				t.Errorf("got %v, want %v mentioning %q", err, tt.err, tt.inMsg)
			}
		})
	}
}

func TestWilson(t *testing.T) {
	tests := []struct {
		k, n      int
		p, lo, hi float64
	}{
		{734, 764, 0.9607, 0.9444, 0.9724},
		{139, 140, 0.9929, 0.9606, 0.9987},
		{0, 10, 0, 0, 0.2775},
		{0, 0, 0, 0, 0},
	}
	for _, tt := range tests {
		p, lo, hi := Wilson(tt.k, tt.n)
		if math.Abs(p-tt.p) > 5e-4 || math.Abs(lo-tt.lo) > 5e-4 || math.Abs(hi-tt.hi) > 5e-4 {
			t.Errorf("Wilson(%d, %d) = %.4f %.4f %.4f, want %.4f %.4f %.4f", tt.k, tt.n, p, lo, hi, tt.p, tt.lo, tt.hi)
		}
	}
}

func TestQuantile(t *testing.T) {
	ds := []time.Duration{5, 1, 4, 2, 3}
	if q := quantile(ds, 0.5); q != 3 {
		t.Errorf("median %v", q)
	}
	if q := quantile(ds, 0.95); q != 5 {
		t.Errorf("p95 %v", q)
	}
	if q := quantile(nil, 0.5); q != 0 {
		t.Errorf("empty %v", q)
	}
}

// synth builds simple calls in Go: a harmonic "voice" of the given length, a beep.
func synth(leadMs, speechMs, gapMs, beepMs, tailMs int) []int16 {
	var s []int16
	n := func(ms int) int { return ms * 8 }
	s = append(s, make([]int16, n(leadMs))...)
	phase := 0.0
	for i := range n(speechMs) {
		t := float64(i) / 8000
		phase += 2 * math.Pi * 140 * (1 + 0.1*math.Sin(2*math.Pi*0.7*t)) / 8000
		env := 0.35 + 0.65*math.Abs(math.Sin(math.Pi*4*t))
		v := 0.0
		for h := 1; h <= 10; h++ {
			v += math.Sin(float64(h)*phase) / float64(h)
		}
		s = append(s, int16(5000*env*v))
	}
	s = append(s, make([]int16, n(gapMs))...)
	for i := range n(beepMs) {
		s = append(s, int16(6000*math.Sin(2*math.Pi*1000*float64(i)/8000)))
	}
	s = append(s, make([]int16, n(tailMs))...)
	// a little noise everywhere, so the floor is not digital silence
	r := uint32(7)
	for i := range s {
		r = r*1664525 + 1013904223
		s[i] += int16(int32(r) >> 25)
	}
	return s
}

// wavFile returns samples as the bytes of a PCM16 WAV file written by media's writer.
func wavFile(t *testing.T, samples []int16) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "call.wav")
	w, err := media.CreateWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	w.HandlePCM(samples)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRunOnSyntheticCalls(t *testing.T) {
	files := map[string][]int16{
		"h1.wav": synth(500, 400, 0, 0, 3000),
		"m1.wav": synth(300, 6000, 500, 400, 2000),
		"s1.wav": synth(4000, 0, 0, 0, 0),
	}
	fsys := fstest.MapFS{}
	for name, s := range files {
		fsys[name] = &fstest.MapFile{Data: wavFile(t, s)}
	}
	f, _ := os.Open("testdata/manifest.csv")
	calls, err := ReadManifest(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var presets []Preset
	for _, name := range amd.PresetNames() {
		p, _ := amd.Preset(name)
		presets = append(presets, Preset{name, p})
	}
	res, err := Run(context.Background(), fsys, calls, presets)
	if err != nil {
		t.Fatal(err)
	}
	reps := res.Reports()
	def := reps[0]
	if def.Confusion[0][ColHuman] != 2 || def.Confusion[1][ColMachine] != 1 || def.Accuracy != 1 {
		t.Errorf("default: %+v", def)
	}
	if def.Beeped != 1 || def.BeepEndWithin100 != 1 || def.FalseBeepHumans != 0 {
		t.Errorf("default beeps: %+v", def)
	}
	ast := reps[1]
	// Asterisk calls the silent pick-up a machine (INITIALSILENCE)
	if ast.Confusion[0][ColMachine] != 1 {
		t.Errorf("asterisk: %+v", ast)
	}
	var table bytes.Buffer
	if err := WriteTable(&table, reps); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"| | default | asterisk |", "accuracy (95 % CI) | 100.0 %", "beep end within 100 ms | 1/1"} {
		if !strings.Contains(table.String(), s) {
			t.Errorf("table lacks %q:\n%s", s, table.String())
		}
	}

	var chans bytes.Buffer
	if err := WriteChannels(&chans, res); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"| default | human | line | 2 | 2 |", "| default | machine | platform | 1 | 1 |", "| asterisk | human | line | 2 | 1 |"} {
		if !strings.Contains(chans.String(), s) {
			t.Errorf("channel table lacks %q:\n%s", s, chans.String())
		}
	}

	// a missing file fails the run with the file's name
	delete(fsys, "m1.wav")
	if _, err := Run(context.Background(), fsys, calls, presets); err == nil || !strings.Contains(err.Error(), "m1.wav") {
		t.Errorf("missing file: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, fsys, calls, presets); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled run: %v", err)
	}
}
