package console_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/outdial/outdial/api"
	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/store"
)

func TestSignInShowsNavigationForRole(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		role store.Role
		// see are nav labels the role must see; hide are ones it must not.
		see, hide []string
	}{
		{store.RoleAdmin, []string{"Settings", "Users", "SIP Trunks", "Audit Log"}, nil},
		{store.RoleManager, []string{"Settings", "Queues", "SIP Trunks", "Phone Numbers"}, []string{"Users", "Audit Log"}},
		{store.RoleSupervisor, []string{"Settings", "Queues"}, []string{"Users", "SIP Trunks"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.role), func(t *testing.T) {
			e := &env{t: t, url: e.url, store: e.store, srv: e.srv}
			tb := e.tab()
			tb.login(tt.role)
			nav := eval[[]string](tb, `[...document.querySelectorAll('#nav li:not([hidden]) a')].map(a => a.textContent)`)
			has := map[string]bool{}
			for _, n := range nav {
				has[n] = true
			}
			for _, want := range tt.see {
				if !has[want] {
					t.Errorf("role %s: nav %v lacks %q", tt.role, nav, want)
				}
			}
			for _, no := range tt.hide {
				if has[no] {
					t.Errorf("role %s: nav %v shows %q, which the role may not open", tt.role, nav, no)
				}
			}
			tb.shot("home")
		})
	}
}

func TestWrongPasswordIsExplained(t *testing.T) {
	e := newEnv(t)
	tb := e.tab()
	tb.do("open sign-in", chromedp.Navigate(e.url+"/login"), chromedp.WaitVisible(chromedp.ID("username")))
	tb.do("sign in with a wrong password",
		chromedp.SendKeys(chromedp.ID("username"), "manager"),
		chromedp.SendKeys(chromedp.ID("password"), "not-the-password"),
		chromedp.Click(chromedp.CSS("#login-form button[type=submit]")))
	tb.waitText("error shown", "#login-error", "wrong username or password")
	tb.shot("login-error")
	if tok := eval[string](tb, `sessionStorage.getItem('outdial.session') || ''`); tok != "" {
		t.Errorf("a failed sign-in stored a session: %s", tok)
	}
}

func TestSignedOutVisitGoesToSignInAndBack(t *testing.T) {
	e := newEnv(t)
	tb := e.tab()
	tb.do("open settings signed out", chromedp.Navigate(e.url+"/settings"), chromedp.WaitVisible(chromedp.ID("username")))
	if loc := eval[string](tb, `location.pathname + location.search`); loc != "/login?next=%2Fsettings" {
		t.Fatalf("signed-out visit landed on %s, want /login?next=%%2Fsettings", loc)
	}
	tb.do("sign in",
		chromedp.SendKeys(chromedp.ID("username"), "manager"),
		chromedp.SendKeys(chromedp.ID("password"), password(store.RoleManager)),
		chromedp.Click(chromedp.CSS("#login-form button[type=submit]")))
	tb.ready("settings after sign-in")
	if loc := eval[string](tb, `location.pathname`); loc != "/settings" {
		t.Errorf("after sign-in the browser is on %s, want /settings", loc)
	}
}

func TestAgentIsKeptOutOfManagerPages(t *testing.T) {
	e := newEnv(t)
	tb := e.tab()
	tb.login(store.RoleAgent)
	for _, path := range []string{"/settings", "/admin/queues", "/admin/users"} {
		tb.open(path)
		tb.waitText("denied "+path, "#denied", "You cannot open "+path)
		tb.waitText("role named "+path, "#denied", "role agent")
		if loc := eval[string](tb, `location.pathname`); loc != "/" {
			t.Errorf("agent on %s stayed on %s; want a redirect to /", path, loc)
		}
		if n := eval[int](tb, `document.querySelectorAll('#nav li:not([hidden])').length`); n != 0 {
			t.Errorf("agent sees %d navigation links; want none", n)
		}
		if n := eval[int](tb, `document.querySelectorAll('#settings-form').length`); n != 0 {
			t.Errorf("agent got the settings form on %s", path)
		}
	}
	tb.shot("agent-denied")
}

