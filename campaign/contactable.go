package campaign

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // a bare machine still knows every IANA zone

	"github.com/nyaruka/phonenumbers"
)

// Window is one contactable time window: on Days, from Start to End local time
// ("HH:MM", End may be "24:00"). An End at or before Start crosses midnight: the window
// runs into the next day, and Days names the day it starts on.
type Window struct {
	Days  []string `json:"days"`
	Start string   `json:"start"`
	End   string   `json:"end"`
}

// Timings are a campaign's contactable timings: windows in a time zone. No windows
// means any time inside the hard calling hours.
type Timings struct {
	TimeZone string   `json:"time_zone"`
	Windows  []Window `json:"windows"`
}

// HardLimits are the calling hours no window can widen (US TCPA: 08:00 to 21:00 at the
// called party's location).
type HardLimits struct {
	Floor   string `json:"floor"`
	Ceiling string `json:"ceiling"`
}

// DefaultHardLimits returns 08:00-21:00.
func DefaultHardLimits() HardLimits { return HardLimits{Floor: "08:00", Ceiling: "21:00"} }

var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// parseClock reads "HH:MM" as minutes after midnight; "24:00" is allowed.
func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || len(h) != 2 || len(m) != 2 || err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("%q is not a time of day; write HH:MM from 00:00 to 24:00, like 09:30", s)
	}
	return hh*60 + mm, nil
}

type window struct {
	days       [7]bool
	start, end int
}

func (t Timings) parse() ([]window, error) {
	var out []window
	for i, w := range t.Windows {
		var pw window
		if len(w.Days) == 0 {
			return nil, &FieldError{Field: fmt.Sprintf("windows[%d].days", i), Value: "[]", Message: "is empty; name at least one of mon, tue, wed, thu, fri, sat, sun"}
		}
		for _, d := range w.Days {
			wd, ok := dayNames[strings.ToLower(d)]
			if !ok {
				return nil, &FieldError{Field: fmt.Sprintf("windows[%d].days", i), Value: d, Message: "is not a day; use mon, tue, wed, thu, fri, sat, sun"}
			}
			pw.days[wd] = true
		}
		var err error
		if pw.start, err = parseClock(w.Start); err != nil {
			return nil, &FieldError{Field: fmt.Sprintf("windows[%d].start", i), Value: w.Start, Message: err.Error()}
		}
		if pw.end, err = parseClock(w.End); err != nil {
			return nil, &FieldError{Field: fmt.Sprintf("windows[%d].end", i), Value: w.End, Message: err.Error()}
		}
		if pw.start == 1440 {
			return nil, &FieldError{Field: fmt.Sprintf("windows[%d].start", i), Value: w.Start, Message: "must be before 24:00"}
		}
		if pw.start == pw.end {
			return nil, &FieldError{Field: fmt.Sprintf("windows[%d].end", i), Value: w.End, Message: "equals start; a window needs a length (use 00:00 to 24:00 for a whole day)"}
		}
		out = append(out, pw)
	}
	return out, nil
}

func (h HardLimits) parse() (floor, ceiling int, err error) {
	if floor, err = parseClock(h.Floor); err != nil {
		return 0, 0, &FieldError{Field: "floor", Value: h.Floor, Message: err.Error()}
	}
	if ceiling, err = parseClock(h.Ceiling); err != nil {
		return 0, 0, &FieldError{Field: "ceiling", Value: h.Ceiling, Message: err.Error()}
	}
	if floor >= ceiling {
		return 0, 0, &FieldError{Field: "ceiling", Value: h.Ceiling, Message: "must be after the floor " + h.Floor}
	}
	return floor, ceiling, nil
}

// at returns the instant of minute-of-day min on the local date y-m-d (min may be 1440).
func at(y int, m time.Month, d, min int, loc *time.Location) time.Time {
	return time.Date(y, m, d, min/60, min%60, 0, 0, loc)
}

type span struct{ from, to time.Time }

// horizon is how far ahead Contactable looks for the next contactable moment.
const horizon = 8

