package campaign

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/outdial/outdial/config"
	"github.com/outdial/outdial/store"
)

// Store is what the Service persists through: campaigns and their runs, the lists it
// reads and scrubs against, phone numbers, queues and settings.
type Store interface {
	store.Campaigns
	store.Lists
	store.PhoneNumbers
	store.Queues
	store.Settings
	store.Audit
}

// Audit log entries the scheduler writes (Resource AuditResource, Actor
// AuditScheduler): a scheduled occurrence started, a run completed by itself. The API
// shows them in the Campaign Logs as Run time events.
const (
	AuditResource     = "campaigns"
	AuditScheduler    = "scheduler"
	AuditRunStarted   = "run started"
	AuditRunCompleted = "run completed"
)

// Options configure a Service.
type Options struct {
	// MaxActive is how many voice campaigns may run at once (config
	// limits.max_active_voice_campaigns); 0 means no limit.
	MaxActive int
	// Hard are the calling hours no window can widen; zero means 08:00-21:00.
	Hard HardLimits
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// DNC, when set, answers the dial-time DNC check (lists.Service implements it:
	// it normalises the number and fails closed); nil uses the store's DNCMatch.
	DNC DNCChecker
}

// OptionsFrom returns the options the server configuration sets: the limit of active
// voice campaigns and the calling-hours floor and ceiling.
func OptionsFrom(c config.Config) Options {
	return Options{
		MaxActive: c.Limits.MaxActiveVoiceCampaigns,
		Hard:      HardLimits{Floor: c.Compliance.CallingHoursFloor, Ceiling: c.Compliance.CallingHoursCeiling},
	}
}

// DNCChecker reports whether a number is blocked by the global DNC list (unless
// skipGlobal) or one of lists. An error means the check could not be made.
type DNCChecker interface {
	Blocked(ctx context.Context, number string, lists []int64, skipGlobal bool) (bool, store.DNCEntry, error)
}

// Service is the campaign domain: definitions, lifecycle, schedules, the scrubbed call
// lists of each run, and the checks and bookkeeping the dialing engine calls around each
// dial.
type Service struct {
	st  Store
	opt Options
}

// NewService returns a Service over st.
func NewService(st Store, o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Hard.Floor == "" && o.Hard.Ceiling == "" {
		o.Hard = DefaultHardLimits()
	}
	return &Service{st: st, opt: o}
}

func (s *Service) now() time.Time { return s.opt.Now().UTC() }

// Get returns one campaign.
func (s *Service) Get(ctx context.Context, id int64) (Campaign, error) {
	c, err := s.st.CampaignByID(ctx, id)
	if err != nil {
		return Campaign{}, err
	}
	return FromStore(c)
}

