package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/flow"
	"github.com/outdial/outdial/store"
)

// This file registers /api/v1/campaigns (voice campaigns, their actions, saved filters
// and dashboard data) and /api/v1/flows (agentless flows).

// campaignService returns the campaign domain over the server's store.
func (s *Server) campaignService() *campaign.Service {
	o := campaign.OptionsFrom(s.cfg)
	o.Now = s.now
	return campaign.NewService(s.store, o)
}

// deletePhoneNumber refuses to delete a number linked to an Active, Paused or
// future-scheduled campaign, then deletes it. The phone-numbers resource uses it as
// its remove function.
func (s *Server) deletePhoneNumber(ctx context.Context, id int64) error {
	if err := s.campaignService().InUse(ctx, id, 0); err != nil {
		return campaignErr(err)
	}
	return s.store.DeletePhoneNumber(ctx, id)
}

// campaignErr maps campaign and flow errors to API errors naming the field and fix.
func campaignErr(err error) error {
	var fe *campaign.FieldError
	var ne *flow.NodeError
	conflict := func(code string) error {
		return &Error{Status: http.StatusConflict, Code: code, Message: strings.TrimPrefix(err.Error(), "campaign: ")}
	}
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe):
		return invalid(fe.Field, "%v %s", fe.Value, fe.Message)
	case errors.As(err, &ne):
		field := "flow." + ne.Field
		if ne.Node != "" {
			field = fmt.Sprintf("flow.nodes[%s].%s", ne.Node, ne.Field)
		}
		return invalid(field, "%s", ne.Reason)
	case errors.Is(err, campaign.ErrNotEditable):
		return conflict("not_editable")
	case errors.Is(err, campaign.ErrTransition):
		return conflict("action_not_allowed")
	case errors.Is(err, campaign.ErrScheduled):
		return conflict("scheduled")
	case errors.Is(err, campaign.ErrNotReady):
		return conflict("not_ready")
	case errors.Is(err, campaign.ErrRefused):
		return conflict("run_refused")
	case errors.Is(err, campaign.ErrInUse):
		return conflict("in_use")
	case errors.Is(err, store.ErrConflict):
		return &Error{Status: http.StatusConflict, Code: "conflict", Message: trimPrefix(err)}
	}
	return err
}

