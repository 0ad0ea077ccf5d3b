package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/outdial/outdial/store"
)

// fakeCRM is a customer's contact API: GET /contacts with a bearer token and an
// X-Tenant header answers {"data":{"contacts":[...]}} with nested names.
type fakeCRM struct {
	mu       sync.Mutex
	contacts []map[string]any
	tenants  []string // X-Tenant of each authorised request
}

func (f *fakeCRM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/contacts" {
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("Authorization") != "Bearer tok-1" {
		http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tenants = append(f.tenants, r.Header.Get("X-Tenant"))
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"contacts": f.contacts}})
}

func (f *fakeCRM) add(c map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.contacts = append(f.contacts, c)
}

func crmPerson(phone, first, last string) map[string]any {
	return map[string]any{"phone": phone, "name": map[string]any{"first": first, "last": last}}
}

// setSelect sets a select's value and tells the page, as a user's choice would.
func setSelect(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const s = document.querySelector(%q); s.value = %q; s.dispatchEvent(new Event('change', {bubbles: true})); })()`, sel, value))
}

func TestListFromAPIIntegration(t *testing.T) {
	crm := &fakeCRM{contacts: []map[string]any{
		crmPerson("+14155550101", "Ana", "Lima"),
		crmPerson("+14155550102", "Ben", "Okafor"),
		crmPerson("5551234", "Bad", "Number"), // not E.164: rejected
	}}
	fake := httptest.NewServer(crm)
	defer fake.Close()
	url := fake.URL + "/contacts"

	e := newEnv(t)
	ctx := context.Background()
	tb := e.tab()
	tb.login(store.RoleManager)
	tb.open("/lists")

	// + New Contact List: the name typed under Local Drive carries over to API Integration.
	tb.do("new list", chromedp.Click(chromedp.ID("new-list")), chromedp.WaitVisible(chromedp.CSS(`dialog input[name="name"]`)),
		chromedp.SendKeys(chromedp.CSS(`dialog input[name="name"]`), "Partner CRM"),
		chromedp.Click(chromedp.ID("source-api")))
	tb.waitJS("API form", `document.querySelector('dialog input[name="integration.url"]') && document.querySelectorAll('dialog').length === 1`)
	tb.waitJS("name carried", `document.querySelector('dialog input[name="name"]').value === 'Partner CRM'`)

	// A URL that is not one: the API's error shows next to the URL.
	const urlErr = `document.querySelector('#f-integration-url').closest('.field').querySelector('.field-error')`
	tb.do("bad url", chromedp.SendKeys(chromedp.ID("f-integration-url"), "crm.example/contacts"), chromedp.Click(chromedp.ID("api-validate")))
	tb.waitJS("url error inline", urlErr+` && `+urlErr+`.textContent.includes('absolute http')`)
	tb.shot("url-error")

	// The right URL but a wrong token: the fake answers 401, shown next to the authorization profile.
	const authErr = `document.querySelector('#f-integration-auth-type').closest('.field').querySelector('.field-error')`
	tb.do("wrong token", chromedp.SetValue(chromedp.ID("f-integration-url"), url),
		setSelect("#f-integration-auth-type", "bearer"),
		chromedp.SendKeys(chromedp.ID("f-integration-auth-token"), "wrong"),
		chromedp.SendKeys(chromedp.ID("f-integration-records_path"), "data.contacts"),
		chromedp.Click(chromedp.ID("api-validate")))
	tb.waitJS("401 inline", authErr+` && `+authErr+`.textContent.includes('HTTP 401')`)
	tb.do("url error cleared", chromedp.WaitNotPresent(chromedp.CSS(`#f-integration-url[aria-invalid]`)))

	// Right token, a header, 30-minute sync: Validate previews the records and their fields.
	tb.do("fix token", chromedp.SetValue(chromedp.ID("f-integration-auth-token"), "tok-1"),
		chromedp.Click(chromedp.ID("add-header")),
		chromedp.SendKeys(chromedp.CSS(`dialog .header-row input[name="header-key"]`), "X-Tenant"),
		chromedp.SendKeys(chromedp.CSS(`dialog .header-row input[name="header-value"]`), "acme"),
		chromedp.SetValue(chromedp.ID("f-integration-sync_interval"), "30"),
		setSelect(`dialog select[name="interval-unit"]`, "m"),
		chromedp.Click(chromedp.ID("api-validate")))
	tb.waitText("preview", "#api-preview", "Okafor")
	tb.waitText("fields", "#api-fields-found", "name.first")
	tb.waitText("record count", "#api-fields-found", "3 records")
	tb.waitJS("mapping step", `!document.querySelector('#api-mapping').hidden`)
	// The mapping is suggested from the preview; the test sets it as a user would.
	tb.do("map", chromedp.SetValue(chromedp.CSS(`#api-mapping input[name="mapping.phones"]`), "phone"),
		chromedp.SetValue(chromedp.CSS(`#api-mapping input[name="mapping.first_name"]`), "name.first"),
		chromedp.SetValue(chromedp.CSS(`#api-mapping input[name="mapping.last_name"]`), "name.last"),
		chromedp.Click(chromedp.ID("api-validate")))
	tb.waitText("mapped preview", "#api-preview", "As contacts, through the mapping")
	tb.waitText("rejected in preview", "#api-preview", "5551234")
	tb.shot("validated")
	tb.do("save", chromedp.Click(chromedp.ID("api-save")))
	tb.waitText("result", "#sync-result", "Successfully fetched 3 contact records: 2 added")
	tb.shot("saved")

	ls, _, err := e.store.FindLists(ctx, store.ListFilter{Kind: store.ListContact})
	if err != nil || len(ls) != 1 {
		t.Fatalf("stored lists %+v, %v; want one", ls, err)
	}
	l := ls[0]
	if l.Source != store.SourceAPI || l.Entries != 2 || l.Status != store.ListValidated {
		t.Errorf("list %+v; want an API list, Validated, of 2 contacts", l)
	}
	cs, _, err := e.store.Contacts(ctx, l.ID, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cs {
		got = append(got, c.Phones[0]+" "+c.FirstName+" "+c.LastName)
	}
	slices.Sort(got)
	if want := []string{"+14155550101 Ana Lima", "+14155550102 Ben Okafor"}; !slices.Equal(got, want) {
		t.Errorf("contacts %q; want %q (nested name.first mapped)", got, want)
	}
	in, m, err := e.srv.ListService().IntegrationOf(l)
	if err != nil || in == nil {
		t.Fatalf("integration %v, %v", in, err)
	}
	if in.SyncInterval != "30m" || in.Headers["X-Tenant"] != "acme" || !in.Auth.HasToken || in.Auth.Token != "" || in.RecordsPath != "data.contacts" || m.FirstName != "name.first" {
		t.Errorf("integration %+v, mapping %+v", *in, m)
	}

	// The table shows the source and URL; the edit icon next to the URL reopens the form.
	tb.do("close", chromedp.Click(chromedp.CSS(`dialog button.close`)), chromedp.WaitNotPresent(chromedp.CSS(`dialog`)))
	tb.waitText("url in table", "#lists-table td.source", url)
	tb.shot("table")
	tb.clickLive("edit", `#lists-table button[aria-label="Edit integration of Partner CRM"]`)
	tb.waitJS("prefilled", `document.querySelector('dialog #f-integration-url') && document.querySelector('dialog #f-integration-url').value === `+fmt.Sprintf("%q", url))
	tb.waitJS("token kept", `document.querySelector('#f-integration-auth-token').placeholder.includes('leave empty to keep') && document.querySelector('#f-integration-auth-token').value === ''`)
	tb.waitJS("mapping prefilled", `document.querySelector('input[name="mapping.first_name"]').value === 'name.first'`)
	// Validate uses the stored token; then save a 2-hour interval.
	tb.do("validate stored", chromedp.Click(chromedp.ID("api-validate")))
	tb.waitText("preview with stored token", "#api-preview", "Ana")
	tb.do("interval", chromedp.SetValue(chromedp.ID("f-integration-sync_interval"), "2"),
		setSelect(`dialog select[name="interval-unit"]`, "h"), chromedp.Click(chromedp.ID("api-save")))
	tb.waitText("edited", "#save-result", "Saved")
	l, _ = e.store.ListByID(ctx, l.ID)
	if in, _, _ := e.srv.ListService().IntegrationOf(l); in == nil || in.SyncInterval != "2h" || !in.Auth.HasToken {
		t.Errorf("after edit: integration %+v; want 2h with the token kept", in)
	}

	// A campaign uses the list and the API's records change shape: Save warns, Confirm applies.
	if err := e.store.LinkList(ctx, l.ID, 77, "Spring promo"); err != nil {
		t.Fatal(err)
	}
	crm.add(map[string]any{"phone": "+14155550103", "name": map[string]any{"first": "Cara", "last": "Diaz"}, "email": "cara@example.com"})
	tb.do("save new shape", chromedp.Click(chromedp.ID("api-save")))
	tb.waitText("schema warning", "#schema-warning", "new fields: email")
	tb.shot("schema-warning")
	tb.do("confirm", chromedp.Click(chromedp.ID("api-confirm")))
	tb.waitText("confirmed", "#save-result", "Saved")

	// Sync now fetches the new record.
	tb.do("close edit", chromedp.Click(chromedp.CSS(`dialog button.close`)), chromedp.WaitNotPresent(chromedp.CSS(`dialog`)))
	tb.clickLive("sync now", `#lists-table button[aria-label="Sync Partner CRM now"]`)
	tb.waitText("sync toast", "#toasts", "1 added")
	tb.waitJS("count in table", `[...document.querySelectorAll('#lists-table tbody tr')].some(tr => tr.textContent.includes('Partner CRM') && tr.querySelector('td.num').textContent.trim() === '3')`)
	tb.shot("synced")
	if l, err = e.store.ListByID(ctx, l.ID); err != nil || l.Entries != 3 {
		t.Errorf("after sync: %d entries, %v; want 3", l.Entries, err)
	}
	crm.mu.Lock()
	tenants := slices.Clone(crm.tenants)
	crm.mu.Unlock()
	if len(tenants) == 0 || slices.ContainsFunc(tenants, func(s string) bool { return s != "acme" }) {
		t.Errorf("X-Tenant headers seen by the fake: %q; want acme on every request", tenants)
	}
}