// List returns the campaigns a filter selects.
func (s *Service) List(ctx context.Context, f store.CampaignFilter) ([]Campaign, error) {
	cs, err := s.st.FindCampaigns(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]Campaign, 0, len(cs))
	for _, c := range cs {
		v, err := FromStore(c)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// checkRefs checks the records a definition links to.
func (s *Service) checkRefs(ctx context.Context, d Definition) error {
	var source store.ListSource
	for i, id := range d.ListIDs {
		l, err := s.st.ListByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return fieldErr(fmt.Sprintf("list_ids[%d]", i), id, "list does not exist; create it under /api/v1/lists")
		} else if err != nil {
			return err
		}
		if l.Kind != store.ListContact {
			return fieldErr(fmt.Sprintf("list_ids[%d]", i), id, "is a %s list; choose a contact list", l.Kind)
		}
		if l.Status == store.ListInvalid {
			return fieldErr(fmt.Sprintf("list_ids[%d]", i), id, "list %q is Invalid (%s); fix or replace it", l.Name, l.Error)
		}
		if i == 0 {
			source = l.Source
		} else if l.Source != source {
			return fieldErr(fmt.Sprintf("list_ids[%d]", i), id, "list %q comes from %s but the first list from %s; a campaign's lists must share a source type", l.Name, l.Source, source)
		}
	}
	checkKind := func(field string, id int64, kind store.ListKind) error {
		l, err := s.st.ListByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return fieldErr(field, id, "list does not exist")
		} else if err != nil {
			return err
		}
		if l.Kind != kind {
			return fieldErr(field, id, "is a %s list; choose a %s list", l.Kind, kind)
		}
		return nil
	}
	if err := checkKind("contacts.dnc_list_id", d.Contacts.DNCListID, store.ListDNC); err != nil {
		return err
	}
	if d.Contacts.MappingListID != nil {
		if err := checkKind("contacts.mapping_list_id", *d.Contacts.MappingListID, store.ListMapping); err != nil {
			return err
		}
	}
	if id := d.Outreach.CallerID; id != nil {
		p, err := s.st.PhoneNumberByID(ctx, *id)
		if errors.Is(err, store.ErrNotFound) {
			return fieldErr("outreach.caller_id", *id, "phone number does not exist; add it under /api/v1/phone-numbers")
		} else if err != nil {
			return err
		}
		if p.Direction != store.DirectionOutbound && p.Direction != store.DirectionInboundOutbound {
			return fieldErr("outreach.caller_id", *id, "number %s is %s; choose an outbound or inbound-outbound number", p.Number, p.Direction)
		}
	}
	if id := d.Dialing.QueueID; id != nil {
		if _, err := s.st.QueueByID(ctx, *id); errors.Is(err, store.ErrNotFound) {
			return fieldErr("dialing.queue_id", *id, "queue does not exist")
		} else if err != nil {
			return err
		}
	}
	if id := d.Dialing.FlowID; id != nil {
		if _, err := s.st.FlowByID(ctx, *id); errors.Is(err, store.ErrNotFound) {
			return fieldErr("dialing.flow_id", *id, "flow does not exist; store it under /api/v1/flows")
		} else if err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) prepare(ctx context.Context, d *Definition) (store.Campaign, error) {
	d.Normalize()
	if err := d.Validate(); err != nil {
		return store.Campaign{}, err
	}
	if err := s.checkRefs(ctx, *d); err != nil {
		return store.Campaign{}, err
	}
	rec, err := d.toStore()
	if err != nil {
		return rec, err
	}
	if d.Schedule != nil {
		occ, err := d.Schedule.Occurrences(s.now(), 1)
		if err != nil {
			return rec, fmt.Errorf("%w: %w", ErrInvalidCampaign, err)
		}
		if len(occ) == 1 {
			rec.NextStartAt = &occ[0].Start
		}
	}
	return rec, nil
}

// Create validates and stores a new campaign in status Ready.
func (s *Service) Create(ctx context.Context, d Definition) (Campaign, error) {
	rec, err := s.prepare(ctx, &d)
	if err != nil {
		return Campaign{}, err
	}
	out, err := s.st.CreateCampaign(ctx, rec)
	if err != nil {
		return Campaign{}, err
	}
	return FromStore(out)
}

// Update replaces a campaign's definition. Active and Rerun campaigns cannot be
// edited; a Paused one keeps its contact lists, mode and Choose Contact settings.
func (s *Service) Update(ctx context.Context, id int64, d Definition) (Campaign, error) {
	cur, err := s.Get(ctx, id)
	if err != nil {
		return Campaign{}, err
	}
	ok, limited := Editable(cur.Status)
	if !ok {
		return Campaign{}, fmt.Errorf("%w: campaign %q is %s; pause or stop it first", ErrNotEditable, cur.Name, cur.Status)
	}
	d.Normalize()
	if limited {
		if field := lockedChange(cur.Definition, d); field != "" {
			return Campaign{}, fmt.Errorf("%w: %s cannot change while campaign %q is Paused; stop it first", ErrNotEditable, field, cur.Name)
		}
	}
	rec, err := s.prepare(ctx, &d)
	if err != nil {
		return Campaign{}, err
	}
	rec.ID = id
	out, err := s.st.UpdateCampaign(ctx, rec)
	if err != nil {
		return Campaign{}, err
	}
	if cur.Schedule != nil || d.Schedule != nil {
		// A changed configuration is scrubbed again: a run prepared for the next
		// occurrence is dropped and the next Tick prepares a fresh one.
		if err := s.dropPreparing(ctx, id); err != nil {
			return Campaign{}, err
		}
		if err := s.st.SetCampaignSchedule(ctx, id, rec.NextStartAt, nil); err != nil {
			return Campaign{}, err
		}
		out.NextStartAt, out.ScrubbedFor = rec.NextStartAt, nil
	}
	return FromStore(out)
}

