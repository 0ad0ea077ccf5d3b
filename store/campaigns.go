package store

import (
	"context"
	"time"
)

// CampaignStatus is the spec's Ready / Active / Paused / Rerun / Completed.
type CampaignStatus string

const (
	CampaignReady     CampaignStatus = "Ready"
	CampaignActive    CampaignStatus = "Active"
	CampaignPaused    CampaignStatus = "Paused"
	CampaignRerun     CampaignStatus = "Rerun"
	CampaignCompleted CampaignStatus = "Completed"
)

// Running reports whether a campaign in status s holds a live instance (Active, Rerun or
// Paused): such a campaign keeps its lists, caller ID and flow busy.
func (s CampaignStatus) Running() bool {
	return s == CampaignActive || s == CampaignRerun || s == CampaignPaused
}

// Campaign is a voice campaign as stored. The columns the store queries on (status,
// priority, mode, linked records, schedule) are fields; everything else is Definition,
// a JSON document owned and validated by package campaign.
type Campaign struct {
	ID          int64          `json:"id"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Status      CampaignStatus `json:"status"`
	Priority    int            `json:"priority"`
	Mode        string         `json:"mode"`
	// ListIDs are the contact lists (at most 10), DNCListID the campaign's DNC list,
	// MappingListID the optional agent mapping list. All are recorded in list_usage.
	ListIDs       []int64 `json:"list_ids"`
	DNCListID     int64   `json:"dnc_list_id"`
	MappingListID *int64  `json:"mapping_list_id,omitempty"`
	// CallerID is a phone number id; QueueID and FlowID the connection. Deleting the
	// phone number, queue or flow clears them.
	CallerID *int64 `json:"caller_id,omitempty"`
	QueueID  *int64 `json:"queue_id,omitempty"`
	FlowID   *int64 `json:"flow_id,omitempty"`
	// Scheduled marks a campaign that starts by its schedule; NextStartAt is the next
	// occurrence and ScrubbedFor the occurrence whose contacts were last scrubbed.
	Scheduled   bool       `json:"scheduled"`
	NextStartAt *time.Time `json:"next_start_at,omitempty"`
	ScrubbedFor *time.Time `json:"scrubbed_for,omitempty"`
	// InstanceID is the current (or last) run.
	InstanceID *int64     `json:"instance_id,omitempty"`
	LastRunAt  *time.Time `json:"last_run_at,omitempty"`
	Definition []byte     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// Campaign sort keys.
const (
	SortRunTime  = "run_time" // last run, newest first: the spec's default
	SortPriority = "priority"
)

// CampaignFilter selects campaigns; zero fields match everything.
type CampaignFilter struct {
	Statuses   []CampaignStatus
	Priorities []int
	Modes      []string
	// Search matches any part of the name, case-insensitively.
	Search string
	// ListID keeps campaigns that use this contact list.
	ListID int64
	// CallerID, FlowID keep campaigns linked to that phone number or flow.
	CallerID, FlowID int64
	// StartDueBy keeps scheduled campaigns whose NextStartAt is at or before it.
	StartDueBy *time.Time
	// Sort is SortRunTime (default) or SortPriority; Desc reverses the order.
	Sort string
	Desc bool
}

// InstanceStatus is the state of one run of a campaign.
type InstanceStatus string

const (
	// InstancePreparing: its call records are being written (scrubbed snapshot).
	InstancePreparing InstanceStatus = "preparing"
	InstanceRunning   InstanceStatus = "running"
	InstancePaused    InstanceStatus = "paused"
	InstanceEnded     InstanceStatus = "ended"
)

// Instance is one run of a campaign: a fresh snapshot of its lists, scrubbed.
type Instance struct {
	ID         int64 `json:"id"`
	CampaignID int64 `json:"campaign_id"`
	// Number counts the runs of a campaign from 1.
	Number int `json:"number"`
	// Kind says what started it: "play", "rerun" or "schedule".
	Kind      string         `json:"kind"`
	Status    InstanceStatus `json:"status"`
	Records   int64          `json:"records"`
	StartedAt *time.Time     `json:"started_at,omitempty"`
	EndedAt   *time.Time     `json:"ended_at,omitempty"`
	EndReason string         `json:"end_reason,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
}

