package eval

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/outdial/outdial/amd"
)

func TestZZTune(t *testing.T) {
	m := os.Getenv("TUNE_MANIFEST")
	if m == "" {
		t.Skip()
	}
	f, _ := os.Open(m)
	calls, err := ReadManifest(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var ps []Preset
	for _, spec := range strings.Split(os.Getenv("TUNE_PRESETS"), ";") {
		p, _ := amd.Preset(amd.PresetDefault)
		if spec != "" {
			if err := p.SetAll(strings.Split(spec, ",")); err != nil {
				t.Fatal(err)
			}
		}
		ps = append(ps, Preset{spec, p})
	}
	res, err := Run(context.Background(), os.DirFS(filepath.Dir(m)), calls, ps)
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("TUNE_MISSES") != "" {
		WriteMisses(os.Stdout, res)
	}
	WriteTable(os.Stdout, res.Reports())
}
