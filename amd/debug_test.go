package amd

import (
	"fmt"
	"os"
	"testing"

	"github.com/outdial/outdial/amd/wav"
)

// TestDebugDump prints per-frame features of the WAV file named by AMD_DEBUG_WAV. It is
// a tuning aid and does nothing unless that variable is set.
func TestDebugDump(t *testing.T) {
	name := os.Getenv("AMD_DEBUG_WAV")
	if name == "" {
		t.Skip("set AMD_DEBUG_WAV=FILE to dump frame features")
	}
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, err := wav.Decode(f, 0)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := Preset(PresetDefault)
	p.DetectMessageEnd = true
	d, _ := New(p)
	for i := 0; i+FrameSamples <= len(a.Samples); i += FrameSamples {
		st := analyse(a.Samples[i:i+FrameSamples], p.ToneLevel, d.lo, d.hi)
		floor := d.floor.value()
		dec, ok := d.Feed(a.Samples[i : i+FrameSamples])
		mark := ""
		if ok {
			mark = dec.String()
		}
		fmt.Printf("%6d lvl %5.1f floor %5.1f abs %5d zcr %.2f hz %6.0f pur %.2f words %d voice %d run %d %s\n",
			i/8, st.level, floor, st.meanAbs, st.zcr, st.hz, st.purity, d.words, d.voiceMs, d.voiceRun, mark)
	}
}
