package campaign

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/outdial/outdial/store"
)

// Mode is a dialing mode.
type Mode string

const (
	ModeAgentless   Mode = "agentless"
	ModeProgressive Mode = "progressive"
	ModePreview     Mode = "preview"
	ModePower       Mode = "power"
	ModePredictive  Mode = "predictive"
)

// AgentMode reports whether calls go to a queue of agents.
func (m Mode) AgentMode() bool { return m != ModeAgentless }

// Limits of a definition.
const (
	MaxLists          = 10
	DefaultPriority   = 5
	DefaultRatio      = 2.0
	MaxRatio          = 10.0
	DefaultAbandon    = 0.03
	DefaultAttempts   = 3
	DefaultRetryMin   = 60
	DefaultRingSecond = 30
)

// Dialing is the General tab's dialing mode and its settings.
type Dialing struct {
	Mode Mode `json:"mode"`
	// FlowID is the start flow of an agentless campaign.
	FlowID *int64 `json:"flow_id,omitempty"`
	// QueueID receives the calls of the agent modes.
	QueueID *int64 `json:"queue_id,omitempty"`
	// AMD turns answering-machine detection on (agentless and progressive).
	AMD bool `json:"amd"`
	// MaxSkips per record (preview).
	MaxSkips int `json:"max_skips,omitempty"`
	// PacingRatio is calls per available agent (power; default 2, at most 10).
	PacingRatio float64 `json:"pacing_ratio,omitempty"`
	// AbandonTarget is the abandonment ratio predictive pacing aims under (default 0.03).
	AbandonTarget float64 `json:"abandon_target,omitempty"`
}

// Condition filters contacts on one column: first_name, last_name, time_zone,
// priority, phone or any unmapped field by its header.
type Condition struct {
	Field string `json:"field"`
	// Op is eq, ne, contains, not_contains, starts_with, ends_with, gt, lt, empty,
	// not_empty or in.
	Op     string   `json:"op"`
	Value  string   `json:"value,omitempty"`
	Values []string `json:"values,omitempty"`
}

// Choose is the Choose Contact tab.
type Choose struct {
	Filters []Condition `json:"filters"`
	// Match is "all" (default) or "any" of the filters.
	Match string `json:"match,omitempty"`
	// DNCListID is required; the global DNC list applies on top of it.
	DNCListID     int64  `json:"dnc_list_id"`
	MappingListID *int64 `json:"mapping_list_id,omitempty"`
}

// Outreach is the Outreach Strategy tab.
type Outreach struct {
	// CallerID is the id of an outbound or inbound-outbound phone number.
	CallerID *int64 `json:"caller_id,omitempty"`
	// DialingOrder lists positions in a contact's phone columns (0 = primary) in the
	// order they are dialed; empty means as the list has them.
	DialingOrder   []int   `json:"dialing_order"`
	MaxAttempts    int     `json:"max_attempts"`
	RetryMinutes   int     `json:"retry_minutes"`
	MaxRingSeconds int     `json:"max_ring_seconds"`
	Timings        Timings `json:"timings"`
}

// Messages are the recorded messages of a voice campaign: a prompt (a stored prompt
// name or text to speak) left on answering machines, and the safe-harbour
// identification and opt-out message played when no agent takes an answered call.
type Messages struct {
	Voicemail   string `json:"voicemail,omitempty"`
	SafeHarbour string `json:"safe_harbour,omitempty"`
	// OptOutDigit, pressed during the safe-harbour message, adds the number to the
	// campaign's DNC list (default "9").
	OptOutDigit string `json:"opt_out_digit,omitempty"`
}

// Definition is everything a manager configures on a voice campaign.
type Definition struct {
	Name         string         `json:"name"`
	Description  string         `json:"description"`
	ListIDs      []int64        `json:"list_ids"`
	Priority     int            `json:"priority"`
	Dialing      Dialing        `json:"dialing"`
	Contacts     Choose         `json:"contacts"`
	Outreach     Outreach       `json:"outreach"`
	Messages     Messages       `json:"messages"`
	Dispositions DispositionSet `json:"dispositions"`
	// Schedule, when set, starts the campaign by itself.
	Schedule *Schedule `json:"schedule,omitempty"`
}