// lockedChange names the first field a Paused campaign may not change, or "".
func lockedChange(old, new Definition) string {
	eq := func(a, b any) bool {
		x, _ := json.Marshal(a)
		y, _ := json.Marshal(b)
		return string(x) == string(y)
	}
	switch {
	case !eq(old.ListIDs, new.ListIDs):
		return "list_ids"
	case old.Dialing.Mode != new.Dialing.Mode:
		return "dialing.mode"
	case !eq(old.Contacts, new.Contacts):
		return "contacts"
	case !eq(old.Outreach.DialingOrder, new.Outreach.DialingOrder):
		return "outreach.dialing_order"
	}
	return ""
}

// Clone copies a campaign under a new name (default "<name> (copy)"), in status Ready
// and without its schedule.
func (s *Service) Clone(ctx context.Context, id int64, name string) (Campaign, error) {
	cur, err := s.Get(ctx, id)
	if err != nil {
		return Campaign{}, err
	}
	d := cur.Definition
	d.Schedule = nil
	explicit := strings.TrimSpace(name) != ""
	for n := 1; n <= 50; n++ {
		d.Name = name
		if !explicit {
			suffix := " (copy)"
			if n > 1 {
				suffix = fmt.Sprintf(" (copy %d)", n)
			}
			base := cur.Name
			if len(base)+len(suffix) > 100 {
				base = base[:100-len(suffix)]
			}
			d.Name = base + suffix
		}
		out, err := s.Create(ctx, d)
		if explicit || !errors.Is(err, store.ErrConflict) {
			return out, err
		}
	}
	return Campaign{}, fmt.Errorf("%w: no free copy name for %q; give the clone a name", store.ErrConflict, cur.Name)
}

// Delete removes a campaign that is not running.
func (s *Service) Delete(ctx context.Context, id int64) error {
	cur, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if cur.Status.Running() {
		return fmt.Errorf("%w: campaign %q is %s; stop it before deleting", ErrNotEditable, cur.Name, cur.Status)
	}
	return s.st.DeleteCampaign(ctx, id)
}

// Runnable returns ErrNotReady when a campaign lacks what running needs: a caller ID,
// and a queue (agent modes) or a start flow (agentless).
func Runnable(c Campaign) error {
	var missing []string
	if c.Outreach.CallerID == nil {
		missing = append(missing, "a caller ID (outreach.caller_id)")
	}
	if c.Dialing.Mode.AgentMode() && c.Dialing.QueueID == nil {
		missing = append(missing, "a queue (dialing.queue_id)")
	}
	if !c.Dialing.Mode.AgentMode() && c.Dialing.FlowID == nil {
		missing = append(missing, "a start flow (dialing.flow_id)")
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: campaign %q needs %s before it can run", ErrNotReady, c.Name, strings.Join(missing, " and "))
	}
	return nil
}

