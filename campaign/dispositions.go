package campaign

import (
	"fmt"
	"strings"
	"time"
)

// System outcomes of a dial (the spec's Outbound Dialer Dispositions, plus Fax and
// SIT/invalid number from AMD, Abandoned from the safe-harbour path and Unknown for
// attempts closed after a crash).
const (
	OutcomeBusy           = "Busy"
	OutcomeConnected      = "Connected"
	OutcomeFailed         = "Failed"
	OutcomeNoAnswer       = "No Answer"
	OutcomeMachine        = "Answering Machine"
	OutcomeDNCExcluded    = "DNC Excluded"
	OutcomeFilterSkipped  = "Filter Skipped"
	OutcomeRetryCancelled = "Retry Cancelled"
	OutcomeFax            = "Fax"
	OutcomeInvalidNumber  = "SIT/Invalid Number"
	OutcomeAbandoned      = "Abandoned"
	OutcomeUnknown        = "Unknown"
)

// Agent dispositions every set has; sets add custom ones.
const (
	DispositionUnresolved         = "Unresolved"
	DispositionRequiresSupervisor = "Requires Supervisor"
	DispositionResolved           = "Resolved"
	DispositionSystemGenerated    = "System Generated"
)

// SystemOutcomes lists the system outcomes.
func SystemOutcomes() []string {
	return []string{OutcomeBusy, OutcomeConnected, OutcomeFailed, OutcomeNoAnswer, OutcomeMachine, OutcomeDNCExcluded,
		OutcomeFilterSkipped, OutcomeRetryCancelled, OutcomeFax, OutcomeInvalidNumber, OutcomeAbandoned, OutcomeUnknown}
}

// AgentDispositions lists the built-in agent dispositions.
func AgentDispositions() []string {
	return []string{DispositionUnresolved, DispositionRequiresSupervisor, DispositionResolved, DispositionSystemGenerated}
}

// retriedByDefault are the dispositions "not fully attempted": retried after the
// default retry period when no rule names them.
func retriedByDefault(d string) bool {
	switch d {
	case OutcomeBusy, OutcomeNoAnswer, OutcomeFailed, OutcomeMachine, OutcomeAbandoned, OutcomeUnknown, DispositionUnresolved:
		return true
	}
	return false
}

// deadNumber outcomes say the number itself cannot be reached: move to the next one.
func deadNumber(d string) bool { return d == OutcomeFax || d == OutcomeInvalidNumber }

// RetryRule retries a disposition up to Attempts times (counting the attempts that
// ended with it), DelayMinutes apart (0 = the campaign's default retry period).
// Attempts 0 never retries it.
type RetryRule struct {
	Disposition  string `json:"disposition"`
	Attempts     int    `json:"attempts"`
	DelayMinutes int    `json:"delay_minutes"`
}

// DispositionSet is the campaign's one disposition set: custom agent dispositions, retry
// rules and the Positive Final Outcomes.
type DispositionSet struct {
	Name     string      `json:"name"`
	Custom   []string    `json:"custom"`
	Rules    []RetryRule `json:"rules"`
	Positive []string    `json:"positive"`
}

// Names returns every disposition the set knows: system outcomes, agent dispositions
// and custom ones.
func (d DispositionSet) Names() []string {
	out := append(SystemOutcomes(), AgentDispositions()...)
	return append(out, d.Custom...)
}