// CampaignRow is one row of the campaign table: the spec's columns.
type CampaignRow struct {
	ID       int64           `json:"id"`
	Name     string          `json:"name"`
	Mode     campaign.Mode   `json:"mode"`
	Priority int             `json:"priority"`
	Status   campaign.Status `json:"status"`
	// Actions are what the Actions column offers in this status.
	Actions []campaign.Action `json:"actions"`
	// Progress is "x of y" of the current (or last) run.
	Progress     Progress `json:"progress"`
	ContactLists []string `json:"contact_lists"`
	// Connection is the flow (agentless) or queue name.
	Connection  string     `json:"connection"`
	Scheduled   bool       `json:"scheduled"`
	NextStartAt *time.Time `json:"next_start_at,omitempty"`
	LastRunAt   *time.Time `json:"last_run_at,omitempty"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// Progress is done of total contacts.
type Progress struct {
	Done  int64  `json:"done"`
	Total int64  `json:"total"`
	Text  string `json:"text"`
}

func progressOf(st store.InstanceStats) Progress {
	return Progress{Done: st.Done, Total: st.Records, Text: fmt.Sprintf("%d of %d", st.Done, st.Records)}
}

// CloneRequest names a clone; empty gives "<name> (copy)".
type CloneRequest struct {
	Name string `json:"name"`
}

// Dashboard is a campaign's detail view for one run.
type Dashboard struct {
	CampaignID   int64               `json:"campaign_id"`
	Name         string              `json:"name"`
	Mode         campaign.Mode       `json:"mode"`
	Status       campaign.Status     `json:"status"`
	Instance     *store.Instance     `json:"instance,omitempty"`
	Progress     Progress            `json:"progress"`
	Stats        store.InstanceStats `json:"stats"`
	ConnectedPct float64             `json:"connected_pct"`
	// UnconnectedPct includes retries and contacts skipped outside their hours.
	UnconnectedPct float64            `json:"unconnected_pct"`
	AvgDurationSec float64            `json:"avg_call_duration_seconds"`
	Matrix         []store.MatrixCell `json:"disposition_vs_attempts"`
	// Dispositions are the matrix's X axis: the campaign's set.
	Dispositions []string `json:"dispositions"`
}

// DashboardRow is one row of the campaigns dashboard.
type DashboardRow struct {
	ID        int64           `json:"id"`
	Name      string          `json:"name"`
	Type      string          `json:"type"`
	Progress  Progress        `json:"progress"`
	Status    campaign.Status `json:"status"`
	StartedAt *time.Time      `json:"started_at,omitempty"`
}

// ExecutionRow is one row of Latest Execution.
type ExecutionRow struct {
	Phone       string     `json:"phone"`
	Attempts    int        `json:"attempts"`
	Priority    int        `json:"priority"`
	StartTime   *time.Time `json:"start_time,omitempty"`
	DurationSec float64    `json:"duration_seconds"`
	EndTime     *time.Time `json:"end_time,omitempty"`
	AgentID     *int64     `json:"agent_id,omitempty"`
	Agent       string     `json:"agent,omitempty"`
	Disposition string     `json:"disposition"`
	FirstName   string     `json:"first_name,omitempty"`
	LastName    string     `json:"last_name,omitempty"`
	// Notes are the agent's notes on the last attempt.
	Notes string `json:"notes,omitempty"`
	// Fields are every contact field, when asked for with fields=all.
	Fields map[string]string `json:"fields,omitempty"`
}

// ExecutionPage is a page of Latest Execution.
type ExecutionPage struct {
	Total int64          `json:"total"`
	Rows  []ExecutionRow `json:"rows"`
}

// FilterRequest creates or edits a saved filter of the campaign table.
type FilterRequest struct {
	Name       string            `json:"name"`
	Default    bool              `json:"default"`
	Statuses   []campaign.Status `json:"statuses"`
	Priorities []int             `json:"priorities"`
	Modes      []campaign.Mode   `json:"modes"`
}

// DefaultRequest marks or unmarks a saved filter as the default view.
type DefaultRequest struct {
	Default bool `json:"default"`
}

// FlowRequest stores a flow: the flow object, or its document as JSON or YAML text.
type FlowRequest struct {
	Description string     `json:"description"`
	Flow        *flow.Flow `json:"flow,omitempty"`
	Document    string     `json:"document,omitempty"`
}

// FlowRecord is a stored flow.
type FlowRecord struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Flow        flow.Flow `json:"flow"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// FlowCheck is the answer of flow validation.
type FlowCheck struct {
	Valid bool      `json:"valid"`
	Flow  flow.Flow `json:"flow"`
}

func (s *Server) campaignRoutes() {
	svc := s.campaignService()
	const base = "/api/v1/campaigns"
	read, write := store.RoleSupervisor, store.RoleManager
	example := campaign.Campaign{}
	s.Handle(Route{Method: "GET", Path: base, Tag: "campaigns", Role: read, Response: []CampaignRow{},
		Summary: "Voice campaigns with the table's columns; query: status, priority, mode (comma-separated), search, sort (run_time|priority), order (asc|desc), filter (a saved filter id, or default)",
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			f, err := s.campaignFilter(r)
			if err != nil {
				return err
			}
			cs, err := svc.List(r.Context(), f)
			if err != nil {
				return err
			}
			rows, err := s.campaignRows(r.Context(), cs)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, rows)
			return nil
		}})
	s.Handle(Route{Method: "POST", Path: base, Tag: "campaigns", Role: write, Summary: "Create a voice campaign (status Ready)",
		Request: campaign.Definition{}, Response: example, Status: http.StatusCreated,
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			var d campaign.Definition
			if err := s.Decode(w, r, &d); err != nil {
				return err
			}
			c, err := svc.Create(r.Context(), d)
			if err != nil {
				return campaignErr(err)
			}
			NoteAudit(r, fmt.Sprint(c.ID), "created campaign "+c.Name)
			w.Header().Set("Location", fmt.Sprintf("%s/%d", base, c.ID))
			writeJSON(w, http.StatusCreated, c)
			return nil
		}})
	s.Handle(Route{Method: "GET", Path: base + "/{id}", Tag: "campaigns", Role: read, Summary: "Get one voice campaign", Response: example,
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			c, err := svc.Get(r.Context(), id)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, c)
			return nil
		}})
	s.Handle(Route{Method: "PUT", Path: base + "/{id}", Tag: "campaigns", Role: write,
		Summary: "Replace a campaign's definition; refused while Active or Rerun, limited while Paused",
		Request: campaign.Definition{}, Response: example,
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			var d campaign.Definition
			if err := s.Decode(w, r, &d); err != nil {
				return err
			}
			c, err := svc.Update(r.Context(), id, d)
			if err != nil {
				return campaignErr(err)
			}
			writeJSON(w, http.StatusOK, c)
			return nil
		}})
	s.Handle(Route{Method: "DELETE", Path: base + "/{id}", Tag: "campaigns", Role: write, Summary: "Delete a campaign that is not running",
		Status: http.StatusNoContent,
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			if err := svc.Delete(r.Context(), id); err != nil {
				return campaignErr(err)
			}
			w.WriteHeader(http.StatusNoContent)
			return nil
		}})
	s.Handle(Route{Method: "POST", Path: base + "/{id}/clone", Tag: "campaigns", Role: write,
		Summary: "Clone a campaign (schedule not copied); body {\"name\"} optional", Request: CloneRequest{}, Response: example, Status: http.StatusCreated,
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			var req CloneRequest
			if r.ContentLength != 0 {
				if err := s.Decode(w, r, &req); err != nil {
					return err
				}
			}
			c, err := svc.Clone(r.Context(), id, req.Name)
			if err != nil {
				return campaignErr(err)
			}
			NoteAudit(r, fmt.Sprint(c.ID), fmt.Sprintf("cloned campaign %d as %s", id, c.Name))
			writeJSON(w, http.StatusCreated, c)
			return nil
		}})
	for _, a := range []campaign.Action{campaign.ActionPlay, campaign.ActionPause, campaign.ActionResume, campaign.ActionStop, campaign.ActionRerun} {
		s.Handle(Route{Method: "POST", Path: base + "/{id}/" + string(a), Tag: "campaigns", Role: write, Response: example,
			Summary: actionSummary[a],
			Handler: func(w http.ResponseWriter, r *http.Request) error {
				id, err := pathID(r)
				if err != nil {
					return err
				}
				c, err := svc.Act(r.Context(), id, a)
				if err != nil {
					return campaignErr(err)
				}
				NoteAudit(r, fmt.Sprint(id), fmt.Sprintf("%s: now %s", a, c.Status))
				writeJSON(w, http.StatusOK, c)
				return nil
			}})
	}
	s.Handle(Route{Method: "GET", Path: base + "/lifecycle", Tag: "campaigns", Role: read, Response: []campaign.Transition{},
		Summary: "The lifecycle table: which action moves which status where",
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			writeJSON(w, http.StatusOK, campaign.Transitions())
			return nil
		}})
	s.Handle(Route{Method: "GET", Path: base + "/{id}/instances", Tag: "campaigns", Role: read, Response: []store.Instance{},
		Summary: "A campaign's runs, newest first",
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			if _, err := svc.Get(r.Context(), id); err != nil {
				return err
			}
			is, err := s.store.Instances(r.Context(), id)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, is)
			return nil
		}})
	s.dashboardRoutes(svc)
	s.filterRoutes()
	s.flowRoutes(svc)
}