// CampaignTransition changes a campaign's status atomically, checking the rules that need
// the whole table: no two running campaigns on one contact list, at most MaxActive
// campaigns running.
type CampaignTransition struct {
	ID int64
	// From lists the statuses the campaign may be in; another gives ErrConflict.
	From []CampaignStatus
	To   CampaignStatus
	// Activate, when set, is a preparing instance of this campaign that becomes the
	// running one; the previous instance is ended.
	Activate int64
	// Instance sets the current instance's status (paused, running, ended) when not empty.
	Instance InstanceStatus
	// EndReason is written when the current instance ends.
	EndReason string
	// MaxActive > 0 refuses (ErrConflict) when that many campaigns already run.
	MaxActive int
	At        time.Time
}

// RecordState is where a call record (one contact in one instance) stands.
type RecordState string

const (
	RecordReady   RecordState = "ready"   // waiting for NextAttemptAt
	RecordLeased  RecordState = "leased"  // handed to a node until LeaseUntil
	RecordCalling RecordState = "calling" // an attempt is in flight
	RecordDone    RecordState = "done"    // final: no more attempts
)

// CallRecord is one contact of one instance: the spec's "conversation".
type CallRecord struct {
	ID         int64 `json:"id"`
	InstanceID int64 `json:"instance_id"`
	CampaignID int64 `json:"campaign_id"`
	ContactID  int64 `json:"contact_id"`
	// Phones in dialing order; Phone is the number last dialed (or first to dial).
	Phones    []string          `json:"phones"`
	Phone     string            `json:"phone"`
	FirstName string            `json:"first_name,omitempty"`
	LastName  string            `json:"last_name,omitempty"`
	TimeZone  string            `json:"time_zone,omitempty"`
	Priority  int               `json:"priority"`
	AgentID   *int64            `json:"agent_id,omitempty"`
	Fields    map[string]string `json:"fields,omitempty"`
	State     RecordState       `json:"state"`
	// Disposition is the latest: an agent disposition, else the last system outcome.
	Disposition string `json:"disposition,omitempty"`
	Attempts    int    `json:"attempts"`
	// Skips counts times the record was passed over outside contactable hours.
	Skips         int        `json:"skips"`
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	LeaseOwner    string     `json:"lease_owner,omitempty"`
	LeaseUntil    *time.Time `json:"lease_until,omitempty"`
	LastStartedAt *time.Time `json:"last_started_at,omitempty"`
	LastEndedAt   *time.Time `json:"last_ended_at,omitempty"`
	// LastDurationMS is the talk time of the last call (answer to end).
	LastDurationMS int64  `json:"last_duration_ms"`
	LastAgentID    *int64 `json:"last_agent_id,omitempty"`
	// LastNotes are the agent's notes on the last attempt.
	LastNotes string `json:"last_notes,omitempty"`
	// PreviewSkips counts the times agents skipped the record in preview mode.
	PreviewSkips int `json:"preview_skips"`
}

// AttemptState is the life of one dial.
type AttemptState string

const (
	AttemptDialing  AttemptState = "dialing" // written before the INVITE
	AttemptRinging  AttemptState = "ringing"
	AttemptAnswered AttemptState = "answered"
	AttemptFinal    AttemptState = "final"
	// AttemptUnknown closes an attempt whose node died or restarted mid-call; it is
	// never re-dialed as such, only retried by the normal retry rules.
	AttemptUnknown AttemptState = "unknown"
)