func TestSettingsRangeErrorsThenSave(t *testing.T) {
	e := newEnv(t)
	tb := e.tab()
	tb.login(store.RoleManager)
	tb.open("/settings")
	tb.shot("settings")
	bad := []struct {
		field, value string
		want         string // the error text next to the field
	}{
		{"max_concurrent_calls", "99", "max_concurrent_calls: 99 is out of range; allowed 1..25"},
		{"voice_machine_timeouts.tone_ms", "5", "voice_machine_timeouts.tone_ms: 5 is out of range; allowed 1000..120000"},
		{"proactive_cooldown_time", "30001", "proactive_cooldown_time: 30001 is out of range; allowed 0..30000"},
		{"unanswered_call_attempts_to_dnc", "0", "unanswered_call_attempts_to_dnc: 0 is out of range; allowed 1..100"},
	}
	for _, b := range bad {
		sel := `#settings-form input[name="` + b.field + `"]`
		tb.do("type bad "+b.field, chromedp.SetValue(chromedp.CSS(sel), b.value))
		tb.do("save", chromedp.Click(chromedp.ID("settings-save")))
		tb.waitText("error for "+b.field, "#err-"+strings.ReplaceAll(b.field, ".", "-"), b.want)
		tb.waitText("summary", "#settings-error", "Not saved")
		if inv := eval[string](tb, `document.querySelector('`+sel+`').getAttribute('aria-invalid') || ''`); inv != "true" {
			t.Errorf("%s: aria-invalid = %q after a refused value", b.field, inv)
		}
		tb.shot("error-" + b.field)
		set, err := api.LoadSettings(context.Background(), e.store)
		if err != nil {
			t.Fatal(err)
		}
		if set != campaign.DefaultSettings() {
			t.Fatalf("a refused value changed the stored settings: %+v", set)
		}
		tb.do("restore "+b.field, chromedp.Click(chromedp.ID("settings-reset")))
	}
	tb.do("type good value", chromedp.SetValue(chromedp.CSS(`input[name="max_concurrent_calls"]`), "20"),
		chromedp.SetValue(chromedp.CSS(`input[name="voice_machine_timeouts.tone_ms"]`), "15000"),
		chromedp.Click(chromedp.ID("settings-save")))
	tb.waitText("saved", "#notice", "Settings saved")
	if n := eval[int](tb, `document.querySelectorAll('.field-error').length`); n != 0 {
		t.Errorf("%d field errors remain after a good save", n)
	}
	set, err := api.LoadSettings(context.Background(), e.store)
	if err != nil {
		t.Fatal(err)
	}
	if set.MaxConcurrentCalls != 20 || set.VoiceMachineTimeouts.ToneMS != 15000 {
		t.Errorf("stored settings %+v; want max_concurrent_calls 20 and tone_ms 15000", set)
	}
	tb.shot("saved")
	// A reload shows the stored values.
	tb.open("/settings")
	if v := eval[string](tb, `document.querySelector('input[name="max_concurrent_calls"]').value`); v != "20" {
		t.Errorf("after reload max_concurrent_calls shows %q; want 20", v)
	}
}

func TestSupervisorSeesSettingsReadOnly(t *testing.T) {
	e := newEnv(t)
	tb := e.tab()
	tb.login(store.RoleSupervisor)
	tb.open("/settings")
	tb.waitText("read-only notice", "#notice", "Read-only")
	disabled := eval[bool](tb, `document.getElementById('settings-save').disabled && [...document.querySelectorAll('#settings-form input')].every(i => i.disabled)`)
	if !disabled {
		t.Error("a supervisor can edit settings in the page; want every input and Save disabled")
	}
	if v := eval[string](tb, `document.querySelector('input[name="max_concurrent_calls"]').value`); v != "10" {
		t.Errorf("supervisor sees max_concurrent_calls %q; want the stored 10", v)
	}
	tb.shot("settings-readonly")
}

