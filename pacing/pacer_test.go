package pacing

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

var t0 = time.Date(2025, time.March, 3, 9, 0, 0, 0, time.UTC)

func agents(n int, st AgentState, camps ...int) []Agent {
	out := make([]Agent, n)
	for i := range out {
		out[i] = Agent{ID: string(rune('a' + i%26)), State: st, InState: time.Duration(i) * time.Second, Campaigns: camps}
	}
	return out
}

func TestParseMode(t *testing.T) {
	for _, m := range []Mode{Agentless, Progressive, Power, Preview, Predictive} {
		got, err := ParseMode(m.String())
		if err != nil || got != m {
			t.Errorf("ParseMode(%q) = %v, %v", m.String(), got, err)
		}
	}
	if _, err := ParseMode("ratio"); !errors.Is(err, ErrUnknownMode) {
		t.Errorf("ParseMode(ratio) error = %v, want ErrUnknownMode", err)
	}
}

func TestDecideModes(t *testing.T) {
	tests := []struct {
		name       string
		snap       Snapshot
		wantDials  int
		wantOrders int
		wantOffers int
		reserved   int // orders with an agent
	}{
		{
			name:      "progressive: one reserved call per free agent",
			snap:      Snapshot{Campaigns: []Campaign{{ID: "p", Mode: Progressive, Priority: 5, Ready: 100}}, Agents: agents(3, Available, 0)},
			wantDials: 3, wantOrders: 3, reserved: 3,
		},
		{
			name:      "progressive: busy and paused agents get nothing",
			snap:      Snapshot{Campaigns: []Campaign{{ID: "p", Mode: Progressive, Priority: 5, Ready: 100}}, Agents: append(agents(2, OnCall, 0), agents(2, Paused, 0)...)},
			wantDials: 0,
		},
		{
			name:      "power ratio 3: three calls per free agent",
			snap:      Snapshot{Campaigns: []Campaign{{ID: "w", Mode: Power, Priority: 5, Ratio: 3, Ready: 100}}, Agents: agents(2, Available, 0)},
			wantDials: 6, wantOrders: 2, reserved: 2,
		},
		{
			name:      "power limited by ready contacts",
			snap:      Snapshot{Campaigns: []Campaign{{ID: "w", Mode: Power, Priority: 5, Ratio: 3, Ready: 4}}, Agents: agents(2, Available, 0)},
			wantDials: 4, wantOrders: 2, reserved: 2,
		},
		{
			name: "agentless fills up to max concurrent",
			snap: Snapshot{Campaigns: []Campaign{{ID: "a", Mode: Agentless, Priority: 5, MaxConcurrent: 10, Ready: 100}},
				Calls: []Call{{Campaign: 0, Agent: -1}, {Campaign: 0, Stage: Flow, Agent: -1}, {Campaign: 0, Stage: Detecting, Agent: -1}}},
			wantDials: 7, wantOrders: 1,
		},
		{
			name: "agentless within trunk channels",
			snap: Snapshot{Campaigns: []Campaign{{ID: "a", Mode: Agentless, Priority: 5, MaxConcurrent: 10, Ready: 100}},
				Connected: 2, Caps: Caps{TrunkChannels: 5}},
			wantDials: 3, wantOrders: 1,
		},
		{
			name:      "agentless within CPS",
			snap:      Snapshot{Campaigns: []Campaign{{ID: "a", Mode: Agentless, Priority: 5, MaxConcurrent: 10, Ready: 100}}, Caps: Caps{CPS: 4}},
			wantDials: 4, wantOrders: 1,
		},
		{
			name:      "preview: offers, no dials",
			snap:      Snapshot{Campaigns: []Campaign{{ID: "v", Mode: Preview, Priority: 5, Ready: 1, Contacts: []Contact{{ID: "x", Priority: 1, Agent: -1}}}}, Agents: agents(3, Available, 0)},
			wantDials: 0, wantOffers: 2,
		},
		{
			name: "mapped customer dialed for its agent only",
			snap: Snapshot{Campaigns: []Campaign{{ID: "p", Mode: Predictive, Priority: 5, Ready: 0, Contacts: []Contact{{ID: "m", Priority: 3, Agent: 1}}}},
				Agents: agents(2, Available, 0)},
			wantDials: 1, wantOrders: 1, reserved: 1,
		},
		{
			name:      "predictive cold start dials progressively",
			snap:      Snapshot{Campaigns: []Campaign{{ID: "p", Mode: Predictive, Priority: 5, Ready: 100}}, Agents: agents(4, Available, 0)},
			wantDials: 4, wantOrders: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.snap.Now = t0
			p := New(Config{})
			d, err := p.Decide(&tt.snap)
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Dials(); got != tt.wantDials {
				t.Errorf("dials = %d, want %d (%+v)", got, tt.wantDials, d.Orders)
			}
			if tt.wantOrders > 0 && len(d.Orders) != tt.wantOrders {
				t.Errorf("orders = %d, want %d (%+v)", len(d.Orders), tt.wantOrders, d.Orders)
			}
			if len(d.Offers) != tt.wantOffers {
				t.Errorf("offers = %d, want %d (%+v)", len(d.Offers), tt.wantOffers, d.Offers)
			}
			res := 0
			for _, o := range d.Orders {
				if o.Agent >= 0 {
					res++
					if o.Contact >= 0 {
						c := tt.snap.Campaigns[o.Campaign].Contacts[o.Contact]
						if c.Agent != o.Agent {
							t.Errorf("order %+v dials contact mapped to agent %d", o, c.Agent)
						}
					}
				}
			}
			if res != tt.reserved {
				t.Errorf("reserved orders = %d, want %d", res, tt.reserved)
			}
		})
	}
}

