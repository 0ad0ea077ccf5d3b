package wav

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDecodeFiles(t *testing.T) {
	tests := []struct {
		file    string
		format  int
		samples int
		err     error
		inMsg   []string
	}{
		{"pcm16.wav", FormatPCM, 400, nil, nil},
		{"ulaw.wav", FormatMuLaw, 400, nil, nil},
		{"alaw.wav", FormatALaw, 400, nil, nil},
		{"stereo.wav", 0, 0, ErrUnsupported, []string{"2 channel(s)", "need 1 channel"}},
		{"rate16k.wav", 0, 0, ErrUnsupported, []string{"16000 Hz", "need 8000 Hz"}},
		{"float.wav", 0, 0, ErrUnsupported, []string{"IEEE float"}},
		{"pcm8.wav", 0, 0, ErrUnsupported, []string{"PCM, 8 bit", "needs 16 bit"}},
		{"gsm.wav", 0, 0, ErrUnsupported, []string{"GSM 6.10"}},
		{"mp3.wav", 0, 0, ErrNotWAV, []string{"shorter than a RIFF header"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			a, err := Decode(bytes.NewReader(b), 0)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("got %v, want %v", err, tt.err)
				}
				for _, s := range tt.inMsg {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not mention %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Format != tt.format || len(a.Samples) != tt.samples {
				t.Fatalf("got format %d, %d samples; want %d, %d", a.Format, len(a.Samples), tt.format, tt.samples)
			}
			// a 1 kHz sine at -6 dBFS: the peak is near 16384 in every encoding
			peak := 0
			for _, s := range a.Samples {
				peak = max(peak, int(s), -int(s))
			}
			if peak < 15000 || peak > 17500 {
				t.Errorf("peak %d, want about 16400", peak)
			}
		})
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	in := make([]int16, 1001) // odd length exercises the pad byte
	for i := range in {
		in[i] = int16((i*37)%20000 - 10000)
	}
	for _, f := range []int{FormatPCM, FormatMuLaw, FormatALaw} {
		var buf bytes.Buffer
		if err := Encode(&buf, in, f); err != nil {
			t.Fatal(err)
		}
		a, err := Decode(&buf, 0)
		if err != nil {
			t.Fatalf("%s: %v", FormatName(f), err)
		}
		if a.Format != f || len(a.Samples) != len(in) {
			t.Fatalf("%s: format %d, %d samples", FormatName(f), a.Format, len(a.Samples))
		}
		for i := range in {
			d := int(a.Samples[i]) - int(in[i])
			tol := 0
			if f != FormatPCM {
				tol = 8 + abs(int(in[i]))/16 // G.711 steps grow with the level
			}
			if abs(d) > tol {
				t.Fatalf("%s: sample %d: %d became %d", FormatName(f), i, in[i], a.Samples[i])
			}
		}
	}
	if err := Encode(&bytes.Buffer{}, in, 3); !errors.Is(err, ErrUnsupported) {
		t.Errorf("float encode: %v", err)
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// build assembles a RIFF file from chunks.
func build(chunks ...[]byte) []byte {
	var body []byte
	body = append(body, "WAVE"...)
	for _, c := range chunks {
		body = append(body, c...)
	}
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	return append(out, body...)
}

func chunk(id string, data []byte, size int) []byte {
	c := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(size))...)
	c = append(c, data...)
	if len(data)%2 == 1 {
		c = append(c, 0)
	}
	return c
}

func fmtData(tag, channels, rate, bits int) []byte {
	b := binary.LittleEndian.AppendUint16(nil, uint16(tag))
	b = binary.LittleEndian.AppendUint16(b, uint16(channels))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate*channels*bits/8))
	b = binary.LittleEndian.AppendUint16(b, uint16(channels*bits/8))
	return binary.LittleEndian.AppendUint16(b, uint16(bits))
}

func TestDecodeLayouts(t *testing.T) {
	fmtOK := chunk("fmt ", fmtData(FormatMuLaw, 1, 8000, 8), 16)
	data := chunk("data", []byte{0xFF, 0x7F, 0x80, 0x00, 0x55}, 5)
	ext := fmtData(formatExtensible, 1, 8000, 8)
	ext = binary.LittleEndian.AppendUint16(ext, 22)
	ext = binary.LittleEndian.AppendUint16(ext, 8)
	ext = binary.LittleEndian.AppendUint32(ext, 4)
	ext = append(ext, 7, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71)
	tests := []struct {
		name    string
		file    []byte
		samples int
		err     error
	}{
		{"list chunk before fmt", build(chunk("LIST", []byte("INFOabc"), 7), fmtOK, data), 5, nil},
		{"extensible mu-law", build(chunk("fmt ", ext, 40), data), 5, nil},
		{"streamed, size 0", build(fmtOK, chunk("data", []byte{1, 2, 3, 4}, 0)), 4, nil},
		{"data shorter than declared", build(fmtOK, chunk("data", []byte{1, 2, 3, 4}, 1000)), 4, nil},
		{"data before fmt", build(data, fmtOK), 0, ErrMalformed},
		{"no data", build(fmtOK), 0, ErrMalformed},
		{"no fmt", build(), 0, ErrMalformed},
		{"tiny fmt", build(chunk("fmt ", []byte{1, 0}, 2), data), 0, ErrMalformed},
		{"truncated chunk", build(fmtOK, chunk("junk", []byte{1}, 99)), 0, ErrMalformed},
		{"not RIFF", []byte("RIFX\x00\x00\x00\x00WAVEfmt "), 0, ErrNotWAV},
		{"empty", nil, 0, ErrNotWAV},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Decode(bytes.NewReader(tt.file), 0)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("got %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Samples) != tt.samples {
				t.Errorf("%d samples, want %d", len(a.Samples), tt.samples)
			}
		})
	}
}

func TestDecodeLimit(t *testing.T) {
	var buf bytes.Buffer
	if err := Encode(&buf, make([]int16, 800), FormatPCM); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if _, err := Decode(bytes.NewReader(b), 799); !errors.Is(err, ErrTooLarge) {
		t.Errorf("799-sample limit: got %v", err)
	}
	if a, err := Decode(bytes.NewReader(b), 800); err != nil || len(a.Samples) != 800 {
		t.Errorf("800-sample limit: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.wav"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := Decode(bytes.NewReader(b), 1<<16)
		if err != nil {
			if a != nil {
				t.Fatal("audio returned with an error")
			}
			return
		}
		if len(a.Samples) > 1<<16 {
			t.Fatalf("%d samples over the limit", len(a.Samples))
		}
	})
}
