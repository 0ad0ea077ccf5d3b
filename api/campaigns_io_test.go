package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"github.com/outdial/outdial/campaign"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial/store"
)

// ioWorld stores a flow and two campaigns and returns their ids.
func ioWorld(t *testing.T, h *harness) (spring, autumn int64) {
	t.Helper()
	list, dnc, caller := campaignWorld(t, h)
	doc, _ := json.Marshal(map[string]string{"document": flowYAML})
	code, b := h.do(store.RoleManager, "POST", "/api/v1/flows", string(doc))
	if code != 201 {
		t.Fatalf("flow = %d %s", code, b)
	}
	var fl struct{ ID int64 }
	json.Unmarshal(b, &fl)
	create := func(name string, prio int) int64 {
		body := fmt.Sprintf(`{"name": %q, "description": "from \"io\", test", "priority": %d, "list_ids": [%d],
			"dialing": {"mode": "agentless", "flow_id": %d, "amd": true}, "contacts": {"dnc_list_id": %d,
			"filters": [{"field": "balance", "op": "gt", "value": "10"}]}, "outreach": {"caller_id": %d, "max_attempts": 4,
			"timings": {"time_zone": "Europe/Paris", "windows": [{"days": ["mon","sat"], "start": "10:00", "end": "12:30"}]}},
			"dispositions": {"custom": ["Promise to Pay"], "positive": ["Promise to Pay"], "rules": [{"disposition": "Busy", "attempts": 2, "delay_minutes": 15}]}}`,
			name, prio, list, fl.ID, dnc, caller)
		code, b := h.do(store.RoleManager, "POST", "/api/v1/campaigns", body)
		if code != 201 {
			t.Fatalf("create %s = %d %s", name, code, b)
		}
		var c struct{ ID int64 }
		json.Unmarshal(b, &c)
		return c.ID
	}
	return create("Spring", 3), create("Autumn", 2)
}

func readCSV(t *testing.T, b []byte) []map[string]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("export is not CSV (%v): %s", err, b)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

type campaignLogRow struct {
	SubType     string `json:"sub_type"`
	LogType     string `json:"log_type"`
	CampaignID  int64  `json:"campaign_id"`
	Campaign    string
	User        string
	Description string
}

func (h *harness) campaignLogs(query string) []campaignLogRow {
	h.t.Helper()
	code, b := h.do(store.RoleSupervisor, "GET", "/api/v1/campaign-logs"+query, "")
	if code != 200 {
		h.t.Fatalf("campaign logs %s = %d %s", query, code, b)
	}
	var out []campaignLogRow
	if err := json.Unmarshal(b, &out); err != nil {
		h.t.Fatal(err)
	}
	return out
}

