package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial/store"
)

const flowYAML = `name: Reminder
start: greet
nodes:
  - id: greet
    type: say
    text: "Hi {{firstName}}"
    next: bye
  - id: bye
    type: hangup
`

// campaignWorld stores what a campaign links to and returns the ids.
func campaignWorld(t *testing.T, h *harness) (list, dnc, caller int64) {
	t.Helper()
	c := context.Background()
	l, err := h.store.CreateList(c, store.List{Kind: store.ListContact, Name: "leads", Status: store.ListValidated})
	if err != nil {
		t.Fatal(err)
	}
	rows := []store.Contact{
		{Row: 2, Phones: []string{"+12125550101"}, FirstName: "Ann", LastName: "Lee", Priority: 2},
		{Row: 3, Phones: []string{"+12125550102"}, FirstName: "Bob", LastName: "Ray", Priority: 4},
		{Row: 4, Phones: []string{"+12125550103"}, FirstName: "Cy", LastName: "Dee", Priority: 1},
	}
	i := 0
	if _, err := h.store.WriteContacts(c, l.ID, 0, func() (store.Contact, error) {
		if i == len(rows) {
			return store.Contact{}, io.EOF
		}
		i++
		return rows[i-1], nil
	}); err != nil {
		t.Fatal(err)
	}
	d, err := h.store.CreateList(c, store.List{Kind: store.ListDNC, Name: "dnc", Status: store.ListValidated})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.PutDNCEntry(c, store.DNCEntry{ListID: d.ID, Number: "+12125550103"}); err != nil {
		t.Fatal(err)
	}
	code, b := h.do(store.RoleManager, "POST", "/api/v1/phone-numbers", `{"number": "+14155550100", "direction": "outbound"}`)
	if code != 201 {
		t.Fatalf("phone number = %d %s", code, b)
	}
	var p store.PhoneNumber
	json.Unmarshal(b, &p)
	return l.ID, d.ID, p.ID
}