func TestDecideRejectsBadInput(t *testing.T) {
	ok := Campaign{ID: "c", Mode: Progressive, Priority: 3}
	tests := []struct {
		name string
		snap Snapshot
		want error
	}{
		{"mode", Snapshot{Campaigns: []Campaign{{ID: "c", Mode: 9, Priority: 3}}}, ErrUnknownMode},
		{"priority 0", Snapshot{Campaigns: []Campaign{{ID: "c", Mode: Progressive}}}, ErrPriority},
		{"priority 6", Snapshot{Campaigns: []Campaign{{ID: "c", Mode: Progressive, Priority: 6}}}, ErrPriority},
		{"ratio 11", Snapshot{Campaigns: []Campaign{{ID: "c", Mode: Power, Priority: 3, Ratio: 11}}}, ErrRatio},
		{"ratio 0.5", Snapshot{Campaigns: []Campaign{{ID: "c", Mode: Power, Priority: 3, Ratio: 0.5}}}, ErrRatio},
		{"target", Snapshot{Campaigns: []Campaign{{ID: "c", Mode: Predictive, Priority: 3, Compliance: Compliance{Target: 0.9}}}}, ErrTarget},
		{"ready", Snapshot{Campaigns: []Campaign{{ID: "c", Mode: Progressive, Priority: 3, Ready: -1}}}, ErrNegative},
		{"agent campaign", Snapshot{Campaigns: []Campaign{ok}, Agents: agents(1, Available, 1)}, ErrIndex},
		{"call campaign", Snapshot{Campaigns: []Campaign{ok}, Calls: []Call{{Campaign: 2, Agent: -1}}}, ErrIndex},
		{"call agent", Snapshot{Campaigns: []Campaign{ok}, Calls: []Call{{Campaign: 0, Agent: 4}}}, ErrIndex},
		{"contact agent", Snapshot{Campaigns: []Campaign{{ID: "c", Mode: Progressive, Priority: 3, Contacts: []Contact{{Agent: 3}}}}}, ErrIndex},
		{"caps", Snapshot{Campaigns: []Campaign{ok}, Caps: Caps{CPS: -1}}, ErrNegative},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Config{}).Decide(&tt.snap)
			if !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
		})
	}
}

// An agent serving several campaigns takes calls from the highest priority first and
// from equal priorities at random.
func TestAgentTakesHigherPriorityFirst(t *testing.T) {
	camps := []Campaign{
		{ID: "low", Mode: Progressive, Priority: 3, Ready: 1000},
		{ID: "high1", Mode: Progressive, Priority: 5, Ready: 1000},
		{ID: "high2", Mode: Progressive, Priority: 5, Ready: 1000},
	}
	p := New(Config{Rand: rand.NewPCG(1, 2)})
	var count [3]int
	for i := 0; i < 2000; i++ {
		s := Snapshot{Now: t0.Add(time.Duration(i) * time.Second), Campaigns: camps, Agents: agents(1, Available, 0, 1, 2)}
		d, err := p.Decide(&s)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range d.Orders {
			count[o.Campaign] += o.Count
		}
	}
	if count[0] != 0 {
		t.Errorf("priority 3 campaign got %d calls while priority 5 campaigns had work", count[0])
	}
	if f := float64(count[1]) / float64(count[1]+count[2]); math.Abs(f-0.5) > 0.05 {
		t.Errorf("equal-priority split %d/%d, want about half each", count[1], count[2])
	}
	// Without work on the high campaigns the agent serves the low one.
	camps[1].Ready, camps[2].Ready = 0, 0
	s := Snapshot{Now: t0, Campaigns: camps, Agents: agents(1, Available, 0, 1, 2)}
	d, _ := p.Decide(&s)
	if len(d.Orders) != 1 || d.Orders[0].Campaign != 0 {
		t.Errorf("orders %+v, want one for the low-priority campaign", d.Orders)
	}
}

