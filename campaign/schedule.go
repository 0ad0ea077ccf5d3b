package campaign

import (
	"fmt"
	"time"
)

// LocalLayout is how schedule date-times are written: wall-clock time in the schedule's
// zone, without an offset.
const LocalLayout = "2006-01-02T15:04"

// Recurrence frequencies.
const (
	Daily   = "daily"
	Weekly  = "weekly"
	Monthly = "monthly"
	Yearly  = "yearly"
)

// Recurrence repeats a schedule every Every days, weeks, months or years. A monthly or
// yearly recurrence skips the periods that lack the start's day (the 31st, February 29th).
type Recurrence struct {
	Frequency string `json:"frequency"`
	Every     int    `json:"every"`
	// Until, optional, is the last moment an occurrence may start (LocalLayout).
	Until string `json:"until,omitempty"`
}

// Schedule starts a campaign by itself: at Start, and again at each recurrence. End,
// optional, closes each occurrence (its offset from Start is kept). Times are
// LocalLayout in TimeZone.
type Schedule struct {
	Start      string      `json:"start"`
	End        string      `json:"end,omitempty"`
	TimeZone   string      `json:"time_zone"`
	Recurrence *Recurrence `json:"recurrence,omitempty"`
	// AllowRecurrencePrecedence lets the occurrence's own start and end replace the
	// contactable timings (the hard calling hours still apply).
	AllowRecurrencePrecedence bool `json:"allow_recurrence_precedence"`
}

// Occurrence is one scheduled run.
type Occurrence struct {
	Start time.Time `json:"start"`
	// End is zero when the schedule has no end: the run ends when its contacts are done.
	End time.Time `json:"end,omitempty"`
}

// Contains reports whether t falls inside the occurrence.
func (o Occurrence) Contains(t time.Time) bool {
	return !t.Before(o.Start) && (o.End.IsZero() || t.Before(o.End))
}

type parsedSchedule struct {
	loc        *time.Location
	start, end time.Time // local wall clock in loc
	hasEnd     bool
	freq       string
	every      int
	until      time.Time
	hasUntil   bool
}

