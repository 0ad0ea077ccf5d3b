package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/outdial/outdial/store"
)

// upload posts a multipart form (fields in order, then the file) as role.
func (h *harness) upload(role store.Role, path string, fields [][2]string, file string) (int, []byte) {
	h.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, f := range fields {
		mw.WriteField(f[0], f[1])
	}
	if file != "" {
		fw, _ := mw.CreateFormFile("file", "list.csv")
		io.WriteString(fw, file)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", h.url+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+h.tokens[role])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, compact(b)
}

// compact removes the JSON indentation so tests can look for "key":value.
func compact(b []byte) []byte {
	var out bytes.Buffer
	if json.Compact(&out, b) != nil {
		return b
	}
	return out.Bytes()
}

func TestContactListAPI(t *testing.T) {
	h := newHarness(t)
	csv := "Mobile,first_name,balance\n+14155550100,Ann,1\n5551234,Bob,2\n+14155550101,Cy,3\n"
	code, body := h.upload(store.RoleManager, "/api/v1/contact-lists", [][2]string{{"name", "Spring"}, {"map", "Mobile=phone"}}, csv)
	if code != http.StatusCreated {
		t.Fatalf("create = %d %s", code, body)
	}
	var res struct {
		List   store.List
		Report struct {
			ImportID int64 `json:"import_id"`
			Imported int64
			Rejected int64
			Errors   []struct{ Row int64 }
		}
	}
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	if res.List.Status != store.ListValidated || res.List.Entries != 2 || res.Report.Rejected != 1 || res.Report.Errors[0].Row != 3 {
		t.Fatalf("created %s", body)
	}
	// The rejected rows download as CSV.
	code, body = h.do(store.RoleSupervisor, "GET", fmt.Sprintf("/api/v1/list-imports/%d/rejected.csv", res.Report.ImportID), "")
	if code != 200 || !strings.Contains(string(body), `3,3,Mobile,5551234,"""5551234"" is not E.164`) {
		t.Fatalf("rejected.csv = %d %s", code, body)
	}
	// Strict mode writes nothing and marks the list Invalid.
	code, body = h.upload(store.RoleManager, "/api/v1/contact-lists", [][2]string{{"name", "Strict"}, {"strict", "true"}}, "phone\n+14155550100\nbad\n")
	if code != http.StatusCreated || !strings.Contains(string(body), `"status":"Invalid"`) || !strings.Contains(string(body), "strict mode imported nothing") {
		t.Fatalf("strict = %d %s", code, body)
	}
	// A file without a phone column is refused with the fix.
	code, body = h.upload(store.RoleManager, "/api/v1/contact-lists", [][2]string{{"name", "NoPhone"}}, "name\nAnn\n")
	if e := decodeErr(t, body); code != 422 || e.Error.Code != "bad_file" || !strings.Contains(e.Error.Message, "map one") {
		t.Fatalf("no phone = %d %s", code, body)
	}
	// Agents may not create lists.
	if code, _ := h.upload(store.RoleAgent, "/api/v1/contact-lists", [][2]string{{"name", "X"}}, csv); code != http.StatusForbidden {
		t.Fatalf("agent create = %d", code)
	}
	code, body = h.do(store.RoleSupervisor, "GET", "/api/v1/contact-lists?search=spr&sort=name", "")
	body = compact(body)
	if code != 200 || !strings.Contains(string(body), `"total":1`) {
		t.Fatalf("search = %d %s", code, body)
	}
	code, body = h.do(store.RoleSupervisor, "GET", fmt.Sprintf("/api/v1/contact-lists/%d/contacts?search=ann", res.List.ID), "")
	body = compact(body)
	if code != 200 || !strings.Contains(string(body), `"balance":"1"`) {
		t.Fatalf("contacts = %d %s", code, body)
	}
	if err := h.store.LinkList(t.Context(), res.List.ID, 1, "Renewals"); err != nil {
		t.Fatal(err)
	}
	code, body = h.do(store.RoleManager, "DELETE", fmt.Sprintf("/api/v1/contact-lists/%d", res.List.ID), "")
	if e := decodeErr(t, body); code != http.StatusConflict || e.Error.Code != "in_use" {
		t.Fatalf("delete in use = %d %s", code, body)
	}
}

func TestDNCListAPI(t *testing.T) {
	h := newHarness(t)
	code, body := h.do(store.RoleSupervisor, "GET", "/api/v1/dnc-lists", "")
	body = compact(body)
	if code != 200 || !strings.Contains(string(body), `"name":"Default Global DNC"`) || !strings.Contains(string(body), `"global":true`) {
		t.Fatalf("dnc lists = %d %s", code, body)
	}
	code, body = h.upload(store.RoleManager, "/api/v1/dnc-lists", [][2]string{{"name", "Opt-outs"}}, "number\n+1 415 555 0100\n")
	if code != http.StatusCreated {
		t.Fatalf("create = %d %s", code, body)
	}
	var res struct{ List store.List }
	json.Unmarshal(body, &res)
	path := fmt.Sprintf("/api/v1/dnc-lists/%d", res.List.ID)
	code, body = h.do(store.RoleAgent, "POST", path+"/entries", `{"number":"0014155550101","expires_at":"2000-01-01T00:00:00Z"}`)
	body = compact(body)
	if code != http.StatusCreated || !strings.Contains(string(body), `"number":"+14155550101"`) {
		t.Fatalf("add entry = %d %s", code, body)
	}
	code, body = h.do(store.RoleAgent, "POST", path+"/entries", `{"number":"12"}`)
	if e := decodeErr(t, body); code != 400 || e.Error.Field != "number" {
		t.Fatalf("bad entry = %d %s", code, body)
	}
	code, body = h.do(store.RoleSupervisor, "GET", path+"/entries", "")
	body = compact(body)
	if code != 200 || !strings.Contains(string(body), `"valid":true`) || !strings.Contains(string(body), `"valid":false`) {
		t.Fatalf("entries = %d %s", code, body)
	}
	code, body = h.do(store.RoleManager, "POST", path+"/global", "")
	body = compact(body)
	if code != 200 || !strings.Contains(string(body), `"global":true`) {
		t.Fatalf("mark global = %d %s", code, body)
	}
	code, body = h.do(store.RoleManager, "DELETE", path, "")
	if code != http.StatusConflict {
		t.Fatalf("delete the global list = %d %s", code, body)
	}
}

func TestListRoutesInOpenAPI(t *testing.T) {
	h := newHarness(t)
	doc := h.srv.OpenAPI()
	paths := doc["paths"].(map[string]map[string]any)
	for _, p := range []string{"/api/v1/contact-lists", "/api/v1/contact-lists/{id}/rows", "/api/v1/contact-lists/validate", "/api/v1/dnc-lists/{id}/global",
		"/api/v1/agent-mapping-lists/{id}/mappings", "/api/v1/list-logs", "/api/v1/list-imports/{id}/rejected.csv"} {
		if paths[p] == nil {
			t.Errorf("OpenAPI document lacks %s", p)
		}
	}
}