func TestCampaignExportImport(t *testing.T) {
	h := newHarness(t)
	spring, autumn := ioWorld(t, h)

	// Refused exports name the field.
	many := make([]string, 51)
	for i := range many {
		many[i] = fmt.Sprint(i + 1)
	}
	for _, tt := range []struct{ body, field string }{
		{`{"ids": []}`, "ids"},
		{`{"ids": [` + strings.Join(many, ",") + `]}`, "ids"},
		{`{"ids": [999]}`, "ids[0]"},
		{fmt.Sprintf(`{"ids": [%d, %d]}`, spring, spring), "ids[1]"},
	} {
		code, b := h.do(store.RoleSupervisor, "POST", "/api/v1/campaigns/export", tt.body)
		if e := decodeErr(t, b); code != 400 || e.Error.Field != tt.field {
			t.Errorf("export %.40s = %d %s, want 400 on %s", tt.body, code, b, tt.field)
		}
	}

	code, exported := h.do(store.RoleSupervisor, "POST", "/api/v1/campaigns/export", fmt.Sprintf(`{"ids": [%d, %d]}`, spring, autumn))
	if code != 200 {
		t.Fatalf("export = %d %s", code, exported)
	}
	rows := readCSV(t, exported)
	if len(rows) != 2 || rows[0]["name"] != "Spring" || rows[1]["name"] != "Autumn" {
		t.Fatalf("exported rows %v", rows)
	}
	if r := rows[0]; r["contact_lists"] != `["leads"]` || r["dnc_list"] != "dnc" || r["caller_id"] != "+14155550100" ||
		r["flow"] != "Reminder" || r["priority"] != "3" || r["mode"] != "agentless" || r["description"] != `from "io", test` {
		t.Errorf("exported links %v", r)
	}
	if d := rows[0]["definition"]; strings.Contains(d, `"flow_id"`) || strings.Contains(d, `"caller_id"`) || !strings.Contains(d, `"list_ids":[]`) {
		t.Errorf("definition carries ids of this server: %s", d)
	}
	if logs := h.campaignLogs("?sub_type=Export"); len(logs) != 1 || !strings.Contains(logs[0].Description, "exported 2 campaigns: Spring, Autumn") || logs[0].User != "supervisor1" {
		t.Errorf("export log %+v", logs)
	}

	// Both names exist: nothing is imported and each skip is logged with its reason.
	code, b := h.upload(store.RoleManager, "/api/v1/campaigns/import", nil, string(exported))
	var res struct {
		Imported, Failed int
		Message          string
		Results          []struct {
			Row    int
			Name   string
			ID     int64
			Reason string
		}
	}
	json.Unmarshal(b, &res)
	if code != 200 || res.Imported != 0 || res.Failed != 2 || !strings.Contains(res.Results[0].Reason, "already exists") {
		t.Fatalf("import over existing = %d %s", code, b)
	}

	// Delete Autumn: it comes back, Spring is skipped.
	if code, b := h.do(store.RoleManager, "DELETE", fmt.Sprintf("/api/v1/campaigns/%d", autumn), ""); code != 204 {
		t.Fatalf("delete = %d %s", code, b)
	}
	code, b = h.upload(store.RoleManager, "/api/v1/campaigns/import", nil, string(exported))
	json.Unmarshal(b, &res)
	want := "Import partially successful. 1 successfully imported, 1 failed. See the Campaigns log for details."
	if code != 200 || res.Message != want || res.Results[1].ID == 0 || res.Results[0].ID != 0 || res.Results[0].Row != 2 {
		t.Fatalf("partial import = %d %s, want %q", code, b, want)
	}
	// The imported campaign is the exported one, relinked by name.
	code, b = h.do(store.RoleSupervisor, "GET", fmt.Sprintf("/api/v1/campaigns/%d", res.Results[1].ID), "")
	for _, frag := range []string{`"status":"Ready"`, `"priority":2`, `"amd":true`, `"max_attempts":4`, `"time_zone":"Europe/Paris"`,
		`"start":"10:00"`, `"Promise to Pay"`, `"delay_minutes":15`, `"field":"balance"`, `"flow_id":`, `"caller_id":`} {
		if !bytes.Contains(compact(b), []byte(frag)) {
			t.Errorf("imported campaign lacks %s: %s", frag, compact(b))
		}
	}
	skipped := h.campaignLogs("?sub_type=" + url.QueryEscape("Import skipped"))
	if len(skipped) != 3 || skipped[0].Campaign != "Spring" || !strings.Contains(skipped[0].Description, "Spring was NOT imported by manager1 (row 2). Reason: a campaign with this name already exists") {
		t.Errorf("skip logs %+v", skipped)
	}
	imported := h.campaignLogs("?sub_type=Imported")
	if len(imported) != 1 || imported[0].CampaignID != res.Results[1].ID || imported[0].Description != "Autumn was imported by manager1." {
		t.Errorf("import logs %+v", imported)
	}

	// A row whose links are missing here is skipped whole; the other row still imports.
	if code, b := h.do(store.RoleManager, "DELETE", fmt.Sprintf("/api/v1/campaigns/%d", spring), ""); code != 204 {
		t.Fatalf("delete = %d %s", code, b)
	}
	broken := strings.Replace(string(exported), `"[""leads""]"`, `"[""nope""]"`, 1)
	code, b = h.do(store.RoleManager, "POST", "/api/v1/campaigns/import", "")
	if code != 400 {
		t.Errorf("empty import = %d %s", code, b)
	}
	req, _ := http.NewRequest("POST", h.url+"/api/v1/campaigns/import", strings.NewReader(broken))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+h.tokens[store.RoleManager])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&res)
	resp.Body.Close()
	if res.Imported != 0 || res.Failed != 2 || !strings.Contains(res.Results[0].Reason, `contact list "nope" does not exist`) {
		t.Errorf("broken import = %+v", res)
	}
	// Deleted campaigns keep their names in the log.
	if del := h.campaignLogs("?sub_type=Deleted"); len(del) != 2 || del[0].Description != "Spring was deleted by manager1." || del[1].Description != "Autumn was deleted by manager1." {
		t.Errorf("delete logs %+v", del)
	}
	code, b = h.do(store.RoleSupervisor, "GET", "/api/v1/campaigns?search=Spring", "")
	if code != 200 || bytes.Contains(b, []byte("Spring")) {
		t.Errorf("a skipped row left a campaign behind: %s", b)
	}
}

