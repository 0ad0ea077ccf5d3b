package campaign

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial/config"
)

func TestContactable(t *testing.T) {
	b, err := os.ReadFile("testdata/contactable.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name    string
		Now     time.Time
		Zone    string
		Timings Timings
		Hard    *HardLimits
		OK      bool
		Next    string
		Reason  string
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			hard := DefaultHardLimits()
			if c.Hard != nil {
				hard = *c.Hard
			}
			ok, next, reason := Contactable(c.Now, c.Zone, c.Timings, hard)
			if ok != c.OK {
				t.Fatalf("ok = %v, want %v (reason %q)", ok, c.OK, reason)
			}
			if ok {
				if reason != "" || !next.Equal(c.Now) {
					t.Fatalf("ok with next %v reason %q", next, reason)
				}
				return
			}
			want := time.Time{}
			if c.Next != "" {
				want, _ = time.Parse(time.RFC3339, c.Next)
			}
			if !next.Equal(want) {
				t.Errorf("next = %v, want %v", next.UTC(), want)
			}
			if reason == "" || !strings.Contains(reason, c.Reason) {
				t.Errorf("reason = %q, want it to contain %q", reason, c.Reason)
			}
		})
	}
}

func TestContactZone(t *testing.T) {
	tests := []struct {
		contactTZ, number, zone, source string
	}{
		{"Asia/Hong_Kong", "+14155550100", "Asia/Hong_Kong", "contact"},
		{"", "+14155550100", "America/Los_Angeles", "number"},
		{"", "+33142685300", "Europe/Paris", "number"},
		{"", "+61255501234", "Australia/Sydney", "number"},
		{"", "+18002345678", "", "campaign"},
		{"", "not a number", "", "campaign"},
		{"", "", "", "campaign"},
	}
	for _, tt := range tests {
		zone, source := ContactZone(tt.contactTZ, tt.number)
		if zone != tt.zone || source != tt.source {
			t.Errorf("ContactZone(%q, %q) = %q, %q; want %q, %q (zones of the number: %v)", tt.contactTZ, tt.number, zone, source, tt.zone, tt.source, NumberZones(tt.number))
		}
	}
}

// TestOptionsFromConfigNarrowsCallingHours checks that the server's compliance keys
// reach the contactable check: a window open all day is cut to the configured floor.
func TestOptionsFromConfigNarrowsCallingHours(t *testing.T) {
	cfg := config.Default()
	cfg.Compliance.CallingHoursFloor, cfg.Compliance.CallingHoursCeiling = "09:30", "20:00"
	hard := OptionsFrom(cfg).Hard
	loc, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	allDay := Timings{TimeZone: "America/Chicago", Windows: []Window{{Days: []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}, Start: "00:00", End: "23:59"}}}
	for _, tc := range []struct {
		at   string
		want bool
	}{{"09:00", false}, {"09:30", true}, {"19:59", true}, {"20:00", false}} {
		now, err := time.ParseInLocation("2006-01-02 15:04", "2026-12-02 "+tc.at, loc)
		if err != nil {
			t.Fatal(err)
		}
		ok, _, reason := Contactable(now, "America/Chicago", allDay, hard)
		if ok != tc.want {
			t.Errorf("at %s local: contactable = %v (%s), want %v", tc.at, ok, reason, tc.want)
		}
		if ok, _, _ := Contactable(now, "America/Chicago", allDay, DefaultHardLimits()); !ok {
			t.Errorf("at %s local the default 08:00-21:00 should allow the call", tc.at)
		}
	}
}