var actionSummary = map[campaign.Action]string{
	campaign.ActionPlay:   "Run a Ready campaign: a new run from the full, scrubbed list (refused for scheduled campaigns and without caller ID and queue or flow)",
	campaign.ActionPause:  "Pause a running campaign: no new dials, calls in progress finish",
	campaign.ActionResume: "Resume a paused campaign where it stopped",
	campaign.ActionStop:   "Stop: end the current run and reset the campaign to Ready",
	campaign.ActionRerun:  "Rerun a Completed campaign: a new run from the full list, nothing carried over",
}

func cqList(r *http.Request, key string) []string {
	var out []string
	for _, v := range r.URL.Query()[key] {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func cqInts(r *http.Request, key string) ([]int, error) {
	var out []int
	for _, v := range cqList(r, key) {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, invalid(key, "%q is not a whole number", v)
		}
		out = append(out, n)
	}
	return out, nil
}

func cqInt(r *http.Request, key string, lo, hi int) (int, error) {
	v := r.URL.Query().Get(key)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, invalid(key, "%q is out of range; allowed %d..%d", v, lo, hi)
	}
	return n, nil
}

func cqDesc(r *http.Request) (bool, error) {
	switch r.URL.Query().Get("order") {
	case "", "asc":
		return false, nil
	case "desc":
		return true, nil
	}
	return false, invalid("order", "%q is not allowed; use asc or desc", r.URL.Query().Get("order"))
}

var validStatuses = map[string]bool{"Ready": true, "Active": true, "Paused": true, "Rerun": true, "Completed": true}
var validModes = map[string]bool{"agentless": true, "progressive": true, "preview": true, "power": true, "predictive": true}

