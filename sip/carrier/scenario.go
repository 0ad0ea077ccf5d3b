package carrier

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Scenario says how the simulated carrier treats calls. Probabilities are relative
// weights of what happens to a call (answer, busy, no answer, failure); they need not
// sum to 1. Durations are in milliseconds as [min, max], drawn uniformly.
type Scenario struct {
	Answer   float64 `json:"answer" yaml:"answer"`
	Busy     float64 `json:"busy" yaml:"busy"`
	NoAnswer float64 `json:"no_answer" yaml:"no_answer"`
	Failure  float64 `json:"failure" yaml:"failure"`
	// FailureCodes are the final codes of failed calls, picked uniformly (default 503).
	FailureCodes []int `json:"failure_codes,omitempty" yaml:"failure_codes,omitempty"`
	// RingMS is the ring time before an answer or busy: [min, max] ms.
	RingMS [2]int `json:"ring_ms" yaml:"ring_ms"`
	// NoAnswerMS is how long an unanswered call rings before the carrier gives up with
	// 480, if the caller has not cancelled first: [min, max] ms (default 60000).
	NoAnswerMS [2]int `json:"no_answer_ms,omitempty" yaml:"no_answer_ms,omitempty"`
	// TalkMS is how long an answered call lasts before the carrier hangs up (when it is
	// the carrier's turn to) or stops waiting for the caller's BYE.
	TalkMS [2]int `json:"talk_ms" yaml:"talk_ms"`
	// Machine is the share of answered calls that play machine audio (else human).
	Machine float64 `json:"machine" yaml:"machine"`
	// CarrierHangup is the share of answered calls the carrier ends with BYE after the
	// talk time; the rest wait for the caller's BYE.
	CarrierHangup float64 `json:"carrier_hangup" yaml:"carrier_hangup"`
	// EarlyMedia is the share of calls that send 183 with SDP before ringing ends.
	EarlyMedia float64 `json:"early_media,omitempty" yaml:"early_media,omitempty"`
	// DTMFEcho sends every digit received back to the caller.
	DTMFEcho bool `json:"dtmf_echo" yaml:"dtmf_echo"`
	// Press are DTMF digits a live (human) callee presses, PressMS after the answer: an
	// IVR menu being answered. Empty: nobody presses anything.
	Press   string `json:"press,omitempty" yaml:"press,omitempty"`
	PressMS [2]int `json:"press_ms,omitempty" yaml:"press_ms,omitempty"`
}

// DefaultScenario answers most calls after a few seconds of ringing.
func DefaultScenario() Scenario {
	return Scenario{
		Answer: 0.6, Busy: 0.15, NoAnswer: 0.15, Failure: 0.1,
		FailureCodes: []int{503, 404},
		RingMS:       [2]int{1000, 6000}, NoAnswerMS: [2]int{60000, 60000}, TalkMS: [2]int{5000, 30000},
		Machine: 0.3, CarrierHangup: 0.5, DTMFEcho: true,
	}
}

// Validate reports every problem at once, naming the field.
func (s Scenario) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: field %s: %s", ErrInvalidScenario, field, fmt.Sprintf(format, args...)))
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"answer", s.Answer}, {"busy", s.Busy}, {"no_answer", s.NoAnswer}, {"failure", s.Failure}} {
		if p.v < 0 {
			bad(p.name, "%g is negative; weights are 0 or more", p.v)
		}
	}
	if s.Answer+s.Busy+s.NoAnswer+s.Failure <= 0 {
		bad("answer/busy/no_answer/failure", "all weights are 0; give at least one a positive weight")
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"machine", s.Machine}, {"carrier_hangup", s.CarrierHangup}, {"early_media", s.EarlyMedia}} {
		if p.v < 0 || p.v > 1 {
			bad(p.name, "%g is not a share between 0 and 1", p.v)
		}
	}
	for _, r := range []struct {
		name string
		v    [2]int
	}{{"ring_ms", s.RingMS}, {"no_answer_ms", s.NoAnswerMS}, {"talk_ms", s.TalkMS}} {
		if r.v[0] < 0 || r.v[1] < r.v[0] {
			bad(r.name, "%v is not [min, max] with 0 <= min <= max", r.v)
		}
	}
	for _, c := range s.FailureCodes {
		if c < 400 || c > 699 {
			bad("failure_codes", "%d is not a final failure code (400-699)", c)
		}
	}
	return errors.Join(errs...)
}

