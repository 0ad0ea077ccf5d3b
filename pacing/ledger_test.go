package pacing

import (
	"math"
	"testing"
	"time"
)

func TestAbandoned(t *testing.T) {
	ready := t0
	tests := []struct {
		name      string
		connected time.Time
		grace     time.Duration
		want      bool
	}{
		{"connected at once", ready, 0, false},
		{"connected at the grace", ready.Add(2 * time.Second), 0, false},
		{"connected after the grace", ready.Add(2*time.Second + time.Millisecond), 0, true},
		{"never connected", time.Time{}, 0, true},
		{"UK-style 1 s grace", ready.Add(1500 * time.Millisecond), time.Second, true},
	}
	for _, tt := range tests {
		if got := Abandoned(ready, tt.connected, tt.grace); got != tt.want {
			t.Errorf("%s: Abandoned = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestLedgerWindows(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	l := NewLedger(ny)
	// 10 live answers a day for 40 days, 1 abandon on every 5th day; all at 15:00 UTC
	// (10:00 or 11:00 in New York, so the same calendar day in both zones).
	start := time.Date(2025, time.January, 1, 15, 0, 0, 0, time.UTC)
	for d := 0; d < 40; d++ {
		at := start.AddDate(0, 0, d)
		for k := 0; k < 10; k++ {
			l.Live(at)
		}
		if d%5 == 0 {
			l.Abandon(at)
		}
	}
	now := start.AddDate(0, 0, 39).Add(30 * time.Minute)
	var st Stats
	l.Fill(now, &st)
	if st.Day != (Window{LiveAnswers: 10, Abandons: 0}) {
		t.Errorf("day = %+v", st.Day)
	}
	// Days 10..39: 30 days, abandons on days 10,15,...,35.
	if st.Rolling != (Window{LiveAnswers: 300, Abandons: 6}) {
		t.Errorf("rolling 30 days = %+v, want 300 answers 6 abandons", st.Rolling)
	}
	if st.Hour != (Window{LiveAnswers: 10}) || st.Recent != (Window{}) {
		t.Errorf("hour = %+v recent = %+v", st.Hour, st.Recent)
	}
	if got := st.Rolling.Rate(); math.Abs(got-0.02) > 1e-12 {
		t.Errorf("rate = %v", got)
	}
	// Midnight in New York, not UTC, starts a new day: 03:00 UTC is 22:00 the day before.
	l2 := NewLedger(ny)
	a := time.Date(2025, time.June, 2, 3, 0, 0, 0, time.UTC)
	l2.Live(a)
	l2.Live(a.Add(2 * time.Hour)) // 01:00 New York, next day
	if got := l2.Day(a); got.LiveAnswers != 1 {
		t.Errorf("New York day of 22:00 = %+v, want 1 answer", got)
	}
}

func TestDist(t *testing.T) {
	dists := []Dist{Lognormal(9.5, 0.5), LognormalMeanCV(180, 1), Exponential(6), Uniform(2, 6), Fixed(15)}
	for _, d := range dists {
		for _, u := range []float64{0.05, 0.25, 0.5, 0.75, 0.95} {
			x := d.Quantile(u)
			if d.Kind == DistFixed {
				if x != 15 {
					t.Errorf("%+v quantile = %v", d, x)
				}
				continue
			}
			if got := d.CDF(x); math.Abs(got-u) > 1e-9 {
				t.Errorf("%+v: CDF(Quantile(%v)) = %v", d, u, got)
			}
		}
		if c := d.CondCDF(1, 1e9); math.Abs(c-1) > 1e-9 {
			t.Errorf("%+v: CondCDF to infinity = %v", d, c)
		}
	}
	if m := LognormalMeanCV(180, 1).Mean(); math.Abs(m-180) > 1e-9 {
		t.Errorf("mean = %v", m)
	}
	if m := Lognormal(9.5, 0.5).Quantile(0.5); math.Abs(m-9.5) > 1e-9 {
		t.Errorf("median = %v", m)
	}
	// Memoryless exponential: the chance to end in the next 3 s does not depend on age.
	e := Exponential(6)
	if a, b := e.CondCDF(0, 3), e.CondCDF(30, 3); math.Abs(a-b) > 1e-9 {
		t.Errorf("exponential CondCDF %v vs %v", a, b)
	}
}

func TestEstimatorTracksChange(t *testing.T) {
	e := NewEstimator(Lognormal(10, 0.5), LognormalMeanCV(120, 1), 20*time.Second)
	var st Stats
	for i := 0; i < 3000; i++ {
		o := NoAnswer
		if i%10 < 4 {
			o = Human
		}
		e.Outcome(o, 9*time.Second)
		e.Talk(60 * time.Second)
	}
	e.Fill(&st)
	if math.Abs(st.AnswerRate-0.4) > 0.02 {
		t.Errorf("answer rate %v, want 0.4", st.AnswerRate)
	}
	if med := st.Talk.Quantile(0.5); math.Abs(med-60) > 1 {
		t.Errorf("talk median %v, want 60", med)
	}
	for i := 0; i < 1500; i++ { // the list turns: 15% live
		o := NoAnswer
		if i%20 < 3 {
			o = Human
		}
		e.Outcome(o, 9*time.Second)
	}
	e.Fill(&st)
	if math.Abs(st.AnswerRate-0.15) > 0.03 {
		t.Errorf("answer rate after the change %v, want about 0.15", st.AnswerRate)
	}
}

func TestLogTable(t *testing.T) {
	var lt logTable
	lt.init()
	fastLog := lt.log
	for _, x := range []float64{1e-300, 1e-9, 0.05, 0.5, 0.7071, 0.99, 1, 1.00390625, 1.0039, 1.4142, 1.99999, 1.5, 2, 3.7, 9.5, 180, 1e5, 3e12, 1e300} {
		if got, want := fastLog(x), math.Log(x); math.Abs(got-want) > 1e-9*max(1, math.Abs(want)) {
			t.Errorf("log table at %g = %.12f, want %.12f", x, got, want)
		}
	}
	if !math.IsNaN(fastLog(-1)) || !math.IsInf(fastLog(0), -1) || !math.IsInf(fastLog(math.Inf(1)), 1) {
		t.Error("log table does not follow math.Log at -1, 0 and +Inf")
	}
}