// Act applies a manager's action (play, pause, resume, stop, rerun) to a campaign.
func (s *Service) Act(ctx context.Context, id int64, a Action) (Campaign, error) {
	if a == ActionStart || a == ActionComplete {
		return Campaign{}, fmt.Errorf("%w: %s is done by the scheduler and the engine, not by hand", ErrTransition, a)
	}
	cur, err := s.Get(ctx, id)
	if err != nil {
		return Campaign{}, err
	}
	if (a == ActionPlay || a == ActionRerun) && cur.Schedule != nil {
		return Campaign{}, fmt.Errorf("%w: campaign %q starts at its scheduled time; remove the schedule to run it by hand", ErrScheduled, cur.Name)
	}
	return s.apply(ctx, cur, a, "")
}

// apply runs one transition.
func (s *Service) apply(ctx context.Context, cur Campaign, a Action, reason string) (Campaign, error) {
	pausedRerun := false
	if cur.Status == store.CampaignPaused && cur.InstanceID != nil {
		if inst, err := s.st.InstanceByID(ctx, *cur.InstanceID); err == nil && inst.Kind == string(ActionRerun) {
			pausedRerun = true
		}
	}
	tr, err := Next(cur.Status, a, pausedRerun)
	if err != nil {
		return Campaign{}, err
	}
	t := store.CampaignTransition{ID: cur.ID, From: []store.CampaignStatus{cur.Status}, To: tr.To, At: s.now(), MaxActive: s.opt.MaxActive}
	switch tr.Effect {
	case EffectNewInstance:
		if err := Runnable(cur); err != nil {
			return Campaign{}, err
		}
		inst, err := s.prepareInstance(ctx, cur, string(a))
		if err != nil {
			return Campaign{}, err
		}
		t.Activate = inst.ID
		out, err := s.st.TransitionCampaign(ctx, t)
		if err != nil {
			_ = s.st.DeleteInstance(context.WithoutCancel(ctx), inst.ID)
			return Campaign{}, refused(err)
		}
		return FromStore(out)
	case EffectPause:
		t.Instance = store.InstancePaused
	case EffectResume:
		if err := Runnable(cur); err != nil {
			return Campaign{}, err
		}
		t.Instance = store.InstanceRunning
	case EffectEndInstance:
		t.Instance, t.EndReason = store.InstanceEnded, reason
		if reason == "" {
			t.EndReason = map[Action]string{ActionStop: "stopped", ActionComplete: "completed"}[a]
		}
	}
	out, err := s.st.TransitionCampaign(ctx, t)
	if err != nil {
		return Campaign{}, refused(err)
	}
	return FromStore(out)
}

func refused(err error) error {
	if errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("%w: %w", ErrRefused, err)
	}
	return err
}

// prepareInstance opens a run and writes its scrubbed call list.
func (s *Service) prepareInstance(ctx context.Context, c Campaign, kind string) (store.Instance, error) {
	inst, err := s.st.CreateInstance(ctx, c.ID, kind, s.now())
	if err != nil {
		return inst, err
	}
	if _, err := s.Snapshot(ctx, c, inst.ID); err != nil {
		_ = s.st.DeleteInstance(context.WithoutCancel(ctx), inst.ID)
		return inst, err
	}
	return s.st.InstanceByID(ctx, inst.ID)
}

// SnapshotReport counts what a snapshot wrote.
type SnapshotReport struct {
	Ready, DNCExcluded, FilterSkipped, Duplicates int64
}

