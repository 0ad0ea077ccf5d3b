package storetest

import (
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/outdial/outdial/store"
)

func testLists(t *testing.T, open Opener) {
	t.Run("CRUDSearchSortPage", func(t *testing.T) { testListsCRUD(t, open) })
	t.Run("GlobalDNC", func(t *testing.T) { testGlobalDNC(t, open) })
	t.Run("Contacts", func(t *testing.T) { testContacts(t, open) })
	t.Run("DNCEntries", func(t *testing.T) { testDNCEntries(t, open) })
	t.Run("AgentMappings", func(t *testing.T) { testAgentMappings(t, open) })
	t.Run("ImportsAndSyncLog", func(t *testing.T) { testImportsAndSyncLog(t, open) })
}

// sliceSource yields items then io.EOF.
func sliceSource[T any](items []T) func() (T, error) {
	i := 0
	return func() (T, error) {
		var zero T
		if i == len(items) {
			return zero, io.EOF
		}
		i++
		return items[i-1], nil
	}
}

func testListsCRUD(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "lists_crud")
	names := []string{"Spring leads", "summer leads", "Autumn", "winter 50%_off"}
	var ids []int64
	for _, n := range names {
		l := must(s.CreateList(c, store.List{Kind: store.ListContact, Name: n, Description: "d " + n, Config: []byte(`{"a":1}`)}))
		if l.Status != store.ListValidating || l.Source != store.SourceCSV || string(l.Config) != `{"a":1}` || l.Campaigns == nil {
			t.Fatalf("CreateList = %+v", l)
		}
		ids = append(ids, l.ID)
	}
	_, err := s.CreateList(c, store.List{Kind: store.ListContact, Name: "Autumn"})
	wantErr(t, err, store.ErrConflict)
	// The same name is fine for another kind.
	must(s.CreateList(c, store.List{Kind: store.ListMapping, Name: "Autumn"}))
	if _, err := s.CreateList(c, store.List{Kind: "other", Name: "x"}); err == nil {
		t.Fatal("a list of an unknown kind was stored")
	}

	tests := []struct {
		name  string
		f     store.ListFilter
		want  []string
		total int64
	}{
		{"default is last updated first", store.ListFilter{Kind: store.ListContact}, []string{"winter 50%_off", "Autumn", "summer leads", "Spring leads"}, 4},
		{"search is case-insensitive", store.ListFilter{Kind: store.ListContact, Search: "LEADS", Sort: store.SortName}, []string{"Spring leads", "summer leads"}, 2},
		{"search escapes wildcards", store.ListFilter{Kind: store.ListContact, Search: "50%_"}, []string{"winter 50%_off"}, 1},
		{"name sort ignores case", store.ListFilter{Kind: store.ListContact, Sort: store.SortName}, []string{"Autumn", "Spring leads", "summer leads", "winter 50%_off"}, 4},
		{"paging", store.ListFilter{Kind: store.ListContact, Sort: store.SortName, Desc: true, Limit: 2, Offset: 1}, []string{"summer leads", "Spring leads"}, 4},
		{"kind", store.ListFilter{Kind: store.ListMapping}, []string{"Autumn"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := s.FindLists(c, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var gotNames []string
			for _, l := range got {
				gotNames = append(gotNames, l.Name)
			}
			if fmt.Sprint(gotNames) != fmt.Sprint(tt.want) || total != tt.total {
				t.Fatalf("FindLists = %q (total %d), want %q (total %d)", gotNames, total, tt.want, tt.total)
			}
		})
	}
	if _, _, err := s.FindLists(c, store.ListFilter{Sort: "bogus"}); err == nil {
		t.Fatal("an unknown sort key was accepted")
	}

	l := must(s.ListByID(c, ids[0]))
	next := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	l.Status, l.Error, l.Description, l.NextSyncAt = store.ListInvalid, "bad file", "changed", &next
	up := must(s.UpdateList(c, l))
	if up.Status != store.ListInvalid || up.Error != "bad file" || up.NextSyncAt == nil || !up.NextSyncAt.Equal(next) {
		t.Fatalf("UpdateList = %+v", up)
	}
	due, _, err := s.FindLists(c, store.ListFilter{SyncDueBy: &next})
	if err != nil || len(due) != 1 || due[0].ID != l.ID {
		t.Fatalf("SyncDueBy = %+v, %v", due, err)
	}

	// A list in use by a campaign cannot be deleted.
	if err := s.LinkList(c, ids[1], 7, "Renewals"); err != nil {
		t.Fatal(err)
	}
	if err := s.LinkList(c, ids[1], 8, "Winback"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.LinkList(c, 999999, 7, "x"), store.ErrNotFound)
	got := must(s.ListByID(c, ids[1]))
	if fmt.Sprint(got.Campaigns) != "[Renewals Winback]" {
		t.Fatalf("Campaigns = %q", got.Campaigns)
	}
	err = s.DeleteList(c, ids[1])
	wantErr(t, err, store.ErrInUse)
	if err := s.UnlinkList(c, ids[1], 7); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.UnlinkList(c, ids[1], 7), store.ErrNotFound)
	must(0, s.UnlinkList(c, ids[1], 8))
	if err := s.DeleteList(c, ids[1]); err != nil {
		t.Fatalf("DeleteList of an unused list: %v", err)
	}
	_, err = s.ListByID(c, ids[1])
	wantErr(t, err, store.ErrNotFound)
	wantErr(t, s.DeleteList(c, ids[1]), store.ErrNotFound)
	n, _ := must2(s.ListTotals(c, store.ListContact))
	if n != 3 {
		t.Fatalf("ListTotals lists = %d, want 3", n)
	}
}