func (s *Server) campaignFilter(r *http.Request) (store.CampaignFilter, error) {
	var f store.CampaignFilter
	for _, v := range cqList(r, "status") {
		if !validStatuses[v] {
			return f, invalid("status", "%q is not a status; use Ready, Active, Paused, Rerun or Completed", v)
		}
		f.Statuses = append(f.Statuses, store.CampaignStatus(v))
	}
	for _, v := range cqList(r, "mode") {
		if !validModes[v] {
			return f, invalid("mode", "%q is not a dialing mode; use agentless, progressive, preview, power or predictive", v)
		}
		f.Modes = append(f.Modes, v)
	}
	var err error
	if f.Priorities, err = cqInts(r, "priority"); err != nil {
		return f, err
	}
	f.Search = r.URL.Query().Get("search")
	switch sort := r.URL.Query().Get("sort"); sort {
	case "", store.SortRunTime, store.SortPriority:
		f.Sort = sort
	default:
		return f, invalid("sort", "%q is not allowed; use run_time or priority", sort)
	}
	if f.Desc, err = cqDesc(r); err != nil {
		return f, err
	}
	if v := r.URL.Query().Get("filter"); v != "" {
		saved, err := s.savedFilterOf(r, v)
		if err != nil {
			return f, err
		}
		if saved != nil {
			f.Statuses, f.Priorities, f.Modes = saved.Statuses, saved.Priorities, saved.Modes
		}
	}
	return f, nil
}

// savedFilterOf returns the caller's saved filter by id, or its default ("default";
// nil when none).
func (s *Server) savedFilterOf(r *http.Request, v string) (*store.SavedFilter, error) {
	p, _ := PrincipalFrom(r.Context())
	if v == "default" {
		fs, err := s.store.SavedFilters(r.Context(), p.User.ID)
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			if f.Default {
				return &f, nil
			}
		}
		return nil, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, invalid("filter", "%q is not a saved filter id or default", v)
	}
	f, err := s.store.SavedFilterByID(r.Context(), id)
	if err != nil || f.UserID != p.User.ID {
		return nil, notFound(fmt.Sprintf("saved filter %d", id))
	}
	return &f, nil
}

