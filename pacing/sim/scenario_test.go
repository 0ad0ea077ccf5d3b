package sim

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func load(t *testing.T, path string) *Scenario {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return s
}

func TestDecodeRejectsBadScenarios(t *testing.T) {
	tests := []struct {
		file string
		want string // the key or value the error must name
	}{
		{"unknown_top_key.json", `"agentz"`},
		{"unknown_nested_key.json", `"mu"`},
		{"unknown_mode_key.json", `"pacing_ratio"`},
		{"outcomes_sum.json", "outcomes"},
		{"mode_name.json", "modes[0].mode"},
		{"power_ratio.json", "modes[0].ratio"},
		{"dist_name.json", "talk_s.dist"},
		{"no_seeds.json", "seeds"},
		{"shift.json", "shift_s"},
		{"wrong_type.json", `"agents"`},
		{"drift_outcomes.json", "drift[0].outcomes"},
		{"compliance.json", "compliance"},
		{"trailing.json", "trailing data"},
		{"syntax.json", "sim: invalid scenario"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "bad", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			_, err = DecodeBytes(b)
			if !errors.Is(err, ErrScenario) {
				t.Fatalf("error = %v, want ErrScenario", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not name %s", err, tt.want)
			}
		})
	}
}

func TestDecodeExampleScenarios(t *testing.T) {
	files, err := filepath.Glob("../../configs/sim/*.json")
	if err != nil || len(files) < 7 {
		t.Fatalf("example scenarios: %v %v", files, err)
	}
	for _, f := range files {
		s := load(t, f)
		if s.Name == "" || len(s.Modes) == 0 {
			t.Errorf("%s: no name or modes", f)
		}
	}
}
