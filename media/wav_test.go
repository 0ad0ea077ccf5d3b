package media_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/outdial/outdial/media"
)

func TestReadWAV(t *testing.T) {
	samples := tone(800, 440, 9000)
	ulaw := make([]byte, len(samples))
	media.PCMU.Encode(ulaw, samples)
	alaw := make([]byte, len(samples))
	media.PCMA.Encode(alaw, samples)

	tests := []struct {
		name    string
		file    []byte
		want    []int16
		wantErr string // substring of the error naming what was found
	}{
		{"pcm16", wavBytes(1, 1, 8000, 16, pcm16LE(samples)), samples, ""},
		{"mu-law", wavBytes(7, 1, 8000, 8, ulaw), g711RoundTrip(media.PCMU, samples), ""},
		{"a-law", wavBytes(6, 1, 8000, 8, alaw), g711RoundTrip(media.PCMA, samples), ""},
		{"stereo", wavBytes(1, 2, 8000, 16, pcm16LE(samples)), nil, "PCM 16-bit, 8000 Hz, 2 channel(s)"},
		{"44.1 kHz", wavBytes(1, 1, 44100, 16, pcm16LE(samples)), nil, "PCM 16-bit, 44100 Hz, 1 channel(s)"},
		{"8-bit pcm", wavBytes(1, 1, 8000, 8, ulaw), nil, "PCM 8-bit"},
		{"gsm", wavBytes(49, 1, 8000, 0, ulaw), nil, "format code 49"},
		{"not riff", []byte("ID3\x03 this is an mp3 file"), nil, `not a RIFF WAVE file (starts with "ID3\x03")`},
		{"empty", nil, nil, "shorter than a RIFF header"},
		{"no data chunk", wavBytes(1, 1, 8000, 16, nil)[:36], nil, "no data chunk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := media.ReadWAV(bytes.NewReader(tt.file))
			if tt.wantErr != "" {
				if !errors.Is(err, media.ErrWAVFormat) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want ErrWAVFormat mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !equalPCM(w.Samples, tt.want) {
				t.Errorf("decoded %d samples, not the %d expected", len(w.Samples), len(tt.want))
			}
			if w.Duration().Milliseconds() != 100 {
				t.Errorf("duration %v, want 100ms", w.Duration())
			}
		})
	}
}

func TestReadWAVSkipsOtherChunks(t *testing.T) {
	samples := tone(160, 300, 5000)
	f := wavBytes(1, 1, 8000, 16, pcm16LE(samples))
	// insert a LIST chunk with an odd size (padded) between fmt and data
	list := append([]byte("LIST\x03\x00\x00\x00abc"), 0)
	f = append(f[:36:36], append(list, f[36:]...)...)
	w, err := media.ReadWAV(bytes.NewReader(f))
	if err != nil || !equalPCM(w.Samples, samples) {
		t.Fatalf("ReadWAV with LIST chunk: %v", err)
	}
}

func TestLoadWAVCommittedPrompt(t *testing.T) {
	w, err := media.LoadWAV(filepath.Join("testdata", "beep_ulaw.wav"))
	if err != nil {
		t.Fatal(err)
	}
	if w.Format.AudioFormat != 7 || len(w.Samples) != 2400 {
		t.Errorf("testdata/beep_ulaw.wav: format %v, %d samples; want mu-law, 2400", w.Format, len(w.Samples))
	}
	if _, err := media.LoadWAV(filepath.Join("testdata", "missing.wav")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestPlayWAVAndRecord(t *testing.T) {
	checkGoroutines(t)
	prompt, err := media.LoadWAV(filepath.Join("testdata", "beep_ulaw.wav"))
	if err != nil {
		t.Fatal(err)
	}
	a, b := newPair(t, media.SessionConfig{}, media.SessionConfig{NoSilence: true})
	path := filepath.Join(t.TempDir(), "rec.wav")
	rec, err := media.CreateWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	got := newPCMCollector()
	b.OnPCM(media.MultiPCM(rec, got, nil))

	if err := a.Play(context.Background(), prompt.Source()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the prompt at the receiver", func() bool { return indexOf(got.snapshot(), prompt.Samples) >= 0 })
	b.OnPCM(nil)
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	back, err := media.LoadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Format.AudioFormat != 1 || back.Format.BitsPerSample != 16 {
		t.Errorf("recording format %v, want PCM16", back.Format)
	}
	if indexOf(back.Samples, prompt.Samples) < 0 {
		t.Errorf("recording (%d samples) does not contain the %d-sample prompt", len(back.Samples), len(prompt.Samples))
	}
	if int64(len(back.Samples)) != rec.Samples() {
		t.Errorf("header says %d samples, writer wrote %d", len(back.Samples), rec.Samples())
	}
}

func TestMixerRecordsBothDirections(t *testing.T) {
	checkGoroutines(t)
	a, b := newPair(t, media.SessionConfig{NoSilence: true}, media.SessionConfig{NoSilence: true})
	mixed := newPCMCollector()
	mixer := media.NewMixer(mixed)
	a.OnPCM(mixer.In())
	a.OnSentPCM(mixer.Out())

	ours := tone(20*media.FrameSamples, 400, 6000)
	theirs := tone(20*media.FrameSamples, 1000, 6000)
	errc := make(chan error, 1)
	go func() { errc <- b.Play(context.Background(), media.NewPCMReader(theirs)) }()
	if err := a.Play(context.Background(), media.NewPCMReader(ours)); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	// both plays are 400 ms; mixed output must have about that much audio, and its
	// energy must exceed either tone alone somewhere (both directions present)
	waitFor(t, "mixed frames", func() bool { return len(mixed.snapshot()) >= 15*media.FrameSamples })
	out := mixed.snapshot()
	var peak int
	for _, v := range out {
		peak = max(peak, abs(int(v)))
	}
	if peak <= 6000 {
		t.Errorf("mixed peak %d: want above one tone's amplitude 6000, so both sides are summed", peak)
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func TestMixerAloneAndClipping(t *testing.T) {
	out := newPCMCollector()
	m := media.NewMixer(out)
	loud := make([]int16, 4)
	for i := range loud {
		loud[i] = 30000
	}
	m.In().HandlePCM(loud)
	m.Out().HandlePCM(loud)
	if got := out.snapshot(); !equalPCM(got, []int16{32767, 32767, 32767, 32767}) {
		t.Errorf("sum of two loud frames = %v, want clipped to 32767", got)
	}
	// one side alone: held back until it runs 5 frames ahead, then passed through
	for i := range 6 {
		m.In().HandlePCM([]int16{int16(i + 1)})
	}
	if got := out.snapshot()[4:]; !equalPCM(got, []int16{1}) {
		t.Errorf("one-sided output %v, want [1] after the backlog fills", got)
	}
}
