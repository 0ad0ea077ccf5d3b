package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/store"
)

// This file registers the export and import of voice campaigns as CSV and the
// Campaign Logs. Campaign Logs are read from the audit log: every change the campaign
// API makes is already an audit entry (who, what, when), and export and import add
// their own entries there (one per imported or skipped campaign). No second log is kept.

// MaxCampaignTransfer is the most campaigns one export or one import file may hold.
const MaxCampaignTransfer = 50

// maxImportBytes bounds an import file.
const maxImportBytes = 8 << 20

// campaignCSVHeader is the header of an export file, in column order.
var campaignCSVHeader = []string{"name", "description", "mode", "priority", "status", "contact_lists", "dnc_list", "mapping_list", "caller_id", "flow", "queue", "definition"}

// Audit actions written by export and import, and the resource of campaign entries.
const (
	auditCampaigns       = campaign.AuditResource
	auditImported        = "import"
	auditImportSkipped   = "import skipped"
	campaignLogTypeVoice = "Voice"
)

// ExportRequest names the campaigns to export (1 to 50 ids).
type ExportRequest struct {
	IDs []int64 `json:"ids"`
}

// ImportOutcome is what happened to one row of an import file.
type ImportOutcome struct {
	// Row is the CSV record number (the header is row 1).
	Row  int    `json:"row"`
	Name string `json:"name"`
	// ID is the new campaign's id; 0 when the row was skipped.
	ID int64 `json:"id,omitempty"`
	// Reason says why a row was skipped and what to fix.
	Reason string `json:"reason,omitempty"`
}

// ImportResult answers an import: the spec's message and each campaign's outcome.
type ImportResult struct {
	Imported int             `json:"imported"`
	Failed   int             `json:"failed"`
	Message  string          `json:"message"`
	Results  []ImportOutcome `json:"results"`
}

// CampaignLog is one row of Campaign Logs.
type CampaignLog struct {
	ID int64     `json:"id"`
	At time.Time `json:"at"`
	// LogType is the campaign type (Voice); SubType the event (Created, Edited, Play,
	// Stop, Export, Imported, Import skipped...).
	LogType     string `json:"log_type"`
	SubType     string `json:"sub_type"`
	CampaignID  int64  `json:"campaign_id,omitempty"`
	Campaign    string `json:"campaign,omitempty"`
	User        string `json:"user"`
	Description string `json:"description"`
}

// importMessage is the spec's sentence for an import's result.
func importMessage(imported, failed int) string {
	switch {
	case failed == 0:
		return fmt.Sprintf("%d Campaigns imported successfully!", imported)
	case imported == 0:
		return fmt.Sprintf("Import failed. 0 successfully imported, %d failed. See the Campaigns log for details.", failed)
	}
	return fmt.Sprintf("Import partially successful. %d successfully imported, %d failed. See the Campaigns log for details.", imported, failed)
}

