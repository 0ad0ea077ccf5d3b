package engine_test

import (
	"path/filepath"
	"testing"

	"github.com/outdial/outdial/amd"
	"github.com/outdial/outdial/campaign/engine/enginetest"
	"github.com/outdial/outdial/media"
)

// TestCallAudio checks that the carrier's synthetic audio classifies as intended, so
// that the end-to-end tests can hold the engine to the carrier's plans.
func TestCallAudio(t *testing.T) {
	dir := enginetest.CallAudio(t)
	for _, tc := range []struct {
		file string
		want []amd.Result
	}{
		{"human/hello.wav", []amd.Result{amd.Human}},
		// The beep comes before a decision: MACHINE_END is the only report.
		{"machine/greeting.wav", []amd.Result{amd.MachineEnd}},
	} {
		w, err := media.LoadWAV(filepath.Join(dir, tc.file))
		if err != nil {
			t.Fatal(err)
		}
		p, _ := amd.Preset(amd.PresetDefault)
		p.DetectMessageEnd = true
		d, err := amd.New(p)
		if err != nil {
			t.Fatal(err)
		}
		var got []amd.Result
		for i := 0; i+160 <= len(w.Samples); i += 160 {
			if dec, ok := d.Feed(w.Samples[i : i+160]); ok {
				got = append(got, dec.Result)
				t.Logf("%s: %v", tc.file, dec)
			}
		}
		if len(got) != len(tc.want) || got[0] != tc.want[0] {
			t.Errorf("%s: decisions %v, want %v", tc.file, got, tc.want)
		}
	}
}