// Concurrent campaigns share scarce capacity in proportion to priority: Priority
// Percentage = priority / sum of priorities.
func TestPrioritySharesConverge(t *testing.T) {
	cases := [][]int{{5, 3}, {5, 5}, {5, 4, 1}, {2, 3, 4, 5}}
	for _, prios := range cases {
		for seed := uint64(1); seed <= 5; seed++ {
			camps := make([]Campaign, len(prios))
			sum := 0
			for i, pr := range prios {
				camps[i] = Campaign{ID: string(rune('A' + i)), Mode: Agentless, Priority: pr, MaxConcurrent: 50, Ready: 1 << 20}
				sum += pr
			}
			rng := rand.New(rand.NewPCG(seed, 99))
			p := New(Config{Rand: rand.NewPCG(seed, 1)})
			var calls []Call
			dials := make([]int, len(prios))
			for tick := 0; tick < 3000; tick++ {
				// Each call ends with probability 0.2 per tick.
				kept := calls[:0]
				for _, c := range calls {
					if rng.Float64() >= 0.2 {
						kept = append(kept, c)
					}
				}
				calls = kept
				s := Snapshot{Now: t0.Add(time.Duration(tick) * time.Second), Campaigns: camps, Calls: calls, Caps: Caps{MaxAgentless: 10}}
				d, err := p.Decide(&s)
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range d.Orders {
					dials[o.Campaign] += o.Count
					for k := 0; k < o.Count; k++ {
						calls = append(calls, Call{Campaign: o.Campaign, Stage: Flow, Agent: -1})
					}
				}
				if len(calls) > 10 {
					t.Fatalf("%d agentless calls in flight, cap 10", len(calls))
				}
			}
			total := 0
			for _, n := range dials {
				total += n
			}
			for i, pr := range prios {
				want := float64(pr) / float64(sum)
				if got := float64(dials[i]) / float64(total); math.Abs(got-want) > 0.03 {
					t.Errorf("priorities %v seed %d: campaign %d share %.3f, want %.3f", prios, seed, i, got, want)
				}
			}
		}
	}
}

func warmStats() Stats {
	return Stats{
		Outcomes: 1000, AnswerRate: 0.3, MachineRate: 0.15, BusyRate: 0.1,
		Ring: Lognormal(9.5, 0.5), OtherRing: Uniform(2, 20), RingTimeout: 20 * time.Second,
		AMD: 2500 * time.Millisecond, Talk: LognormalMeanCV(180, 1), Wrap: 15 * time.Second,
		Day: Window{LiveAnswers: 2000, Abandons: 10}, Rolling: Window{LiveAnswers: 2000, Abandons: 10},
	}
}

func TestPredictiveDialsAheadWithinCaps(t *testing.T) {
	tests := []struct {
		name      string
		stats     func(*Stats)
		free      int
		wrapping  int
		maxLines  float64
		wantMore  bool // more than progressive
		wantEqual bool // exactly progressive
	}{
		{name: "warm, budget left: dials ahead", stats: func(*Stats) {}, free: 2, wrapping: 10, wantMore: true},
		{name: "not warm: progressive", stats: func(s *Stats) { s.Outcomes = 10 }, free: 2, wrapping: 10, wantEqual: true},
		{name: "daily allowance spent: progressive", stats: func(s *Stats) { s.Day = Window{LiveAnswers: 1000, Abandons: 30} }, free: 2, wrapping: 10, wantEqual: true},
		{name: "rolling allowance spent: progressive", stats: func(s *Stats) { s.Rolling = Window{LiveAnswers: 1000, Abandons: 31} }, free: 2, wrapping: 10, wantEqual: true},
		{name: "max lines per agent", stats: func(*Stats) {}, free: 5, wrapping: 20, maxLines: 1.2, wantMore: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := warmStats()
			tt.stats(&st)
			c := Campaign{ID: "p", Mode: Predictive, Priority: 5, Ready: 1000, Stats: st, MaxLinesPerAgent: tt.maxLines}
			ag := append(agents(tt.free, Available, 0), agents(tt.wrapping, WrapUp, 0)...)
			for i := range ag {
				if ag[i].State == WrapUp {
					ag[i].InState = 12 * time.Second
				}
			}
			s := Snapshot{Now: t0, Campaigns: []Campaign{c}, Agents: ag}
			p := New(Config{})
			d, err := p.Decide(&s)
			if err != nil {
				t.Fatal(err)
			}
			fc := p.Forecast(0)
			n := d.Dials()
			if tt.wantMore && n <= tt.free {
				t.Errorf("dials %d, want more than the %d free agents (%+v)", n, tt.free, fc)
			}
			if tt.wantEqual && (n != tt.free || !fc.Fallback) {
				t.Errorf("dials %d fallback %v, want %d progressive", n, fc.Fallback, tt.free)
			}
			lines := tt.maxLines
			if lines == 0 {
				lines = 3
			}
			if float64(n) > lines*float64(len(ag))+1e-9 {
				t.Errorf("dials %d exceed %.1f lines x %d agents", n, lines, len(ag))
			}
		})
	}
}