func (s *Server) campaignIORoutes() {
	svc := s.campaignService()
	read, write := store.RoleSupervisor, store.RoleManager
	s.Handle(Route{Method: "POST", Path: "/api/v1/campaigns/export", Tag: "campaigns", Role: read, Request: ExportRequest{},
		Summary: "Export 1 to 50 campaigns as CSV (one row per campaign; see docs/campaigns.md); the export is written to Campaign Logs",
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			var req ExportRequest
			if err := s.Decode(w, r, &req); err != nil {
				return err
			}
			body, names, err := s.exportCampaigns(r.Context(), svc, req.IDs)
			if err != nil {
				return err
			}
			NoteAudit(r, "", fmt.Sprintf("exported %d campaigns: %s", len(names), strings.Join(names, ", ")))
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="campaigns-%s.csv"`, s.now().UTC().Format("20060102-150405")))
			w.WriteHeader(http.StatusOK)
			_, err = w.Write(body)
			return err
		}})
	s.Handle(Route{Method: "POST", Path: "/api/v1/campaigns/import", Tag: "campaigns", Role: write, Upload: true, Response: ImportResult{},
		Summary: "Import an export file (multipart part \"file\", or a text/csv body): each campaign is created whole or skipped with its reason in Campaign Logs",
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			data, err := importFile(w, r)
			if err != nil {
				return err
			}
			res, err := s.importCampaigns(r, svc, data)
			if err != nil {
				return err
			}
			NoteAudit(r, "", res.Message)
			writeJSON(w, http.StatusOK, res)
			return nil
		}})
	s.Handle(Route{Method: "GET", Path: "/api/v1/campaign-logs", Tag: "campaigns", Role: read, Response: []CampaignLog{},
		Summary: "Campaign Logs, newest first; query: since, until (RFC 3339), search (any part of the description), sub_type, limit (default 500, at most 5000)",
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			logs, err := s.campaignLogs(r)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, logs)
			return nil
		}})
}

// exportRefs resolves the names of what campaigns link to.
type exportRefs struct {
	ctx    context.Context
	st     store.Store
	lists  map[int64]string
	phones map[int64]string
	flows  map[int64]string
	queues map[int64]string
}

func (x *exportRefs) list(id int64) (string, error) {
	if n, ok := x.lists[id]; ok {
		return n, nil
	}
	l, err := x.st.ListByID(x.ctx, id)
	if err != nil {
		return "", err
	}
	x.lists[id] = l.Name
	return l.Name, nil
}

func (s *Server) exportCampaigns(ctx context.Context, svc *campaign.Service, ids []int64) ([]byte, []string, error) {
	if len(ids) == 0 {
		return nil, nil, invalid("ids", "is empty; choose at least one campaign to export")
	}
	if len(ids) > MaxCampaignTransfer {
		return nil, nil, invalid("ids", "holds %d campaigns; export at most %d per file and run several exports for more", len(ids), MaxCampaignTransfer)
	}
	x := &exportRefs{ctx: ctx, st: s.store, lists: map[int64]string{}, phones: map[int64]string{}, flows: map[int64]string{}, queues: map[int64]string{}}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Write(campaignCSVHeader)
	names := make([]string, 0, len(ids))
	seen := map[int64]bool{}
	for i, id := range ids {
		if seen[id] {
			return nil, nil, invalid(fmt.Sprintf("ids[%d]", i), "campaign %d is listed twice", id)
		}
		seen[id] = true
		c, err := svc.Get(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil, invalid(fmt.Sprintf("ids[%d]", i), "campaign %d does not exist", id)
		} else if err != nil {
			return nil, nil, err
		}
		rec, err := x.row(c)
		if err != nil {
			return nil, nil, fmt.Errorf("export campaign %d: %w", id, err)
		}
		cw.Write(rec)
		names = append(names, c.Name)
	}
	cw.Flush()
	return buf.Bytes(), names, cw.Error()
}

// row writes one campaign: links by name, the rest of the definition as JSON without ids.
func (x *exportRefs) row(c campaign.Campaign) ([]string, error) {
	d := c.Definition
	lists := make([]string, 0, len(d.ListIDs))
	for _, id := range d.ListIDs {
		n, err := x.list(id)
		if err != nil {
			return nil, err
		}
		lists = append(lists, n)
	}
	listsJSON, _ := json.Marshal(lists)
	dnc, err := x.list(d.Contacts.DNCListID)
	if err != nil {
		return nil, err
	}
	var mapping, caller, flowName, queue string
	if d.Contacts.MappingListID != nil {
		if mapping, err = x.list(*d.Contacts.MappingListID); err != nil {
			return nil, err
		}
	}
	if d.Outreach.CallerID != nil {
		p, err := x.st.PhoneNumberByID(x.ctx, *d.Outreach.CallerID)
		if err == nil {
			caller = p.Number
		}
	}
	if d.Dialing.FlowID != nil {
		if f, err := x.st.FlowByID(x.ctx, *d.Dialing.FlowID); err == nil {
			flowName = f.Name
		}
	}
	if d.Dialing.QueueID != nil {
		if q, err := x.st.QueueByID(x.ctx, *d.Dialing.QueueID); err == nil {
			queue = q.Name
		}
	}
	d.ListIDs, d.Contacts.DNCListID, d.Contacts.MappingListID = []int64{}, 0, nil
	d.Outreach.CallerID, d.Dialing.FlowID, d.Dialing.QueueID = nil, nil, nil
	def, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	return []string{c.Name, c.Description, string(c.Dialing.Mode), strconv.Itoa(c.Priority), string(c.Status),
		string(listsJSON), dnc, mapping, caller, flowName, queue, string(def)}, nil
}

// importFile reads the uploaded file: the "file" part of a multipart form, or the body.
func importFile(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxImportBytes)
	tooBig := func(err error) error {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return &Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Field: "file", Message: fmt.Sprintf("the file is larger than %d MB; split it into several imports", maxImportBytes>>20)}
		}
		return invalid("file", "cannot be read: %v", err)
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, tooBig(err)
		}
		return b, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, invalid("file", "the form cannot be read: %v", err)
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil, invalid("file", "is missing; send the exported CSV as the form part \"file\"")
		}
		if err != nil {
			return nil, tooBig(err)
		}
		if p.FormName() != "file" {
			continue
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return nil, tooBig(err)
		}
		return b, nil
	}
}

// importRefs finds what an imported campaign links to, by name.
type importRefs struct {
	lists  map[store.ListKind]map[string]int64
	phones map[string]store.PhoneNumber
	flows  map[string]int64
	queues map[string]int64
}

func (s *Server) loadImportRefs(ctx context.Context) (*importRefs, error) {
	x := &importRefs{lists: map[store.ListKind]map[string]int64{}, phones: map[string]store.PhoneNumber{}, flows: map[string]int64{}, queues: map[string]int64{}}
	for _, k := range []store.ListKind{store.ListContact, store.ListDNC, store.ListMapping} {
		x.lists[k] = map[string]int64{}
		for off := 0; ; off += 500 {
			ls, total, err := s.store.FindLists(ctx, store.ListFilter{Kind: k, Limit: 500, Offset: off})
			if err != nil {
				return nil, err
			}
			for _, l := range ls {
				x.lists[k][l.Name] = l.ID
			}
			if len(ls) == 0 || int64(off+len(ls)) >= total {
				break
			}
		}
	}
	ps, err := s.store.ListPhoneNumbers(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		x.phones[p.Number] = p
	}
	fs, err := s.store.ListFlows(ctx)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		x.flows[f.Name] = f.ID
	}
	qs, err := s.store.ListQueues(ctx)
	if err != nil {
		return nil, err
	}
	for _, q := range qs {
		x.queues[q.Name] = q.ID
	}
	return x, nil
}

// definition rebuilds a campaign definition from one CSV record, or says what is missing.
func (x *importRefs) definition(rec map[string]string) (campaign.Definition, error) {
	var d campaign.Definition
	dec := json.NewDecoder(strings.NewReader(rec["definition"]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return d, fmt.Errorf("column definition is not a campaign definition (%v); export the campaign again", err)
	}
	d.Name, d.Description = rec["name"], rec["description"]
	if m := rec["mode"]; m != "" && m != string(d.Dialing.Mode) {
		return d, fmt.Errorf("column mode %q does not match the definition's %q; export the campaign again", m, d.Dialing.Mode)
	}
	if p := rec["priority"]; p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return d, fmt.Errorf("column priority %q is not a whole number 1..5", p)
		}
		d.Priority = n
	}
	var names []string
	if err := json.Unmarshal([]byte(rec["contact_lists"]), &names); err != nil {
		return d, fmt.Errorf("column contact_lists %q is not a JSON array of list names", rec["contact_lists"])
	}
	d.ListIDs = []int64{}
	for _, n := range names {
		id, ok := x.lists[store.ListContact][n]
		if !ok {
			return d, fmt.Errorf("contact list %q does not exist on this server; create or upload it first", n)
		}
		d.ListIDs = append(d.ListIDs, id)
	}
	if n := rec["dnc_list"]; n != "" {
		id, ok := x.lists[store.ListDNC][n]
		if !ok {
			return d, fmt.Errorf("DNC list %q does not exist on this server; create it first", n)
		}
		d.Contacts.DNCListID = id
	}
	d.Contacts.MappingListID = nil
	if n := rec["mapping_list"]; n != "" {
		id, ok := x.lists[store.ListMapping][n]
		if !ok {
			return d, fmt.Errorf("agent mapping list %q does not exist on this server; create it first", n)
		}
		d.Contacts.MappingListID = &id
	}
	d.Outreach.CallerID, d.Dialing.FlowID, d.Dialing.QueueID = nil, nil, nil
	if n := rec["caller_id"]; n != "" {
		p, ok := x.phones[n]
		if !ok {
			return d, fmt.Errorf("caller ID %s is not a phone number of this server; add it under Phone Numbers first", n)
		}
		d.Outreach.CallerID = &p.ID
	}
	if n := rec["flow"]; n != "" {
		id, ok := x.flows[n]
		if !ok {
			return d, fmt.Errorf("flow %q does not exist on this server; store it first", n)
		}
		d.Dialing.FlowID = &id
	}
	if n := rec["queue"]; n != "" {
		id, ok := x.queues[n]
		if !ok {
			return d, fmt.Errorf("queue %q does not exist on this server; create it first", n)
		}
		d.Dialing.QueueID = &id
	}
	return d, nil
}

// importReason turns a Create error into a sentence naming the field and the fix.
func importReason(err error) string {
	var fe *campaign.FieldError
	switch {
	case errors.As(err, &fe):
		return fmt.Sprintf("%s: %v %s", fe.Field, fe.Value, fe.Message)
	case errors.Is(err, store.ErrConflict):
		return "a campaign with this name already exists; rename or delete it, then import again"
	}
	return strings.TrimPrefix(strings.TrimPrefix(err.Error(), "campaign: "), "store: ")
}

func (s *Server) importCampaigns(r *http.Request, svc *campaign.Service, data []byte) (ImportResult, error) {
	ctx := r.Context()
	res := ImportResult{Results: []ImportOutcome{}}
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err == io.EOF {
		return res, invalid("file", "is empty; choose a file made by Export")
	}
	if err != nil {
		return res, invalid("file", "is not CSV: %v", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(h)] = i
	}
	for _, need := range []string{"name", "contact_lists", "dnc_list", "definition"} {
		if _, ok := col[need]; !ok {
			return res, invalid("file", "has no %s column; it is not a campaign export (its header must be %s)", need, strings.Join(campaignCSVHeader, ","))
		}
	}
	var recs [][]string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return res, invalid("file", "is not valid CSV: %v", err)
		}
		if len(recs) == MaxCampaignTransfer {
			return res, invalid("file", "holds more than %d campaigns; import at most %d per file", MaxCampaignTransfer, MaxCampaignTransfer)
		}
		recs = append(recs, rec)
	}
	if len(recs) == 0 {
		return res, invalid("file", "holds no campaigns; choose a file made by Export")
	}
	refs, err := s.loadImportRefs(ctx)
	if err != nil {
		return res, err
	}
	p, _ := PrincipalFrom(ctx)
	for i, rec := range recs {
		m := map[string]string{}
		for name, j := range col {
			if j < len(rec) {
				m[name] = rec[j]
			}
		}
		out := ImportOutcome{Row: i + 2, Name: m["name"]}
		d, err := refs.definition(m)
		if err == nil {
			var c campaign.Campaign
			if c, err = svc.Create(ctx, d); err == nil {
				out.ID = c.ID
			} else {
				err = errors.New(importReason(err))
			}
		}
		entry := store.AuditEntry{At: s.now().UTC(), Actor: p.User.Username, Resource: auditCampaigns}
		if p.User.ID != 0 {
			entry.UserID = &p.User.ID
		}
		if err != nil {
			out.Reason = err.Error()
			res.Failed++
			entry.Action, entry.Detail = auditImportSkipped, fmt.Sprintf("row %d: %s: %s", out.Row, strconv.Quote(out.Name), out.Reason)
		} else {
			res.Imported++
			entry.Action, entry.ResourceID, entry.Detail = auditImported, strconv.FormatInt(out.ID, 10), out.Name
		}
		if _, err := s.store.AppendAudit(context.WithoutCancel(ctx), entry); err != nil {
			s.log.Error("audit log write failed", "err", err, "action", entry.Action)
		}
		res.Results = append(res.Results, out)
	}
	res.Message = importMessage(res.Imported, res.Failed)
	return res, nil
}

// campaignLogSubTypes names the campaign API's audited calls in Campaign Logs.
var campaignLogSubTypes = map[string]string{
	"POST /api/v1/campaigns":             "Created",
	"PUT /api/v1/campaigns/{id}":         "Edited",
	"DELETE /api/v1/campaigns/{id}":      "Deleted",
	"POST /api/v1/campaigns/{id}/clone":  "Cloned",
	"POST /api/v1/campaigns/{id}/play":   "Play",
	"POST /api/v1/campaigns/{id}/pause":  "Pause",
	"POST /api/v1/campaigns/{id}/resume": "Resume",
	"POST /api/v1/campaigns/{id}/stop":   "Stop",
	"POST /api/v1/campaigns/{id}/rerun":  "Rerun",
	"POST /api/v1/campaigns/export":      "Export",
	"POST /api/v1/campaigns/import":      "Import",
	auditImported:                        "Imported",
	auditImportSkipped:                   "Import skipped",
	campaign.AuditRunStarted:             "Run time",
	campaign.AuditRunCompleted:           "Run time",
}

// actionVerb is the past tense used in a log's description.
var actionVerb = map[string]string{
	"Created": "created", "Edited": "edited", "Deleted": "deleted", "Cloned": "created as a clone",
	"Play": "played", "Pause": "paused", "Resume": "resumed", "Stop": "stopped", "Rerun": "rerun", "Imported": "imported",
}

func (s *Server) campaignLogs(r *http.Request) ([]CampaignLog, error) {
	q := r.URL.Query()
	f := store.AuditFilter{Resource: auditCampaigns, Limit: 10000}
	for _, p := range []struct {
		key string
		dst *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if v := q.Get(p.key); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return nil, invalid(p.key, "%q is not an RFC 3339 time; write it like 2026-11-30T09:00:00Z", v)
			}
			*p.dst = t
		}
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		return nil, invalid("until", "must be after since")
	}
	limit, err := cqInt(r, "limit", 1, 5000)
	if err != nil {
		return nil, err
	}
	if limit == 0 {
		limit = 500
	}
	search := strings.ToLower(strings.TrimSpace(q.Get("search")))
	subType := q.Get("sub_type")
	entries, err := s.store.ListAudit(r.Context(), f)
	if err != nil {
		return nil, err
	}
	cs, err := s.store.FindCampaigns(r.Context(), store.CampaignFilter{})
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, c := range cs {
		names[c.ID] = c.Name
	}
	// Deleted campaigns keep their names in the entries that created them.
	for _, e := range entries {
		id, err := strconv.ParseInt(e.ResourceID, 10, 64)
		if err != nil || names[id] != "" {
			continue
		}
		switch {
		case e.Action == "POST /api/v1/campaigns" && strings.HasPrefix(e.Detail, "created campaign "):
			names[id] = strings.TrimPrefix(e.Detail, "created campaign ")
		case e.Action == "POST /api/v1/campaigns/{id}/clone" && strings.Contains(e.Detail, " as "):
			_, n, _ := strings.Cut(e.Detail, " as ")
			names[id] = n
		case e.Action == auditImported:
			names[id] = e.Detail
		}
	}
	out := []CampaignLog{}
	for _, e := range entries {
		l, ok := campaignLog(e, names)
		if !ok || (subType != "" && l.SubType != subType) {
			continue
		}
		if search != "" && !strings.Contains(strings.ToLower(l.Description), search) {
			continue
		}
		out = append(out, l)
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// campaignLog derives a Campaign Logs row from an audit entry; false for entries that
// are not campaign events (saved filters, for one).
func campaignLog(e store.AuditEntry, names map[int64]string) (CampaignLog, bool) {
	sub, ok := campaignLogSubTypes[e.Action]
	if !ok {
		return CampaignLog{}, false
	}
	l := CampaignLog{ID: e.ID, At: e.At, LogType: campaignLogTypeVoice, SubType: sub, User: e.Actor}
	if id, err := strconv.ParseInt(e.ResourceID, 10, 64); err == nil {
		l.CampaignID = id
		l.Campaign = names[id]
	}
	name := l.Campaign
	if name == "" && l.CampaignID != 0 {
		name = fmt.Sprintf("Campaign #%d", l.CampaignID)
	}
	switch sub {
	case "Export", "Import":
		l.Description = fmt.Sprintf("%s by %s: %s", sub, e.Actor, e.Detail)
	case "Import skipped":
		row, rest, _ := strings.Cut(e.Detail, ": ")
		reason := rest
		if q, err := strconv.QuotedPrefix(rest); err == nil {
			l.Campaign, _ = strconv.Unquote(q)
			reason = strings.TrimPrefix(rest[len(q):], ": ")
		}
		l.Description = fmt.Sprintf("%s was NOT imported by %s (%s). Reason: %s", l.Campaign, e.Actor, row, reason)
	case "Run time":
		if e.Action == campaign.AuditRunStarted {
			l.Description = fmt.Sprintf("%s was started %s by the %s.", name, e.Detail, e.Actor)
		} else {
			l.Description = fmt.Sprintf("%s was completed by the %s: %s.", name, e.Actor, e.Detail)
		}
	case "Imported":
		if l.Campaign == "" {
			l.Campaign = e.Detail
			name = e.Detail
		}
		l.Description = fmt.Sprintf("%s was imported by %s.", name, e.Actor)
	default:
		l.Description = fmt.Sprintf("%s was %s by %s.", name, actionVerb[sub], e.Actor)
		if e.Detail != "" && sub != "Created" {
			l.Description += " " + upperFirst(e.Detail) + "."
		}
	}
	if e.Outcome == store.AuditPending {
		l.Description += " (Result not recorded: check the campaign.)"
	}
	return l, true
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
