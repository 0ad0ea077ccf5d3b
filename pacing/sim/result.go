package sim

import (
	"math"
	"slices"

	"github.com/outdial/outdial/pacing"
)

// Result sums up one mode over all seeds of a scenario. Rates are fractions, times
// seconds. Occupancy and utilisation pool every seed (total talk over total logged-in
// time); the worst day is the highest campaign-day abandonment of any seed.
type Result struct {
	Scenario             string    `json:"scenario,omitempty"`
	Mode                 string    `json:"mode"`
	Ratio                float64   `json:"ratio,omitempty"`
	AbandonTarget        float64   `json:"abandon_target"`
	Agents               int       `json:"agents"`
	Seeds                []uint64  `json:"seeds"`
	Occupancy            float64   `json:"occupancy"`
	Utilisation          float64   `json:"utilisation"`
	AbandonRate          float64   `json:"abandon_rate"`
	AbandonRateWorstDay  float64   `json:"abandon_rate_worst_day"`
	DaysOverTarget       int       `json:"days_over_target"`
	Dials                int       `json:"dials"`
	LiveAnswers          int       `json:"live_answers"`
	LiveConnects         int       `json:"live_connects"`
	Abandons             int       `json:"abandons"`
	AMDDropped           int       `json:"amd_dropped"`
	ConnectsPerAgentHour float64   `json:"connects_per_agent_hour"`
	CustomerWaitP50      float64   `json:"customer_wait_p50_s"`
	CustomerWaitP95      float64   `json:"customer_wait_p95_s"`
	AgentIdleP50         float64   `json:"agent_idle_p50_s"`
	AgentIdleP95         float64   `json:"agent_idle_p95_s"`
	LinesPerAgentMean    float64   `json:"lines_per_agent_mean"`
	FallbackShare        float64   `json:"fallback_share,omitempty"`
	RingCuts             int       `json:"ring_cuts,omitempty"`
	RingCutsLive         int       `json:"ring_cuts_live,omitempty"`
	OccupancyBySeed      []float64 `json:"occupancy_by_seed"`
	WorstDayBySeed       []float64 `json:"abandon_worst_day_by_seed"`
}

// Run runs every mode of the scenario with every seed. All modes of one seed share the
// contacts and their random draws (common random numbers), so they are comparable.
func (s *Scenario) Run() ([]Result, error) {
	out := make([]Result, 0, len(s.Modes))
	for m := range s.Modes {
		res, err := s.RunMode(m)
		if err != nil {
			return nil, err
		}
		out = append(out, res)
	}
	return out, nil
}

// RunMode runs mode index m with every seed and sums the runs up.
func (s *Scenario) RunMode(m int) (Result, error) {
	runs := make([]*RunStats, 0, len(s.Seeds))
	for _, seed := range s.Seeds {
		st, err := s.RunOne(m, seed)
		if err != nil {
			return Result{}, err
		}
		runs = append(runs, st)
	}
	return s.Summarise(m, runs), nil
}

// Target is the abandonment limit a mode is judged against: its own target, or 3%.
func (m ModeSpec) Target() float64 {
	if m.AbandonTarget > 0 {
		return m.AbandonTarget
	}
	return pacing.DefaultTarget
}

// Summarise pools the runs of mode m.
func (s *Scenario) Summarise(m int, runs []*RunStats) Result {
	spec := s.Modes[m]
	res := Result{Scenario: s.Name, Mode: spec.Mode, Ratio: spec.Ratio, AbandonTarget: spec.Target(), Agents: s.Agents}
	var talk, busy, logged, lines float64
	var decisions, fallbacks int
	var waits, idles []float64
	for _, r := range runs {
		res.Seeds = append(res.Seeds, r.Seed)
		talk += r.TalkS
		busy += r.BusyS
		logged += r.LoggedInS
		lines += r.LineS
		decisions += r.Decisions
		fallbacks += r.Fallbacks
		res.Dials += r.Dials
		res.LiveAnswers += r.LiveAnswers
		res.LiveConnects += r.LiveConnects
		res.Abandons += r.Abandons
		res.AMDDropped += r.AMDDropped
		res.RingCuts += r.RingCuts
		res.RingCutsLive += r.RingCutLive
		waits = append(waits, r.Waits...)
		idles = append(idles, r.Idles...)
		res.OccupancyBySeed = append(res.OccupancyBySeed, round4(ratio(r.TalkS, r.LoggedInS)))
		worst := r.WorstDay()
		res.WorstDayBySeed = append(res.WorstDayBySeed, round4(worst))
		res.AbandonRateWorstDay = math.Max(res.AbandonRateWorstDay, worst)
		for _, d := range r.Days {
			if d.Rate() > res.AbandonTarget+1e-12 {
				res.DaysOverTarget++
			}
		}
	}
	res.FallbackShare = round4(ratio(float64(fallbacks), float64(decisions)))
	res.Occupancy = round4(ratio(talk, logged))
	res.Utilisation = round4(ratio(busy, logged))
	res.AbandonRate = round4(ratio(float64(res.Abandons), float64(res.LiveAnswers)))
	res.AbandonRateWorstDay = round4(res.AbandonRateWorstDay)
	res.ConnectsPerAgentHour = round4(ratio(float64(res.LiveConnects), logged/3600))
	res.LinesPerAgentMean = round4(ratio(lines, logged))
	res.CustomerWaitP50 = round4(quantile(waits, 0.5))
	res.CustomerWaitP95 = round4(quantile(waits, 0.95))
	res.AgentIdleP50 = round4(quantile(idles, 0.5))
	res.AgentIdleP95 = round4(quantile(idles, 0.95))
	return res
}

// WorstDay returns the highest abandonment rate of any calendar day of the run.
func (r *RunStats) WorstDay() float64 {
	w := 0.0
	for _, d := range r.Days {
		w = math.Max(w, d.Rate())
	}
	return w
}

func ratio(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return a / b
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	i := int(math.Ceil(q*float64(len(xs)))) - 1
	return xs[max(0, min(i, len(xs)-1))]
}