func (s *Server) campaignRows(ctx context.Context, cs []campaign.Campaign) ([]CampaignRow, error) {
	listNames := map[int64]string{}
	name := func(id int64) (string, error) {
		if n, ok := listNames[id]; ok {
			return n, nil
		}
		l, err := s.store.ListByID(ctx, id)
		if err != nil {
			return "", err
		}
		listNames[id] = l.Name
		return l.Name, nil
	}
	rows := make([]CampaignRow, 0, len(cs))
	for _, c := range cs {
		row := CampaignRow{ID: c.ID, Name: c.Name, Mode: c.Dialing.Mode, Priority: c.Priority, Status: c.Status,
			Actions: actionsFor(c), ContactLists: []string{}, Scheduled: c.Schedule != nil, NextStartAt: c.NextStartAt,
			LastRunAt: c.LastRunAt, UpdatedAt: c.UpdatedAt}
		for _, id := range c.ListIDs {
			n, err := name(id)
			if err != nil {
				return nil, err
			}
			row.ContactLists = append(row.ContactLists, n)
		}
		if c.Dialing.FlowID != nil {
			if f, err := s.store.FlowByID(ctx, *c.Dialing.FlowID); err == nil {
				row.Connection = f.Name
			}
		}
		if c.Dialing.QueueID != nil {
			if q, err := s.store.QueueByID(ctx, *c.Dialing.QueueID); err == nil {
				row.Connection = q.Name
			}
		}
		row.Progress = Progress{Text: "0 of 0"}
		if c.InstanceID != nil {
			st, err := s.store.InstanceStats(ctx, *c.InstanceID)
			if err != nil {
				return nil, err
			}
			row.Progress = progressOf(st)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// actionsFor lists the manager actions the status allows.
func actionsFor(c campaign.Campaign) []campaign.Action {
	out := []campaign.Action{}
	for _, a := range []campaign.Action{campaign.ActionPlay, campaign.ActionPause, campaign.ActionResume, campaign.ActionStop, campaign.ActionRerun} {
		if (a == campaign.ActionPlay || a == campaign.ActionRerun) && c.Schedule != nil {
			continue
		}
		if _, err := campaign.Next(c.Status, a, false); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// instanceOf resolves the instance query parameter, default the campaign's current run.
func (s *Server) instanceOf(r *http.Request, c campaign.Campaign) (*store.Instance, error) {
	id := int64(0)
	if v := r.URL.Query().Get("instance"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return nil, invalid("instance", "%q is not an instance id", v)
		}
		id = n
	} else if c.InstanceID != nil {
		id = *c.InstanceID
	}
	if id == 0 {
		return nil, nil
	}
	inst, err := s.store.InstanceByID(r.Context(), id)
	if err != nil || inst.CampaignID != c.ID {
		return nil, notFound(fmt.Sprintf("instance %d of campaign %d", id, c.ID))
	}
	return &inst, nil
}

func pct(part, whole int64) float64 {
	if whole == 0 {
		return 0
	}
	return float64(part) * 100 / float64(whole)
}

// dashboard builds the figures of GET /api/v1/campaigns/{id}/dashboard (and of each
// live event) from the campaign and its instance (the query's, else the current one),
// read afresh.
func (s *Server) dashboard(ctx context.Context, svc *campaign.Service, id int64, r *http.Request) (Dashboard, error) {
	c, err := svc.Get(ctx, id)
	if err != nil {
		return Dashboard{}, err
	}
	inst, err := s.instanceOf(r, c)
	if err != nil {
		return Dashboard{}, err
	}
	d := Dashboard{CampaignID: c.ID, Name: c.Name, Mode: c.Dialing.Mode, Status: c.Status, Matrix: []store.MatrixCell{},
		Dispositions: c.Dispositions.Names(), Progress: Progress{Text: "0 of 0"},
		Stats: store.InstanceStats{Outcomes: []store.Count{}, Dispositions: []store.Count{}}}
	if inst != nil {
		d.Instance = inst
		if d.Stats, err = s.store.InstanceStats(ctx, inst.ID); err != nil {
			return Dashboard{}, err
		}
		if d.Matrix, err = s.store.DispositionMatrix(ctx, inst.ID); err != nil {
			return Dashboard{}, err
		}
		d.Progress = progressOf(d.Stats)
		all := d.Stats.Connected + d.Stats.Unconnected
		d.ConnectedPct, d.UnconnectedPct = pct(d.Stats.Connected, all), pct(d.Stats.Unconnected, all)
		d.AvgDurationSec = d.Stats.AvgDurationMS / 1000
	}
	return d, nil
}

func (s *Server) dashboardRoutes(svc *campaign.Service) {
	const base = "/api/v1/campaigns"
	read := store.RoleSupervisor
	s.Handle(Route{Method: "GET", Path: base + "/dashboard", Tag: "campaigns", Role: read, Response: []DashboardRow{},
		Summary: "The campaigns dashboard: name, type, progress, status, start of the current run",
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			cs, err := svc.List(r.Context(), store.CampaignFilter{})
			if err != nil {
				return err
			}
			rows := []DashboardRow{}
			for _, c := range cs {
				row := DashboardRow{ID: c.ID, Name: c.Name, Type: string(c.Dialing.Mode), Status: c.Status, Progress: Progress{Text: "0 of 0"}}
				if c.InstanceID != nil {
					inst, err := s.store.InstanceByID(r.Context(), *c.InstanceID)
					if err != nil {
						return err
					}
					st, err := s.store.InstanceStats(r.Context(), inst.ID)
					if err != nil {
						return err
					}
					row.Progress, row.StartedAt = progressOf(st), inst.StartedAt
				}
				rows = append(rows, row)
			}
			writeJSON(w, http.StatusOK, rows)
			return nil
		}})
	s.Handle(Route{Method: "GET", Path: base + "/{id}/dashboard", Tag: "campaigns", Role: read, Response: Dashboard{},
		Summary: "Campaign details for a run (query instance, default the current): progress, connected and unconnected with percentages, average call duration, top 5 dialer and agent dispositions, Disposition vs Attempts",
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			d, err := s.dashboard(r.Context(), svc, id, r)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, d)
			return nil
		}})
	s.Handle(Route{Method: "GET", Path: base + "/{id}/executions", Tag: "campaigns", Role: read, Response: ExecutionPage{},
		Summary: "Latest Execution of a run: filter (disposition, priority, since, until), then search (phone, first or last name), then sort (start_time, priority, disposition; order asc|desc); limit, offset; fields=all adds every contact field",
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			c, err := svc.Get(r.Context(), id)
			if err != nil {
				return err
			}
			inst, err := s.instanceOf(r, c)
			if err != nil {
				return err
			}
			page := ExecutionPage{Rows: []ExecutionRow{}}
			if inst == nil {
				writeJSON(w, http.StatusOK, page)
				return nil
			}
			f := store.ExecutionFilter{InstanceID: inst.ID, Dispositions: cqList(r, "disposition"), Search: r.URL.Query().Get("search")}
			if f.Priorities, err = cqInts(r, "priority"); err != nil {
				return err
			}
			for _, p := range []struct {
				key string
				dst *time.Time
			}{{"since", &f.Since}, {"until", &f.Until}} {
				if v := r.URL.Query().Get(p.key); v != "" {
					t, err := time.Parse(time.RFC3339, v)
					if err != nil {
						return invalid(p.key, "%q is not an RFC 3339 time; write it like 2026-11-30T09:00:00Z", v)
					}
					*p.dst = t
				}
			}
			switch sort := r.URL.Query().Get("sort"); sort {
			case "", store.SortStartTime, store.SortPriority, store.SortDisposition:
				f.Sort = sort
			default:
				return invalid("sort", "%q is not allowed; use start_time, priority or disposition", sort)
			}
			if f.Desc, err = cqDesc(r); err != nil {
				return err
			}
			if f.Limit, err = cqInt(r, "limit", 1, 10000); err != nil {
				return err
			}
			if f.Offset, err = cqInt(r, "offset", 0, 1<<30); err != nil {
				return err
			}
			recs, total, err := s.store.Executions(r.Context(), f)
			if err != nil {
				return err
			}
			all := r.URL.Query().Get("fields") == "all"
			agents := map[int64]string{}
			page.Total = total
			for _, rec := range recs {
				row := ExecutionRow{Phone: rec.Phone, Attempts: rec.Attempts, Priority: rec.Priority, StartTime: rec.LastStartedAt,
					EndTime: rec.LastEndedAt, DurationSec: float64(rec.LastDurationMS) / 1000, AgentID: rec.LastAgentID,
					Disposition: rec.Disposition, FirstName: rec.FirstName, LastName: rec.LastName, Notes: rec.LastNotes}
				if rec.LastAgentID != nil {
					n, ok := agents[*rec.LastAgentID]
					if !ok {
						if a, err := s.store.AgentByID(r.Context(), *rec.LastAgentID); err == nil {
							n = a.Name
						}
						agents[*rec.LastAgentID] = n
					}
					row.Agent = n
				}
				if all {
					row.Fields = rec.Fields
				}
				page.Rows = append(page.Rows, row)
			}
			writeJSON(w, http.StatusOK, page)
			return nil
		}})
}