// Campaign is a voice campaign: its definition and where it stands.
type Campaign struct {
	ID     int64  `json:"id"`
	Status Status `json:"status"`
	Definition
	InstanceID  *int64     `json:"instance_id,omitempty"`
	NextStartAt *time.Time `json:"next_start_at,omitempty"`
	LastRunAt   *time.Time `json:"last_run_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

var fieldName = regexp.MustCompile(`^[A-Za-z0-9_ .-]{1,100}$`)

var conditionOps = map[string]bool{"eq": true, "ne": true, "contains": true, "not_contains": true, "starts_with": true,
	"ends_with": true, "gt": true, "lt": true, "empty": true, "not_empty": true, "in": true}

// Normalize fills the defaults of the spec (priority 5, pacing ratio 2, abandonment
// target 0.03, 3 attempts, 60-minute retry period, 30-second ring).
func (d *Definition) Normalize() {
	d.Name = strings.TrimSpace(d.Name)
	if d.Priority == 0 {
		d.Priority = DefaultPriority
	}
	if d.Dialing.Mode == ModePower && d.Dialing.PacingRatio == 0 {
		d.Dialing.PacingRatio = DefaultRatio
	}
	if d.Dialing.Mode == ModePredictive && d.Dialing.AbandonTarget == 0 {
		d.Dialing.AbandonTarget = DefaultAbandon
	}
	if d.Outreach.MaxAttempts == 0 {
		d.Outreach.MaxAttempts = DefaultAttempts
	}
	if d.Outreach.RetryMinutes == 0 {
		d.Outreach.RetryMinutes = DefaultRetryMin
	}
	if d.Outreach.MaxRingSeconds == 0 {
		d.Outreach.MaxRingSeconds = DefaultRingSecond
	}
	if d.Contacts.Match == "" {
		d.Contacts.Match = "all"
	}
	if d.Messages.OptOutDigit == "" {
		d.Messages.OptOutDigit = "9"
	}
	if d.ListIDs == nil {
		d.ListIDs = []int64{}
	}
	if d.Contacts.Filters == nil {
		d.Contacts.Filters = []Condition{}
	}
	if d.Outreach.DialingOrder == nil {
		d.Outreach.DialingOrder = []int{}
	}
	if d.Outreach.Timings.Windows == nil {
		d.Outreach.Timings.Windows = []Window{}
	}
	if d.Dispositions.Custom == nil {
		d.Dispositions.Custom = []string{}
	}
	if d.Dispositions.Rules == nil {
		d.Dispositions.Rules = []RetryRule{}
	}
	if d.Dispositions.Positive == nil {
		d.Dispositions.Positive = []string{}
	}
}

func fieldErr(field string, value any, format string, args ...any) error {
	return fmt.Errorf("%w: %w", ErrInvalidCampaign, &FieldError{Field: field, Value: value, Message: fmt.Sprintf(format, args...)})
}

// Validate checks a normalized definition on its own (references to lists, numbers,
// queues and flows are checked by the Service). The error wraps ErrInvalidCampaign and
// a *FieldError naming the field and the fix.
func (d Definition) Validate() error {
	if d.Name == "" {
		return fieldErr("name", `""`, "is required")
	}
	if len(d.Name) > 100 {
		return fieldErr("name", len(d.Name), "characters; at most 100 are allowed")
	}
	if len(d.Description) > 1000 {
		return fieldErr("description", len(d.Description), "characters; at most 1000 are allowed")
	}
	if len(d.ListIDs) == 0 {
		return fieldErr("list_ids", "[]", "is empty; choose at least one contact list")
	}
	if len(d.ListIDs) > MaxLists {
		return fieldErr("list_ids", len(d.ListIDs), "lists; a campaign may have at most %d", MaxLists)
	}
	seen := map[int64]bool{}
	for i, id := range d.ListIDs {
		if id <= 0 || seen[id] {
			return fieldErr(fmt.Sprintf("list_ids[%d]", i), id, "is not a list id or is listed twice")
		}
		seen[id] = true
	}
	if d.Priority < 1 || d.Priority > 5 {
		return fieldErr("priority", d.Priority, "is out of range; allowed 1 (lowest) to 5 (highest)")
	}
	if err := d.Dialing.validate(); err != nil {
		return err
	}
	if d.Contacts.DNCListID <= 0 {
		return fieldErr("contacts.dnc_list_id", d.Contacts.DNCListID, "is required: a voice campaign needs exactly one DNC list")
	}
	if d.Contacts.Match != "all" && d.Contacts.Match != "any" {
		return fieldErr("contacts.match", d.Contacts.Match, "is not allowed; use all or any")
	}
	for i, c := range d.Contacts.Filters {
		f := fmt.Sprintf("contacts.filters[%d]", i)
		if !fieldName.MatchString(c.Field) {
			return fieldErr(f+".field", c.Field, "is not a column name; use first_name, last_name, phone, priority, time_zone or a list header")
		}
		if !conditionOps[c.Op] {
			return fieldErr(f+".op", c.Op, "is not an operator; use eq, ne, contains, not_contains, starts_with, ends_with, gt, lt, empty, not_empty or in")
		}
		if (c.Op == "gt" || c.Op == "lt") && !isNumber(c.Value) {
			return fieldErr(f+".value", c.Value, "must be a number for %s", c.Op)
		}
		if c.Op == "in" && len(c.Values) == 0 {
			return fieldErr(f+".values", "[]", "is empty; in needs at least one value")
		}
	}
	o := d.Outreach
	for i, p := range o.DialingOrder {
		if p < 0 || p > 9 {
			return fieldErr(fmt.Sprintf("outreach.dialing_order[%d]", i), p, "is out of range; phone columns are numbered 0 (primary) to 9")
		}
	}
	if o.MaxAttempts < 1 || o.MaxAttempts > 100 {
		return fieldErr("outreach.max_attempts", o.MaxAttempts, "is out of range; allowed 1..100")
	}
	if o.RetryMinutes < 1 || o.RetryMinutes > 60*24*30 {
		return fieldErr("outreach.retry_minutes", o.RetryMinutes, "is out of range; allowed 1..43200")
	}
	if o.MaxRingSeconds < 10 || o.MaxRingSeconds > 120 {
		return fieldErr("outreach.max_ring_seconds", o.MaxRingSeconds, "is out of range; allowed 10..120 (ring at least 15 s where the TCPA applies)")
	}
	if o.Timings.TimeZone == "" {
		return fieldErr("outreach.timings.time_zone", `""`, "is required; use an IANA zone like America/New_York")
	}
	if _, err := time.LoadLocation(o.Timings.TimeZone); err != nil || o.Timings.TimeZone == "Local" {
		return fieldErr("outreach.timings.time_zone", o.Timings.TimeZone, "is not an IANA zone; use one like America/New_York")
	}
	if _, err := o.Timings.parse(); err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			fe.Field = "outreach.timings." + fe.Field
		}
		return fmt.Errorf("%w: %w", ErrInvalidCampaign, err)
	}
	m := d.Messages
	if len(m.Voicemail) > 2000 || len(m.SafeHarbour) > 2000 {
		return fieldErr("messages", "", "a message is longer than 2000 characters")
	}
	if len(m.OptOutDigit) != 1 || !strings.Contains("0123456789*#", m.OptOutDigit) {
		return fieldErr("messages.opt_out_digit", m.OptOutDigit, "must be one DTMF key: 0-9, * or #")
	}
	if err := d.Dispositions.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidCampaign, err)
	}
	if d.Schedule != nil {
		if err := d.Schedule.Validate(); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidCampaign, err)
		}
	}
	return nil
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

func (g Dialing) validate() error {
	switch g.Mode {
	case ModeAgentless:
		if g.QueueID != nil {
			return fieldErr("dialing.queue_id", *g.QueueID, "is for agent modes; agentless campaigns take a start flow (dialing.flow_id)")
		}
	case ModeProgressive, ModePreview, ModePower, ModePredictive:
		if g.FlowID != nil {
			return fieldErr("dialing.flow_id", *g.FlowID, "is for agentless campaigns; %s campaigns take a queue (dialing.queue_id)", g.Mode)
		}
	default:
		return fieldErr("dialing.mode", g.Mode, "is not a dialing mode; use agentless, progressive, preview, power or predictive")
	}
	if g.AMD && (g.Mode == ModePreview || g.Mode == ModePower || g.Mode == ModePredictive) {
		return fieldErr("dialing.amd", true, "is available for agentless and progressive campaigns only")
	}
	if g.Mode == ModePreview {
		if g.MaxSkips < 0 || g.MaxSkips > 100 {
			return fieldErr("dialing.max_skips", g.MaxSkips, "is out of range; allowed 0..100")
		}
	} else if g.MaxSkips != 0 {
		return fieldErr("dialing.max_skips", g.MaxSkips, "is for preview campaigns only")
	}
	if g.Mode == ModePower {
		if g.PacingRatio < 1 || g.PacingRatio > MaxRatio {
			return fieldErr("dialing.pacing_ratio", g.PacingRatio, "is out of range; allowed 1..%g", MaxRatio)
		}
	} else if g.PacingRatio != 0 {
		return fieldErr("dialing.pacing_ratio", g.PacingRatio, "is for power campaigns only")
	}
	if g.Mode == ModePredictive {
		if g.AbandonTarget <= 0 || g.AbandonTarget > 0.1 {
			return fieldErr("dialing.abandon_target", g.AbandonTarget, "is out of range; allowed above 0 up to 0.1 (the FCC limit is 0.03)")
		}
	} else if g.AbandonTarget != 0 {
		return fieldErr("dialing.abandon_target", g.AbandonTarget, "is for predictive campaigns only")
	}
	return nil
}

// Rules returns the retry rules of the definition.
func (d Definition) Rules() Rules {
	return Rules{MaxAttempts: d.Outreach.MaxAttempts, DefaultDelay: time.Duration(d.Outreach.RetryMinutes) * time.Minute, Set: d.Dispositions}
}

// toStore builds the stored record (its schedule state is set by the Service).
func (d Definition) toStore() (store.Campaign, error) {
	def, err := json.Marshal(d)
	if err != nil {
		return store.Campaign{}, err
	}
	return store.Campaign{
		Name: d.Name, Description: d.Description, Priority: d.Priority, Mode: string(d.Dialing.Mode),
		ListIDs: d.ListIDs, DNCListID: d.Contacts.DNCListID, MappingListID: d.Contacts.MappingListID,
		CallerID: d.Outreach.CallerID, QueueID: d.Dialing.QueueID, FlowID: d.Dialing.FlowID,
		Scheduled: d.Schedule != nil, Definition: def,
	}, nil
}

// FromStore decodes a stored campaign. The linked ids come from the columns: a deleted
// phone number, queue or flow shows as unset.
func FromStore(c store.Campaign) (Campaign, error) {
	var d Definition
	if err := json.Unmarshal(c.Definition, &d); err != nil {
		return Campaign{}, fmt.Errorf("campaign %d: stored definition: %w", c.ID, err)
	}
	d.Name, d.Description, d.Priority, d.ListIDs = c.Name, c.Description, c.Priority, c.ListIDs
	d.Dialing.Mode = Mode(c.Mode)
	d.Contacts.DNCListID, d.Contacts.MappingListID = c.DNCListID, c.MappingListID
	d.Outreach.CallerID, d.Dialing.QueueID, d.Dialing.FlowID = c.CallerID, c.QueueID, c.FlowID
	d.Normalize()
	return Campaign{ID: c.ID, Status: c.Status, Definition: d, InstanceID: c.InstanceID, NextStartAt: c.NextStartAt,
		LastRunAt: c.LastRunAt, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}, nil
}
