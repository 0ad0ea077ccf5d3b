package pacing

import (
	"fmt"
	"time"
)

// Mode is a campaign's dialing mode.
type Mode uint8

// Dialing modes.
const (
	// Agentless fills up to the campaign's Max Concurrent Calls; answered calls go to
	// an experience flow, not to agents.
	Agentless Mode = iota + 1
	// Progressive places one call per free agent, reserving that agent.
	Progressive
	// Power places Ratio calls per free agent, reserving that agent for the first
	// answer; further answers go to any free agent or are abandoned after the grace.
	Power
	// Preview offers the next record to a free agent, who places the call.
	Preview
	// Predictive forecasts agent release and answers and places as many calls as keep
	// the expected abandonment under the campaign's target.
	Predictive
)

// String returns the mode's lower-case name as used in configuration.
func (m Mode) String() string {
	switch m {
	case Agentless:
		return "agentless"
	case Progressive:
		return "progressive"
	case Power:
		return "power"
	case Preview:
		return "preview"
	case Predictive:
		return "predictive"
	}
	return fmt.Sprintf("mode(%d)", uint8(m))
}

// ParseMode parses a mode name ("agentless", "progressive", "power", "preview",
// "predictive").
func ParseMode(s string) (Mode, error) {
	for m := Agentless; m <= Predictive; m++ {
		if m.String() == s {
			return m, nil
		}
	}
	return 0, fmt.Errorf("%w %q: use agentless, progressive, power, preview or predictive", ErrUnknownMode, s)
}

// AgentState is what an agent is doing.
type AgentState uint8

// Agent states.
const (
	// Available: logged in, ready, not reserved for any call.
	Available AgentState = iota
	// OnCall: talking; InState is the talk time so far.
	OnCall
	// WrapUp: after-call work; InState is the wrap time so far.
	WrapUp
	// SystemBusy: reserved by the dialer for a call being placed (power, progressive,
	// preview, mapped customers).
	SystemBusy
	// Paused: logged in but not taking calls.
	Paused
)

// Stage is where a call in flight is.
type Stage uint8

// Call stages.
const (
	// Ringing: dialed, not answered yet; Elapsed counts from the dial.
	Ringing Stage = iota
	// Detecting: answered, answering-machine detection running; Elapsed counts from
	// the answer.
	Detecting
	// Waiting: a human answered and waits for an agent; Elapsed counts from the
	// moment the call was ready for an agent.
	Waiting
	// Flow: an agentless call connected to its experience flow. It counts toward the
	// campaign's Max Concurrent Calls and the trunk channels.
	Flow
)

// Rule selects the compliance windows checked for a campaign.
type Rule uint8

// Compliance rules.
const (
	// RuleUS checks both the calendar day and the rolling 30 days (FCC/FTC: 30-day
	// period per campaign; the daily check keeps every day clean as well).
	RuleUS Rule = iota
	// RuleUK checks the calendar day only (Ofcom: each 24-hour period, midnight to
	// midnight) and expects AMD false positives to be counted as abandoned.
	RuleUK
)

// Compliance is a campaign's abandonment limit. The zero value is the US default:
// 3% of live answers, per calendar day and rolling 30 days, 2 s grace.
type Compliance struct {
	Target float64       // fraction of live answers, 0 means 0.03
	Rule   Rule          // windows to check
	Grace  time.Duration // 0 means DefaultGrace
	// MinRing is how long an unanswered call must ring before the dialer may hang it
	// up (0 means DefaultMinRing; less than DefaultMinRing is raised to it).
	MinRing time.Duration
}

// DefaultGrace is how long an answered human may wait for an agent before the call
// counts as abandoned.
const DefaultGrace = 2 * time.Second

// DefaultMinRing is the shortest ring after which an unanswered call may be hung up:
// 15 seconds. The FTC's safe harbour asks the telephone to ring "for at least fifteen
// (15) seconds or four (4) rings before disconnecting an unanswered call" (16 CFR
// 310.4(b)(4)); the FCC's 47 CFR 64.1200(a)(6) and Ofcom's policy say the same. The
// pacer never cuts a call that has rung less.
const DefaultMinRing = 15 * time.Second

// DefaultTarget is the default abandonment limit: 3% of live answers.
const DefaultTarget = 0.03

// USCompliance is the FCC/FTC preset: 3%, rolling 30 days and each calendar day.
func USCompliance() Compliance {
	return Compliance{Target: DefaultTarget, Rule: RuleUS, Grace: DefaultGrace, MinRing: DefaultMinRing}
}

// UKCompliance is the Ofcom-style preset: 3% per calendar day, AMD false positives
// counted by the caller, 2 s from the greeting.
func UKCompliance() Compliance {
	return Compliance{Target: DefaultTarget, Rule: RuleUK, Grace: DefaultGrace, MinRing: DefaultMinRing}
}