// must2 is must for two results.
func must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(mustFail{err})
	}
	return a, b
}

func testGlobalDNC(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "lists_global")
	g := must(s.GlobalDNC(c))
	if g.Name != "Default Global DNC" || !g.Global || g.Kind != store.ListDNC || g.Status != store.ListValidated || g.CreatedAt.IsZero() {
		t.Fatalf("seeded global list = %+v", g)
	}
	wantErr(t, s.DeleteList(c, g.ID), store.ErrInUse)
	other := must(s.CreateList(c, store.List{Kind: store.ListDNC, Name: "Opt-outs"}))
	contact := must(s.CreateList(c, store.List{Kind: store.ListContact, Name: "Leads"}))
	_, err := s.SetGlobalDNC(c, contact.ID)
	wantErr(t, err, store.ErrNotFound)
	_, err = s.SetGlobalDNC(c, 999999)
	wantErr(t, err, store.ErrNotFound)
	ng := must(s.SetGlobalDNC(c, other.ID))
	if !ng.Global {
		t.Fatalf("SetGlobalDNC = %+v", ng)
	}
	dncs, _, err := s.FindLists(c, store.ListFilter{Kind: store.ListDNC})
	if err != nil {
		t.Fatal(err)
	}
	globals := 0
	for _, l := range dncs {
		if l.Global {
			globals++
			if l.ID != other.ID {
				t.Fatalf("global is %q, want Opt-outs", l.Name)
			}
		}
	}
	if globals != 1 {
		t.Fatalf("%d global lists, want 1", globals)
	}
	// Marking the same list again changes nothing.
	must(s.SetGlobalDNC(c, other.ID))
	if got := must(s.GlobalDNC(c)); got.ID != other.ID {
		t.Fatalf("GlobalDNC = %+v", got)
	}
	if err := s.DeleteList(c, g.ID); err != nil {
		t.Fatalf("the former global list cannot be deleted: %v", err)
	}
}