// InFlight reports whether the attempt may still have a live call.
func (s AttemptState) InFlight() bool {
	return s == AttemptDialing || s == AttemptRinging || s == AttemptAnswered
}

// Attempt is one dial of one number for one call record.
type Attempt struct {
	ID         int64        `json:"id"`
	RecordID   int64        `json:"record_id"`
	InstanceID int64        `json:"instance_id"`
	CampaignID int64        `json:"campaign_id"`
	Seq        int          `json:"seq"`
	Number     string       `json:"number"`
	State      AttemptState `json:"state"`
	Node       string       `json:"node"`
	CallID     string       `json:"call_id,omitempty"`
	// Outcome is the system outcome (Busy, Connected, No Answer...); Disposition the
	// agent's or the flow's.
	Outcome     string     `json:"outcome,omitempty"`
	Disposition string     `json:"disposition,omitempty"`
	AgentID     *int64     `json:"agent_id,omitempty"`
	StartedAt   time.Time  `json:"started_at"`
	AnsweredAt  *time.Time `json:"answered_at,omitempty"`
	EndedAt     *time.Time `json:"ended_at,omitempty"`
	DurationMS  int64      `json:"duration_ms"`
	// Notes are what the agent wrote with the disposition.
	Notes string `json:"notes,omitempty"`
}

// LeaseRequest asks for up to Limit ready records of an instance for Node.
type LeaseRequest struct {
	InstanceID int64
	Node       string
	Limit      int
	Now        time.Time
	// TTL is how long the lease holds; an expired lease may be taken by any node.
	TTL time.Duration
}

// AttemptStart begins an attempt on a record leased by Node: the row is committed
// before the INVITE leaves.
type AttemptStart struct {
	RecordID int64
	Node     string
	Number   string
	CallID   string
	At       time.Time
	// Agentless marks an attempt of an agentless campaign. With MaxAgentless > 0 the
	// attempt is refused (ErrCapacity) while that many agentless attempts are live
	// (dialing, ringing or answered) on this node and on the nodes alive at At (see
	// NodeAlive): the account's Max Concurrent Calls, shared by every node.
	Agentless    bool
	MaxAgentless int
}

// AttemptEnd closes an attempt and decides the record's future in one transaction.
type AttemptEnd struct {
	AttemptID int64
	// State is AttemptFinal or AttemptUnknown.
	State       AttemptState
	Outcome     string
	Disposition string
	AgentID     *int64
	At          time.Time
	// Final ends the record; otherwise it is ready again at NextAttemptAt, dialing
	// NextNumber (empty keeps the number).
	Final         bool
	NextAttemptAt time.Time
	NextNumber    string
	// Notes are the agent's notes (empty for calls without an agent).
	Notes string
}

// RecordRelease gives a leased record back without dialing it.
type RecordRelease struct {
	RecordID      int64
	Node          string
	NextAttemptAt time.Time
	// Skipped counts the release as a skip (outside contactable hours: Unconnected).
	Skipped bool
	// Final closes the record with Disposition (e.g. DNC Excluded at dial time).
	Final       bool
	Disposition string
}

// InstanceStats are the dashboard's overview and outcome figures of one instance.
type InstanceStats struct {
	InstanceID int64 `json:"instance_id"`
	// Records is y and Done x of the spec's "x of y"; Dialed counts records dialed at
	// least once.
	Records int64 `json:"records"`
	Done    int64 `json:"done"`
	Dialed  int64 `json:"dialed"`
	// Attempts counts closed attempts; Connected those answered by a person,
	// Unconnected the rest plus the skips.
	Attempts      int64   `json:"attempts"`
	Connected     int64   `json:"connected"`
	Unconnected   int64   `json:"unconnected"`
	AvgDurationMS float64 `json:"avg_duration_ms"`
	// Outcomes counts system outcomes over attempts and records excluded before
	// dialing; Dispositions counts agent dispositions. Both in count order.
	Outcomes     []Count `json:"outcomes"`
	Dispositions []Count `json:"dispositions"`
}

