package campaign

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func TestScheduleOccurrences(t *testing.T) {
	b, err := os.ReadFile("testdata/schedule.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name     string
		Schedule Schedule
		After    time.Time
		N        int
		Starts   []time.Time
		Ends     []time.Time
		Error    string
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			occs, err := c.Schedule.Occurrences(c.After, c.N)
			if c.Error != "" {
				var fe *FieldError
				if !errors.As(err, &fe) || fe.Field != c.Error {
					t.Fatalf("err = %v, want a field error on %s", err, c.Error)
				}
				if verr := c.Schedule.Validate(); verr == nil {
					t.Fatal("Validate accepted it")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(occs) != len(c.Starts) {
				t.Fatalf("got %d occurrences %v, want %v", len(occs), occs, c.Starts)
			}
			for i, o := range occs {
				if !o.Start.Equal(c.Starts[i]) {
					t.Errorf("start %d = %v, want %v", i, o.Start, c.Starts[i])
				}
				if c.Ends != nil && !o.End.Equal(c.Ends[i]) {
					t.Errorf("end %d = %v, want %v", i, o.End, c.Ends[i])
				}
				if c.Ends == nil && !o.End.IsZero() {
					t.Errorf("end %d = %v, want none", i, o.End)
				}
				// Current agrees: inside the occurrence it is current.
				cur, ok, err := c.Schedule.Current(o.Start.Add(time.Minute))
				if err != nil || !ok || !cur.Start.Equal(o.Start) {
					t.Errorf("Current(%v) = %v %v %v", o.Start.Add(time.Minute), cur, ok, err)
				}
			}
		})
	}
}

func TestScheduleCurrentOutside(t *testing.T) {
	s := Schedule{Start: "2026-03-02T09:00", End: "2026-03-02T12:00", TimeZone: "UTC", Recurrence: &Recurrence{Frequency: Daily, Every: 1}}
	if _, ok, _ := s.Current(time.Date(2026, 3, 3, 13, 0, 0, 0, time.UTC)); ok {
		t.Fatal("13:00 is after the 12:00 end")
	}
	if _, ok, _ := s.Current(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)); ok {
		t.Fatal("before the first start")
	}
	if o, ok, _ := s.Current(time.Date(2026, 3, 5, 11, 59, 0, 0, time.UTC)); !ok || o.Start.Day() != 5 {
		t.Fatalf("Current = %v %v", o, ok)
	}
	if !strings.Contains(s.String(), "every 1 daily") {
		t.Fatalf("String = %s", s)
	}
}

func TestScrubDue(t *testing.T) {
	next := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	other := next.Add(-24 * time.Hour)
	tests := []struct {
		name     string
		now      time.Time
		next     *time.Time
		scrubbed *time.Time
		want     bool
	}{
		{"no schedule", next, nil, nil, false},
		{"16 minutes before", next.Add(-16 * time.Minute), &next, nil, false},
		{"15 minutes before", next.Add(-15 * time.Minute), &next, nil, true},
		{"1 minute before", next.Add(-time.Minute), &next, nil, true},
		{"already scrubbed for this start", next.Add(-time.Minute), &next, &next, false},
		{"scrubbed for the previous start", next.Add(-time.Minute), &next, &other, true},
		{"at the start it is too late", next, &next, nil, false},
	}
	for _, tt := range tests {
		if got := ScrubDue(tt.now, tt.next, tt.scrubbed); got != tt.want {
			t.Errorf("%s: ScrubDue = %v, want %v", tt.name, got, tt.want)
		}
	}
}