func checkFilter(req FilterRequest) (store.SavedFilter, error) {
	f := store.SavedFilter{Name: strings.TrimSpace(req.Name), Default: req.Default, Statuses: []store.CampaignStatus{}, Priorities: []int{}, Modes: []string{}}
	if f.Name == "" {
		return f, invalid("name", "is required")
	}
	if n := len([]rune(f.Name)); n > 20 {
		return f, invalid("name", "is %d characters; at most 20 are allowed", n)
	}
	for i, st := range req.Statuses {
		if !validStatuses[string(st)] {
			return f, invalid(fmt.Sprintf("statuses[%d]", i), "%q is not a status; use Ready, Active, Paused, Rerun or Completed", st)
		}
		f.Statuses = append(f.Statuses, st)
	}
	for i, p := range req.Priorities {
		if p < 1 || p > 5 {
			return f, invalid(fmt.Sprintf("priorities[%d]", i), "%d is out of range; allowed 1..5", p)
		}
		f.Priorities = append(f.Priorities, p)
	}
	for i, m := range req.Modes {
		if !validModes[string(m)] {
			return f, invalid(fmt.Sprintf("modes[%d]", i), "%q is not a dialing mode", m)
		}
		f.Modes = append(f.Modes, string(m))
	}
	return f, nil
}

