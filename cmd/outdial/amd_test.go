package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/outdial/outdial/media"
)

// segment is a stretch of a generated call: a sine at hz (0: no tone) of amp over low
// noise (noise false: digital silence).
type segment struct {
	ms    int
	hz    float64
	amp   float64
	noise bool
}

// writeCall renders segments to an 8 kHz PCM16 WAV with media's writer.
func writeCall(t *testing.T, dir, name string, segs ...segment) string {
	t.Helper()
	var s []int16
	r := uint32(1)
	for _, g := range segs {
		for i := range g.ms * 8 {
			v := g.amp * math.Sin(2*math.Pi*g.hz*float64(i)/8000)
			if g.noise {
				r = r*1664525 + 1013904223
				v += float64(int32(r) >> 26) // about ±32: a quiet line
			}
			s = append(s, int16(v))
		}
	}
	path := filepath.Join(dir, name)
	w, err := media.CreateWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	w.HandlePCM(s)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// stereoWAV writes a 16-bit 8 kHz two-channel WAV header with a little data.
func stereoWAV(t *testing.T, dir string) string {
	t.Helper()
	b := []byte("RIFF")
	b = binary.LittleEndian.AppendUint32(b, 36+8)
	b = append(b, "WAVEfmt "...)
	b = binary.LittleEndian.AppendUint32(b, 16) // fmt chunk size
	b = binary.LittleEndian.AppendUint16(b, 1)  // PCM
	b = binary.LittleEndian.AppendUint16(b, 2)  // channels
	b = binary.LittleEndian.AppendUint32(b, 8000)
	b = binary.LittleEndian.AppendUint32(b, 8000*4)
	b = binary.LittleEndian.AppendUint16(b, 4)
	b = binary.LittleEndian.AppendUint16(b, 16)
	b = append(b, "data"...)
	b = binary.LittleEndian.AppendUint32(b, 8)
	b = append(b, make([]byte, 8)...)
	path := filepath.Join(dir, "stereo.wav")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestAMDClassify(t *testing.T) {
	dir := t.TempDir()
	quiet := segment{ms: 1000, noise: true}
	beep := writeCall(t, dir, "beep.wav", quiet, segment{ms: 400, hz: 1000, amp: 8000, noise: true}, segment{ms: 2000, noise: true})
	silent := writeCall(t, dir, "silent.wav", segment{ms: 3000, noise: true})
	zeros := writeCall(t, dir, "zeros.wav", segment{ms: 3000})
	stereo := stereoWAV(t, dir)

	tests := []struct {
		name     string
		args     []string
		code     int
		lines    []map[string]any // fields each JSON line must have, in file order
		inErrOut []string
	}{
		{
			name: "beep, silent pick-up, digital silence",
			args: []string{beep, silent, zeros},
			lines: []map[string]any{
				// the beep (1000-1400 ms) ends the greeting; it is known to be over two frames
				// later (one lost frame inside a beep is tolerated)
				{"file": beep, "result": "MACHINE_END", "cause": "BEEP", "tone": "beep", "beep_ms": 1000.0, "beep_end_ms": 1400.0, "decision_ms": 1440.0},
				{"file": silent, "result": "HUMAN", "cause": "INITIALSILENCE", "tone": "", "beep_ms": nil, "beep_end_ms": nil, "decision_ms": 2500.0},
				{"file": zeros, "result": "NOTSURE", "cause": "NOAUDIO", "tone": "", "beep_ms": nil},
			},
		},
		{
			name:  "asterisk calls a silent pick-up a machine",
			args:  []string{"--preset", "asterisk", silent},
			lines: []map[string]any{{"file": silent, "result": "MACHINE", "cause": "INITIALSILENCE", "decision_ms": 2500.0}},
		},
		{
			name:     "wrong format: one error line, the others still classified",
			args:     []string{stereo, silent},
			code:     1,
			lines:    []map[string]any{{"file": stereo, "result": "", "error": nil}, {"file": silent, "result": "HUMAN"}},
			inErrOut: []string{"stereo.wav", "2 channel(s)", "need 8000 Hz mono", "1 of 2 files could not be read"},
		},
		{
			name:     "missing file",
			args:     []string{filepath.Join(dir, "none.wav")},
			code:     1,
			lines:    []map[string]any{{"file": filepath.Join(dir, "none.wav"), "result": ""}},
			inErrOut: []string{"none.wav", "no such file"},
		},
		{name: "unknown preset", args: []string{"--preset", "nope", silent}, code: 2, inErrOut: []string{`"nope"`, "default, asterisk"}},
		{name: "bad --set", args: []string{"--set", "greeting=abc", silent}, code: 2, inErrOut: []string{"greeting", "whole number"}},
		{name: "no files", args: nil, code: 2, inErrOut: []string{"at least one WAV file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, append([]string{"amd", "classify"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, errOut)
			}
			for _, s := range tt.inErrOut {
				if !strings.Contains(errOut, s) {
					t.Errorf("stderr does not mention %q:\n%s", s, errOut)
				}
			}
			var got []map[string]any
			sc := bufio.NewScanner(strings.NewReader(out))
			for sc.Scan() {
				var m map[string]any
				if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
					t.Fatalf("line %q is not JSON: %v", sc.Text(), err)
				}
				got = append(got, m)
			}
			if len(got) != len(tt.lines) {
				t.Fatalf("%d JSON lines, want %d:\n%s", len(got), len(tt.lines), out)
			}
			for i, want := range tt.lines {
				for k, v := range want {
					if k == "error" { // present and non-empty
						if s, _ := got[i][k].(string); s == "" {
							t.Errorf("line %d: no error field: %v", i, got[i])
						}
						continue
					}
					if g, ok := got[i][k]; !ok || g != v {
						t.Errorf("line %d: %s = %v (present %t), want %v", i, k, g, ok, v)
					}
				}
			}
		})
	}
}
