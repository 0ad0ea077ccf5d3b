package console_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/store"
)

const reminderFlow = `{"name": "Reminder", "start": "greet", "nodes": [
  {"id": "greet", "type": "say", "text": "Hi {{firstName}}", "next": "bye"},
  {"id": "bye", "type": "hangup"}]}`

// campaignLinks stores what a voice campaign links to besides its lists: an outbound
// and an inbound-only number, and a start flow.
func campaignLinks(t *testing.T, e *env) (flowID int64) {
	t.Helper()
	c := context.Background()
	for _, p := range []store.PhoneNumber{
		{Number: "+14155550100", Description: "main line", Direction: store.DirectionOutbound},
		{Number: "+14155550999", Description: "inbound only", Direction: store.DirectionInbound},
	} {
		if _, err := e.store.CreatePhoneNumber(c, p); err != nil {
			t.Fatal(err)
		}
	}
	f, err := e.store.CreateFlow(c, store.StoredFlow{Name: "Reminder", Document: []byte(reminderFlow)})
	if err != nil {
		t.Fatal(err)
	}
	return f.ID
}

// uploadContacts creates a contact list from testdata/contacts.csv through List Management.
func (tb *tab) uploadContacts(name string) {
	tb.t.Helper()
	csvPath, err := filepath.Abs("testdata/contacts.csv")
	if err != nil {
		tb.t.Fatal(err)
	}
	tb.open("/lists")
	tb.do("new list", chromedp.Click(chromedp.ID("new-list")), chromedp.WaitVisible(chromedp.CSS(`dialog input[name="name"]`)))
	tb.do("fill list", chromedp.SendKeys(chromedp.CSS(`dialog input[name="name"]`), name),
		chromedp.SetUploadFiles(chromedp.CSS(`dialog input[type=file]`), []string{csvPath}))
	tb.waitText("mapping step", "dialog fieldset", "balance")
	tb.do("save list", chromedp.Click(chromedp.CSS(`dialog button[type=submit]`)))
	tb.waitText("list report", "#import-report", "Imported 3 of 4 rows.")
	tb.do("close", chromedp.Click(chromedp.CSS(`dialog button.close`)))
	tb.waitText("list validated", "#lists-table", "Validated")
}

// dialer plays the dialing engine's part through the campaign service: it leases the
// run's ready records and closes one attempt per record with the given results.
type dialer struct {
	t   *testing.T
	e   *env
	svc *campaign.Service
	id  int64
}

type callResult struct{ outcome, disposition string }

// dial closes one attempt for each of the first len(results) ready records, in lease
// order, at time at (records wait for their retry time; at may be in the future).
func (d *dialer) dial(at time.Time, results ...callResult) {
	d.t.Helper()
	c := context.Background()
	camp, err := d.svc.Get(c, d.id)
	if err != nil || camp.InstanceID == nil {
		d.t.Fatalf("campaign %d has no run: %v", d.id, err)
	}
	recs, err := d.e.store.LeaseRecords(c, store.LeaseRequest{InstanceID: *camp.InstanceID, Node: "test", Limit: len(results), Now: at, TTL: time.Minute})
	if err != nil || len(recs) != len(results) {
		d.t.Fatalf("leased %d records (%v); want %d", len(recs), err, len(results))
	}
	for i, rec := range recs {
		a, err := d.e.store.BeginAttempt(c, store.AttemptStart{RecordID: rec.ID, Node: "test", Number: rec.Phone, CallID: fmt.Sprintf("call-%d-%d", rec.ID, rec.Attempts), At: at})
		if err != nil {
			d.t.Fatal(err)
		}
		r := results[i]
		if r.outcome == campaign.OutcomeConnected {
			if err := d.e.store.MarkAttempt(c, a.ID, store.AttemptAnswered, at); err != nil {
				d.t.Fatal(err)
			}
		}
		if _, _, err := d.svc.Finish(c, camp, campaign.Result{AttemptID: a.ID, Outcome: r.outcome, Disposition: r.disposition, At: at.Add(42 * time.Second)}); err != nil {
			d.t.Fatal(err)
		}
	}
}

