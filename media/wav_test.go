package media_test

import (
	"bytes"
	"context"
	"encoding/binary"
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

// TestReadWAVFiles reads files written by sox (testdata/formats): the three accepted
// encodings decode to a 1 kHz sine at -6 dBFS, every other layout is refused with an
// error naming what the file holds.
func TestReadWAVFiles(t *testing.T) {
	tests := []struct {
		file    string
		format  uint16
		wantErr []string // substrings of the error
	}{
		{"pcm16.wav", 1, nil},
		{"ulaw.wav", 7, nil},
		{"alaw.wav", 6, nil},
		{"stereo.wav", 0, []string{"PCM 16-bit, 8000 Hz, 2 channel(s)", "need 8000 Hz mono"}},
		{"rate16k.wav", 0, []string{"16000 Hz"}},
		{"float.wav", 0, []string{"IEEE float (format code 3)"}},
		{"pcm8.wav", 0, []string{"PCM 8-bit"}},
		{"gsm.wav", 0, []string{"GSM 6.10 (format code 49)"}},
		{"mp3.wav", 0, []string{"shorter than a RIFF header"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			w, err := media.LoadWAV(filepath.Join("testdata", "formats", tt.file))
			if tt.wantErr != nil {
				if !errors.Is(err, media.ErrWAVFormat) {
					t.Fatalf("error %v, want ErrWAVFormat", err)
				}
				for _, s := range append(tt.wantErr, tt.file) {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not mention %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if w.Format.AudioFormat != tt.format || len(w.Samples) != 400 {
				t.Fatalf("format %v, %d samples; want code %d, 400 samples", w.Format, len(w.Samples), tt.format)
			}
			peak := 0
			for _, v := range w.Samples {
				peak = max(peak, abs(int(v)))
			}
			if peak < 15000 || peak > 17500 {
				t.Errorf("peak %d, want about 16400 (a -6 dBFS sine)", peak)
			}
		})
	}
}

// TestReadWAVLayouts covers chunk layouts other writers produce and broken files.
func TestReadWAVLayouts(t *testing.T) {
	chunk := func(id string, size uint32, data []byte) []byte {
		c := append([]byte(id), binary.LittleEndian.AppendUint32(nil, size)...)
		c = append(c, data...)
		if len(data)%2 == 1 {
			c = append(c, 0)
		}
		return c
	}
	riff := func(chunks ...[]byte) []byte {
		body := []byte("WAVE")
		for _, c := range chunks {
			body = append(body, c...)
		}
		return append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...), body...)
	}
	fmtMuLaw := wavBytes(7, 1, 8000, 8, nil)[12:36] // the 24-byte fmt chunk
	data := chunk("data", 5, []byte{0xff, 0x7f, 0x80, 0x00, 0x55})
	// WAVE_FORMAT_EXTENSIBLE: cbSize 22, valid bits, channel mask, sub-format GUID (mu-law)
	ext := append([]byte(nil), fmtMuLaw[8:]...)
	binary.LittleEndian.PutUint16(ext[0:], 0xfffe)
	ext = append(ext, 22, 0, 8, 0, 4, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71)
	tests := []struct {
		name    string
		file    []byte
		samples int
		wantErr string
	}{
		{"LIST before fmt", riff(chunk("LIST", 7, []byte("INFOabc")), fmtMuLaw, data), 5, ""},
		{"extensible mu-law", riff(chunk("fmt ", 40, ext), data), 5, ""},
		{"data shorter than declared", riff(fmtMuLaw, chunk("data", 1000, []byte{1, 2, 3, 4})), 4, ""},
		{"streamed, size 0xffffffff", riff(fmtMuLaw, chunk("data", 0xffffffff, []byte{1, 2, 3, 4})), 4, ""},
		{"data before fmt", riff(data, fmtMuLaw), 0, "data chunk before fmt chunk"},
		{"no fmt", riff(), 0, "no fmt chunk"},
		{"tiny fmt", riff(chunk("fmt ", 2, []byte{1, 0}), data), 0, "fmt chunk of 2 bytes"},
		{"truncated chunk", riff(fmtMuLaw, chunk("junk", 99, []byte{1})), 0, `truncated "junk" chunk`},
		{"RIFX", []byte("RIFX\x00\x00\x00\x00WAVEfmt "), 0, "not a RIFF WAVE file"},
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
			if len(w.Samples) != tt.samples {
				t.Errorf("%d samples, want %d", len(w.Samples), tt.samples)
			}
		})
	}
}