func testContacts(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "lists_contacts")
	l := must(s.CreateList(c, store.List{Kind: store.ListContact, Name: "Leads"}))
	dnc := must(s.GlobalDNC(c))
	u := must(s.CreateUser(c, store.User{Username: "a1", Role: store.RoleAgent, PasswordHash: "h"}))
	ag := must(s.CreateAgent(c, store.Agent{UserID: u.ID, Name: "A1"}))
	var in []store.Contact
	for i := 0; i < 1234; i++ {
		in = append(in, store.Contact{Row: int64(i + 2), Phones: []string{fmt.Sprintf("+1212555%04d", i)}, FirstName: fmt.Sprintf("F%d", i)})
	}
	in[0] = store.Contact{Row: 2, Phones: []string{"+14155550100", "+14155550101", "+14155550102"}, FirstName: "Ann", LastName: "Lee",
		TimeZone: "America/Phoenix", Priority: 3, AgentID: &ag.ID, Fields: map[string]string{"balance": "12.50", "due \"date\"": "2026-01-01"}}
	n := must(s.WriteContacts(c, l.ID, 0, sliceSource(in)))
	if n != 1234 {
		t.Fatalf("WriteContacts = %d", n)
	}
	if got := must(s.ListByID(c, l.ID)); got.Entries != 1234 {
		t.Fatalf("Entries = %d", got.Entries)
	}
	page, total, err := s.Contacts(c, l.ID, store.Page{Limit: 10})
	if err != nil || total != 1234 || len(page) != 10 {
		t.Fatalf("Contacts = %d rows, total %d, %v", len(page), total, err)
	}
	first := page[0]
	if fmt.Sprint(first.Phones) != "[+14155550100 +14155550101 +14155550102]" || first.LastName != "Lee" || first.TimeZone != "America/Phoenix" ||
		first.Priority != 3 || first.AgentID == nil || *first.AgentID != ag.ID || first.Fields["due \"date\""] != "2026-01-01" || first.Row != 2 {
		t.Fatalf("first contact = %+v", first)
	}
	if page[1].Fields == nil || len(page[1].Fields) != 0 || page[1].AgentID != nil {
		t.Fatalf("second contact = %+v", page[1])
	}
	found, total, err := s.Contacts(c, l.ID, store.Page{Search: "ann"})
	if err != nil || total != 1 || found[0].ID != first.ID {
		t.Fatalf("search = %+v, %d, %v", found, total, err)
	}
	found, total, _ = s.Contacts(c, l.ID, store.Page{Search: "4155550101"})
	if total != 1 || found[0].ID != first.ID {
		t.Fatalf("search on an alternative number = %d", total)
	}
	_, _, err = s.Contacts(c, dnc.ID, store.Page{})
	wantErr(t, err, store.ErrNotFound)

	// A failing source writes nothing.
	boom := errors.New("bad row")
	calls := 0
	_, err = s.WriteContacts(c, l.ID, 0, func() (store.Contact, error) {
		calls++
		if calls > 700 {
			return store.Contact{}, boom
		}
		return store.Contact{Row: int64(calls), Phones: []string{"+442079460000"}}, nil
	})
	wantErr(t, err, boom)
	if got := must(s.ListByID(c, l.ID)); got.Entries != 1234 {
		t.Fatalf("Entries after a failed write = %d", got.Entries)
	}
	_, err = s.WriteContacts(c, dnc.ID, 0, sliceSource(in[:1]))
	wantErr(t, err, store.ErrNotFound)

	var streamed int
	var numbers int
	if err := s.EachContact(c, []int64{l.ID}, func(ct store.Contact) error { streamed++; return nil }); err != nil || streamed != 1234 {
		t.Fatalf("EachContact = %d, %v", streamed, err)
	}
	if err := s.EachNumber(c, l.ID, func(string) error { numbers++; return nil }); err != nil || numbers != 1234 {
		t.Fatalf("EachNumber = %d, %v", numbers, err)
	}
	var firstPhones []string
	err = s.EachContactPhones(c, []int64{l.ID}, func(id int64, ps []string) error {
		if firstPhones == nil {
			firstPhones = ps
		}
		numbers++
		return nil
	})
	if err != nil || numbers != 2468 || fmt.Sprint(firstPhones) != "[+14155550100 +14155550101 +14155550102]" {
		t.Fatalf("EachContactPhones = %d, %v, %v", numbers, firstPhones, err)
	}
	if numbers == 0 {
		t.Fatalf("EachNumber = %d, %v", numbers, err)
	}
	if err := s.DeleteList(c, l.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.Contacts(c, l.ID, store.Page{})
	wantErr(t, err, store.ErrNotFound)
}