// rowOf returns a JavaScript expression for the campaign table row of a campaign name.
func rowOf(name string) string {
	return fmt.Sprintf(`[...document.querySelectorAll('#campaigns-table tbody tr')].find(tr => tr.querySelector('.campaign-name') && tr.querySelector('.campaign-name').textContent === %q)`, name)
}

// waitRow waits until the campaign's row contains text.
func (tb *tab) waitRow(step, name, text string) {
	tb.t.Helper()
	tb.waitJS(step, fmt.Sprintf(`(%s || {textContent: ''}).textContent.includes(%q)`, rowOf(name), text))
}

// clickRow clicks the button labelled label in the campaign's row.
func (tb *tab) clickRow(step, name, label string) {
	tb.t.Helper()
	tb.waitJS(step, fmt.Sprintf(`(() => { const b = (%s)?.querySelector('[aria-label=%q]'); if (b && !b.disabled) { b.click(); return true; } return false; })()`, rowOf(name), label+" "+name))
}

func TestCampaignLifecycleInBrowser(t *testing.T) {
	e := newEnv(t)
	flowID := campaignLinks(t, e)
	tb := e.tab()
	tb.login(store.RoleManager)
	tb.uploadContacts("Spring customers")

	// Create an agentless campaign through the tabs.
	tb.open("/campaigns/new")
	callers := eval[[]string](tb, `[...document.querySelectorAll('select[name="outreach.caller_id"] option')].map(o => o.textContent)`)
	if len(callers) != 2 || !strings.Contains(callers[1], "+14155550100") {
		t.Errorf("caller ID options %q; want only the outbound number", callers)
	}
	if !eval[bool](tb, `[...document.querySelectorAll('select[name="outreach.timings.time_zone"] option')].some(o => o.value === 'America/New_York')`) {
		t.Error("the time zone picker lacks America/New_York")
	}
	tb.do("general tab", chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), "Spring Reminders"),
		chromedp.SetValue(chromedp.CSS(`select[name="dialing.flow_id"]`), itoa(flowID)))
	tb.waitJS("pick list", `(() => { const o = [...document.querySelectorAll('select[name="list_ids"] option')].find(o => o.textContent.includes('Spring customers')); if (o) o.selected = true; return !!o; })()`)
	tb.shot("new-general")
	tb.do("outreach tab", chromedp.Click(chromedp.ID("tab-outreach")),
		chromedp.SetValue(chromedp.CSS(`input[name="outreach.max_ring_seconds"]`), "5"),
		chromedp.SetValue(chromedp.CSS(`select[name="outreach.timings.time_zone"]`), "America/New_York"),
		chromedp.Click(chromedp.ID("tab-general")),
		chromedp.Click(chromedp.ID("save-campaign")))
	// The API's refusal names the field; the form shows it there, on its tab.
	tb.waitText("ring time error", "#err-outreach-max_ring_seconds", "5 is out of range; allowed 10..120")
	if sel := eval[string](tb, `document.querySelector('[role=tab][aria-selected=true]').id`); sel != "tab-outreach" {
		t.Errorf("after the error the %s tab is shown; want tab-outreach", sel)
	}
	if !eval[bool](tb, `document.getElementById('tab-outreach').classList.contains('has-error')`) {
		t.Error("the Outreach Strategy tab is not marked as holding an error")
	}
	tb.shot("new-error")
	tb.do("fix and save", chromedp.SetValue(chromedp.CSS(`input[name="outreach.max_ring_seconds"]`), "30"),
		chromedp.SetValue(chromedp.CSS(`select[name="outreach.caller_id"]`), "1"),
		chromedp.Click(chromedp.ID("tab-dispositions")),
		chromedp.SetValue(chromedp.CSS(`textarea[name="dispositions.custom"]`), "Promise to Pay"),
		chromedp.Click(chromedp.ID("add-rule")),
		chromedp.Click(chromedp.ID("save-campaign")))
	tb.waitRow("campaign listed", "Spring Reminders", "Ready")
	tb.waitRow("list and connection", "Spring Reminders", "Spring customers")
	tb.waitRow("connection", "Spring Reminders", "Reminder")
	cs, err := e.store.FindCampaigns(context.Background(), store.CampaignFilter{})
	if err != nil || len(cs) != 1 {
		t.Fatalf("stored campaigns %+v, %v", cs, err)
	}
	id := cs[0].ID
	svc := campaign.NewService(e.store, campaign.Options{})
	c, _ := svc.Get(context.Background(), id)
	if c.Outreach.MaxRingSeconds != 30 || c.Outreach.Timings.TimeZone != "America/New_York" || len(c.Dispositions.Rules) != 1 || c.Dispositions.Custom[0] != "Promise to Pay" {
		t.Errorf("stored definition %+v", c.Definition)
	}
	tb.shot("campaigns-ready")

	// Run it: status and progress follow the run as the dialer works.
	tb.clickRow("play", "Spring Reminders", "Play")
	tb.waitRow("active", "Spring Reminders", "Active")
	tb.waitRow("progress 0 of 3", "Spring Reminders", "0 of 3")
	d := &dialer{t: t, e: e, svc: svc, id: id}
	now := time.Now()
	d.dial(now, callResult{"Connected", "Resolved"}, callResult{"No Answer", ""})
	tb.waitRow("progress moves", "Spring Reminders", "1 of 3")
	tb.shot("campaigns-active")

	tb.open("/dashboard")
	tb.waitText("dashboard row", "#dashboard-table", "1 of 3")
	tb.waitText("dashboard type", "#dashboard-table", "Agentless")
	tb.shot("dashboard")

	tb.open("/dashboard/" + itoa(id))
	tb.waitText("overview progress", "#metric-progress", "1 of 3")
	tb.waitText("connected", "#metric-connected", "50%")
	tb.waitText("avg duration", "#metric-duration", "0:42")
	tb.waitJS("dialer chart", `document.querySelector('#chart-dialer g[data-name="No Answer"]')`)
	tb.waitJS("agent chart", `document.querySelector('#chart-agent g[data-name="Resolved"][data-count="1"]')`)
	tb.waitText("executions", "#exec-pager", "of 3")
	tb.shot("detail")
	// The matrix and the charts follow new calls without a reload.
	d.dial(now.Add(2*time.Hour), callResult{"Connected", "Promise to Pay"})
	tb.waitText("live progress", "#metric-progress", "2 of 3")
	tb.waitJS("live matrix", `[...document.querySelectorAll('#matrix thead th')].some(th => th.textContent === 'Promise to Pay')`)
	tb.waitJS("live chart", `document.querySelector('#chart-agent g[data-name="Promise to Pay"]')`)

	// Latest Execution: filter, then search within it, then sort.
	tb.setInput(`#exec-filter select[name="disposition"]`, "Resolved")
	tb.waitText("filtered", "#exec-pager", "1–1 of 1")
	phone := eval[string](tb, `document.querySelector('#executions tbody tr td:nth-child(1)').textContent`)
	tb.setInput("#f-exec-search", "Turing")
	tb.waitText("search within filter", "#executions", "No conversations match.")
	tb.setInput("#f-exec-search", phone[len(phone)-4:])
	tb.waitText("search finds it", "#exec-pager", "1–1 of 1")
	tb.setInput("#f-exec-search", "")
	tb.setInput(`#exec-filter select[name="disposition"]`, "")
	tb.setInput(`#exec-filter select[name="sort"]`, "disposition")
	tb.setInput(`#exec-filter select[name="order"]`, "asc")
	tb.waitText("all again", "#exec-pager", "1–3 of 3")
	tb.waitJS("sorted", `document.querySelector('#executions tbody tr td:last-child').textContent === 'No Answer'`)
	disps := eval[[]string](tb, `[...document.querySelectorAll('#executions tbody tr td:last-child')].map(td => td.textContent)`)
	if strings.Join(disps, ",") != "No Answer,Promise to Pay,Resolved" {
		t.Errorf("sorted by disposition ascending: %q", disps)
	}
	// Column selector: extra columns start deselected; the list's own fields are offered.
	if eval[bool](tb, `[...document.querySelectorAll('#executions thead th')].some(th => th.textContent === 'balance')`) {
		t.Error("the contact field balance is shown before it was selected")
	}
	tb.do("open columns", chromedp.Click(chromedp.ID("columns-button")))
	tb.waitJS("balance offered", `[...document.querySelectorAll('#columns-menu label')].some(l => l.textContent === 'balance')`)
	tb.do("pick balance and last name", chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll('#columns-menu label')].filter(l => ['balance', 'Last Name'].includes(l.textContent)).forEach(l => l.querySelector('input').click())`))
	tb.waitJS("balance column", `[...document.querySelectorAll('#executions thead th')].some(th => th.textContent === 'balance')`)
	tb.waitText("balance values", "#executions tbody", "12.50")
	tb.shot("latest-execution")

	// The run completes when every record is done; Replay starts a new run; Stop asks first.
	d.dial(now.Add(4*time.Hour), callResult{"Connected", "Resolved"})
	if rep := svc.Tick(context.Background(), time.Now()); len(rep.Completed) != 1 {
		t.Fatalf("tick = %+v; want the run completed", rep)
	}
	tb.open("/campaigns")
	tb.waitRow("completed", "Spring Reminders", "Completed")
	tb.waitRow("done", "Spring Reminders", "3 of 3")
	tb.clickRow("replay", "Spring Reminders", "Replay")
	tb.waitRow("rerun", "Spring Reminders", "Rerun")
	tb.waitRow("fresh run", "Spring Reminders", "0 of 3")

	// Editing a running campaign is refused in plain words.
	tb.open("/campaigns/" + itoa(id) + "/edit")
	tb.waitText("not editable notice", "#notice", "active campaigns cannot be edited")
	tb.do("save anyway", chromedp.Click(chromedp.ID("save-campaign")))
	tb.waitText("edit refused", "#campaign-form .form-error", "cannot be edited")
	tb.shot("edit-refused")

	tb.open("/campaigns")
	tb.clickRow("stop", "Spring Reminders", "Stop")
	tb.do("confirm shown", chromedp.WaitVisible(chromedp.CSS(`dialog.confirm`)))
	tb.shot("confirm-stop")
	tb.do("confirm stop", chromedp.Click(chromedp.CSS(`dialog.confirm button[value=ok]`)))
	tb.waitRow("stopped", "Spring Reminders", "Ready")

	// Clone, then schedule the clone: Play on a scheduled campaign is refused plainly.
	tb.clickRow("clone", "Spring Reminders", "Clone")
	tb.waitRow("clone listed", "Spring Reminders (copy)", "Ready")
	clone := eval[string](tb, rowOf("Spring Reminders (copy)")+`.dataset.id`)
	tb.open("/campaigns/" + clone + "/edit")
	start := time.Now().Add(72 * time.Hour).Format("2006-01-02T15:04")
	tb.do("schedule tab", chromedp.Click(chromedp.ID("tab-schedule")), chromedp.Click(chromedp.ID("f-schedule_on")),
		chromedp.SetValue(chromedp.CSS(`input[name="schedule.start"]`), start),
		chromedp.SetValue(chromedp.CSS(`select[name="schedule.time_zone"]`), "Europe/Paris"))
	tb.shot("schedule")
	tb.do("save schedule", chromedp.Click(chromedp.ID("save-campaign")))
	tb.waitRow("scheduled label", "Spring Reminders (copy)", "Scheduled")
	tb.clickRow("play scheduled", "Spring Reminders (copy)", "Play")
	tb.waitText("scheduled refusal", "#notice", "starts at its scheduled time")
	tb.shot("scheduled-refused")

	// Export both, delete the clone, import the file back.
	dir := t.TempDir()
	tb.do("downloads", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir})
		return err
	}))
	tb.do("select all on page", chromedp.Click(chromedp.ID("select-page")))
	tb.waitText("selected", "#selection", "2 selected")
	tb.do("export", chromedp.Click(chromedp.ID("export")))
	file := waitFile(t, dir, ".csv")
	b, err := os.ReadFile(file)
	if err != nil || !strings.HasPrefix(string(b), "name,description,mode,priority,status,contact_lists") || !strings.Contains(string(b), "Spring Reminders (copy)") {
		t.Fatalf("exported file %s: %v\n%s", file, err, b)
	}
	tb.clickRow("delete clone", "Spring Reminders (copy)", "Delete")
	tb.do("confirm shown", chromedp.WaitVisible(chromedp.CSS(`dialog.confirm`)))
	tb.do("confirm delete", chromedp.Click(chromedp.CSS(`dialog.confirm button[value=ok]`)))
	tb.waitJS("clone gone", `!(`+rowOf("Spring Reminders (copy)")+`)`)
	if n := eval[int](tb, `document.querySelectorAll('#campaigns-table tbody input[type=checkbox]:checked').length`); n != 0 {
		t.Errorf("%d campaigns stay selected after a delete; the selection must clear", n)
	}
	tb.do("open import", chromedp.Click(chromedp.ID("import")), chromedp.WaitVisible(chromedp.ID("f-import-file")))
	tb.do("import file", chromedp.SetUploadFiles(chromedp.ID("f-import-file"), []string{file}),
		chromedp.Click(chromedp.CSS(`dialog button[type=submit]`)))
	tb.waitText("partial import", "#import-message", "Import partially successful. 1 successfully imported, 1 failed. See the Campaigns log for details.")
	tb.waitText("skip reason", "#import-result", "already exists")
	tb.shot("import")
	tb.do("close import", chromedp.Click(chromedp.CSS(`dialog button.close`)))
	tb.waitRow("reimported", "Spring Reminders (copy)", "Recently imported")
	if eval[bool](tb, rowOf("Spring Reminders")+`.textContent.includes('Recently imported')`) {
		t.Error("the campaign that was not imported carries the Recently imported label")
	}
	tb.shot("campaigns-imported")

	// Campaign Logs: today's events, search on the description, CSV of what is shown.
	tb.open("/campaign-logs")
	tb.waitText("export logged", "#campaign-logs", "exported 2 campaigns")
	tb.waitText("skip logged", "#campaign-logs", "Spring Reminders was NOT imported by manager (row 2). Reason: a campaign with this name already exists")
	tb.do("search", chromedp.SendKeys(chromedp.CSS(`#logs-form input[name="search"]`), "was stopped"))
	tb.waitJS("searched", `document.getElementById('logs-count').textContent === '1 event'`)
	tb.do("export logs", chromedp.Click(chromedp.ID("export-logs")))
	logs := waitFile(t, dir, "campaign-logs-")
	if b, err := os.ReadFile(logs); err != nil || strings.Count(string(b), "\r\n") != 2 || !strings.Contains(string(b), "Spring Reminders was stopped by manager.") {
		t.Errorf("exported logs %s: %v\n%s", logs, err, b)
	}
	tb.shot("campaign-logs")
}