func TestCampaignImportRefusesBadFiles(t *testing.T) {
	h := newHarness(t)
	tests := []struct{ name, file, msg string }{
		{"no file part", "", "is missing"},
		{"not an export", "phone,first_name\n+14155550100,Ann\n", "no name column"},
		{"header only", "name,description,mode,priority,status,contact_lists,dnc_list,mapping_list,caller_id,flow,queue,definition\n", "holds no campaigns"},
		{"too many", "name,contact_lists,dnc_list,definition\n" + strings.Repeat("x,[],d,{}\n", 51), "more than 50"},
		{"broken quotes", "name,contact_lists,dnc_list,definition\n\"x,[],d,{}\n", "not valid CSV"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, b := h.upload(store.RoleManager, "/api/v1/campaigns/import", nil, tt.file)
			e := decodeErr(t, b)
			if code != 400 || e.Error.Field != "file" || !strings.Contains(e.Error.Message, tt.msg) {
				t.Errorf("import = %d %s, want 400 on file saying %q", code, b, tt.msg)
			}
		})
	}
	if code, b := h.do(store.RoleManager, "POST", "/api/v1/campaigns/import", ""); code != 400 || !strings.Contains(string(b), "is empty") {
		t.Errorf("empty body = %d %s", code, b)
	}
	// A definition that does not parse is a skipped row, not a failed request.
	file := "name,contact_lists,dnc_list,definition\nBad,[],,\"{\"\"colour\"\": 1}\"\n"
	code, b := h.upload(store.RoleManager, "/api/v1/campaigns/import", nil, file)
	if code != 200 || !strings.Contains(string(b), "column definition is not a campaign definition") {
		t.Errorf("bad definition = %d %s", code, b)
	}
	if code, _ := h.upload(store.RoleSupervisor, "/api/v1/campaigns/import", nil, file); code != http.StatusForbidden {
		t.Errorf("supervisor import = %d, want 403", code)
	}
}