// LoadScenario reads a scenario from a YAML or JSON file (by extension; YAML otherwise).
// Fields left out keep DefaultScenario's values.
func LoadScenario(path string) (Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Scenario{}, fmt.Errorf("%w: %v", ErrInvalidScenario, err)
	}
	s := DefaultScenario()
	if strings.EqualFold(filepath.Ext(path), ".json") {
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		err = dec.Decode(&s)
	} else {
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true)
		err = dec.Decode(&s)
	}
	if err != nil {
		return Scenario{}, fmt.Errorf("%w: %s: %v", ErrInvalidScenario, path, err)
	}
	return s, s.Validate()
}

// Kind is what the carrier does with one call.
type Kind string

// Kinds of plan.
const (
	KindAnswer   Kind = "answer"
	KindBusy     Kind = "busy"
	KindNoAnswer Kind = "no_answer"
	KindFailure  Kind = "failure"
)

// Plan is what the carrier does with one call, drawn from the scenario.
type Plan struct {
	N             uint64        `json:"n"`
	Kind          Kind          `json:"kind"`
	Code          int           `json:"code"` // final code for busy (486), no answer (480), failure
	Ring          time.Duration `json:"ring"`
	Talk          time.Duration `json:"talk,omitempty"`
	Machine       bool          `json:"machine,omitempty"`
	CarrierHangup bool          `json:"carrier_hangup,omitempty"`
	EarlyMedia    bool          `json:"early_media,omitempty"`
	// Pick chooses the audio file among those available (index modulo their number).
	Pick uint32 `json:"-"`
	// Press are digits the callee presses PressAt after the answer (Scenario.Press).
	Press   string        `json:"press,omitempty"`
	PressAt time.Duration `json:"press_at,omitempty"`
}

// Plan returns the plan of the n-th call (0-based) under seed: the same seed and n give
// the same plan, whatever else happens.
func (s Scenario) Plan(seed, n uint64) Plan {
	r := rand.New(rand.NewPCG(seed, n))
	p := Plan{N: n}
	total := s.Answer + s.Busy + s.NoAnswer + s.Failure
	x := r.Float64() * total
	switch {
	case x < s.Answer:
		p.Kind, p.Code = KindAnswer, 200
	case x < s.Answer+s.Busy:
		p.Kind, p.Code = KindBusy, 486
	case x < s.Answer+s.Busy+s.NoAnswer:
		p.Kind, p.Code = KindNoAnswer, 480
	default:
		p.Kind, p.Code = KindFailure, 503
		if len(s.FailureCodes) > 0 {
			p.Code = s.FailureCodes[r.IntN(len(s.FailureCodes))]
		}
	}
	p.Ring = between(r, s.RingMS)
	if p.Kind == KindNoAnswer {
		na := s.NoAnswerMS
		if na == [2]int{} {
			na = [2]int{60000, 60000}
		}
		p.Ring = between(r, na)
	}
	p.Talk = between(r, s.TalkMS)
	p.Machine = r.Float64() < s.Machine
	p.CarrierHangup = r.Float64() < s.CarrierHangup
	p.EarlyMedia = r.Float64() < s.EarlyMedia
	p.Pick = r.Uint32()
	if s.Press != "" && p.Kind == KindAnswer && !p.Machine {
		p.Press, p.PressAt = s.Press, between(r, s.PressMS)
	}
	if p.Kind != KindAnswer {
		p.Talk, p.Machine, p.CarrierHangup = 0, false, false
	}
	return p
}

func between(r *rand.Rand, ms [2]int) time.Duration {
	lo, hi := ms[0], ms[1]
	if hi <= lo {
		return time.Duration(lo) * time.Millisecond
	}
	return time.Duration(lo+r.IntN(hi-lo+1)) * time.Millisecond
}
