package lists

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outdial/outdial/config"
	"github.com/outdial/outdial/store"
)

// fakeCRM is the customer's endpoint: it answers what body says, checking the token.
type fakeCRM struct {
	mu     sync.Mutex
	status int
	body   string
	auth   string
}

func (f *fakeCRM) set(status int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status, f.body = status, body
}

func (f *fakeCRM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.auth = r.Header.Get("Authorization") + "|" + r.Header.Get("X-Tenant")
	w.WriteHeader(f.status)
	w.Write([]byte(f.body))
}

const crmPage1 = `{"data":{"contacts":[
 {"id":1,"contact":{"name":{"first":"Ann","last":"Lee"},"phone":"+1 415 555 0100"},"balance":12.5},
 {"id":2,"contact":{"name":{"first":"Bob","last":"Lee"},"phone":"+14155550101"},"balance":3},
 {"id":3,"contact":{"name":{"first":"Bad","last":"Number"},"phone":"555"},"balance":0}
]}}`

func TestAPIIntegrationSync(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, config.Limits{})
	crm := &fakeCRM{status: 200, body: crmPage1}
	srv := httptest.NewServer(crm)
	defer srv.Close()
	in := Integration{Method: "GET", URL: srv.URL + "/contacts", Headers: map[string]string{"X-Tenant": "acme"},
		Auth: Auth{Type: "bearer", Token: "s3cret-token"}, RecordsPath: "data.contacts", SyncInterval: "1h", SyncMode: SyncRemoveDuplicates}
	m := Mapping{Phones: []string{"contact.phone"}, FirstName: "contact.name.first", LastName: "contact.name.last"}

	p, err := e.svc.Validate(ctx, in, m, 0)
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != 3 || len(p.Contacts) != 2 || len(p.Errors) != 1 || p.Contacts[0].FirstName != "Ann" || p.Contacts[0].Phones[0] != "+14155550100" {
		t.Fatalf("preview = %+v", p)
	}
	if crm.auth != "Bearer s3cret-token|acme" {
		t.Fatalf("the endpoint saw %q", crm.auth)
	}

	l, log, err := e.svc.CreateAPIList(ctx, NewList{Name: "CRM"}, in, m)
	if err != nil {
		t.Fatal(err)
	}
	if log.Status != store.SyncCompleted || !strings.HasPrefix(log.Description, "Successfully fetched 3 contact records") || l.Entries != 2 || l.Status != store.ListValidated {
		t.Fatalf("first sync: %+v, list %+v", log, l)
	}
	// The secret is sealed at rest and never shown.
	if strings.Contains(string(l.Config), "s3cret-token") {
		t.Fatal("the token is stored in clear")
	}
	shown, _, err := e.svc.IntegrationOf(l)
	if err != nil || shown.Auth.Token != "" || !shown.Auth.HasToken {
		t.Fatalf("IntegrationOf = %+v, %v", shown, err)
	}
	full, err := e.st.SyncLogByID(ctx, log.ID)
	if err != nil {
		t.Fatal(err)
	}
	var payload []map[string]any
	if err := json.Unmarshal(full.Payload, &payload); err != nil || len(payload) != 3 {
		t.Fatalf("payload = %s, %v", full.Payload, err)
	}

	// Not due yet: nothing is fetched.
	if n, err := e.svc.SyncDue(ctx); err != nil || n != 0 {
		t.Fatalf("SyncDue before the interval = %d, %v", n, err)
	}
	// Failures are logged and leave the list alone.
	fails := []struct {
		name, body string
		status     int
		has        string
	}{
		{"server error", `oops`, 503, "answered HTTP 503"},
		{"bad json", `{"data":`, 200, "is not JSON"},
		{"not an array", `{"data":{"contacts":{}}}`, 200, "not a JSON array"},
	}
	for _, f := range fails {
		t.Run(f.name, func(t *testing.T) {
			crm.set(f.status, f.body)
			e.clock.t = e.clock.t.Add(time.Hour)
			if n, err := e.svc.SyncDue(ctx); err != nil || n != 1 {
				t.Fatalf("SyncDue = %d, %v", n, err)
			}
			logs, _, _ := e.st.SyncLogs(ctx, store.SyncLogFilter{Limit: 1})
			if logs[0].Status != store.SyncFailed || !strings.Contains(logs[0].Description, f.has) {
				t.Fatalf("log = %+v", logs[0])
			}
			if got := mustList(t, e, l.ID); got.Entries != 2 || got.Status != store.ListValidated {
				t.Fatalf("list after a failed sync = %+v", got)
			}
		})
	}

	// A schema change on a list a campaign uses is not applied; it is a warning.
	if err := e.st.LinkList(ctx, l.ID, 9, "Collections"); err != nil {
		t.Fatal(err)
	}
	changed := `{"data":{"contacts":[{"id":4,"person":{"mobile":"+14155550104"}}]}}`
	crm.set(200, changed)
	log, err = e.svc.SyncList(ctx, l.ID)
	if err != nil || log.Status != store.SyncFailed || !strings.Contains(log.Description, "new fields: person.mobile; missing fields: balance") ||
		!strings.Contains(log.Description, "campaign Collections uses the list") || log.Campaigns != "Collections" {
		t.Fatalf("schema change sync = %+v, %v", log, err)
	}
	p, err = e.svc.Validate(ctx, Integration{Method: "GET", URL: in.URL, Headers: in.Headers, Auth: Auth{Type: "bearer"}, RecordsPath: in.RecordsPath, SyncInterval: "1h"},
		Mapping{Phones: []string{"person.mobile"}}, l.ID)
	if err != nil || p.Warning == "" || len(p.Contacts) != 1 {
		t.Fatalf("Validate with the stored token = %+v, %v", p, err)
	}
	_, err = e.svc.UpdateIntegration(ctx, l.ID, Integration{Method: "GET", URL: in.URL, Auth: Auth{Type: "bearer"}, RecordsPath: in.RecordsPath, SyncInterval: "1h"},
		Mapping{Phones: []string{"person.mobile"}}, false)
	if !errors.Is(err, ErrSchemaChanged) {
		t.Fatalf("update without confirmation = %v", err)
	}
	if _, err := e.svc.UpdateIntegration(ctx, l.ID, Integration{Method: "GET", URL: in.URL, Headers: in.Headers, Auth: Auth{Type: "bearer"}, RecordsPath: in.RecordsPath, SyncInterval: "1h"},
		Mapping{Phones: []string{"person.mobile"}}, true); err != nil {
		t.Fatal(err)
	}
	log, err = e.svc.SyncList(ctx, l.ID)
	if err != nil || log.Status != store.SyncCompleted || mustList(t, e, l.ID).Entries != 3 {
		t.Fatalf("sync after confirming = %+v, %v", log, err)
	}
}