func TestCampaignLogs(t *testing.T) {
	h := newHarness(t)
	spring, autumn := ioWorld(t, h)
	if code, b := h.do(store.RoleManager, "POST", fmt.Sprintf("/api/v1/campaigns/%d/play", spring), ""); code != 200 {
		t.Fatalf("play = %d %s", code, b)
	}
	if code, b := h.do(store.RoleManager, "POST", fmt.Sprintf("/api/v1/campaigns/%d/stop", spring), ""); code != 200 {
		t.Fatalf("stop = %d %s", code, b)
	}
	// Saved filters share the resource name but are not campaign events.
	if code, b := h.do(store.RoleManager, "POST", "/api/v1/campaigns/filters", `{"name": "mine"}`); code != 201 {
		t.Fatalf("filter = %d %s", code, b)
	}
	all := h.campaignLogs("")
	var subs []string
	for _, l := range all {
		subs = append(subs, l.SubType)
		if l.LogType != "Voice" {
			t.Errorf("log type %q", l.LogType)
		}
	}
	if got := strings.Join(subs, ","); got != "Stop,Play,Created,Created" {
		t.Errorf("sub types newest first = %s", got)
	}
	tests := []struct {
		query string
		want  int
	}{
		{"?search=SPRING", 3},
		{"?search=manager1", 4},
		{"?search=stopped", 1},
		{"?search=" + url.QueryEscape("Autumn was created"), 1},
		{"?limit=2", 2},
		{"?since=" + url.QueryEscape(time.Now().Add(time.Hour).UTC().Format(time.RFC3339)), 0},
		{"?until=" + url.QueryEscape(time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)), 0},
		{"?since=" + url.QueryEscape(time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)), 4},
	}
	for _, tt := range tests {
		if got := h.campaignLogs(tt.query); len(got) != tt.want {
			t.Errorf("logs %s = %d rows %+v, want %d", tt.query, len(got), got, tt.want)
		}
	}
	if l := h.campaignLogs("?search=autumn"); len(l) != 1 || l[0].CampaignID != autumn || l[0].Campaign != "Autumn" {
		t.Errorf("autumn logs %+v", l)
	}
	for _, q := range []string{"?since=yesterday", "?limit=0", "?limit=9000"} {
		if code, b := h.do(store.RoleSupervisor, "GET", "/api/v1/campaign-logs"+q, ""); code != 400 {
			t.Errorf("logs %s = %d %s, want 400", q, code, b)
		}
	}
	if code, _ := h.do(store.RoleAgent, "GET", "/api/v1/campaign-logs", ""); code != http.StatusForbidden {
		t.Errorf("agent logs = %d, want 403", code)
	}

	// The scheduler's own events (campaign.Service.Tick writes them) are Run time logs.
	svc := campaign.NewService(h.store, campaign.Options{})
	c, err := svc.Get(context.Background(), autumn)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []store.AuditEntry{
		{Action: campaign.AuditRunStarted, Detail: "on schedule"},
		{Action: campaign.AuditRunCompleted, Detail: "all contacts dialed"},
	} {
		e.At, e.Actor, e.Resource, e.ResourceID = time.Now().UTC(), campaign.AuditScheduler, campaign.AuditResource, fmt.Sprint(c.ID)
		if _, err := h.store.AppendAudit(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	runs := h.campaignLogs("?sub_type=" + url.QueryEscape("Run time"))
	var descs []string
	for _, l := range runs {
		descs = append(descs, l.Description)
	}
	want := []string{"Autumn was completed by the scheduler: all contacts dialed.", "Autumn was started on schedule by the scheduler."}
	if !slices.Equal(descs, want) {
		t.Errorf("run time logs %q, want %q", descs, want)
	}

	// A change whose audit row was never completed says so.
	if _, err := h.store.AppendAudit(context.Background(), store.AuditEntry{At: time.Now().UTC(), Actor: "manager1",
		Action: "POST /api/v1/campaigns/{id}/pause", Resource: campaign.AuditResource, ResourceID: fmt.Sprint(autumn), Outcome: store.AuditPending}); err != nil {
		t.Fatal(err)
	}
	if l := h.campaignLogs("?sub_type=Pause"); len(l) != 1 || l[0].Description != "Autumn was paused by manager1. (Result not recorded: check the campaign.)" {
		t.Errorf("pause log of an unconfirmed change %+v", l)
	}
}
