package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/outdial/outdial/pacing"
)

// Scenario is one simulation set-up, decoded from JSON. Unknown keys are errors. Times
// are in seconds. See docs/pacing.md for the format.
type Scenario struct {
	// Name and Description are free text, echoed in results.
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`

	Agents int        `json:"agents"`  // agents logged in at the start
	ShiftS float64    `json:"shift_s"` // simulated time
	Seeds  []uint64   `json:"seeds"`   // one run per seed and mode
	Modes  []ModeSpec `json:"modes"`

	Outcomes     Outcomes `json:"outcomes"`       // what a dial ends in
	RingS        DistSpec `json:"ring_s"`         // dial to human answer
	RingTimeoutS float64  `json:"ring_timeout_s"` // no answer after this

	AMDS            float64 `json:"amd_s"`             // detection time after answer; 0: no AMD
	AMDFalseMachine float64 `json:"amd_false_machine"` // P(human classed as machine)
	AMDFalseHuman   float64 `json:"amd_false_human"`   // P(machine classed as human)

	TalkS             DistSpec `json:"talk_s"`
	WrapS             float64  `json:"wrap_s"`
	GraceS            float64  `json:"grace_s"`             // 0: 2 s
	CustomerPatienceS DistSpec `json:"customer_patience_s"` // how long a human waits in silence

	Drift        []Drift       `json:"drift,omitempty"`         // outcome changes over time
	AgentChanges []AgentChange `json:"agent_changes,omitempty"` // logins and logouts

	// Optional extras.
	Compliance     string  `json:"compliance,omitempty"`       // "us" (default) or "uk"
	MappedPerAgent int     `json:"mapped_per_agent,omitempty"` // mapped customers per agent at start
	PreviewS       float64 `json:"preview_s,omitempty"`        // preview think time (default 10)
	TrunkChannels  int     `json:"trunk_channels,omitempty"`   // 0: unlimited
	CPS            float64 `json:"cps,omitempty"`              // 0: unlimited

	// Pacer tunes the pacer of every run (not part of the JSON); its Rand is replaced
	// by one seeded from the run's seed.
	Pacer pacing.Config `json:"-"`
}

// ModeSpec is one dialing mode to run.
type ModeSpec struct {
	Mode             string  `json:"mode"`
	Ratio            float64 `json:"ratio,omitempty"`               // power
	AbandonTarget    float64 `json:"abandon_target,omitempty"`      // predictive (default 0.03)
	MaxLinesPerAgent float64 `json:"max_lines_per_agent,omitempty"` // predictive (default 3)
	MaxConcurrent    int     `json:"max_concurrent,omitempty"`      // agentless
	// FullRing (predictive) lets every call ring until ring_timeout_s: no late-call
	// cuts (pacing.Config.FullRing).
	FullRing bool `json:"full_ring,omitempty"`
}

// Outcomes are the shares of dials ending in each way; they must add up to 1.
type Outcomes struct {
	Human    float64 `json:"human"`
	Machine  float64 `json:"machine"`
	Busy     float64 `json:"busy"`
	NoAnswer float64 `json:"no_answer"`
}

// DistSpec describes a distribution: {"dist": "lognormal", "median": m, "sigma": s},
// {"dist": "lognormal", "mean": m, "cv": c}, {"dist": "exponential", "mean": m},
// {"dist": "fixed", "value": v} or {"dist": "uniform", "min": a, "max": b}.
type DistSpec struct {
	Dist   string  `json:"dist"`
	Median float64 `json:"median,omitempty"`
	Sigma  float64 `json:"sigma,omitempty"`
	Mean   float64 `json:"mean,omitempty"`
	CV     float64 `json:"cv,omitempty"`
	Value  float64 `json:"value,omitempty"`
	Min    float64 `json:"min,omitempty"`
	Max    float64 `json:"max,omitempty"`
}

// Drift changes the outcome shares at a point of the shift.
type Drift struct {
	AtS      float64  `json:"at_s"`
	Outcomes Outcomes `json:"outcomes"`
}

// AgentChange sets the number of logged-in agents at a point of the shift. Agents
// above the new count log out as soon as they finish their current call.
type AgentChange struct {
	AtS    float64 `json:"at_s"`
	Agents int     `json:"agents"`
}

// Decode reads one scenario, rejecting unknown keys and trailing data, and validates it.
func Decode(r io.Reader) (*Scenario, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var s Scenario
	if err := dec.Decode(&s); err != nil {
		return nil, decodeError(err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the scenario object; keep one JSON object per file", ErrScenario)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// DecodeBytes is Decode on a byte slice.
func DecodeBytes(b []byte) (*Scenario, error) { return Decode(bytes.NewReader(b)) }

func decodeError(err error) error {
	msg := err.Error()
	if k, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return fmt.Errorf("%w: unknown key %s; see docs/pacing.md for the keys a scenario takes", ErrScenario, k)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("%w: key %q: got JSON %s, want %s", ErrScenario, te.Field, te.Value, te.Type)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%w: JSON syntax error at byte %d: %v", ErrScenario, se.Offset, err)
	}
	return fmt.Errorf("%w: %v", ErrScenario, err)
}

func bad(key string, v any, fix string) error {
	return fmt.Errorf("%w: %s = %v: %s", ErrScenario, key, v, fix)
}

// Validate checks every field and names the first wrong one and its fix.
func (s *Scenario) Validate() error {
	if s.Agents < 0 || s.Agents > 100000 {
		return bad("agents", s.Agents, "use 0 to 100000")
	}
	if !(s.ShiftS > 0) || s.ShiftS > 30*86400 {
		return bad("shift_s", s.ShiftS, "use a positive number of seconds up to 30 days")
	}
	if len(s.Seeds) == 0 {
		return bad("seeds", s.Seeds, "list at least one seed, e.g. [1,2,3]")
	}
	if len(s.Modes) == 0 {
		return bad("modes", "[]", `list at least one mode, e.g. [{"mode":"progressive"}]`)
	}
	for i, m := range s.Modes {
		key := fmt.Sprintf("modes[%d]", i)
		mode, err := pacing.ParseMode(m.Mode)
		if err != nil {
			return bad(key+".mode", m.Mode, "use agentless, progressive, power, preview or predictive")
		}
		if mode == pacing.Power && m.Ratio != 0 && (m.Ratio < 1 || m.Ratio > 10) {
			return bad(key+".ratio", m.Ratio, "use 1 to 10 (default 2)")
		}
		if m.AbandonTarget < 0 || m.AbandonTarget > 0.5 {
			return bad(key+".abandon_target", m.AbandonTarget, "use a fraction such as 0.03")
		}
		if m.MaxLinesPerAgent < 0 || m.MaxLinesPerAgent > 20 {
			return bad(key+".max_lines_per_agent", m.MaxLinesPerAgent, "use 1 to 20 (default 3)")
		}
		if m.MaxConcurrent < 0 {
			return bad(key+".max_concurrent", m.MaxConcurrent, "use a positive number")
		}
	}
	if err := s.Outcomes.validate("outcomes"); err != nil {
		return err
	}
	for i, d := range s.Drift {
		if d.AtS < 0 {
			return bad(fmt.Sprintf("drift[%d].at_s", i), d.AtS, "use seconds from the shift start")
		}
		if err := d.Outcomes.validate(fmt.Sprintf("drift[%d].outcomes", i)); err != nil {
			return err
		}
	}
	for i, c := range s.AgentChanges {
		if c.AtS < 0 || c.Agents < 0 {
			return bad(fmt.Sprintf("agent_changes[%d]", i), fmt.Sprintf("at_s %v agents %d", c.AtS, c.Agents), "use non-negative numbers")
		}
	}
	if _, err := s.RingS.dist("ring_s"); err != nil {
		return err
	}
	if _, err := s.TalkS.dist("talk_s"); err != nil {
		return err
	}
	if s.CustomerPatienceS.Dist != "" {
		if _, err := s.CustomerPatienceS.dist("customer_patience_s"); err != nil {
			return err
		}
	}
	if !(s.RingTimeoutS > 0) {
		return bad("ring_timeout_s", s.RingTimeoutS, "use a positive number of seconds (15 or more for US/UK rules)")
	}
	for _, f := range []struct {
		key string
		v   float64
	}{{"amd_s", s.AMDS}, {"wrap_s", s.WrapS}, {"grace_s", s.GraceS}, {"preview_s", s.PreviewS}, {"cps", s.CPS}} {
		if f.v < 0 || math.IsNaN(f.v) {
			return bad(f.key, f.v, "use a non-negative number")
		}
	}
	for _, f := range []struct {
		key string
		v   float64
	}{{"amd_false_machine", s.AMDFalseMachine}, {"amd_false_human", s.AMDFalseHuman}} {
		if f.v < 0 || f.v > 1 {
			return bad(f.key, f.v, "use a probability from 0 to 1")
		}
	}
	switch s.Compliance {
	case "", "us", "uk":
	default:
		return bad("compliance", s.Compliance, `use "us" or "uk"`)
	}
	if s.MappedPerAgent < 0 || s.TrunkChannels < 0 {
		return bad("mapped_per_agent/trunk_channels", "negative", "use non-negative numbers")
	}
	return nil
}

func (o Outcomes) validate(key string) error {
	for _, v := range []float64{o.Human, o.Machine, o.Busy, o.NoAnswer} {
		if v < 0 || v > 1 || math.IsNaN(v) {
			return bad(key, fmt.Sprintf("%+v", o), "each share must be from 0 to 1")
		}
	}
	if sum := o.Human + o.Machine + o.Busy + o.NoAnswer; math.Abs(sum-1) > 1e-3 {
		return bad(key, fmt.Sprintf("sum %.4f", sum), "human + machine + busy + no_answer must add up to 1")
	}
	return nil
}

func (d DistSpec) dist(key string) (pacing.Dist, error) {
	switch d.Dist {
	case "lognormal":
		switch {
		case d.Median > 0 && d.Sigma >= 0 && d.Mean == 0:
			return pacing.Lognormal(d.Median, d.Sigma), nil
		case d.Mean > 0 && d.CV >= 0 && d.Median == 0:
			return pacing.LognormalMeanCV(d.Mean, d.CV), nil
		}
		return pacing.Dist{}, bad(key, fmt.Sprintf("%+v", d), `give "median" and "sigma", or "mean" and "cv", all positive`)
	case "exponential":
		if d.Mean > 0 {
			return pacing.Exponential(d.Mean), nil
		}
		return pacing.Dist{}, bad(key+".mean", d.Mean, "use a positive mean")
	case "fixed":
		if d.Value >= 0 {
			return pacing.Fixed(d.Value), nil
		}
		return pacing.Dist{}, bad(key+".value", d.Value, "use a non-negative value")
	case "uniform":
		if d.Min >= 0 && d.Max >= d.Min {
			return pacing.Uniform(d.Min, d.Max), nil
		}
		return pacing.Dist{}, bad(key, fmt.Sprintf("min %v max %v", d.Min, d.Max), "use 0 <= min <= max")
	}
	return pacing.Dist{}, bad(key+".dist", d.Dist, "use lognormal, exponential, fixed or uniform")
}