func TestCampaignAPI(t *testing.T) {
	h := newHarness(t)
	list, dnc, caller := campaignWorld(t, h)

	// Flows: a bad one names the node and the field; a good one is stored from YAML.
	code, b := h.do(store.RoleManager, "POST", "/api/v1/flows", `{"flow": {"name": "x", "start": "a", "nodes": [{"id": "a", "type": "say", "text": "hi", "next": "nowhere"}]}}`)
	if e := decodeErr(t, b); code != 400 || e.Error.Field != "flow.nodes[a].next" {
		t.Fatalf("bad flow = %d %s", code, b)
	}
	doc, _ := json.Marshal(map[string]string{"document": flowYAML, "description": "demo"})
	code, b = h.do(store.RoleManager, "POST", "/api/v1/flows", string(doc))
	if code != 201 {
		t.Fatalf("flow = %d %s", code, b)
	}
	var fl struct {
		ID   int64
		Name string
	}
	json.Unmarshal(b, &fl)
	if code, b := h.do(store.RoleSupervisor, "POST", "/api/v1/flows/validate", string(doc)); code != 200 || !strings.Contains(string(b), `"valid": true`) {
		t.Fatalf("validate = %d %s", code, b)
	}

	def := func(name string, edits string) string {
		return fmt.Sprintf(`{"name": %q, "list_ids": [%d], "dialing": {"mode": "agentless", "flow_id": %d},
			"contacts": {"dnc_list_id": %d}, "outreach": {"caller_id": %d, "timings": {"time_zone": "America/New_York",
			"windows": [{"days": ["mon","tue","wed","thu","fri"], "start": "09:00", "end": "18:00"}]}}%s}`, name, list, fl.ID, dnc, caller, edits)
	}
	bad := []struct{ body, field string }{
		{strings.Replace(def("a", ""), fmt.Sprintf(`"dnc_list_id": %d`, dnc), `"dnc_list_id": 0`, 1), "contacts.dnc_list_id"},
		{def("a", `, "priority": 9`), "priority"},
		{def("a", `, "colour": "red"`), "colour"},
		{strings.Replace(def("a", ""), `"agentless"`, `"power"`, 1), "dialing.flow_id"},
	}
	for _, tt := range bad {
		code, b := h.do(store.RoleManager, "POST", "/api/v1/campaigns", tt.body)
		if e := decodeErr(t, b); code != 400 || e.Error.Field != tt.field {
			t.Errorf("create %s = %d %s, want 400 on %s", tt.field, code, b, tt.field)
		}
	}
	if code, _ := h.do(store.RoleAgent, "POST", "/api/v1/campaigns", def("agent", "")); code != http.StatusForbidden {
		t.Fatalf("agent create = %d", code)
	}
	code, b = h.do(store.RoleManager, "POST", "/api/v1/campaigns", def("Spring", ""))
	if code != 201 {
		t.Fatalf("create = %d %s", code, b)
	}
	var camp struct {
		ID       int64
		Status   string
		Priority int
	}
	json.Unmarshal(b, &camp)
	if camp.Status != "Ready" || camp.Priority != 5 {
		t.Fatalf("created = %s", b)
	}
	path := fmt.Sprintf("/api/v1/campaigns/%d", camp.ID)

	code, b = h.do(store.RoleSupervisor, "GET", "/api/v1/campaigns?sort=priority", "")
	var rows []struct {
		Name         string
		Actions      []string
		ContactLists []string `json:"contact_lists"`
		Connection   string
		Progress     struct{ Text string }
	}
	json.Unmarshal(b, &rows)
	if code != 200 || len(rows) != 1 || rows[0].Connection != "Reminder" || fmt.Sprint(rows[0].ContactLists) != "[leads]" || fmt.Sprint(rows[0].Actions) != "[play]" {
		t.Fatalf("list = %d %s", code, b)
	}
	if code, b := h.do(store.RoleSupervisor, "GET", "/api/v1/campaigns?status=Sleeping", ""); code != 400 || decodeErr(t, b).Error.Field != "status" {
		t.Fatalf("bad status filter = %d %s", code, b)
	}

	// Run it.
	code, b = h.do(store.RoleManager, "POST", path+"/play", "")
	if code != 200 || !strings.Contains(string(b), `"status": "Active"`) {
		t.Fatalf("play = %d %s", code, b)
	}
	if code, b := h.do(store.RoleManager, "POST", path+"/play", ""); code != 409 || decodeErr(t, b).Error.Code != "action_not_allowed" {
		t.Fatalf("play twice = %d %s", code, b)
	}
	if code, b := h.do(store.RoleManager, "PUT", path, def("Spring", "")); code != 409 || decodeErr(t, b).Error.Code != "not_editable" {
		t.Fatalf("edit active = %d %s", code, b)
	}
	if code, b := h.do(store.RoleManager, "DELETE", fmt.Sprintf("/api/v1/flows/%d", fl.ID), ""); code != 409 || decodeErr(t, b).Error.Code != "in_use" {
		t.Fatalf("delete linked flow = %d %s", code, b)
	}
	// A second campaign on the same list cannot run at the same time.
	code, b = h.do(store.RoleManager, "POST", "/api/v1/campaigns", def("Summer", ""))
	if code != 201 {
		t.Fatalf("second = %d %s", code, b)
	}
	var second struct{ ID int64 }
	json.Unmarshal(b, &second)
	if code, b := h.do(store.RoleManager, "POST", fmt.Sprintf("/api/v1/campaigns/%d/play", second.ID), ""); code != 409 || decodeErr(t, b).Error.Code != "run_refused" {
		t.Fatalf("second play = %d %s", code, b)
	}

	code, b = h.do(store.RoleSupervisor, "GET", path+"/dashboard", "")
	var dash struct {
		Progress struct{ Text string }
		Stats    struct {
			Records  int64
			Outcomes []struct {
				Name  string
				Count int64
			}
		}
	}
	json.Unmarshal(b, &dash)
	if code != 200 || dash.Progress.Text != "1 of 3" || len(dash.Stats.Outcomes) != 1 || dash.Stats.Outcomes[0].Name != "DNC Excluded" {
		t.Fatalf("dashboard = %d %s", code, b)
	}
	code, b = h.do(store.RoleSupervisor, "GET", path+"/executions?sort=priority&fields=all", "")
	var page struct {
		Total int64
		Rows  []struct {
			Phone     string
			Priority  int
			FirstName string `json:"first_name"`
		}
	}
	json.Unmarshal(b, &page)
	if code != 200 || page.Total != 3 || page.Rows[0].FirstName != "Bob" || page.Rows[2].FirstName != "Cy" {
		t.Fatalf("executions = %d %s", code, b)
	}
	code, b = h.do(store.RoleSupervisor, "GET", path+"/executions?priority=2,4&search=lee", "")
	json.Unmarshal(b, &page)
	if code != 200 || page.Total != 1 || page.Rows[0].Phone != "+12125550101" {
		t.Fatalf("filtered executions = %d %s", code, b)
	}
	if code, b := h.do(store.RoleSupervisor, "GET", path+"/executions?sort=name", ""); code != 400 || decodeErr(t, b).Error.Field != "sort" {
		t.Fatalf("bad sort = %d %s", code, b)
	}
	// An agent's call with notes: Latest Execution shows the notes of its last attempt.
	{
		c := context.Background()
		cp, err := h.store.CampaignByID(c, camp.ID)
		if err != nil || cp.InstanceID == nil {
			t.Fatalf("campaign %+v, %v", cp, err)
		}
		now := time.Now()
		recs, err := h.store.LeaseRecords(c, store.LeaseRequest{InstanceID: *cp.InstanceID, Node: "n", Limit: 1, Now: now.Add(time.Hour), TTL: time.Hour})
		if err != nil || len(recs) != 1 {
			t.Fatalf("lease: %+v, %v", recs, err)
		}
		a, err := h.store.BeginAttempt(c, store.AttemptStart{RecordID: recs[0].ID, Node: "n", At: now})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.store.FinishAttempt(c, store.AttemptEnd{AttemptID: a.ID, State: store.AttemptFinal, Outcome: "Connected", Disposition: "Call back",
			At: now.Add(time.Minute), Final: true, Notes: "wants a call on Monday"}); err != nil {
			t.Fatal(err)
		}
		code, b := h.do(store.RoleSupervisor, "GET", path+"/executions?search="+strings.TrimPrefix(recs[0].Phone, "+"), "")
		var notes struct {
			Rows []struct{ Phone, Disposition, Notes string }
		}
		json.Unmarshal(b, &notes)
		if code != 200 || len(notes.Rows) != 1 || notes.Rows[0].Notes != "wants a call on Monday" || notes.Rows[0].Disposition != "Call back" {
			t.Fatalf("executions with notes = %d %s", code, b)
		}
	}

	// Saved filters.
	if code, b := h.do(store.RoleSupervisor, "POST", "/api/v1/campaigns/filters", `{"name": "a name longer than twenty"}`); code != 400 || decodeErr(t, b).Error.Field != "name" {
		t.Fatalf("long filter name = %d %s", code, b)
	}
	code, b = h.do(store.RoleSupervisor, "POST", "/api/v1/campaigns/filters", `{"name": "running", "statuses": ["Active"], "default": true}`)
	if code != 201 {
		t.Fatalf("filter = %d %s", code, b)
	}
	var sf struct {
		ID      int64
		Default bool
	}
	json.Unmarshal(b, &sf)
	code, b = h.do(store.RoleSupervisor, "POST", fmt.Sprintf("/api/v1/campaigns/filters/%d/duplicate", sf.ID), `{"name": "running 2"}`)
	if code != 201 || !strings.Contains(string(b), `"Active"`) {
		t.Fatalf("duplicate = %d %s", code, b)
	}
	code, b = h.do(store.RoleSupervisor, "GET", "/api/v1/campaigns?filter=default", "")
	json.Unmarshal(b, &rows)
	if code != 200 || len(rows) != 1 || rows[0].Name != "Spring" {
		t.Fatalf("default filter view = %d %s", code, b)
	}
	// Another user does not see or touch it.
	if code, _ := h.do(store.RoleManager, "DELETE", fmt.Sprintf("/api/v1/campaigns/filters/%d", sf.ID), ""); code != 404 {
		t.Fatalf("someone else's filter delete = %d", code)
	}
	if code, b := h.do(store.RoleSupervisor, "POST", fmt.Sprintf("/api/v1/campaigns/filters/%d/default", sf.ID), `{"default": false}`); code != 200 || !strings.Contains(string(b), `"default": false`) {
		t.Fatalf("unmark default = %d %s", code, b)
	}

	// Stop, clone, delete.
	if code, b := h.do(store.RoleManager, "POST", path+"/stop", ""); code != 200 || !strings.Contains(string(b), `"status": "Ready"`) {
		t.Fatalf("stop = %d %s", code, b)
	}
	if code, b := h.do(store.RoleManager, "POST", path+"/clone", ""); code != 201 || !strings.Contains(string(b), `"Spring (copy)"`) {
		t.Fatalf("clone = %d %s", code, b)
	}
	if code, b := h.do(store.RoleSupervisor, "GET", path+"/instances", ""); code != 200 || !strings.Contains(string(b), `"ended"`) {
		t.Fatalf("instances = %d %s", code, b)
	}
	if code, _ := h.do(store.RoleManager, "DELETE", path, ""); code != 204 {
		t.Fatalf("delete = %d", code)
	}

	// Everything is in the OpenAPI document.
	_, b = h.do("", "GET", "/api/v1/openapi.json", "")
	for _, p := range []string{`"/api/v1/campaigns/{id}/play"`, `"/api/v1/campaigns/{id}/executions"`, `"/api/v1/campaigns/filters/{id}/duplicate"`, `"/api/v1/flows/validate"`, `"Definition"`} {
		if !strings.Contains(string(b), p) {
			t.Errorf("OpenAPI lacks %s", p)
		}
	}
}