// Snapshot writes the call list of a preparing instance from the campaign's contact
// lists: filters applied, numbers scrubbed against the global DNC list then the
// campaign's, numbers put in dialing order. Contacts removed show as Filter Skipped or
// DNC Excluded; a contact whose primary number already appeared is left out.
func (s *Service) Snapshot(ctx context.Context, c Campaign, instanceID int64) (SnapshotReport, error) {
	var rep SnapshotReport
	now := s.now()
	global, err := s.st.GlobalDNC(ctx)
	if err != nil {
		return rep, fmt.Errorf("campaign: scrub: global DNC list: %w", err)
	}
	blocked := map[string]bool{}
	if err := s.st.EachActiveDNC(ctx, []int64{global.ID, c.Contacts.DNCListID}, now, func(e store.DNCEntry) error {
		blocked[e.Number] = true
		return nil
	}); err != nil {
		return rep, fmt.Errorf("campaign: scrub: %w", err)
	}
	mapping := map[string]store.AgentMapping{}
	if c.Contacts.MappingListID != nil {
		for off := 0; ; off += 10000 {
			ms, _, err := s.st.AgentMappings(ctx, *c.Contacts.MappingListID, store.Page{Limit: 10000, Offset: off})
			if err != nil {
				return rep, fmt.Errorf("campaign: agent mapping: %w", err)
			}
			for _, m := range ms {
				mapping[m.Number] = m
			}
			if len(ms) < 10000 {
				break
			}
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	recs := make(chan store.CallRecord, 256)
	produced := make(chan error, 1)
	go func() {
		defer close(recs)
		seen := map[string]bool{}
		produced <- s.st.EachContact(ctx, c.ListIDs, func(ct store.Contact) error {
			if len(ct.Phones) == 0 || seen[ct.Phones[0]] {
				rep.Duplicates++
				return nil
			}
			seen[ct.Phones[0]] = true
			r := store.CallRecord{ContactID: ct.ID, Phones: ct.Phones, FirstName: ct.FirstName, LastName: ct.LastName,
				TimeZone: ct.TimeZone, Priority: ct.Priority, AgentID: ct.AgentID, Fields: ct.Fields, NextAttemptAt: now, State: store.RecordReady}
			if m, ok := mapping[ct.Phones[0]]; ok {
				agent := m.AgentID
				r.AgentID, r.Priority = &agent, m.Priority
			}
			phones := OrderPhones(ct.Phones, c.Outreach.DialingOrder)
			switch {
			case !c.Contacts.Selects(ct) || len(phones) == 0:
				r.State, r.Disposition = store.RecordDone, OutcomeFilterSkipped
				rep.FilterSkipped++
			default:
				var ok []string
				for _, p := range phones {
					if !blocked[p] {
						ok = append(ok, p)
					}
				}
				if len(ok) == 0 {
					r.State, r.Disposition = store.RecordDone, OutcomeDNCExcluded
					rep.DNCExcluded++
				} else {
					phones = ok
					rep.Ready++
				}
			}
			r.Phones, r.Phone = phones, ""
			if len(phones) == 0 {
				r.Phones = ct.Phones[:1]
			}
			select {
			case recs <- r:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	_, werr := s.st.WriteCallRecords(ctx, instanceID, func() (store.CallRecord, error) {
		r, ok := <-recs
		if !ok {
			return r, io.EOF
		}
		return r, nil
	})
	cancel()
	for range recs {
		// Drain so the producer can end.
	}
	perr := <-produced
	if werr != nil {
		return rep, werr
	}
	if perr != nil && !errors.Is(perr, context.Canceled) {
		return rep, fmt.Errorf("campaign: read contacts: %w", perr)
	}
	return rep, nil
}

// TickReport says what one scheduler tick did.
type TickReport struct {
	Scrubbed  []int64 `json:"scrubbed"`
	Started   []int64 `json:"started"`
	Completed []int64 `json:"completed"`
	// Errors name the campaigns whose step failed and why; the tick goes on.
	Errors []string `json:"errors"`
}

// ScrubDue prepares the runs due within ScrubLead: the contacts of each scheduled
// campaign are snapshotted and scrubbed 15 minutes before its start. It returns the
// campaigns scrubbed.
func (s *Service) ScrubDue(ctx context.Context, now time.Time) ([]int64, error) {
	soon := now.Add(ScrubLead)
	cs, err := s.st.FindCampaigns(ctx, store.CampaignFilter{StartDueBy: &soon})
	if err != nil {
		return nil, err
	}
	var done []int64
	var errs []error
	for _, rec := range cs {
		if !ScrubDue(now, rec.NextStartAt, rec.ScrubbedFor) {
			continue
		}
		c, err := FromStore(rec)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := s.dropPreparing(ctx, c.ID); err != nil {
			errs = append(errs, err)
			continue
		}
		if _, err := s.prepareInstance(ctx, c, string(ActionStart)); err != nil {
			errs = append(errs, fmt.Errorf("campaign %q: scrub before %v: %w", c.Name, rec.NextStartAt, err))
			continue
		}
		if err := s.st.SetCampaignSchedule(ctx, c.ID, rec.NextStartAt, rec.NextStartAt); err != nil {
			errs = append(errs, err)
			continue
		}
		done = append(done, c.ID)
	}
	return done, errors.Join(errs...)
}

// dropPreparing deletes the preparing runs of a campaign (an older scrub).
func (s *Service) dropPreparing(ctx context.Context, id int64) error {
	is, err := s.st.Instances(ctx, id)
	if err != nil {
		return err
	}
	for _, i := range is {
		if i.Status == store.InstancePreparing {
			if err := s.st.DeleteInstance(ctx, i.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
	}
	return nil
}

// Tick is the scheduler's step, to be called every few seconds with the clock: it
// scrubs runs due within 15 minutes, starts each scheduled occurrence as a fresh run,
// ends runs whose occurrence ended, and completes runs whose contacts are all done.
func (s *Service) Tick(ctx context.Context, now time.Time) TickReport {
	rep := TickReport{Scrubbed: []int64{}, Started: []int64{}, Completed: []int64{}, Errors: []string{}}
	note := func(err error) {
		if err != nil {
			rep.Errors = append(rep.Errors, err.Error())
		}
	}
	scrubbed, err := s.ScrubDue(ctx, now)
	rep.Scrubbed = append(rep.Scrubbed, scrubbed...)
	note(err)
	due, err := s.st.FindCampaigns(ctx, store.CampaignFilter{StartDueBy: &now})
	note(err)
	for _, rec := range due {
		c, err := FromStore(rec)
		if err != nil || c.Schedule == nil {
			note(err)
			continue
		}
		started, err := s.startOccurrence(ctx, c, rec, now)
		note(err)
		if started {
			rep.Started = append(rep.Started, c.ID)
			note(s.logRun(ctx, c, now, AuditRunStarted, "on schedule"))
		}
	}
	running, err := s.st.FindCampaigns(ctx, store.CampaignFilter{Statuses: []store.CampaignStatus{store.CampaignActive, store.CampaignRerun, store.CampaignPaused}})
	note(err)
	for _, rec := range running {
		c, err := FromStore(rec)
		if err != nil || c.InstanceID == nil {
			note(err)
			continue
		}
		reason, err := s.endReason(ctx, c, now)
		note(err)
		if reason == "" {
			continue
		}
		_, err = s.apply(ctx, c, ActionComplete, reason)
		note(err)
		if err == nil {
			rep.Completed = append(rep.Completed, c.ID)
			note(s.logRun(ctx, c, now, AuditRunCompleted, reason))
		}
	}
	return rep
}

// logRun writes the audit entry of a run the scheduler started or completed.
func (s *Service) logRun(ctx context.Context, c Campaign, at time.Time, action, detail string) error {
	_, err := s.st.AppendAudit(ctx, store.AuditEntry{At: at.UTC(), Actor: AuditScheduler, Action: action,
		Resource: AuditResource, ResourceID: strconv.FormatInt(c.ID, 10), Detail: detail})
	if err != nil {
		return fmt.Errorf("campaign %d: audit %s: %w", c.ID, action, err)
	}
	return nil
}

// startOccurrence starts the due occurrence with the scrubbed run (or a fresh one) and
// moves the schedule to the next occurrence, whether or not the start succeeded.
func (s *Service) startOccurrence(ctx context.Context, c Campaign, rec store.Campaign, now time.Time) (bool, error) {
	due := *rec.NextStartAt
	var next *time.Time
	if occ, err := c.Schedule.Occurrences(due, 1); err == nil && len(occ) == 1 {
		next = &occ[0].Start
	}
	// Occurrences missed while the server was down are skipped to the next future one.
	for next != nil && !next.After(now) {
		occ, _ := c.Schedule.Occurrences(*next, 1)
		next = nil
		if len(occ) == 1 {
			next = &occ[0].Start
		}
	}
	defer s.st.SetCampaignSchedule(context.WithoutCancel(ctx), c.ID, next, nil)
	if err := Runnable(c); err != nil {
		_ = s.dropPreparing(ctx, c.ID)
		return false, err
	}
	tr, err := Next(c.Status, ActionStart, false)
	if err != nil {
		return false, err
	}
	var inst store.Instance
	is, err := s.st.Instances(ctx, c.ID)
	if err != nil {
		return false, err
	}
	for _, i := range is {
		if i.Status == store.InstancePreparing && rec.ScrubbedFor != nil && rec.ScrubbedFor.Equal(due) {
			inst = i
			break
		}
	}
	if inst.ID == 0 {
		if err := s.dropPreparing(ctx, c.ID); err != nil {
			return false, err
		}
		if inst, err = s.prepareInstance(ctx, c, string(ActionStart)); err != nil {
			return false, err
		}
	}
	_, err = s.st.TransitionCampaign(ctx, store.CampaignTransition{ID: c.ID, From: []store.CampaignStatus{c.Status}, To: tr.To,
		Activate: inst.ID, MaxActive: s.opt.MaxActive, At: now})
	if err != nil {
		_ = s.st.DeleteInstance(context.WithoutCancel(ctx), inst.ID)
		return false, fmt.Errorf("campaign %q: scheduled start at %v: %w", c.Name, due, refused(err))
	}
	return true, nil
}

// endReason says why a running campaign is complete at now, or "".
func (s *Service) endReason(ctx context.Context, c Campaign, now time.Time) (string, error) {
	inst, err := s.st.InstanceByID(ctx, *c.InstanceID)
	if err != nil {
		return "", err
	}
	if inst.Kind == string(ActionStart) && c.Schedule != nil && inst.StartedAt != nil {
		if occ, ok, err := c.Schedule.Current(*inst.StartedAt); err == nil && ok && !occ.End.IsZero() && !now.Before(occ.End) {
			return "end date reached", nil
		}
	}
	if c.Status == store.CampaignPaused {
		return "", nil
	}
	st, err := s.st.InstanceStats(ctx, inst.ID)
	if err != nil {
		return "", err
	}
	if st.Records > 0 && st.Done == st.Records {
		return "all contacts dialed", nil
	}
	if st.Records == 0 {
		return "no contacts to dial", nil
	}
	return "", nil
}

// InUse returns ErrInUse when a phone number (callerID) or flow (flowID) is linked to an
// Active, Rerun, Paused or future-scheduled campaign: the delete paths call it first.
func (s *Service) InUse(ctx context.Context, callerID, flowID int64) error {
	cs, err := s.st.FindCampaigns(ctx, store.CampaignFilter{CallerID: callerID, FlowID: flowID})
	if err != nil {
		return err
	}
	now := s.now()
	for _, c := range cs {
		if c.Status.Running() || (c.Scheduled && c.NextStartAt != nil && c.NextStartAt.After(now)) {
			what := "flow"
			if callerID != 0 {
				what = "phone number"
			}
			return fmt.Errorf("%w: the %s is linked to campaign %q (%s); stop it or unlink it first", ErrInUse, what, c.Name, describe(c))
		}
	}
	return nil
}

func describe(c store.Campaign) string {
	if c.Status.Running() {
		return string(c.Status)
	}
	return "scheduled for " + c.NextStartAt.Format(time.RFC3339)
}