func (c Compliance) target() float64 {
	if c.Target <= 0 {
		return DefaultTarget
	}
	return c.Target
}

func (c Compliance) grace() time.Duration {
	if c.Grace <= 0 {
		return DefaultGrace
	}
	return c.Grace
}

func (c Compliance) minRing() time.Duration {
	return max(c.MinRing, DefaultMinRing)
}

// Window counts live answers and abandons over a period.
type Window struct {
	LiveAnswers int
	Abandons    int
}

// Rate returns Abandons / LiveAnswers, or 0 without answers.
func (w Window) Rate() float64 {
	if w.LiveAnswers == 0 {
		return 0
	}
	return float64(w.Abandons) / float64(w.LiveAnswers)
}

// Stats are a campaign's recent observations, as kept by an Estimator and a Ledger.
type Stats struct {
	Outcomes    int     // dial outcomes observed so far
	AnswerRate  float64 // P(live human | dial)
	MachineRate float64 // P(answering machine | dial)
	BusyRate    float64 // P(busy or failed | dial)
	Ring        Dist    // dial to live answer, seconds
	OtherRing   Dist    // dial to machine answer or busy, seconds
	RingTimeout time.Duration
	AMD         time.Duration // answer to detection decision (0: no AMD)
	Talk        Dist          // talk time, seconds
	Wrap        time.Duration // wrap-up time

	Recent  Window // last 15 minutes
	Hour    Window // last hour
	Day     Window // current calendar day
	Rolling Window // rolling 30 calendar days
}

// Contact is a ready record known to the pacer: mapped customers must be listed;
// unmapped ones only when offers (preview) should name them.
type Contact struct {
	ID       string
	Priority int // customer priority: higher first
	Agent    int // index of the mapped agent in Snapshot.Agents, -1 if not mapped
}

// Campaign is one running campaign in a snapshot.
type Campaign struct {
	ID            string
	Mode          Mode
	Priority      int     // 1 (lowest) to 5 (highest)
	Ratio         float64 // power: calls per free agent, 1-10 (0 means 2)
	MaxConcurrent int     // agentless: simultaneous calls (0: unlimited within global caps)
	// MaxLinesPerAgent caps predictive lines in flight per agent in its pool (0 means 3).
	MaxLinesPerAgent float64
	Compliance       Compliance
	// Ready is the number of ready contacts not mapped to an agent.
	Ready int
	// Contacts are ready records the pacer may name: all ready mapped customers, and
	// for preview the head of the list.
	Contacts []Contact
	Stats    Stats
}

// Agent is one logged-in agent in a snapshot.
type Agent struct {
	ID      string
	State   AgentState
	InState time.Duration // time in the current state
	// Campaigns are indexes into Snapshot.Campaigns of the campaigns this agent serves.
	Campaigns []int
}

// Call is one call in flight.
type Call struct {
	Campaign int           // index into Snapshot.Campaigns
	Stage    Stage         // ringing, detecting or waiting for an agent
	Elapsed  time.Duration // time in the stage
	Agent    int           // reserved agent index, -1 if none
}

// Caps are limits shared by all campaigns. Zero means unlimited.
type Caps struct {
	MaxAgentless  int     // simultaneous agentless calls across campaigns
	TrunkChannels int     // simultaneous calls of any kind
	CPS           float64 // new calls per second
}

// Snapshot is everything Decide looks at: the state at time Now.
type Snapshot struct {
	Now       time.Time
	Campaigns []Campaign
	Agents    []Agent
	Calls     []Call
	// Connected is the number of calls bridged to agents: they hold trunk channels
	// but are no longer paced.
	Connected int
	Caps      Caps
}

// Order asks for Count new calls on a campaign. With Agent >= 0 the calls are placed
// for that agent, who is reserved (system busy) until one of them reaches it or all
// end; with Contact >= 0 the call is to that entry of the campaign's Contacts (a
// mapped customer), otherwise to the next ready contacts by customer priority.
type Order struct {
	Campaign int
	Count    int
	Agent    int
	Contact  int
}

// Offer gives a free agent the next record of a preview campaign. Contact is an index
// into the campaign's Contacts, or -1 for "the next ready contact".
type Offer struct {
	Campaign int
	Agent    int
	Contact  int
}

// Decision is the output of one Decide call. Its slices belong to the Pacer and stay
// valid until the next Decide.
type Decision struct {
	Orders []Order
	Offers []Offer
	// Hangups are indexes into Snapshot.Calls of unanswered calls to hang up now
	// (CANCEL): predictive calls that have rung at least the minimum ring while a live
	// answer on them would find no agent with a chance above what a new call may take
	// (see Forecast.LateRisk). The dialer records them as No Answer.
	Hangups []int
}

// Dials returns the total number of calls ordered.
func (d Decision) Dials() int {
	n := 0
	for _, o := range d.Orders {
		n += o.Count
	}
	return n
}
