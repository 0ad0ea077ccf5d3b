package engine

import (
	"context"
	"time"

	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/media"
	"github.com/outdial/outdial/store"
)

// Clock tells the time the engine schedules by (records due, contactable hours, retry
// times). Durations of calls (ring, grace, talk) are real time.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

var _ Clock = SystemClock{}

// Store is what the engine reads and writes besides what campaign.Service does: leases
// and attempts, flows and queues.
type Store interface {
	store.Campaigns
	store.Queues
	store.PhoneNumbers
	store.Trunks
}

// DialRequest is one call to place.
type DialRequest struct {
	AttemptID int64
	Number    string
	CallerID  string
	// Trunks in failover order; empty means any.
	Trunks  []string
	MaxRing time.Duration
	// AMD turns answering-machine detection on; MessageEnd also finds the end of a
	// machine greeting (the beep) for a voicemail drop.
	AMD        bool
	MessageEnd bool
}

// Answer is how a call left the ringing stage.
type Answer struct {
	Answered bool
	// Outcome is the campaign outcome of a call not answered (Busy, No Answer, Failed,
	// SIT/Invalid Number).
	Outcome string
	Reason  string
}

// Class is what answered.
type Class int

const (
	ClassHuman Class = iota
	ClassMachine
	ClassFax
	ClassSIT
	// ClassUnsure: no decision in time; handled as a human (dropping a person costs more).
	ClassUnsure
)

func (c Class) String() string {
	return [...]string{"human", "machine", "fax", "sit", "unsure"}[c]
}

// Call is one placed call, as the Dialer gives it.
type Call interface {
	// Wait blocks until the call is answered or has ended unanswered.
	Wait(ctx context.Context) (Answer, error)
	// Classify runs answering-machine detection on the answered audio until it decides.
	Classify(ctx context.Context) (Class, error)
	// MessageEnd waits for the end of a machine greeting (beep, silence or tone timeout).
	MessageEnd(ctx context.Context) error
	// Play plays a recorded prompt (ErrNoPrompt when there is none of that name); Say
	// speaks text; Gather reads up to max DTMF digits within timeout.
	Play(ctx context.Context, prompt string) error
	Say(ctx context.Context, text string) error
	Gather(ctx context.Context, max int, timeout time.Duration) (string, error)
	// Hold plays hold audio to the customer, over and over, until ctx is done (then it
	// returns nil) or the call ends.
	Hold(ctx context.Context) error
	// Leg is the customer's audio, to bridge to an agent.
	Leg() media.Endpoint
	// Done is closed when the call has ended (either side).
	Done() <-chan struct{}
	// CallID is the SIP Call-ID, once known.
	CallID() string
	// Hangup ends the call and frees its media.
	Hangup(ctx context.Context) error
}

// Dialer places calls.
type Dialer interface {
	Dial(ctx context.Context, r DialRequest) (Call, error)
}

// AgentState is an agent's state as the engine routes by it and the console shows it.
type AgentState string

const (
	AgentAvailable  AgentState = "Available"
	AgentPaused     AgentState = "Paused"
	AgentBusy       AgentState = "Busy"
	AgentSystemBusy AgentState = "SystemBusy"
	AgentWrapUp     AgentState = "WrapUp"
	AgentOffline    AgentState = "Offline"
)

// AgentStates lists the states, for metrics.
func AgentStates() []AgentState {
	return []AgentState{AgentAvailable, AgentPaused, AgentBusy, AgentSystemBusy, AgentWrapUp}
}

// AgentInfo describes an agent who logs in.
type AgentInfo struct {
	ID     int64
	Name   string
	Queues []int64
}

// Offer is what an agent's console is told about a call given to it, or offered in
// preview.
type Offer struct {
	AttemptID  int64             `json:"attempt_id,omitempty"`
	RecordID   int64             `json:"record_id"`
	CampaignID int64             `json:"campaign_id"`
	Campaign   string            `json:"campaign"`
	Mode       campaign.Mode     `json:"mode"`
	Number     string            `json:"number"`
	FirstName  string            `json:"first_name,omitempty"`
	LastName   string            `json:"last_name,omitempty"`
	Fields     map[string]string `json:"fields,omitempty"`
	// Dispositions the agent may choose from.
	Dispositions []string `json:"dispositions,omitempty"`
	// SkipsLeft (preview) is how many more times the agent may skip this record.
	SkipsLeft int `json:"skips_left,omitempty"`
}

// Wrap is the agent's closing of a call.
type Wrap struct {
	Disposition string
	Notes       string
}

// AgentCall is the agent's side of one connected call.
type AgentCall interface {
	// Leg is the agent's audio (the nailed-up RTP or WebRTC leg).
	Leg() media.Endpoint
	// HungUp is closed when the agent hangs up.
	HungUp() <-chan struct{}
	// Held reports the agent putting the call on hold (true) and taking it off (false).
	// While held the customer hears hold audio (Call.Hold) and the agent hears nothing.
	Held() <-chan bool
	// Ended tells the console the customer is gone: the agent wraps up.
	Ended()
	// Disposition waits for the agent's disposition.
	Disposition(ctx context.Context) (Wrap, error)
}

// Agents is the console side: the hub that holds the agents' connections. Its methods
// are called from call goroutines (Connect) and from the event loop (State, Preview),
// and must not block for long.
type Agents interface {
	// Connect hands an answered call to an agent the engine chose.
	Connect(ctx context.Context, agentID int64, o Offer) (AgentCall, error)
	// State tells an agent's console the state the engine put it in.
	State(agentID int64, s AgentState)
	// Preview offers a record to an agent (preview mode), who answers with
	// Engine.PreviewAnswer.
	Preview(agentID int64, o Offer)
}
