package campaign

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

func TestNextAttempt(t *testing.T) {
	b, err := os.ReadFile("testdata/next_attempt.json")
	if err != nil {
		t.Fatal(err)
	}
	var data struct {
		Rules struct {
			MaxAttempts         int            `json:"max_attempts"`
			DefaultDelayMinutes int            `json:"default_delay_minutes"`
			Set                 DispositionSet `json:"set"`
		}
		Phones []string
		Cases  []struct {
			Name    string
			History [][3]string
			Delay   int
			Number  string
			Final   bool
			Reason  string
		}
	}
	if err := json.Unmarshal(b, &data); err != nil {
		t.Fatal(err)
	}
	if err := data.Rules.Set.Validate(); err != nil {
		t.Fatal(err)
	}
	rules := Rules{MaxAttempts: data.Rules.MaxAttempts, DefaultDelay: time.Duration(data.Rules.DefaultDelayMinutes) * time.Minute, Set: data.Rules.Set}
	now := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	for _, c := range data.Cases {
		t.Run(c.Name, func(t *testing.T) {
			var hist []Try
			for i, h := range c.History {
				hist = append(hist, Try{Number: h[0], Outcome: h[1], Disposition: h[2], At: now.Add(time.Duration(i-len(c.History)) * time.Hour)})
			}
			p := NextAttempt(hist, data.Phones, rules, now)
			if p.Final != c.Final {
				t.Fatalf("plan = %+v, want final=%v", p, c.Final)
			}
			if p.Reason == "" || !strings.Contains(p.Reason, c.Reason) {
				t.Errorf("reason %q lacks %q", p.Reason, c.Reason)
			}
			if c.Final {
				return
			}
			if want := now.Add(time.Duration(c.Delay) * time.Minute); !p.At.Equal(want) || p.Number != c.Number {
				t.Errorf("plan = %v %s, want %v %s", p.At, p.Number, want, c.Number)
			}
		})
	}
	if p := NextAttempt(nil, nil, rules, now); !p.Final {
		t.Fatalf("no phones: %+v", p)
	}
}

func TestDispositionSetValidate(t *testing.T) {
	tests := []struct {
		set   DispositionSet
		field string
	}{
		{DispositionSet{Custom: []string{"Callback"}, Rules: []RetryRule{{Disposition: "callback", Attempts: 2}}, Positive: []string{"Resolved"}}, ""},
		{DispositionSet{Custom: []string{"Busy"}}, "dispositions.custom[0]"},
		{DispositionSet{Custom: []string{""}}, "dispositions.custom[0]"},
		{DispositionSet{Rules: []RetryRule{{Disposition: "Sleeping"}}}, "dispositions.rules[0].disposition"},
		{DispositionSet{Rules: []RetryRule{{Disposition: "Busy"}, {Disposition: "busy"}}}, "dispositions.rules[1].disposition"},
		{DispositionSet{Rules: []RetryRule{{Disposition: "Busy", Attempts: 101}}}, "dispositions.rules[0].attempts"},
		{DispositionSet{Rules: []RetryRule{{Disposition: "Busy", DelayMinutes: -1}}}, "dispositions.rules[0].delay_minutes"},
		{DispositionSet{Positive: []string{"Great"}}, "dispositions.positive[0]"},
	}
	for i, tt := range tests {
		err := tt.set.Validate()
		if tt.field == "" {
			if err != nil {
				t.Errorf("%d: %v", i, err)
			}
			continue
		}
		fe, ok := err.(*FieldError)
		if !ok || fe.Field != tt.field {
			t.Errorf("%d: err = %v, want field %s", i, err, tt.field)
		}
	}
}

func TestAutoDNC(t *testing.T) {
	now := time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC)
	s := DefaultSettings()
	if add, _ := AutoDNC(29, s, now); add {
		t.Fatal("29 < 30 added")
	}
	if add, exp := AutoDNC(30, s, now); !add || exp != nil {
		t.Fatalf("30 = %v %v, want added without expiry", add, exp)
	}
	s.UnansweredCallAttemptsToDNC, s.UnansweredDNCKeepMonths = 2, 1
	add, exp := AutoDNC(2, s, now)
	if !add || exp == nil || !exp.Equal(now.AddDate(0, 1, 0)) {
		t.Fatalf("keep 1 month = %v %v", add, exp)
	}
	if Unanswered(OutcomeConnected) || !Unanswered(OutcomeMachine) {
		t.Fatal("Unanswered")
	}
}

func TestPriorityShares(t *testing.T) {
	tests := []struct {
		in   map[int64]int
		want map[int64]float64
	}{
		{map[int64]int{1: 5, 2: 3}, map[int64]float64{1: 0.625, 2: 0.375}},
		{map[int64]int{1: 5, 2: 5}, map[int64]float64{1: 0.5, 2: 0.5}},
		{map[int64]int{1: 5, 2: 5, 3: 4}, map[int64]float64{1: 5.0 / 14, 2: 5.0 / 14, 3: 4.0 / 14}},
		{map[int64]int{1: 0}, map[int64]float64{1: 0}},
	}
	for _, tt := range tests {
		got := PriorityShares(tt.in)
		for id, w := range tt.want {
			if d := got[id] - w; d > 1e-9 || d < -1e-9 {
				t.Errorf("PriorityShares(%v)[%d] = %v, want %v", tt.in, id, got[id], w)
			}
		}
	}
}