func (s Schedule) parse() (parsedSchedule, error) {
	var p parsedSchedule
	if s.TimeZone == "" {
		return p, &FieldError{Field: "schedule.time_zone", Value: `""`, Message: "is required; use an IANA zone like America/New_York"}
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil || s.TimeZone == "Local" {
		return p, &FieldError{Field: "schedule.time_zone", Value: s.TimeZone, Message: "is not an IANA zone; use one like America/New_York"}
	}
	p.loc = loc
	if p.start, err = time.ParseInLocation(LocalLayout, s.Start, loc); err != nil {
		return p, &FieldError{Field: "schedule.start", Value: s.Start, Message: "is not a date-time; write it like 2026-05-01T09:00"}
	}
	if s.End != "" {
		if p.end, err = time.ParseInLocation(LocalLayout, s.End, loc); err != nil {
			return p, &FieldError{Field: "schedule.end", Value: s.End, Message: "is not a date-time; write it like 2026-05-01T17:00"}
		}
		if !p.end.After(p.start) {
			return p, &FieldError{Field: "schedule.end", Value: s.End, Message: "must be after the start " + s.Start}
		}
		p.hasEnd = true
	}
	if r := s.Recurrence; r != nil {
		switch r.Frequency {
		case Daily, Weekly, Monthly, Yearly:
		default:
			return p, &FieldError{Field: "schedule.recurrence.frequency", Value: r.Frequency, Message: "is not allowed; use daily, weekly, monthly or yearly"}
		}
		if r.Every < 1 || r.Every > 365 {
			return p, &FieldError{Field: "schedule.recurrence.every", Value: r.Every, Message: "is out of range; allowed 1..365"}
		}
		p.freq, p.every = r.Frequency, r.Every
		if r.Until != "" {
			if p.until, err = time.ParseInLocation(LocalLayout, r.Until, loc); err != nil {
				return p, &FieldError{Field: "schedule.recurrence.until", Value: r.Until, Message: "is not a date-time; write it like 2026-12-31T23:59"}
			}
			if p.until.Before(p.start) {
				return p, &FieldError{Field: "schedule.recurrence.until", Value: r.Until, Message: "is before the start " + s.Start}
			}
			p.hasUntil = true
		}
		if p.hasEnd {
			span := p.end.Sub(p.start)
			if limit := p.occurrence(1).start.Sub(p.start); limit > 0 && span > limit {
				return p, &FieldError{Field: "schedule.end", Value: s.End, Message: "makes each occurrence longer than the recurrence period; occurrences must not overlap"}
			}
		}
	}
	return p, nil
}

// Validate checks the schedule and returns a *FieldError naming the field and the fix.
func (s Schedule) Validate() error {
	_, err := s.parse()
	return err
}

type occ struct {
	start, end time.Time
	ok         bool
}

// shift moves a local wall-clock time by k periods, keeping the clock; ok is false
// when the date does not exist in that period (Feb 30th).
func (p parsedSchedule) shift(t time.Time, k int) (time.Time, bool) {
	y, m, d := t.Date()
	h, mi, _ := t.Clock()
	var ty, tm, td int
	switch p.freq {
	case Daily:
		ty, tm, td = y, int(m), d+k*p.every
	case Weekly:
		ty, tm, td = y, int(m), d+7*k*p.every
	case Monthly:
		ty, tm, td = y, int(m)+k*p.every, d
	case Yearly:
		ty, tm, td = y+k*p.every, int(m), d
	default:
		return t, k == 0
	}
	out := time.Date(ty, time.Month(tm), td, h, mi, 0, 0, p.loc)
	if p.freq == Monthly || p.freq == Yearly {
		// Normalised into the next month: that period has no such day.
		want := time.Date(ty, time.Month(tm), 1, 0, 0, 0, 0, p.loc)
		if out.Month() != want.Month() || out.Day() != d {
			return out, false
		}
	}
	return out, true
}

func (p parsedSchedule) occurrence(k int) occ {
	s, ok := p.shift(p.start, k)
	o := occ{start: s, ok: ok}
	if p.hasEnd {
		// The end keeps its offset in days and clock from the start.
		o.end = s.Add(p.end.Sub(p.start))
		if days := dayDiff(p.start, p.end); days >= 0 {
			y, m, d := s.Date()
			eh, em, _ := p.end.Clock()
			o.end = time.Date(y, m, d+days, eh, em, 0, 0, p.loc)
		}
	}
	return o
}

func dayDiff(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	da := time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)
	db := time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

// maxScan bounds the occurrences scanned for one answer.
const maxScan = 100000

// Occurrences returns up to n occurrences starting strictly after t, in order. A
// schedule without recurrence has at most one.
func (s Schedule) Occurrences(t time.Time, n int) ([]Occurrence, error) {
	p, err := s.parse()
	if err != nil {
		return nil, err
	}
	var out []Occurrence
	k := 0
	if p.freq != "" && t.After(p.start) {
		// Jump close to t: a period is at least a day.
		approx := map[string]float64{Daily: 24, Weekly: 24 * 7, Monthly: 24 * 28, Yearly: 24 * 365}[p.freq] * float64(p.every)
		k = max(int(t.Sub(p.start).Hours()/approx)-2, 0)
		if p.freq == Monthly || p.freq == Yearly {
			k = max(k/2-1, 0)
		}
	}
	for scanned := 0; len(out) < n && scanned < maxScan; scanned, k = scanned+1, k+1 {
		if p.freq == "" && k > 0 {
			break
		}
		o := p.occurrence(k)
		if p.hasUntil && o.start.After(p.until) {
			break
		}
		if !o.ok || !o.start.After(t) {
			continue
		}
		oc := Occurrence{Start: o.start.UTC()}
		if p.hasEnd {
			oc.End = o.end.UTC()
		}
		out = append(out, oc)
	}
	return out, nil
}

// Current returns the occurrence in progress at t (started at or before t and not yet
// ended), if any.
func (s Schedule) Current(t time.Time) (Occurrence, bool, error) {
	p, err := s.parse()
	if err != nil {
		return Occurrence{}, false, err
	}
	from := p.start.Add(-time.Minute)
	if p.freq != "" {
		from = later(from, p.shift2(t))
	}
	// At most a few occurrences lie between from (two periods back) and t.
	occs, err := s.Occurrences(from, 8)
	if err != nil {
		return Occurrence{}, false, err
	}
	var last Occurrence
	found := false
	for _, o := range occs {
		if o.Start.After(t) {
			break
		}
		last, found = o, true
	}
	if !found || !last.Contains(t) {
		return Occurrence{}, false, nil
	}
	return last, true, nil
}

// shift2 returns a time at least two periods before t, to search from.
func (p parsedSchedule) shift2(t time.Time) time.Time {
	switch p.freq {
	case Daily:
		return t.AddDate(0, 0, -2*p.every-1)
	case Weekly:
		return t.AddDate(0, 0, -14*p.every-1)
	case Monthly:
		return t.AddDate(0, -2*p.every-1, 0)
	}
	return t.AddDate(-2*p.every-1, 0, 0)
}

// ScrubLead is how long before a scheduled start the contacts are scrubbed again.
const ScrubLead = 15 * time.Minute

// ScrubDue reports whether the occurrence starting at next must be scrubbed at now:
// within ScrubLead of its start and not scrubbed for it yet.
func ScrubDue(now time.Time, next, scrubbedFor *time.Time) bool {
	if next == nil {
		return false
	}
	if now.Before(next.Add(-ScrubLead)) || !now.Before(*next) {
		return false
	}
	return scrubbedFor == nil || !scrubbedFor.Equal(*next)
}

// String describes the schedule for logs.
func (s Schedule) String() string {
	r := "once"
	if s.Recurrence != nil {
		r = fmt.Sprintf("every %d %s", s.Recurrence.Every, s.Recurrence.Frequency)
	}
	return fmt.Sprintf("%s %s (%s)", s.Start, s.TimeZone, r)
}