func TestCatalogPages(t *testing.T) {
	e := newEnv(t)
	tb := e.tab()
	tb.login(store.RoleAdmin)

	// A queue made through the dialog lands in the store.
	tb.open("/admin/queues")
	tb.do("new queue", chromedp.Click(chromedp.CSS(`#page .toolbar button.primary`)), chromedp.WaitVisible(chromedp.CSS(`dialog input[name="name"]`)))
	tb.do("fill queue", chromedp.SendKeys(chromedp.CSS(`dialog input[name="name"]`), "Collections"),
		chromedp.Click(chromedp.CSS(`dialog button[type=submit]`)))
	tb.waitText("queue listed", "#page table", "Collections")
	qs, err := e.store.ListQueues(context.Background())
	if err != nil || len(qs) != 1 || qs[0].Name != "Collections" {
		t.Fatalf("queues after create = %+v, %v", qs, err)
	}
	tb.shot("queues")

	// A bad trunk address is refused with the API's words next to the field.
	tb.open("/admin/trunks")
	tb.do("new trunk", chromedp.Click(chromedp.CSS(`#page .toolbar button.primary`)), chromedp.WaitVisible(chromedp.CSS(`dialog input[name="name"]`)))
	tb.do("fill trunk", chromedp.SendKeys(chromedp.CSS(`dialog input[name="name"]`), "carrier-a"),
		chromedp.SendKeys(chromedp.CSS(`dialog input[name="address"]`), "no-port-here"),
		chromedp.Click(chromedp.CSS(`dialog button[type=submit]`)))
	tb.waitText("trunk address error", "dialog #err-address", `"no-port-here" is not host:port`)
	tb.shot("trunk-error")
	tb.do("fix trunk", chromedp.SetValue(chromedp.CSS(`dialog input[name="address"]`), "127.0.0.1:5070"),
		chromedp.Click(chromedp.CSS(`dialog button[type=submit]`)))
	tb.waitText("trunk listed", "#page table", "127.0.0.1:5070")

	// A phone number on that trunk.
	tb.open("/admin/phone-numbers")
	tb.do("new number", chromedp.Click(chromedp.CSS(`#page .toolbar button.primary`)), chromedp.WaitVisible(chromedp.CSS(`dialog input[name="number"]`)))
	tb.do("fill number", chromedp.SendKeys(chromedp.CSS(`dialog input[name="number"]`), "+14155550100"),
		chromedp.SetValue(chromedp.CSS(`dialog select[name="trunk_id"]`), "1"),
		chromedp.Click(chromedp.CSS(`dialog button[type=submit]`)))
	tb.waitText("number listed", "#page table", "carrier-a")
	tb.shot("phone-numbers")

	// Deleting asks first.
	tb.open("/admin/queues")
	tb.do("delete queue", chromedp.Click(chromedp.CSS(`#page table button[aria-label="Delete Collections"]`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog.confirm`)))
	tb.shot("confirm-delete")
	tb.do("confirm", chromedp.Click(chromedp.CSS(`dialog.confirm button[value=ok]`)))
	tb.waitText("queue gone", "#page table", "No queues yet")

	for _, p := range []string{"/admin/users", "/admin/agents", "/admin/audit"} {
		tb.open(p)
		tb.shot(strings.TrimPrefix(p, "/admin/"))
	}
	tb.waitText("audit shows the queue change", "#page table", "POST /api/v1/queues")
	tb.waitText("audit result column", "#page thead", "Result")
	if n := eval[int](tb, `[...document.querySelectorAll('#page tbody tr')].filter(tr => tr.textContent.includes('unconfirmed')).length`); n != 0 {
		t.Errorf("%d audit rows unconfirmed; every change here completed", n)
	}
	raw := eval[string](tb, `JSON.stringify([...document.querySelectorAll('#page tbody tr')].length)`)
	var rows int
	if err := json.Unmarshal([]byte(raw), &rows); err != nil || rows < 4 {
		t.Errorf("audit log shows %s rows; want at least the 4 changes made here", raw)
	}
}