// Contactable reports whether a contact may be called at now: inside one of the
// campaign's windows and inside the hard limits, both in local time of zone (the
// contact's own zone; empty means the campaign's Timings.TimeZone). When not, next is
// the next moment it may be called (zero when none within a week) and reason says why.
// It fails closed: a zone or window that cannot be read gives ok=false.
func Contactable(now time.Time, zone string, t Timings, hard HardLimits) (ok bool, next time.Time, reason string) {
	if zone == "" {
		zone = t.TimeZone
	}
	if zone == "" {
		return false, time.Time{}, "no time zone for the contact or the campaign; set the campaign's contactable timings time zone"
	}
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "Local" {
		return false, time.Time{}, fmt.Sprintf("time zone %q is not an IANA zone; the contact cannot be evaluated", zone)
	}
	windows, err := t.parse()
	if err != nil {
		return false, time.Time{}, "contactable timings cannot be read: " + err.Error()
	}
	floor, ceiling, err := hard.parse()
	if err != nil {
		return false, time.Time{}, "hard calling hours cannot be read: " + err.Error()
	}
	if len(windows) == 0 {
		windows = []window{{days: [7]bool{true, true, true, true, true, true, true}, start: 0, end: 1440}}
	}
	local := now.In(loc)
	y, m, d := local.Date()
	var allowed []span
	inWindow := false
	for off := -1; off <= horizon; off++ {
		day := time.Date(y, m, d+off, 12, 0, 0, 0, loc)
		dy, dm, dd := day.Date()
		hardToday := span{at(dy, dm, dd, floor, loc), at(dy, dm, dd, ceiling, loc)}
		hardNext := span{at(dy, dm, dd+1, floor, loc), at(dy, dm, dd+1, ceiling, loc)}
		for _, w := range windows {
			if !w.days[day.Weekday()] {
				continue
			}
			ws := at(dy, dm, dd, w.start, loc)
			we := at(dy, dm, dd, w.end, loc)
			if w.end <= w.start {
				we = at(dy, dm, dd+1, w.end, loc)
			}
			if !now.Before(ws) && now.Before(we) {
				inWindow = true
			}
			for _, h := range []span{hardToday, hardNext} {
				from, to := later(ws, h.from), earlier(we, h.to)
				if from.Before(to) {
					allowed = append(allowed, span{from, to})
				}
			}
		}
	}
	sort.Slice(allowed, func(i, j int) bool { return allowed[i].from.Before(allowed[j].from) })
	for _, s := range allowed {
		if !now.Before(s.from) && now.Before(s.to) {
			return true, now, ""
		}
	}
	for _, s := range allowed {
		if s.from.After(now) {
			next = s.from
			break
		}
	}
	where := fmt.Sprintf("%s %s in %s", local.Weekday().String()[:3], local.Format("15:04"), zone)
	if inWindow {
		return false, next, fmt.Sprintf("outside the hard calling hours %s-%s (it is %s)", hard.Floor, hard.Ceiling, where)
	}
	if next.IsZero() {
		return false, next, fmt.Sprintf("no contactable time in the next %d days (it is %s)", horizon-1, where)
	}
	return false, next, fmt.Sprintf("outside the contactable windows (it is %s)", where)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// NumberZones returns the IANA zones of an E.164 number's region (libphonenumber's
// prefix data), or nil when unknown.
func NumberZones(number string) []string {
	num, err := phonenumbers.Parse(number, "")
	if err != nil {
		return nil
	}
	zones, err := phonenumbers.GetTimezonesForNumber(num)
	if err != nil {
		return nil
	}
	var out []string
	for _, z := range zones {
		if z != "" && z != phonenumbers.UNKNOWN_TIMEZONE {
			out = append(out, z)
		}
	}
	return out
}

// ContactZone picks the zone a contact is evaluated in: its own when the list has one,
// else the single zone of its number's region, else "" (the campaign's). The second
// result says which: "contact", "number" or "campaign".
func ContactZone(contactTZ, number string) (string, string) {
	if contactTZ != "" {
		return contactTZ, "contact"
	}
	if zs := NumberZones(number); len(zs) == 1 {
		return zs[0], "number"
	}
	return "", "campaign"
}
