package pacing

import "time"

// Abandoned reports whether a live answer counts as abandoned: it was not connected
// to an agent within grace of becoming ready (connected is the zero time when it never
// was). A zero grace means DefaultGrace.
func Abandoned(ready, connected time.Time, grace time.Duration) bool {
	if grace <= 0 {
		grace = DefaultGrace
	}
	if connected.IsZero() {
		return true
	}
	return connected.Sub(ready) > grace
}

type bucket struct {
	key   int64
	live  int
	aband int
}

// Ledger is the abandonment accounting of one campaign: live answers and abandons per
// calendar day (in its time zone) for 30 days, and per minute for the last hour. It
// allocates nothing after NewLedger and reads no clock: times are passed in.
type Ledger struct {
	loc  *time.Location
	days [30]bucket
	mins [60]bucket
}

// NewLedger returns an empty ledger whose calendar days are those of loc (UTC if nil).
func NewLedger(loc *time.Location) *Ledger {
	if loc == nil {
		loc = time.UTC
	}
	l := &Ledger{loc: loc}
	for i := range l.days {
		l.days[i].key = -1 << 62
	}
	for i := range l.mins {
		l.mins[i].key = -1 << 62
	}
	return l
}

func (l *Ledger) dayKey(t time.Time) int64 {
	y, m, d := t.In(l.loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

func slot(b []bucket, key int64) *bucket {
	i := int(key % int64(len(b)))
	if i < 0 {
		i += len(b)
	}
	s := &b[i]
	if s.key != key {
		*s = bucket{key: key}
	}
	return s
}

// Live records a live (human) answer at t.
func (l *Ledger) Live(t time.Time) {
	slot(l.days[:], l.dayKey(t)).live++
	slot(l.mins[:], t.Unix()/60).live++
}

// Abandon records that a live answer at t was abandoned. Record the answer with Live
// as well: the rate is abandons over live answers.
func (l *Ledger) Abandon(t time.Time) {
	slot(l.days[:], l.dayKey(t)).aband++
	slot(l.mins[:], t.Unix()/60).aband++
}

func sum(b []bucket, from, to int64) Window {
	var w Window
	for _, s := range b {
		if s.key >= from && s.key <= to {
			w.LiveAnswers += s.live
			w.Abandons += s.aband
		}
	}
	return w
}

// Fill sets the Recent (15 min), Hour, Day and Rolling (30 calendar days) windows of st
// as seen at now.
func (l *Ledger) Fill(now time.Time, st *Stats) {
	m := now.Unix() / 60
	d := l.dayKey(now)
	st.Recent = sum(l.mins[:], m-14, m)
	st.Hour = sum(l.mins[:], m-59, m)
	st.Day = sum(l.days[:], d, d)
	st.Rolling = sum(l.days[:], d-29, d)
}

// Day returns the window of the calendar day containing t, if it is still held.
func (l *Ledger) Day(t time.Time) Window {
	d := l.dayKey(t)
	return sum(l.days[:], d, d)
}
