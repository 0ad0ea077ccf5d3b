package campaign

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/outdial/outdial/store"
)

// This file holds what the dialing engine calls around each dial: the checks right
// before the INVITE, the recording of outcomes with the retry decision and Auto-DNC,
// and the recovery of attempts left in flight by a crash.

// Verdict is the answer of the dial-time checks.
type Verdict struct {
	OK bool
	// Final: never dial this record again (its number is on a DNC list); the engine
	// releases it with Outcome as its disposition.
	Final   bool
	Outcome string
	// Next is when to try again when not OK and not Final (zero: the campaign's retry
	// period).
	Next   time.Time
	Reason string
	// Zone is the time zone the contact was evaluated in.
	Zone string
}

// CheckDial runs the checks that must pass immediately before dialing number for a
// record: the global and campaign DNC lists, then the contactable hours in the
// contact's zone (its own, else its number's, else the campaign's) under the hard
// limits. It fails closed: when a check cannot be evaluated the verdict is not OK.
func (s *Service) CheckDial(ctx context.Context, c Campaign, rec store.CallRecord, number string, now time.Time) Verdict {
	retry := now.Add(time.Duration(c.Outreach.RetryMinutes) * time.Minute)
	if blocked, e, err := s.blocked(ctx, c, number, now); err != nil {
		return Verdict{Next: retry, Reason: "the DNC check failed (" + err.Error() + "); not dialing"}
	} else if blocked {
		return Verdict{Final: true, Outcome: OutcomeDNCExcluded, Reason: fmt.Sprintf("%s is on DNC list %d", number, e.ListID)}
	}
	zone, _ := ContactZone(rec.TimeZone, number)
	timings := c.Outreach.Timings
	if c.Schedule != nil && c.Schedule.AllowRecurrencePrecedence {
		// The occurrence's own hours replace the windows; the hard limits still hold.
		occ, ok, err := c.Schedule.Current(now)
		if err != nil || !ok {
			return Verdict{Next: retry, Reason: "outside the scheduled occurrence", Zone: zone}
		}
		timings = Timings{TimeZone: timings.TimeZone}
		if !occ.End.IsZero() {
			retry = occ.End
		}
	}
	ok, next, reason := Contactable(now, zone, timings, s.opt.Hard)
	if zone == "" {
		zone = timings.TimeZone
	}
	if !ok {
		if next.IsZero() {
			next = retry
		}
		return Verdict{Next: next, Reason: reason, Zone: zone}
	}
	return Verdict{OK: true, Zone: zone}
}

// blocked checks the global and the campaign's DNC lists.
func (s *Service) blocked(ctx context.Context, c Campaign, number string, now time.Time) (bool, store.DNCEntry, error) {
	if s.opt.DNC != nil {
		return s.opt.DNC.Blocked(ctx, number, []int64{c.Contacts.DNCListID}, false)
	}
	global, err := s.st.GlobalDNC(ctx)
	if err != nil {
		return true, store.DNCEntry{}, fmt.Errorf("global DNC list: %w", err)
	}
	e, err := s.st.DNCMatch(ctx, number, []int64{global.ID, c.Contacts.DNCListID}, now)
	if errors.Is(err, store.ErrNotFound) {
		return false, store.DNCEntry{}, nil
	}
	if err != nil {
		return true, store.DNCEntry{}, err
	}
	return true, e, nil
}

// Result is how a dial ended, as the engine reports it.
type Result struct {
	AttemptID   int64
	Outcome     string
	Disposition string
	AgentID     *int64
	At          time.Time
	// Unknown closes the attempt as unknown (crash recovery).
	Unknown bool
	// Notes are the agent's notes, stored on the attempt.
	Notes string
}