func (s *Server) filterRoutes() {
	const base = "/api/v1/campaigns/filters"
	role := store.RoleSupervisor
	own := func(r *http.Request) (store.SavedFilter, error) {
		id, err := pathID(r)
		if err != nil {
			return store.SavedFilter{}, err
		}
		f, err := s.savedFilterOf(r, strconv.FormatInt(id, 10))
		if err != nil {
			return store.SavedFilter{}, err
		}
		return *f, nil
	}
	s.Handle(Route{Method: "GET", Path: base, Tag: "campaigns", Role: role, Summary: "Your saved filters of the campaign table", Response: []store.SavedFilter{},
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			p, _ := PrincipalFrom(r.Context())
			fs, err := s.store.SavedFilters(r.Context(), p.User.ID)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, fs)
			return nil
		}})
	s.Handle(Route{Method: "POST", Path: base, Tag: "campaigns", Role: role, Summary: "Save a filter (name up to 20 characters) on status, priority and dialing mode",
		Request: FilterRequest{}, Response: store.SavedFilter{}, Status: http.StatusCreated,
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			var req FilterRequest
			if err := s.Decode(w, r, &req); err != nil {
				return err
			}
			f, err := checkFilter(req)
			if err != nil {
				return err
			}
			p, _ := PrincipalFrom(r.Context())
			f.UserID = p.User.ID
			out, err := s.store.CreateSavedFilter(r.Context(), f)
			if err != nil {
				return campaignErr(err)
			}
			writeJSON(w, http.StatusCreated, out)
			return nil
		}})
	s.Handle(Route{Method: "PUT", Path: base + "/{id}", Tag: "campaigns", Role: role, Summary: "Edit a saved filter",
		Request: FilterRequest{}, Response: store.SavedFilter{},
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			cur, err := own(r)
			if err != nil {
				return err
			}
			var req FilterRequest
			if err := s.Decode(w, r, &req); err != nil {
				return err
			}
			f, err := checkFilter(req)
			if err != nil {
				return err
			}
			f.ID, f.UserID = cur.ID, cur.UserID
			out, err := s.store.UpdateSavedFilter(r.Context(), f)
			if err != nil {
				return campaignErr(err)
			}
			if req.Default != out.Default {
				if out, err = s.store.SetDefaultSavedFilter(r.Context(), out.ID, req.Default); err != nil {
					return err
				}
			}
			writeJSON(w, http.StatusOK, out)
			return nil
		}})
	s.Handle(Route{Method: "POST", Path: base + "/{id}/duplicate", Tag: "campaigns", Role: role, Summary: "Duplicate a saved filter under a new name",
		Request: CloneRequest{}, Response: store.SavedFilter{}, Status: http.StatusCreated,
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			cur, err := own(r)
			if err != nil {
				return err
			}
			var req CloneRequest
			if err := s.Decode(w, r, &req); err != nil {
				return err
			}
			modes := make([]campaign.Mode, len(cur.Modes))
			for i, m := range cur.Modes {
				modes[i] = campaign.Mode(m)
			}
			f, err := checkFilter(FilterRequest{Name: req.Name, Statuses: cur.Statuses, Priorities: cur.Priorities, Modes: modes})
			if err != nil {
				return err
			}
			f.UserID = cur.UserID
			out, err := s.store.CreateSavedFilter(r.Context(), f)
			if err != nil {
				return campaignErr(err)
			}
			writeJSON(w, http.StatusCreated, out)
			return nil
		}})
	s.Handle(Route{Method: "POST", Path: base + "/{id}/default", Tag: "campaigns", Role: role, Summary: "Mark a saved filter as the default view, or unmark it ({\"default\": false})",
		Request: DefaultRequest{}, Response: store.SavedFilter{},
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			cur, err := own(r)
			if err != nil {
				return err
			}
			req := DefaultRequest{Default: true}
			if r.ContentLength != 0 {
				if err := s.Decode(w, r, &req); err != nil {
					return err
				}
			}
			out, err := s.store.SetDefaultSavedFilter(r.Context(), cur.ID, req.Default)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, out)
			return nil
		}})
	s.Handle(Route{Method: "DELETE", Path: base + "/{id}", Tag: "campaigns", Role: role, Summary: "Delete a saved filter", Status: http.StatusNoContent,
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			cur, err := own(r)
			if err != nil {
				return err
			}
			if err := s.store.DeleteSavedFilter(r.Context(), cur.ID); err != nil {
				return err
			}
			w.WriteHeader(http.StatusNoContent)
			return nil
		}})
}

// parseFlowRequest validates a flow request and returns the flow and its stored form.
func parseFlowRequest(req FlowRequest) (*flow.Flow, []byte, error) {
	var doc []byte
	switch {
	case req.Flow != nil && req.Document != "":
		return nil, nil, invalid("document", "send either flow or document, not both")
	case req.Flow != nil:
		b, err := json.Marshal(req.Flow)
		if err != nil {
			return nil, nil, err
		}
		doc = b
	case req.Document != "":
		doc = []byte(req.Document)
	default:
		return nil, nil, invalid("flow", "is required; send the flow object or its JSON/YAML text as document")
	}
	f, err := flow.Parse(doc)
	if err != nil {
		return nil, nil, campaignErr(err)
	}
	norm, err := json.Marshal(f)
	return f, norm, err
}

