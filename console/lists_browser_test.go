package console_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/outdial/outdial/store"
)

func TestContactListUpload(t *testing.T) {
	e := newEnv(t)
	tb := e.tab()
	tb.login(store.RoleManager)
	tb.open("/lists")
	csvPath, err := filepath.Abs("testdata/contacts.csv")
	if err != nil {
		t.Fatal(err)
	}
	tb.do("new list", chromedp.Click(chromedp.ID("new-list")), chromedp.WaitVisible(chromedp.CSS(`dialog input[name="name"]`)))
	tb.do("fill list", chromedp.SendKeys(chromedp.CSS(`dialog input[name="name"]`), "Spring customers"),
		chromedp.SetUploadFiles(chromedp.CSS(`dialog input[type=file]`), []string{csvPath}))
	// The mapping step lists the file's columns.
	tb.waitText("mapping step", "dialog fieldset", "balance")
	tb.do("map phone", chromedp.SetValue(chromedp.CSS(`dialog select[name="map:phone"]`), "phone"))
	tb.shot("mapping")
	tb.do("save", chromedp.Click(chromedp.CSS(`dialog button[type=submit]`)))
	tb.waitText("report", "#import-report", "Imported 3 of 4 rows.")
	tb.waitText("rejected row shown", "dialog table", "5551234")
	tb.shot("report")
	tb.do("close", chromedp.Click(chromedp.CSS(`dialog button.close`)))
	tb.waitText("list in table", "#lists-table", "Spring customers")
	tb.waitText("status", "#lists-table", "Validated")
	tb.shot("contact-lists")

	ls, _, err := e.store.FindLists(context.Background(), store.ListFilter{Kind: store.ListContact})
	if err != nil || len(ls) != 1 || ls[0].Entries != 3 {
		t.Fatalf("stored lists %+v, %v; want one list of 3 contacts", ls, err)
	}
	tb.clickLive("view", `#lists-table a[href^="/lists/contact/"]`)
	tb.ready("detail")
	tb.waitText("contacts", "#entries", "Lovelace")
	tb.waitText("custom field column", "#entries thead", "balance")
	tb.waitText("imports", "#page", "Rejected rows (CSV)")
	tb.do("search", chromedp.SendKeys(chromedp.ID("entry-search"), "Turing"))
	tb.waitJS("search narrows", `document.querySelectorAll('#entries tbody tr').length === 1 && document.querySelector('#entries tbody').textContent.includes('Turing')`)
	tb.shot("contact-list")
}

func TestDNCListGlobalAndEntries(t *testing.T) {
	e := newEnv(t)
	tb := e.tab()
	tb.login(store.RoleManager)
	tb.open("/lists/dnc")
	// The default global list exists from the first start.
	tb.waitText("default global", "#lists-table", "Global")
	dncPath, err := filepath.Abs("testdata/dnc.csv")
	if err != nil {
		t.Fatal(err)
	}
	tb.do("new DNC list", chromedp.Click(chromedp.ID("new-list")), chromedp.WaitVisible(chromedp.CSS(`dialog input[name="name"]`)))
	tb.do("fill", chromedp.SendKeys(chromedp.CSS(`dialog input[name="name"]`), "Opt-outs"),
		chromedp.SetUploadFiles(chromedp.CSS(`dialog input[type=file]`), []string{dncPath}))
	// The mapping step appears once the browser has read the file's header; it moves the
	// submit button down, so a click before it lands would miss.
	tb.waitText("mapping step", "dialog fieldset", "phone")
	tb.do("save", chromedp.Click(chromedp.CSS(`dialog button[type=submit]`)))
	tb.waitText("report", "#import-report", "Imported 2 of 2 rows.")
	tb.do("close", chromedp.Click(chromedp.CSS(`dialog button.close`)))
	tb.waitText("listed", "#lists-table", "Opt-outs")
	tb.clickLive("mark global", `#lists-table button[aria-label="Mark Opt-outs as Global"]`)
	tb.do("confirm shown", chromedp.WaitVisible(chromedp.CSS(`dialog.confirm`)))
	tb.shot("confirm-global")
	tb.do("confirm", chromedp.Click(chromedp.CSS(`dialog.confirm button[value=ok]`)))
	tb.waitJS("global moved", `[...document.querySelectorAll('#lists-table tbody tr')].some(tr => tr.textContent.includes('Opt-outs') && tr.textContent.includes('Global') && tr.classList.contains('global'))`)
	if n := eval[int](tb, `document.querySelectorAll('#lists-table .label-global').length`); n != 1 {
		t.Errorf("%d lists carry the Global label; want exactly 1", n)
	}
	g, err := e.store.GlobalDNC(context.Background())
	if err != nil || g.Name != "Opt-outs" {
		t.Errorf("global DNC list = %q, %v; want Opt-outs", g.Name, err)
	}
	tb.shot("dnc-lists")

	tb.open("/lists/dnc/" + itoa(g.ID))
	tb.waitText("entries", "#entries", "+14155550199")
	tb.do("add", chromedp.Click(chromedp.ID("add-entry")), chromedp.WaitVisible(chromedp.CSS(`dialog input[name="number"]`)))
	tb.do("bad number", chromedp.SendKeys(chromedp.CSS(`dialog input[name="number"]`), "12345"),
		chromedp.Click(chromedp.CSS(`dialog button[type=submit]`)))
	tb.waitText("number error", "dialog .field-error", "E.164")
	tb.shot("dnc-add-error")
	tb.do("good number", chromedp.SetValue(chromedp.CSS(`dialog input[name="number"]`), "+14155550177"),
		chromedp.Click(chromedp.CSS(`dialog button[type=submit]`)))
	tb.waitText("added", "#entries", "+14155550177")
	tb.waitText("count", "#list-head", "3 entries")
	tb.shot("dnc-list")

	for _, p := range []string{"/lists/mapping", "/lists/logs"} {
		tb.open(p)
		tb.shot(p[len("/lists/"):])
	}
}