func testDNCEntries(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "lists_dnc")
	g := must(s.GlobalDNC(c))
	l := must(s.CreateList(c, store.List{Kind: store.ListDNC, Name: "Campaign DNC"}))
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Hour), now.Add(time.Hour)
	n := must(s.WriteDNCEntries(c, l.ID, 0, sliceSource([]store.DNCEntry{
		{Number: "+14155550100"}, {Number: "+14155550101", ExpiresAt: &past}, {Number: "+14155550102", ExpiresAt: &future},
	})))
	if n != 3 {
		t.Fatalf("WriteDNCEntries = %d", n)
	}
	// Writing a number already on the list fails as a whole.
	_, err := s.WriteDNCEntries(c, l.ID, 0, sliceSource([]store.DNCEntry{{Number: "+14155550199"}, {Number: "+14155550100"}}))
	wantErr(t, err, store.ErrConflict)
	if got := must(s.ListByID(c, l.ID)); got.Entries != 3 {
		t.Fatalf("Entries = %d", got.Entries)
	}
	e := must(s.PutDNCEntry(c, store.DNCEntry{ListID: g.ID, Number: "+442079460000", Source: "agent"}))
	// Putting it again updates the expiry instead of adding a row.
	e2 := must(s.PutDNCEntry(c, store.DNCEntry{ListID: g.ID, Number: "+442079460000", ExpiresAt: &future, Source: "auto"}))
	if e2.ID != e.ID || e2.ExpiresAt == nil || !e2.ExpiresAt.Equal(future) || e2.Source != "auto" {
		t.Fatalf("PutDNCEntry again = %+v", e2)
	}
	if got := must(s.GlobalDNC(c)); got.Entries != 1 {
		t.Fatalf("global Entries = %d", got.Entries)
	}
	lists := []int64{g.ID, l.ID}
	matches := []struct {
		number string
		at     time.Time
		want   bool
	}{
		{"+14155550100", now, true},
		{"+14155550101", now, false}, // expired
		{"+14155550102", now, true},
		{"+14155550102", future.Add(time.Second), false},
		{"+442079460000", now, true},
		{"+19999999999", now, false},
	}
	for _, m := range matches {
		_, err := s.DNCMatch(c, m.number, lists, m.at)
		if m.want && err != nil {
			t.Errorf("DNCMatch(%s, %v) = %v, want a match", m.number, m.at, err)
		}
		if !m.want && !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DNCMatch(%s, %v) = %v, want ErrNotFound", m.number, m.at, err)
		}
	}
	var active []string
	if err := s.EachActiveDNCNumber(c, lists, now, func(_ int64, n string) error { active = append(active, n); return nil }); err != nil {
		t.Fatal(err)
	}
	var active2 []store.DNCEntry
	if err := s.EachActiveDNC(c, lists, now, func(e store.DNCEntry) error { active2 = append(active2, e); return nil }); err != nil || len(active2) != 3 {
		t.Fatalf("EachActiveDNC = %d, %v", len(active2), err)
	}
	if len(active) != 3 {
		t.Fatalf("active entries = %v", active)
	}
	page, total, err := s.DNCEntries(c, l.ID, store.Page{Search: "0102"})
	if err != nil || total != 1 || page[0].Number != "+14155550102" {
		t.Fatalf("DNCEntries search = %+v, %d, %v", page, total, err)
	}
	if err := s.DeleteDNCEntry(c, l.ID, page[0].ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.DeleteDNCEntry(c, l.ID, page[0].ID), store.ErrNotFound)
	wantErr(t, s.DeleteDNCEntry(c, g.ID, e.ID+1000), store.ErrNotFound)
	if got := must(s.ListByID(c, l.ID)); got.Entries != 2 {
		t.Fatalf("Entries after delete = %d", got.Entries)
	}
	_, entries := must2(s.ListTotals(c, store.ListDNC))
	if entries != 3 {
		t.Fatalf("account DNC entries = %d, want 3", entries)
	}
}