// Count is one bar of a chart.
type Count struct {
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

// MatrixCell is one cell of Disposition vs Attempts: how many conversations are at
// attempt Attempt with Disposition as their latest.
type MatrixCell struct {
	Attempt     int    `json:"attempt"`
	Disposition string `json:"disposition"`
	Count       int64  `json:"count"`
}

// Execution sort keys.
const (
	SortStartTime   = "start_time"
	SortDisposition = "disposition"
)

// ExecutionFilter is the spec's Latest Execution query: filter, then search, then sort.
type ExecutionFilter struct {
	InstanceID   int64
	Dispositions []string
	Priorities   []int
	// Since and Until bound the start time of the last call.
	Since, Until time.Time
	// Search matches any part of the phone number, first or last name.
	Search string
	// Sort is SortStartTime (default, newest first), SortPriority or SortDisposition.
	Sort          string
	Desc          bool
	Limit, Offset int
}

// SavedFilter is a user's saved view of the campaign table.
type SavedFilter struct {
	ID         int64            `json:"id"`
	UserID     int64            `json:"user_id"`
	Name       string           `json:"name"`
	Default    bool             `json:"default"`
	Statuses   []CampaignStatus `json:"statuses"`
	Priorities []int            `json:"priorities"`
	Modes      []string         `json:"modes"`
	CreatedAt  time.Time        `json:"created_at"`
	UpdatedAt  time.Time        `json:"updated_at"`
}

// StoredFlow is an agentless flow document; package flow parses and validates it.
type StoredFlow struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Document    []byte    `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Campaigns stores voice campaigns, their instances, call records and attempts,
// saved filters and agentless flows.
type Campaigns interface {
	// CreateCampaign stores a campaign in status Ready and links its lists.
	CreateCampaign(ctx context.Context, c Campaign) (Campaign, error)
	CampaignByID(ctx context.Context, id int64) (Campaign, error)
	FindCampaigns(ctx context.Context, f CampaignFilter) ([]Campaign, error)
	// UpdateCampaign replaces the definition fields (not status, schedule state or
	// instance) and relinks the lists.
	UpdateCampaign(ctx context.Context, c Campaign) (Campaign, error)
	// DeleteCampaign removes a campaign, its runs and its list links.
	DeleteCampaign(ctx context.Context, id int64) error
	// TransitionCampaign changes status (see CampaignTransition).
	TransitionCampaign(ctx context.Context, t CampaignTransition) (Campaign, error)
	// SetCampaignSchedule records the next scheduled start and the scrubbed occurrence.
	SetCampaignSchedule(ctx context.Context, id int64, next, scrubbedFor *time.Time) error

	// CreateInstance opens a preparing instance; WriteCallRecords fills it in one
	// transaction (next returns io.EOF at the end).
	CreateInstance(ctx context.Context, campaignID int64, kind string, at time.Time) (Instance, error)
	WriteCallRecords(ctx context.Context, instanceID int64, next func() (CallRecord, error)) (int64, error)
	InstanceByID(ctx context.Context, id int64) (Instance, error)
	// Instances returns a campaign's runs, newest first.
	Instances(ctx context.Context, campaignID int64) ([]Instance, error)
	// DeleteInstance removes a preparing instance that never ran.
	DeleteInstance(ctx context.Context, id int64) error

	// LeaseRecords hands ready records of a running instance (NextAttemptAt <= Now, or
	// leased with an expired lease) to one node; no record goes to two nodes.
	LeaseRecords(ctx context.Context, r LeaseRequest) ([]CallRecord, error)
	ReleaseRecord(ctx context.Context, r RecordRelease) error
	// RenewLeases extends to until the leases node holds on the records ids (state
	// leased, owner node) and returns the ids renewed; a record missing from the answer
	// is no longer the node's (released, dialed, or expired and taken by another node).
	RenewLeases(ctx context.Context, node string, ids []int64, until time.Time) ([]int64, error)
	CallRecordByID(ctx context.Context, id int64) (CallRecord, error)
	// BeginAttempt writes an attempt "dialing" for a record leased by the node
	// (ErrConflict when the lease is lost or the number is already in a live call;
	// ErrCapacity when AttemptStart.MaxAgentless is reached).
	BeginAttempt(ctx context.Context, a AttemptStart) (Attempt, error)
	// SkipPreview counts an agent's skip of a preview record leased by node and
	// returns the record's skips so far (ErrConflict when the node does not hold it).
	SkipPreview(ctx context.Context, recordID int64, node string) (int, error)
	// NodeAlive records that node runs until until (an engine's heartbeat). The live
	// agentless attempts of a node count against MaxAgentless only while it is alive.
	NodeAlive(ctx context.Context, node string, until time.Time) error
	// LiveAgentlessElsewhere counts the live agentless attempts of the other nodes
	// alive at at: the part of the account's Max Concurrent Calls this node cannot use.
	LiveAgentlessElsewhere(ctx context.Context, node string, at time.Time) (int, error)
	// MarkAttempt moves an in-flight attempt to ringing or answered.
	MarkAttempt(ctx context.Context, id int64, state AttemptState, at time.Time) error
	// VoidAttempt undoes an attempt that never reached the network (the dial failed
	// on a local shortage before any INVITE: no RTP port, no free trunk channel). In one
	// transaction it deletes the attempt row, only while still "dialing" (ErrConflict
	// otherwise; ErrNotFound when there is no such attempt), and gives its record back
	// to the node that held it as it was before BeginAttempt: leased (same owner and
	// lease), attempt count, last call fields and disposition restored.
	VoidAttempt(ctx context.Context, id int64) error
	// FinishAttempt closes an in-flight attempt (ErrConflict when already closed).
	FinishAttempt(ctx context.Context, e AttemptEnd) (Attempt, error)
	// InFlightAttempts lists attempts still dialing, ringing or answered; node ""
	// means every node.
	InFlightAttempts(ctx context.Context, node string) ([]Attempt, error)
	AttemptByID(ctx context.Context, id int64) (Attempt, error)
	// RecordAttempts returns a record's attempts in order.
	RecordAttempts(ctx context.Context, recordID int64) ([]Attempt, error)
	// UnansweredStreak counts the closed attempts to number since it was last
	// Connected, across campaigns.
	UnansweredStreak(ctx context.Context, number string) (int, error)

	InstanceStats(ctx context.Context, instanceID int64) (InstanceStats, error)
	DispositionMatrix(ctx context.Context, instanceID int64) ([]MatrixCell, error)
	// Executions returns one page of Latest Execution rows and the match count.
	Executions(ctx context.Context, f ExecutionFilter) ([]CallRecord, int64, error)

	CreateSavedFilter(ctx context.Context, f SavedFilter) (SavedFilter, error)
	SavedFilterByID(ctx context.Context, id int64) (SavedFilter, error)
	SavedFilters(ctx context.Context, userID int64) ([]SavedFilter, error)
	UpdateSavedFilter(ctx context.Context, f SavedFilter) (SavedFilter, error)
	// SetDefaultSavedFilter marks one filter the user's default (unmarking the others)
	// or unmarks it.
	SetDefaultSavedFilter(ctx context.Context, id int64, on bool) (SavedFilter, error)
	DeleteSavedFilter(ctx context.Context, id int64) error

	CreateFlow(ctx context.Context, f StoredFlow) (StoredFlow, error)
	FlowByID(ctx context.Context, id int64) (StoredFlow, error)
	ListFlows(ctx context.Context) ([]StoredFlow, error)
	UpdateFlow(ctx context.Context, f StoredFlow) (StoredFlow, error)
	DeleteFlow(ctx context.Context, id int64) error
}