func TestNextContact(t *testing.T) {
	cs := []Contact{
		{ID: "u1", Priority: 1, Agent: -1},
		{ID: "u5", Priority: 5, Agent: -1},
		{ID: "m2", Priority: 2, Agent: 7},
		{ID: "m4", Priority: 4, Agent: 7},
		{ID: "o9", Priority: 9, Agent: 3},
	}
	tests := []struct {
		agent int
		want  string
	}{{7, "m4"}, {3, "o9"}, {-1, "u5"}, {1, "u5"}}
	for _, tt := range tests {
		if got := NextContact(cs, tt.agent); got < 0 || cs[got].ID != tt.want {
			t.Errorf("NextContact(agent %d) = %d, want %s", tt.agent, got, tt.want)
		}
	}
	if got := NextContact(cs[4:], 1); got != -1 {
		t.Errorf("NextContact with only another agent's customer = %d, want -1", got)
	}
}

// bigSnapshot has 50 campaigns (mixed modes and priorities) and 1,000 agents in every
// state with calls in flight: the benchmark and the zero-allocation test share it.
func bigSnapshot() Snapshot {
	rng := rand.New(rand.NewPCG(7, 7))
	modes := []Mode{Predictive, Predictive, Power, Progressive, Agentless, Preview}
	s := Snapshot{Now: t0, Caps: Caps{MaxAgentless: 200, TrunkChannels: 5000, CPS: 100}}
	for i := 0; i < 50; i++ {
		c := Campaign{ID: string(rune('A'+i%26)) + string(rune('a'+i/26)), Mode: modes[i%len(modes)], Priority: 1 + i%5, Ratio: 2.5, MaxConcurrent: 20, Ready: 5000, Stats: warmStats()}
		for k := 0; k < 10; k++ {
			c.Contacts = append(c.Contacts, Contact{ID: "c", Priority: rng.IntN(5), Agent: rng.IntN(1000)})
		}
		s.Campaigns = append(s.Campaigns, c)
	}
	states := []AgentState{Available, OnCall, OnCall, OnCall, OnCall, WrapUp, SystemBusy, Paused}
	for i := 0; i < 1000; i++ {
		a := Agent{ID: "a", State: states[rng.IntN(len(states))], InState: time.Duration(rng.IntN(300)) * time.Second}
		a.Campaigns = []int{rng.IntN(50), rng.IntN(50), rng.IntN(50)}
		s.Agents = append(s.Agents, a)
	}
	for i := 0; i < 1500; i++ {
		s.Calls = append(s.Calls, Call{Campaign: rng.IntN(50), Stage: Stage(rng.IntN(3)), Elapsed: time.Duration(rng.IntN(20)) * time.Second, Agent: -1})
	}
	return s
}

func TestSteadyStateDecideAllocatesNothing(t *testing.T) {
	s := bigSnapshot()
	p := New(Config{})
	tick := 0
	decide := func() {
		tick++
		s.Now = t0.Add(time.Duration(tick) * 500 * time.Millisecond)
		if _, err := p.Decide(&s); err != nil {
			t.Fatal(err)
		}
	}
	decide() // first tick sizes the buffers and creates controller state
	if n := testing.AllocsPerRun(50, decide); n != 0 {
		t.Errorf("steady-state Decide allocates %.1f times per call, want 0", n)
	}
}

func BenchmarkDecide50Campaigns1000Agents(b *testing.B) {
	s := bigSnapshot()
	p := New(Config{})
	if _, err := p.Decide(&s); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Now = t0.Add(time.Duration(i+1) * 500 * time.Millisecond)
		if _, err := p.Decide(&s); err != nil {
			b.Fatal(err)
		}
	}
}
