package voice

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/outdial/outdial/media"
)

func TestHoldTone(t *testing.T) {
	s := HoldTone()
	if got, want := len(s), HoldCycleMS*8; got != want {
		t.Fatalf("one cycle is %d samples, want %d", got, want)
	}
	rms := func(from, to int) float64 { // ms
		var e float64
		for _, v := range s[from*8 : to*8] {
			e += float64(v) * float64(v)
		}
		return math.Sqrt(e / float64((to-from)*8))
	}
	peak := 0
	for _, v := range s {
		peak = max(peak, int(math.Abs(float64(v))))
	}
	if peak > holdLevel || peak < holdLevel*9/10 {
		t.Errorf("peak %d, want a soft tone just under %d", peak, holdLevel)
	}
	for _, c := range []struct {
		name     string
		from, to int
		sound    bool
	}{
		{"first note", 100, 200, true},
		{"gap", 305, 395, false},
		{"second note", 500, 600, true},
		{"pause", 705, HoldCycleMS, false},
	} {
		if got := rms(c.from, c.to); (got > 500) != c.sound {
			t.Errorf("%s (%d-%d ms): rms %.0f, sound wanted: %v", c.name, c.from, c.to, got, c.sound)
		}
	}
	if s[0] != 0 || s[len(s)-1] != 0 {
		t.Errorf("the cycle must start and end silent (no click when it repeats): %d ... %d", s[0], s[len(s)-1])
	}
}

func TestLoopRepeats(t *testing.T) {
	l := &loop{samples: []int16{1, 2, 3}}
	frame := make([]int16, 7)
	for i, want := range [][]int16{{1, 2, 3, 1, 2, 3, 1}, {2, 3, 1, 2, 3, 1, 2}} {
		n, err := l.ReadPCM(frame)
		if n != len(frame) || err != nil || !slices.Equal(frame, want) {
			t.Errorf("read %d: %v (%d, %v), want %v", i, frame, n, err, want)
		}
	}
}

func TestPromptsHold(t *testing.T) {
	writeWAV := func(t *testing.T, path string, samples []int16) {
		w, err := media.CreateWAV(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(samples) > 0 {
			w.HandlePCM(samples)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	music := make([]int16, 800)
	for i := range music {
		music[i] = int16(1000 * math.Sin(float64(i)/3))
	}
	for _, c := range []struct {
		name    string
		setup   func(t *testing.T, dir string)
		want    []int16
		wantErr bool
	}{
		{"no folder", nil, HoldTone(), false},
		{"no hold.wav", func(*testing.T, string) {}, HoldTone(), false},
		{"hold.wav", func(t *testing.T, dir string) { writeWAV(t, filepath.Join(dir, "hold.wav"), music) }, music, false},
		{"empty hold.wav", func(t *testing.T, dir string) { writeWAV(t, filepath.Join(dir, "hold.wav"), nil) }, HoldTone(), true},
		{"not a WAV", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, "hold.wav"), []byte("MP3 bytes"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, HoldTone(), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := &Prompts{}
			if c.setup != nil {
				p.Dir = t.TempDir()
				c.setup(t, p.Dir)
			}
			w, err := p.Hold()
			if (err != nil) != c.wantErr {
				t.Errorf("err %v, want error: %v", err, c.wantErr)
			}
			if w == nil || !slices.Equal(w.Samples, c.want) {
				t.Errorf("hold audio is not the expected one (%d samples, want %d)", len(w.Samples), len(c.want))
			}
		})
	}
}