func testAgentMappings(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "lists_mappings")
	u := must(s.CreateUser(c, store.User{Username: "a1", Role: store.RoleAgent, PasswordHash: "h"}))
	ag := must(s.CreateAgent(c, store.Agent{UserID: u.ID, Name: "A1", Email: "a1@example.com"}))
	l := must(s.CreateList(c, store.List{Kind: store.ListMapping, Name: "VIPs"}))
	n := must(s.WriteAgentMappings(c, l.ID, sliceSource([]store.AgentMapping{{Number: "+14155550100", AgentID: ag.ID, Priority: 5}, {Number: "+14155550101", AgentID: ag.ID}})))
	if n != 2 {
		t.Fatalf("WriteAgentMappings = %d", n)
	}
	_, err := s.WriteAgentMappings(c, l.ID, sliceSource([]store.AgentMapping{{Number: "+14155550109", AgentID: 424242}}))
	wantErr(t, err, store.ErrNotFound)
	m := must(s.PutAgentMapping(c, store.AgentMapping{ListID: l.ID, Number: "+14155550102", AgentID: ag.ID, Priority: 1}))
	_, err = s.PutAgentMapping(c, store.AgentMapping{ListID: l.ID, Number: "+14155550102", AgentID: ag.ID})
	wantErr(t, err, store.ErrConflict)
	_, err = s.PutAgentMapping(c, store.AgentMapping{ListID: l.ID, Number: "+14155550103", AgentID: 424242})
	wantErr(t, err, store.ErrNotFound)
	m.Priority = 9
	if up := must(s.PutAgentMapping(c, m)); up.Priority != 9 || up.ID != m.ID {
		t.Fatalf("update = %+v", up)
	}
	page, total, err := s.AgentMappings(c, l.ID, store.Page{})
	if err != nil || total != 3 || page[0].Priority != 5 {
		t.Fatalf("AgentMappings = %+v, %d, %v", page, total, err)
	}
	if err := s.DeleteAgentMapping(c, l.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	if got := must(s.ListByID(c, l.ID)); got.Entries != 2 {
		t.Fatalf("Entries = %d", got.Entries)
	}
	// Deleting the agent removes its mappings.
	if err := s.DeleteAgent(c, ag.ID); err != nil {
		t.Fatal(err)
	}
	if _, total, _ := s.AgentMappings(c, l.ID, store.Page{}); total != 0 {
		t.Fatalf("%d mappings left after the agent was deleted", total)
	}
}

func testImportsAndSyncLog(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "lists_imports")
	l := must(s.CreateList(c, store.List{Kind: store.ListContact, Name: "Leads"}))
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var rejects []store.RejectedRow
	for i := 0; i < 1100; i++ {
		rejects = append(rejects, store.RejectedRow{Row: int64(i + 2), Line: int64(i + 2), Column: "phone", Value: "555", Reason: "not E.164", Raw: "555,x"})
	}
	imp := must(s.RecordImport(c, store.ListImport{ListID: l.ID, Source: store.SourceCSV, FileName: "a.csv", Status: store.ImportCompleted,
		Rows: 1200, Imported: 100, Rejected: 1100, StartedAt: start, FinishedAt: start.Add(time.Second)}, rejects))
	if imp.ID == 0 || imp.Rejected != 1100 || !imp.StartedAt.Equal(start) {
		t.Fatalf("RecordImport = %+v", imp)
	}
	_, err := s.RecordImport(c, store.ListImport{ListID: 999999, Source: store.SourceCSV, Status: store.ImportFailed}, nil)
	wantErr(t, err, store.ErrNotFound)
	var got []store.RejectedRow
	if err := s.EachRejectedRow(c, imp.ID, func(r store.RejectedRow) error { got = append(got, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1100 || got[0].Row != 2 || got[1099].Row != 1101 || got[5].Raw != "555,x" {
		t.Fatalf("rejected rows: %d", len(got))
	}
	if is := must(s.Imports(c, l.ID)); len(is) != 1 || is[0].ID != imp.ID {
		t.Fatalf("Imports = %+v", is)
	}

	for i, st := range []string{store.SyncCompleted, store.SyncFailed, store.SyncCompleted} {
		must(s.AppendSyncLog(c, store.SyncLog{At: start.Add(time.Duration(i) * time.Hour), ListID: l.ID, ListName: "Leads", Campaigns: "Renewals",
			Status: st, Description: fmt.Sprintf("Successfully fetched %d contact records", i), Records: int64(i), Payload: []byte(`[{"n":1}]`)}))
	}
	logs, total, err := s.SyncLogs(c, store.SyncLogFilter{})
	if err != nil || total != 3 || !logs[0].At.Equal(start.Add(2*time.Hour)) || logs[0].Payload != nil {
		t.Fatalf("SyncLogs = %+v, %d, %v", logs, total, err)
	}
	logs, total, _ = s.SyncLogs(c, store.SyncLogFilter{Search: "failed"})
	if total != 1 || logs[0].Status != store.SyncFailed {
		t.Fatalf("search failed = %+v", logs)
	}
	_, total, _ = s.SyncLogs(c, store.SyncLogFilter{Since: start.Add(time.Hour), Until: start.Add(2 * time.Hour)})
	if total != 1 {
		t.Fatalf("date filter total = %d", total)
	}
	one := must(s.SyncLogByID(c, logs[0].ID))
	if string(one.Payload) != `[{"n":1}]` {
		t.Fatalf("payload = %s", one.Payload)
	}
}