// Finish closes an attempt: it applies the retry rules to the record's history,
// writes the attempt and the record's next step in one transaction, and adds the number
// to the global DNC list when its unanswered streak reaches the setting.
func (s *Service) Finish(ctx context.Context, c Campaign, res Result) (store.Attempt, Plan, error) {
	atts, err := s.attemptAndHistory(ctx, res.AttemptID)
	if err != nil {
		return store.Attempt{}, Plan{}, err
	}
	cur := atts[len(atts)-1]
	rec, err := s.st.CallRecordByID(ctx, cur.RecordID)
	if err != nil {
		return store.Attempt{}, Plan{}, err
	}
	hist := make([]Try, 0, len(atts))
	for _, a := range atts {
		t := Try{Number: a.Number, Outcome: a.Outcome, Disposition: a.Disposition, At: a.StartedAt}
		if a.ID == cur.ID {
			t.Outcome, t.Disposition = res.Outcome, res.Disposition
		}
		hist = append(hist, t)
	}
	plan := NextAttempt(hist, rec.Phones, c.Rules(), res.At)
	state := store.AttemptFinal
	if res.Unknown {
		state = store.AttemptUnknown
	}
	a, err := s.st.FinishAttempt(ctx, store.AttemptEnd{AttemptID: cur.ID, State: state, Outcome: res.Outcome, Disposition: res.Disposition,
		AgentID: res.AgentID, At: res.At, Final: plan.Final, NextAttemptAt: plan.At, NextNumber: plan.Number, Notes: res.Notes})
	if err != nil {
		return a, plan, err
	}
	if Unanswered(res.Outcome) {
		if err := s.autoDNC(ctx, a.Number, res.At); err != nil {
			return a, plan, fmt.Errorf("campaign: auto-DNC of %s: %w", a.Number, err)
		}
	}
	return a, plan, nil
}

// attemptAndHistory returns the record's attempts, the one asked for last.
func (s *Service) attemptAndHistory(ctx context.Context, attemptID int64) ([]store.Attempt, error) {
	a, err := s.st.AttemptByID(ctx, attemptID)
	if err != nil {
		return nil, err
	}
	if !a.State.InFlight() {
		return nil, fmt.Errorf("%w: attempt %d is already %s", store.ErrConflict, attemptID, a.State)
	}
	hist, err := s.st.RecordAttempts(ctx, a.RecordID)
	if err != nil {
		return nil, err
	}
	out := make([]store.Attempt, 0, len(hist))
	for _, h := range hist {
		if h.ID != a.ID {
			out = append(out, h)
		}
	}
	return append(out, a), nil
}

func (s *Service) autoDNC(ctx context.Context, number string, now time.Time) error {
	set, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	streak, err := s.st.UnansweredStreak(ctx, number)
	if err != nil {
		return err
	}
	add, expires := AutoDNC(streak, set, now)
	if !add {
		return nil
	}
	global, err := s.st.GlobalDNC(ctx)
	if err != nil {
		return err
	}
	_, err = s.st.PutDNCEntry(ctx, store.DNCEntry{ListID: global.ID, Number: number, ExpiresAt: expires, Source: "auto-dnc: unanswered attempts"})
	return err
}

// Settings returns the global campaign settings (defaults where none are stored).
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	set := DefaultSettings()
	b, err := s.st.Setting(ctx, SettingsKey)
	if errors.Is(err, store.ErrNotFound) {
		return set, nil
	}
	if err != nil {
		return set, err
	}
	if err := json.Unmarshal(b, &set); err != nil {
		return set, fmt.Errorf("campaign: stored settings: %w", err)
	}
	return set, nil
}

// AddToDNC puts a number on the campaign's DNC list at once (an opt-out from the
// safe-harbour message, a flow's add-to-DNC node or an agent).
func (s *Service) AddToDNC(ctx context.Context, c Campaign, number, source string) error {
	_, err := s.st.PutDNCEntry(ctx, store.DNCEntry{ListID: c.Contacts.DNCListID, Number: number, Source: source})
	return err
}

// CloseInFlightAsUnknown closes every attempt a node left dialing, ringing or answered
// (node "" closes those of every node: only when no node is running). They are never
// re-dialed as such; the retry rules decide, like for any Unknown outcome. It returns
// how many it closed.
func (s *Service) CloseInFlightAsUnknown(ctx context.Context, node string) (int, error) {
	fl, err := s.st.InFlightAttempts(ctx, node)
	if err != nil {
		return 0, err
	}
	cache := map[int64]Campaign{}
	n := 0
	var errs []error
	for _, a := range fl {
		c, ok := cache[a.CampaignID]
		if !ok {
			if c, err = s.Get(ctx, a.CampaignID); err != nil {
				errs = append(errs, err)
				continue
			}
			cache[a.CampaignID] = c
		}
		if _, _, err := s.Finish(ctx, c, Result{AttemptID: a.ID, Outcome: OutcomeUnknown, At: s.now(), Unknown: true}); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}