func (d DispositionSet) known(name string) bool {
	for _, n := range d.Names() {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// Validate checks names, rules and positive marks.
func (d DispositionSet) Validate() error {
	if len(d.Name) > 100 {
		return &FieldError{Field: "dispositions.name", Value: d.Name, Message: "is longer than 100 characters"}
	}
	seen := map[string]bool{}
	for _, n := range append(SystemOutcomes(), AgentDispositions()...) {
		seen[strings.ToLower(n)] = true
	}
	for i, c := range d.Custom {
		f := fmt.Sprintf("dispositions.custom[%d]", i)
		if strings.TrimSpace(c) == "" || len(c) > 50 {
			return &FieldError{Field: f, Value: c, Message: "must be 1 to 50 characters"}
		}
		if seen[strings.ToLower(c)] {
			return &FieldError{Field: f, Value: c, Message: "is already a disposition; choose another name"}
		}
		seen[strings.ToLower(c)] = true
	}
	ruled := map[string]bool{}
	for i, r := range d.Rules {
		f := fmt.Sprintf("dispositions.rules[%d]", i)
		if !d.known(r.Disposition) {
			return &FieldError{Field: f + ".disposition", Value: r.Disposition, Message: "is not a disposition of this set; add it to custom or use a system outcome"}
		}
		if ruled[strings.ToLower(r.Disposition)] {
			return &FieldError{Field: f + ".disposition", Value: r.Disposition, Message: "has two rules; keep one"}
		}
		ruled[strings.ToLower(r.Disposition)] = true
		if r.Attempts < 0 || r.Attempts > 100 {
			return &FieldError{Field: f + ".attempts", Value: r.Attempts, Message: "is out of range; allowed 0..100"}
		}
		if r.DelayMinutes < 0 || r.DelayMinutes > 60*24*30 {
			return &FieldError{Field: f + ".delay_minutes", Value: r.DelayMinutes, Message: "is out of range; allowed 0..43200 (30 days)"}
		}
	}
	for i, p := range d.Positive {
		if !d.known(p) {
			return &FieldError{Field: fmt.Sprintf("dispositions.positive[%d]", i), Value: p, Message: "is not a disposition of this set"}
		}
	}
	return nil
}

// Try is one past attempt of a contact, as NextAttempt needs it.
type Try struct {
	Number      string
	Outcome     string
	Disposition string
	At          time.Time
}

// label is the disposition that counts: the agent's, else the system outcome.
func (t Try) label() string {
	if t.Disposition != "" {
		return t.Disposition
	}
	return t.Outcome
}

// Rules are what NextAttempt decides by.
type Rules struct {
	// MaxAttempts is the most dials per number.
	MaxAttempts int
	// DefaultDelay separates retries no rule times.
	DefaultDelay time.Duration
	Set          DispositionSet
}

// Plan is NextAttempt's answer.
type Plan struct {
	// At is when to dial Number next; zero when Final.
	At     time.Time
	Number string
	Final  bool
	Reason string
}

// NextAttempt decides a contact's next dial from its history (oldest first), its
// numbers in dialing order and the rules. It is final on a Positive Final Outcome,
// on a disposition that is not retried (by rule or by default), and when every
// number has had MaxAttempts dials; a number that answered as fax or SIT is not
// dialed again.
func NextAttempt(history []Try, phones []string, r Rules, now time.Time) Plan {
	if len(phones) == 0 {
		return Plan{Final: true, Reason: "the contact has no phone number"}
	}
	if len(history) == 0 {
		return Plan{At: now, Number: phones[0], Reason: "first attempt"}
	}
	last := history[len(history)-1]
	d := last.label()
	for _, p := range r.Set.Positive {
		if strings.EqualFold(p, d) {
			return Plan{Final: true, Reason: fmt.Sprintf("%s is a positive final outcome", d)}
		}
	}
	delay := r.DefaultDelay
	ruled := false
	for _, rule := range r.Set.Rules {
		if !strings.EqualFold(rule.Disposition, d) {
			continue
		}
		ruled = true
		n := 0
		for _, h := range history {
			if strings.EqualFold(h.label(), d) {
				n++
			}
		}
		// The rule's Attempts counts retries: the first dial that ended so is not one.
		if n > rule.Attempts {
			return Plan{Final: true, Reason: fmt.Sprintf("%s was retried %d times, the rule's limit", d, rule.Attempts)}
		}
		if rule.DelayMinutes > 0 {
			delay = time.Duration(rule.DelayMinutes) * time.Minute
		}
	}
	if !ruled && !retriedByDefault(d) && !deadNumber(d) {
		return Plan{Final: true, Reason: fmt.Sprintf("%s is final (no retry rule names it)", d)}
	}
	// Choose the number: stay on the last one while it has dials left and answers,
	// else the next in dialing order that has.
	counts := map[string]int{}
	dead := map[string]bool{}
	for _, h := range history {
		counts[h.Number]++
		if deadNumber(h.label()) {
			dead[h.Number] = true
		}
	}
	start := 0
	for i, p := range phones {
		if p == last.Number {
			start = i
		}
	}
	for i := 0; i < len(phones); i++ {
		p := phones[(start+i)%len(phones)]
		if dead[p] || counts[p] >= r.MaxAttempts {
			continue
		}
		at := now.Add(delay)
		if p != last.Number && deadNumber(d) {
			at = now // another number right away: this one cannot answer
		}
		return Plan{At: at, Number: p, Reason: fmt.Sprintf("retry %s after %s", d, at.Sub(now))}
	}
	return Plan{Final: true, Reason: fmt.Sprintf("every number had its %d attempts or cannot be reached", r.MaxAttempts)}
}

// Unanswered reports whether an outcome counts toward the Auto-DNC streak.
func Unanswered(outcome string) bool { return outcome != OutcomeConnected }

// AutoDNC decides whether a number with streak unanswered attempts in a row joins the
// global DNC list, and until when (nil: no expiry).
func AutoDNC(streak int, s Settings, now time.Time) (add bool, expires *time.Time) {
	if s.UnansweredCallAttemptsToDNC <= 0 || streak < s.UnansweredCallAttemptsToDNC {
		return false, nil
	}
	if s.UnansweredDNCKeepMonths > 0 {
		e := now.AddDate(0, s.UnansweredDNCKeepMonths, 0)
		return true, &e
	}
	return true, nil
}

// PriorityShares splits dialing between concurrent campaigns by priority, as the
// spec's FAQ does: each campaign's share is its priority over the sum of priorities
// (two campaigns of priority 5 and 3 get 62.5% and 37.5%).
func PriorityShares(priorities map[int64]int) map[int64]float64 {
	sum := 0
	for _, p := range priorities {
		if p > 0 {
			sum += p
		}
	}
	out := make(map[int64]float64, len(priorities))
	for id, p := range priorities {
		if sum > 0 && p > 0 {
			out[id] = float64(p) / float64(sum)
		} else {
			out[id] = 0
		}
	}
	return out
}