func flowRecord(sf store.StoredFlow) (FlowRecord, error) {
	out := FlowRecord{ID: sf.ID, Name: sf.Name, Description: sf.Description, CreatedAt: sf.CreatedAt, UpdatedAt: sf.UpdatedAt}
	f, err := flow.Parse(sf.Document)
	if err != nil {
		return out, fmt.Errorf("stored flow %d no longer parses: %w", sf.ID, err)
	}
	out.Flow = *f
	return out, nil
}

func (s *Server) flowRoutes(svc *campaign.Service) {
	const base = "/api/v1/flows"
	read, write := store.RoleSupervisor, store.RoleManager
	s.Handle(Route{Method: "GET", Path: base, Tag: "flows", Role: read, Summary: "Agentless flows", Response: []FlowRecord{},
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			fs, err := s.store.ListFlows(r.Context())
			if err != nil {
				return err
			}
			out := make([]FlowRecord, 0, len(fs))
			for _, f := range fs {
				rec, err := flowRecord(f)
				if err != nil {
					return err
				}
				out = append(out, rec)
			}
			writeJSON(w, http.StatusOK, out)
			return nil
		}})
	s.Handle(Route{Method: "POST", Path: base + "/validate", Tag: "flows", Role: read, Summary: "Validate a flow without storing it",
		Request: FlowRequest{}, Response: FlowCheck{},
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			var req FlowRequest
			if err := s.Decode(w, r, &req); err != nil {
				return err
			}
			f, _, err := parseFlowRequest(req)
			if err != nil {
				return err
			}
			NoteAudit(r, "", "validated flow")
			writeJSON(w, http.StatusOK, FlowCheck{Valid: true, Flow: *f})
			return nil
		}})
	s.Handle(Route{Method: "POST", Path: base, Tag: "flows", Role: write, Summary: "Store a flow; bad flows are refused with the node and the reason",
		Request: FlowRequest{}, Response: FlowRecord{}, Status: http.StatusCreated,
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			var req FlowRequest
			if err := s.Decode(w, r, &req); err != nil {
				return err
			}
			f, doc, err := parseFlowRequest(req)
			if err != nil {
				return err
			}
			sf, err := s.store.CreateFlow(r.Context(), store.StoredFlow{Name: f.Name, Description: req.Description, Document: doc})
			if err != nil {
				return campaignErr(err)
			}
			rec, err := flowRecord(sf)
			if err != nil {
				return err
			}
			NoteAudit(r, fmt.Sprint(sf.ID), "created flow "+sf.Name)
			w.Header().Set("Location", fmt.Sprintf("%s/%d", base, sf.ID))
			writeJSON(w, http.StatusCreated, rec)
			return nil
		}})
	s.Handle(Route{Method: "GET", Path: base + "/{id}", Tag: "flows", Role: read, Summary: "Get one flow", Response: FlowRecord{},
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			sf, err := s.store.FlowByID(r.Context(), id)
			if err != nil {
				return err
			}
			rec, err := flowRecord(sf)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, rec)
			return nil
		}})
	s.Handle(Route{Method: "PUT", Path: base + "/{id}", Tag: "flows", Role: write, Summary: "Replace a flow",
		Request: FlowRequest{}, Response: FlowRecord{},
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			if _, err := s.store.FlowByID(r.Context(), id); err != nil {
				return err
			}
			var req FlowRequest
			if err := s.Decode(w, r, &req); err != nil {
				return err
			}
			f, doc, err := parseFlowRequest(req)
			if err != nil {
				return err
			}
			sf, err := s.store.UpdateFlow(r.Context(), store.StoredFlow{ID: id, Name: f.Name, Description: req.Description, Document: doc})
			if err != nil {
				return campaignErr(err)
			}
			rec, err := flowRecord(sf)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, rec)
			return nil
		}})
	s.Handle(Route{Method: "DELETE", Path: base + "/{id}", Tag: "flows", Role: write,
		Summary: "Delete a flow; refused while an Active, Paused or future-scheduled campaign uses it", Status: http.StatusNoContent,
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			if err := svc.InUse(r.Context(), 0, id); err != nil {
				return campaignErr(err)
			}
			if err := s.store.DeleteFlow(r.Context(), id); err != nil {
				return err
			}
			w.WriteHeader(http.StatusNoContent)
			return nil
		}})
}