// waitFile waits up to 10 s for a finished download in dir whose name contains part.
func waitFile(t *testing.T, dir, part string) string {
	t.Helper()
	for range 100 {
		es, _ := os.ReadDir(dir)
		for _, e := range es {
			if strings.Contains(e.Name(), part) && !strings.HasSuffix(e.Name(), ".crdownload") {
				if fi, err := e.Info(); err == nil && fi.Size() > 0 {
					return filepath.Join(dir, e.Name())
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no download containing %q arrived in %s", part, dir)
	return ""
}

func TestCampaignTableSelectionAndFilters(t *testing.T) {
	e := newEnv(t)
	flowID := campaignLinks(t, e)
	c := context.Background()
	l, err := e.store.CreateList(c, store.List{Kind: store.ListContact, Name: "leads", Status: store.ListValidated})
	if err != nil {
		t.Fatal(err)
	}
	g, err := e.store.GlobalDNC(c)
	if err != nil {
		t.Fatal(err)
	}
	svc := campaign.NewService(e.store, campaign.Options{})
	caller := int64(1)
	for i := range 12 {
		d := campaign.Definition{Name: fmt.Sprintf("Campaign %02d", i+1), ListIDs: []int64{l.ID}, Priority: 1 + i%5,
			Dialing:  campaign.Dialing{Mode: campaign.ModeAgentless, FlowID: &flowID},
			Contacts: campaign.Choose{DNCListID: g.ID}, Outreach: campaign.Outreach{CallerID: &caller, Timings: campaign.Timings{TimeZone: "UTC"}}}
		if _, err := svc.Create(c, d); err != nil {
			t.Fatal(err)
		}
	}
	tb := e.tab()
	tb.login(store.RoleManager)
	tb.open("/campaigns")
	tb.waitText("pages", "#campaigns-pager", "Page 1 of 2 · 12 campaigns")
	// Page-level Select All resets on navigation; individual choices persist across pages.
	tb.do("select page", chromedp.Click(chromedp.ID("select-page")))
	tb.waitText("10 selected", "#selection", "10 selected")
	tb.do("next page", chromedp.Click(chromedp.ID("next-page")))
	tb.waitText("page 2", "#campaigns-pager", "Page 2 of 2")
	if s := eval[string](tb, `document.getElementById('selection').textContent`); s != "" {
		t.Errorf("after leaving the page the selection is %q; the page-level Select All must reset", s)
	}
	first := eval[string](tb, `document.querySelector('#campaigns-table tbody .campaign-name').textContent`)
	tb.clickCheckbox("Select " + first)
	tb.do("previous page", chromedp.Click(chromedp.ID("prev-page")))
	tb.clickCheckbox("Select Campaign 05")
	tb.waitText("2 selected across pages", "#selection", "2 selected")
	tb.do("next page again", chromedp.Click(chromedp.ID("next-page")))
	tb.waitText("still 2", "#selection", "2 selected")
	tb.shot("selection")
	// Sorting clears the selection.
	tb.do("sort by priority", chromedp.Click(chromedp.CSS(`#campaigns-table thead button.sort`)))
	tb.waitJS("cleared by sort", `document.getElementById('selection').textContent === ''`)
	tb.waitJS("sorted 5 first", `document.querySelector('#campaigns-table tbody tr td:nth-child(4)').textContent === '5'`)

	// Saved filters: a name over 20 characters is refused by the API, then saved as default.
	tb.do("filters", chromedp.Click(chromedp.ID("filters-button")), chromedp.Click(chromedp.ID("add-filter")),
		chromedp.WaitVisible(chromedp.ID("filter-form")))
	tb.do("fill filter", chromedp.Click(chromedp.ID("f-flt-priorities-5")),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#filter-form input[name="name"]').value = 'A name that is far too long'`),
		chromedp.Click(chromedp.CSS(`#filter-form button[value=save]`)))
	tb.waitText("name refused", "#filter-form .field-error", "at most 20 are allowed")
	tb.do("fix name", chromedp.SetValue(chromedp.CSS(`#filter-form input[name="name"]`), "Top priority"),
		chromedp.Click(chromedp.ID("f-default")),
		chromedp.Click(chromedp.CSS(`#filter-form button[value=save]`)))
	tb.waitText("filter applied", "#active-filter", "Top priority: Priority 5")
	tb.waitText("filtered rows", "#campaigns-pager", "2 campaigns")
	tb.shot("filter-applied")
	// The default view comes back on the next visit.
	tb.open("/campaigns")
	tb.waitText("default applied", "#active-filter", "Top priority")
	tb.openFiltersMenu()
	tb.waitText("default label", "#filters-menu", "Default")
	tb.do("duplicate", chromedp.Click(chromedp.CSS(`#filters-menu button[aria-label="Duplicate filter Top priority"]`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog input[name="name"]`)))
	tb.do("name copy", chromedp.SetValue(chromedp.CSS(`dialog input[name="name"]`), "Copy of top"), chromedp.Click(chromedp.CSS(`dialog button[type=submit]`)))
	// The dialog is modal until the API answers: a click on the page before it
	// closes lands on its backdrop and would leave the menu shut.
	tb.waitJS("duplicate dialog closed", `!document.querySelector('dialog[open]')`)
	tb.openFiltersMenu()
	tb.waitText("copy listed", "#filters-menu", "Copy of top")
	tb.shot("filters-menu")
	tb.do("delete copy", chromedp.Click(chromedp.CSS(`#filters-menu button[aria-label="Delete filter Copy of top"]`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog.confirm`)), chromedp.Click(chromedp.CSS(`dialog.confirm button[value=ok]`)))
	tb.waitJS("confirm closed", `!document.querySelector('dialog[open]')`)
	tb.openFiltersMenu()
	tb.waitJS("copy gone", `!document.getElementById('filters-menu').textContent.includes('Copy of top')`)
	fs, err := e.store.SavedFilters(c, 2)
	if err != nil || len(fs) != 1 || !fs[0].Default || fs[0].Name != "Top priority" {
		t.Errorf("saved filters %+v, %v", fs, err)
	}
	// A search clears the filter's selection too, and narrows the table.
	tb.do("search", chromedp.SendKeys(chromedp.ID("campaign-search"), "Campaign 05"))
	tb.waitText("searched", "#campaigns-pager", "1 campaigns")

	// A supervisor reads the table but cannot change campaigns.
	tb2 := e.tab()
	tb2.login(store.RoleSupervisor)
	tb2.open("/campaigns")
	tb2.waitText("read-only", "#notice", "Read-only")
	if eval[bool](tb2, `[...document.querySelectorAll('#campaigns-table button[data-action]')].some(b => !b.disabled)`) {
		t.Error("a supervisor has enabled Play buttons")
	}
	if eval[bool](tb2, `!!document.getElementById('new-campaign')`) {
		t.Error("a supervisor sees + New Campaign")
	}
	tb2.shot("campaigns-supervisor")
}

// setInput sets a form control's value and fires its input event, as typing does.
func (tb *tab) setInput(sel, value string) {
	tb.t.Helper()
	tb.do("set "+sel, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.value = %q; el.dispatchEvent(new Event('input', {bubbles: true})); })()`, sel, value)))
}

// clickCheckbox clicks the checkbox with the aria-label.
// openFiltersMenu opens the saved-filters menu on the campaigns page and
// waits until it shows; a click that toggled it shut is retried.
func (tb *tab) openFiltersMenu() {
	tb.t.Helper()
	tb.waitJS("filters menu open", `(() => { const m = document.getElementById('filters-menu'); if (m && m.hidden) document.getElementById('filters-button').click(); return !!m && !m.hidden; })()`)
}

func (tb *tab) clickCheckbox(label string) {
	tb.t.Helper()
	tb.clickLive("check "+label, fmt.Sprintf(`input[aria-label=%q]`, label))
}