func TestIntegrationSettings(t *testing.T) {
	tests := []struct {
		name string
		in   Integration
		has  string
	}{
		{"interval too long", Integration{URL: "http://127.0.0.1/x", SyncInterval: "25h"}, "from 1m to 24h"},
		{"no interval", Integration{URL: "http://127.0.0.1/x"}, "sync_interval"},
		{"bad url", Integration{URL: "ftp://x", SyncInterval: "1h"}, "http:// or https://"},
		{"bad method", Integration{Method: "DELETE", URL: "http://127.0.0.1/x", SyncInterval: "1h"}, "use GET or POST"},
		{"bad mode", Integration{URL: "http://127.0.0.1/x", SyncInterval: "1h", SyncMode: "replace"}, "append_remove_duplicates"},
		{"bad auth", Integration{URL: "http://127.0.0.1/x", SyncInterval: "1h", Auth: Auth{Type: "oauth"}}, "none, basic or bearer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.check()
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.has) {
				t.Fatalf("check = %v; want %q", err, tt.has)
			}
		})
	}
}

func TestSealer(t *testing.T) {
	a, err := NewSealer(strings.Repeat("a", 32))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewSealer(strings.Repeat("b", 32))
	s1, _ := a.Seal("pw")
	s2, _ := a.Seal("pw")
	if s1 == s2 || strings.Contains(s1, "pw") {
		t.Fatalf("sealing is not randomised: %q %q", s1, s2)
	}
	if got, err := a.Open(s1); err != nil || got != "pw" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := b.Open(s1); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Open with another key = %v", err)
	}
	if _, err := NewSealer("short"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("short key = %v", err)
	}
}
