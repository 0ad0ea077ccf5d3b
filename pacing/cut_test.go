package pacing

import (
	"slices"
	"testing"
	"time"
)

// TestLateCallCuts: a predictive campaign hangs up its unreserved calls that have
// rung the minimum ring when a live answer on them would find no agent, and only then.
func TestLateCallCuts(t *testing.T) {
	// Calls in flight: 0 and 1 rang past the minimum, 2 did not, 3 is reserved for
	// an agent, 4 is being analysed, 5 belongs to a progressive campaign.
	calls := []Call{
		{Campaign: 0, Stage: Ringing, Elapsed: 16 * time.Second, Agent: -1},
		{Campaign: 0, Stage: Ringing, Elapsed: 15 * time.Second, Agent: -1},
		{Campaign: 0, Stage: Ringing, Elapsed: 14 * time.Second, Agent: -1},
		{Campaign: 0, Stage: Ringing, Elapsed: 17 * time.Second, Agent: 0},
		{Campaign: 0, Stage: Detecting, Elapsed: time.Second, Agent: -1},
		{Campaign: 1, Stage: Ringing, Elapsed: 18 * time.Second, Agent: -1},
	}
	tests := []struct {
		name  string
		edit  func(*Snapshot, *Config)
		agent AgentState
		want  []int
	}{
		{name: "every agent talking: cut the late calls", agent: OnCall, want: []int{0, 1}},
		{name: "agents free: let them ring", agent: Available, want: nil},
		{name: "full ring configured", agent: OnCall, edit: func(_ *Snapshot, c *Config) { c.FullRing = true }, want: nil},
		{name: "a longer minimum ring", agent: OnCall, edit: func(s *Snapshot, _ *Config) { s.Campaigns[0].Compliance.MinRing = 16 * time.Second }, want: []int{0}},
		{name: "a shorter minimum ring is raised to 15 s", agent: OnCall, edit: func(s *Snapshot, _ *Config) { s.Campaigns[0].Compliance.MinRing = 5 * time.Second }, want: []int{0, 1}},
		{name: "warm-up: no forecast, no cut", agent: OnCall, edit: func(s *Snapshot, _ *Config) { s.Campaigns[0].Stats.Outcomes = 10 }, want: nil},
		{name: "allowance spent: no cut", agent: OnCall, edit: func(s *Snapshot, _ *Config) { s.Campaigns[0].Stats.Day = Window{LiveAnswers: 1000, Abandons: 30} }, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ag := agents(6, tt.agent, 0, 1)
			for i := range ag {
				ag[i].InState = 20 * time.Second
			}
			ag[0].State = SystemBusy // reserved for call 3
			s := Snapshot{Now: t0, Agents: ag, Calls: slices.Clone(calls), Campaigns: []Campaign{
				{ID: "pred", Mode: Predictive, Priority: 5, Ready: 100, Stats: warmStats()},
				{ID: "prog", Mode: Progressive, Priority: 5, Ready: 0, Stats: warmStats()},
			}}
			var cfg Config
			if tt.edit != nil {
				tt.edit(&s, &cfg)
			}
			p := New(cfg)
			d, err := p.Decide(&s)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(d.Hangups, tt.want) {
				t.Errorf("hangups %v, want %v (forecast %+v)", d.Hangups, tt.want, p.Forecast(0))
			}
		})
	}
}

// TestEstimatorCut: a cut dial is a censored outcome. Late in the ring it is most
// likely a no-answer, so the answer rate drops, but by less than a No Answer would
// make it; a cut before any answer could come tells nothing.
func TestEstimatorCut(t *testing.T) {
	fresh := func() *Estimator {
		e := NewEstimator(Lognormal(9.5, 0.5), LognormalMeanCV(180, 1), 20*time.Second)
		for i := range 1000 { // 30% live, 15% machine, 10% busy, 45% no answer
			switch i % 20 {
			case 0, 1, 2, 3, 4, 5:
				e.Outcome(Human, time.Duration(5+i%7*2)*time.Second) // 5 to 17 s
			case 6, 7, 8:
				e.Outcome(Machine, time.Duration(12+i%5*2)*time.Second)
			case 9, 10:
				e.Outcome(Busy, 3*time.Second)
			default:
				e.Outcome(NoAnswer, 20*time.Second)
			}
		}
		return e
	}
	rate := func(e *Estimator) float64 {
		var st Stats
		e.Fill(&st)
		return st.AnswerRate
	}
	base := rate(fresh())
	cut, na, early := fresh(), fresh(), fresh()
	for range 50 {
		cut.Cut(16 * time.Second)
		na.Outcome(NoAnswer, 16*time.Second)
		early.Cut(0)
	}
	if !(rate(na) < rate(cut) && rate(cut) < base) {
		t.Errorf("answer rate %.4f after late cuts; want between %.4f (as No Answer) and %.4f (before)", rate(cut), rate(na), base)
	}
	if got := rate(early); got < base*0.97 || got > base*1.03 {
		t.Errorf("answer rate %.4f after cuts at 0 s; want about %.4f (a cut before any answer tells nothing)", got, base)
	}
}
