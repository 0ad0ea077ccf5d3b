package carrier_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/outdial/outdial/sip/carrier"
)

func TestPlanIsSeeded(t *testing.T) {
	s := carrier.DefaultScenario()
	for n := uint64(0); n < 50; n++ {
		if a, b := s.Plan(42, n), s.Plan(42, n); a != b {
			t.Fatalf("plan %d differs between runs: %+v vs %+v", n, a, b)
		}
	}
	same := 0
	for n := uint64(0); n < 50; n++ {
		if s.Plan(1, n) == s.Plan(2, n) {
			same++
		}
	}
	if same == 50 {
		t.Error("seeds 1 and 2 give the same 50 plans")
	}
}

func TestPlanFollowsWeights(t *testing.T) {
	s := carrier.Scenario{Answer: 5, Busy: 2, NoAnswer: 2, Failure: 1, FailureCodes: []int{404, 503},
		RingMS: [2]int{100, 200}, TalkMS: [2]int{1000, 2000}, Machine: 0.25, CarrierHangup: 0.5}
	const n = 20000
	counts := map[carrier.Kind]int{}
	machine, answered := 0, 0
	for i := uint64(0); i < n; i++ {
		p := s.Plan(7, i)
		counts[p.Kind]++
		if p.Kind != carrier.KindNoAnswer && (p.Ring < 100e6 || p.Ring > 200e6) {
			t.Fatalf("ring %v outside [100ms, 200ms]", p.Ring)
		}
		if p.Kind == carrier.KindAnswer {
			answered++
			if p.Machine {
				machine++
			}
			if p.Talk < 1e9 || p.Talk > 2e9 {
				t.Fatalf("talk %v outside [1s, 2s]", p.Talk)
			}
		}
		if p.Kind == carrier.KindFailure && p.Code != 404 && p.Code != 503 {
			t.Fatalf("failure code %d not in failure_codes", p.Code)
		}
	}
	want := map[carrier.Kind]float64{carrier.KindAnswer: 0.5, carrier.KindBusy: 0.2, carrier.KindNoAnswer: 0.2, carrier.KindFailure: 0.1}
	for k, w := range want {
		if got := float64(counts[k]) / n; math.Abs(got-w) > 0.02 {
			t.Errorf("%s share = %.3f, want %.2f", k, got, w)
		}
	}
	if got := float64(machine) / float64(answered); math.Abs(got-0.25) > 0.02 {
		t.Errorf("machine share = %.3f, want 0.25", got)
	}
}

func TestScenarioValidate(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*carrier.Scenario)
		field string
	}{
		{"negative weight", func(s *carrier.Scenario) { s.Busy = -1 }, "field busy"},
		{"all zero", func(s *carrier.Scenario) { *s = carrier.Scenario{} }, "all weights are 0"},
		{"share above 1", func(s *carrier.Scenario) { s.Machine = 1.5 }, "field machine"},
		{"range reversed", func(s *carrier.Scenario) { s.RingMS = [2]int{500, 100} }, "field ring_ms"},
		{"bad failure code", func(s *carrier.Scenario) { s.FailureCodes = []int{200} }, "field failure_codes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := carrier.DefaultScenario()
			tc.edit(&s)
			err := s.Validate()
			if !errors.Is(err, carrier.ErrInvalidScenario) || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("err = %v, want ErrInvalidScenario naming %q", err, tc.field)
			}
		})
	}
}

func TestLoadScenario(t *testing.T) {
	s, err := carrier.LoadScenario(filepath.Join("..", "..", "configs", "carrier.yaml"))
	if err != nil {
		t.Fatalf("example scenario: %v", err)
	}
	if s.Answer <= 0 {
		t.Errorf("example scenario answers nothing: %+v", s)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("answer: 1\nanswr: 2\n"), 0o644)
	if _, err := carrier.LoadScenario(bad); !errors.Is(err, carrier.ErrInvalidScenario) || !strings.Contains(err.Error(), "answr") {
		t.Errorf("unknown field: err = %v, want ErrInvalidScenario naming answr", err)
	}
	js := filepath.Join(dir, "s.json")
	os.WriteFile(js, []byte(`{"answer": 1, "busy": 0, "no_answer": 0, "failure": 0}`), 0o644)
	if s, err := carrier.LoadScenario(js); err != nil || s.Plan(1, 0).Kind != carrier.KindAnswer {
		t.Errorf("json scenario: %+v, %v", s, err)
	}
}
