package lists

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial/config"
	"github.com/outdial/outdial/store"
	"github.com/outdial/outdial/store/sqldb"
	"github.com/outdial/outdial/store/sqlite"
)

type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }

var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

type env struct {
	st    *sqldb.DB
	svc   *Service
	clock *fixedClock
	agent store.Agent
}

func newEnv(t *testing.T, limits config.Limits) *env {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "lists.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	u, err := st.CreateUser(ctx, store.User{Username: "agent1", Role: store.RoleAgent, PasswordHash: "h"})
	if err != nil {
		t.Fatal(err)
	}
	ag, err := st.CreateAgent(ctx, store.Agent{UserID: u.ID, Name: "Agent One", Email: "agent1@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := NewSealer(strings.Repeat("k", 32))
	if err != nil {
		t.Fatal(err)
	}
	clock := &fixedClock{t: testNow}
	return &env{st: st, clock: clock, agent: ag,
		svc: New(st, Options{Limits: limits, Clock: clock, SuggestRegion: "US", Workers: 2, Sealer: sealer})}
}

func openTestdata(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// wantRow describes an expected rejected row.
type wantRow struct {
	row    int64
	column string
	has    string
}

func checkRejects(t *testing.T, got []RowError, want []wantRow) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("rejected rows:\n%s\nwant %d", joinErrs(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Row != w.row || g.Column != w.column || !strings.Contains(g.Error(), w.has) {
			t.Errorf("reject %d = %q (row %d, column %q); want row %d, column %q, containing %q", i, g.Error(), g.Row, g.Column, w.row, w.column, w.has)
		}
	}
}

func joinErrs(es []RowError) string {
	var b strings.Builder
	for _, e := range es {
		b.WriteString("  " + e.Error() + "\n")
	}
	return b.String()
}

func TestContactImportQuirks(t *testing.T) {
	tests := []struct {
		file      string
		opt       ImportOptions
		imported  int64
		blank     int64
		dups      int64
		rejects   []wantRow
		status    store.ListStatus
		checkList func(t *testing.T, cs []store.Contact)
	}{
		{file: "quoted.csv", imported: 3, status: store.ListValidated, checkList: func(t *testing.T, cs []store.Contact) {
			if cs[0].LastName != `O"Neil` || cs[0].Fields["note"] != `likes "quotes", commas` || cs[1].Fields["note"] != "two\nlines" || cs[2].LastName != "Doe, Jr." {
				t.Fatalf("contacts = %+v", cs)
			}
			if cs[2].Row != 4 {
				t.Fatalf("row after an embedded newline = %d, want 4", cs[2].Row)
			}
		}},
		{file: "bom_crlf.csv", imported: 2, status: store.ListValidated, checkList: func(t *testing.T, cs []store.Contact) {
			if cs[0].Phones[0] != "+14155550100" || cs[1].Fields["balance"] != "20" || cs[0].FirstName != "Ann" {
				t.Fatalf("contacts = %+v", cs)
			}
		}},
		{file: "shape.csv", imported: 2, status: store.ListValidated, rejects: []wantRow{
			{3, "city", "the row has 3 values but the header has 4 columns"},
			{4, "", "the row has 5 values but the header has 4 columns"},
		}},
		{file: "empty_lines.csv", imported: 2, blank: 1, status: store.ListValidated},
		{file: "latin1.csv", imported: 1, status: store.ListValidated, rejects: []wantRow{
			{3, "first_name", "not UTF-8 (0xE9 at byte 4); save the file as UTF-8"},
		}},
		{file: "numbers.csv", imported: 4, status: store.ListValidated, rejects: []wantRow{
			{3, "phone", `"5551234" is not E.164; write it as +`},
			{5, "phone", `"+15551234567" is not E.164`},
			{7, "phone", `contains 'x'`},
			{8, "phone", "is empty; every contact needs a phone number"},
		}},
		{file: "numbers.csv", opt: ImportOptions{Strict: true}, status: store.ListInvalid, rejects: []wantRow{
			{3, "phone", "not E.164"}, {5, "phone", "not E.164"}, {7, "phone", "contains"}, {8, "phone", "is empty"},
		}},
		{file: "duplicates.csv", imported: 2, dups: 2, status: store.ListValidated, rejects: []wantRow{
			{4, "phone", "duplicate: +14155550100 is already on row 2"},
			{5, "phone", "duplicate: +14155550101 is already on row 3"},
		}},
		{file: "duplicates.csv", opt: ImportOptions{AllowDuplicates: true}, imported: 4, dups: 2, status: store.ListValidated},
		{file: "unterminated.csv", status: store.ListInvalid, rejects: []wantRow{{2, "", "malformed CSV"}}},
		{file: "barequote.csv", imported: 1, status: store.ListValidated, rejects: []wantRow{{2, "", `bare " in non-quoted-field`}}},
		{file: "fields.csv", imported: 2, status: store.ListValidated, rejects: []wantRow{
			{3, "tz", `"Mars/Olympus" is not an IANA time zone`},
			{4, "Priority", `"high" is not a priority`},
			{5, "agent_id", `"nobody@example.com" is not the id or email of an agent`},
		}, checkList: func(t *testing.T, cs []store.Contact) {
			c := cs[0]
			if fmt.Sprint(c.Phones) != "[+14155550100 +14155550200]" || c.TimeZone != "America/Phoenix" || c.Priority != 5 || c.AgentID == nil ||
				c.FirstName != "Ann" || c.LastName != "Lee" || len(c.Fields) != 2 || c.Fields["dueDate"] != "2026-01-31" {
				t.Fatalf("first contact = %+v", c)
			}
			if len(cs[1].Phones) != 1 || cs[1].Priority != 100 {
				t.Fatalf("a repeated number in one row must be kept once: %+v", cs[1])
			}
		}},
	}
	for _, tt := range tests {
		name := tt.file
		if tt.opt.Strict {
			name += "/strict"
		}
		if tt.opt.AllowDuplicates {
			name += "/allow_duplicates"
		}
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, config.Limits{})
			ctx := context.Background()
			tt.opt.FileName = tt.file
			l, rep, err := e.svc.CreateContactList(ctx, NewList{Name: "L"}, openTestdata(t, tt.file), tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Imported != tt.imported || rep.Blank != tt.blank || rep.Duplicates != tt.dups || l.Status != tt.status {
				t.Fatalf("report = %+v, status %s; want imported %d, blank %d, duplicates %d, status %s", rep, l.Status, tt.imported, tt.blank, tt.dups, tt.status)
			}
			checkRejects(t, rep.Errors, tt.rejects)
			cs, total, err := e.st.Contacts(ctx, l.ID, store.Page{})
			if err != nil || total != tt.imported || l.Entries != tt.imported {
				t.Fatalf("stored %d contacts (list says %d), %v; want %d", total, l.Entries, err, tt.imported)
			}
			if tt.checkList != nil {
				tt.checkList(t, cs)
			}
			// The stored report matches the returned one.
			var stored []store.RejectedRow
			if err := e.st.EachRejectedRow(ctx, rep.ImportID, func(r store.RejectedRow) error { stored = append(stored, r); return nil }); err != nil {
				t.Fatal(err)
			}
			if int64(len(stored)) != rep.Rejected {
				t.Fatalf("stored %d rejected rows, report says %d", len(stored), rep.Rejected)
			}
		})
	}
}

func TestContactFileErrors(t *testing.T) {
	tests := []struct {
		name, csv string
		opt       ImportOptions
		target    error
		has       string
	}{
		{"empty file", "", ImportOptions{}, ErrBadFile, "the file is empty"},
		{"no phone column", "name,city\nAnn,Paris\n", ImportOptions{}, ErrBadFile, `no column is mapped to phone; name a column phone or map one`},
		{"mapping to a missing column", "phone,name\n+14155550100,Ann\n", ImportOptions{Mapping: Mapping{Phones: []string{"Mobile"}}}, ErrBadFile, `column "Mobile", which the file does not have`},
		{"repeated header", "phone,Phone\n+14155550100,x\n", ImportOptions{}, ErrBadFile, `names column "Phone" twice`},
		{"unnamed column", "phone,,x\n+14155550100,a,b\n", ImportOptions{}, ErrBadFile, "header column 2 has no name"},
		{"too many columns", "phone,a,b,c\n", ImportOptions{}, ErrLimit, "the file has 4 columns; at most 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, config.Limits{ListColumns: 3})
			_, _, err := e.svc.CreateContactList(context.Background(), NewList{Name: "L"}, strings.NewReader(tt.csv), tt.opt)
			if !errors.Is(err, tt.target) || !strings.Contains(err.Error(), tt.has) {
				t.Fatalf("err = %v; want %v containing %q", err, tt.target, tt.has)
			}
			if _, n, _ := e.st.FindLists(context.Background(), store.ListFilter{Kind: store.ListContact}); n != 0 {
				t.Fatalf("a list was created for a file that cannot be imported")
			}
		})
	}
}

func TestContactLimits(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, config.Limits{ContactsPerList: 3, ContactsPerAccount: 5, ContactLists: 2, ListFieldChars: 12})
	csv := "phone,name\n+14155550100,a\n+14155550101,b\n+14155550102,c\n+14155550103,d\n"
	l, rep, err := e.svc.CreateContactList(ctx, NewList{Name: "big"}, strings.NewReader(csv), ImportOptions{})
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "at most 3 (limits.contacts_per_list)") {
		t.Fatalf("err = %v", err)
	}
	if l.Status != store.ListInvalid || l.Entries != 0 || rep.Status != store.ImportFailed {
		t.Fatalf("list = %+v, report = %+v", l, rep)
	}
	l2, _, err := e.svc.CreateContactList(ctx, NewList{Name: "ok"}, strings.NewReader("phone,name\n+14155550100,a\n+14155550101,b\n+14155550102,c\n"), ImportOptions{})
	if err != nil || l2.Entries != 3 {
		t.Fatalf("list at the limit: %+v, %v", l2, err)
	}
	// Appending past the list limit fails and leaves the list as it was.
	_, err = e.svc.AppendContacts(ctx, l2.ID, strings.NewReader("phone\n+14155550109\n"), ImportOptions{})
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("append past the list limit: %v", err)
	}
	if got, _ := e.st.ListByID(ctx, l2.ID); got.Entries != 3 || got.Status != store.ListValidated {
		t.Fatalf("after a refused append: %+v", got)
	}
	_, _, err = e.svc.CreateContactList(ctx, NewList{Name: "third"}, strings.NewReader("phone\n+14155550100\n"), ImportOptions{})
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "limits.contact_lists") {
		t.Fatalf("third list: %v", err)
	}
	// A long field is a row error naming the limit.
	rep, err = e.svc.AppendContacts(ctx, l.ID, strings.NewReader("phone,name\n+14155550100,abcdefghijklm\n"), ImportOptions{})
	if err != nil || len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Error(), "row 2, column name: has 13 characters; at most 12") {
		t.Fatalf("long field: %+v, %v", rep, err)
	}
}

func TestContactAppendIsAppendOnly(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, config.Limits{})
	l, _, err := e.svc.CreateContactList(ctx, NewList{Name: "L"}, strings.NewReader("Mobile,First\n+14155550100,Ann\n"), ImportOptions{Mapping: Mapping{Phones: []string{"Mobile"}, FirstName: "First"}})
	if err != nil {
		t.Fatal(err)
	}
	// The saved mapping applies to the new file; the existing number is a duplicate
	// and the existing row is untouched.
	rep, err := e.svc.AppendContacts(ctx, l.ID, strings.NewReader("Mobile,First\n+14155550100,Changed\n+14155550101,Bob\n"), ImportOptions{})
	if err != nil || rep.Imported != 1 || rep.Duplicates != 1 || !strings.Contains(rep.Errors[0].Reason, "is already in the list") {
		t.Fatalf("append = %+v, %v", rep, err)
	}
	cs, _, _ := e.st.Contacts(ctx, l.ID, store.Page{})
	if len(cs) != 2 || cs[0].FirstName != "Ann" || cs[1].FirstName != "Bob" {
		t.Fatalf("contacts = %+v", cs)
	}
	info, err := UserInfo(mustList(t, e, l.ID), cs[0])
	if err != nil || info["Mobile"] != "+14155550100" || info["First"] != "Ann" || info["phoneNumber"] != "+14155550100" {
		t.Fatalf("UserInfo = %v, %v", info, err)
	}
	// Deleting is refused while a campaign uses the list.
	if err := e.st.LinkList(ctx, l.ID, 1, "Renewals"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteList(ctx, l.ID); !errors.Is(err, store.ErrInUse) || !strings.Contains(err.Error(), `"Renewals"`) {
		t.Fatalf("DeleteList in use = %v", err)
	}
	_, err = e.svc.AppendDNC(ctx, l.ID, strings.NewReader("phone\n+14155550100\n"), ImportOptions{})
	if !errors.Is(err, ErrWrongKind) {
		t.Fatalf("AppendDNC on a contact list = %v", err)
	}
}

func mustList(t *testing.T, e *env, id int64) store.List {
	t.Helper()
	l, err := e.st.ListByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestDNCImportAndScrub(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, config.Limits{})
	d, rep, err := e.svc.CreateDNCList(ctx, NewList{Name: "Campaign DNC"}, openTestdata(t, "dnc.csv"), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != 3 || rep.Duplicates != 1 || d.Entries != 3 || d.Status != store.ListValidated {
		t.Fatalf("DNC import = %+v, list %+v", rep, d)
	}
	checkRejects(t, rep.Errors, []wantRow{
		{4, "number", `"(415) 555-0102" is not E.164; write it as +14155550102`},
		{7, "number", `contains 'n'`},
	})
	g, err := e.st.GlobalDNC(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Auto-enrollment into the global list, in another written form, for 30 days.
	if _, err := e.svc.AddToGlobalDNC(ctx, "1-415-555-0104", 30*24*time.Hour, "auto-enrollment"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddDNC(ctx, g.ID, "00 1 415 555 0105", nil, "agent"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddDNC(ctx, g.ID, "12", nil, "agent"); !errors.Is(err, ErrNotE164) {
		t.Fatalf("AddDNC of a bad number = %v", err)
	}
	var csv strings.Builder
	csv.WriteString("phone,alt\n")
	for i := 0; i < 8; i++ {
		fmt.Fprintf(&csv, "+1415555010%d,\n", i)
	}
	csv.WriteString("+14155550106,+14155550100\n") // duplicate primary: rejected
	csv.WriteString("+14155550109,+14155550100\n") // one blocked alternative
	csv.WriteString("+14155550100,+14155550101\n") // duplicate
	contacts, _, err := e.svc.CreateContactList(ctx, NewList{Name: "C"}, strings.NewReader(csv.String()), ImportOptions{Mapping: Mapping{Phones: []string{"phone", "alt"}}})
	if err != nil {
		t.Fatal(err)
	}
	if contacts.Entries != 9 {
		t.Fatalf("contacts = %d", contacts.Entries)
	}
	var kept []store.Contact
	res, err := e.svc.Scrub(ctx, []int64{contacts.ID}, ScrubOptions{DNCLists: []int64{d.ID}}, func(c store.Contact) error { kept = append(kept, c); return nil })
	if err != nil {
		t.Fatal(err)
	}
	// Blocked: 0100 (campaign), 0101 (expired: not blocked), 0102 (rejected at import:
	// not listed), 0103 (campaign, expires 2999), 0104 and 0105 (global).
	want := ScrubResult{Contacts: 9, Kept: 5, Excluded: 4, NumbersRemoved: 1, ByList: []ScrubCount{
		{ListID: g.ID, ListName: "Default Global DNC", Global: true, Excluded: 2},
		{ListID: d.ID, ListName: "Campaign DNC", Excluded: 2},
	}}
	if fmt.Sprintf("%+v", res) != fmt.Sprintf("%+v", want) {
		t.Fatalf("Scrub = %+v\nwant    %+v", res, want)
	}
	// Counting only takes the store's in-database tally; it must agree.
	if res, err := e.svc.Scrub(ctx, []int64{contacts.ID}, ScrubOptions{DNCLists: []int64{d.ID}}, nil); err != nil || fmt.Sprintf("%+v", res) != fmt.Sprintf("%+v", want) {
		t.Fatalf("counting Scrub = %+v, %v\nwant    %+v", res, err, want)
	}
	last := kept[len(kept)-1]
	if fmt.Sprint(last.Phones) != "[+14155550109]" {
		t.Fatalf("blocked alternative not removed: %+v", last)
	}
	// SMS campaigns skip the global list.
	res, _ = e.svc.Scrub(ctx, []int64{contacts.ID}, ScrubOptions{DNCLists: []int64{d.ID}, SkipGlobal: true}, nil)
	if res.Excluded != 2 {
		t.Fatalf("scrub without global excluded %d", res.Excluded)
	}
	// The auto-enrolled number stops blocking when it expires.
	e.clock.t = testNow.Add(31 * 24 * time.Hour)
	blocked, _, err := e.svc.Blocked(ctx, "+14155550104", nil, false)
	if err != nil || blocked {
		t.Fatalf("expired entry still blocks: %v, %v", blocked, err)
	}
	blocked, entry, err := e.svc.Blocked(ctx, "+1 415 555 0105", nil, false)
	if err != nil || !blocked || entry.Source != "agent" {
		t.Fatalf("Blocked = %v, %+v, %v", blocked, entry, err)
	}
	if blocked, _, err := e.svc.Blocked(ctx, "garbage", nil, false); !blocked || err == nil {
		t.Fatal("Blocked must fail closed on a number it cannot read")
	}
	// Marking as global switches, and the old global list becomes deletable.
	if _, err := e.st.SetGlobalDNC(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteList(ctx, d.ID); !errors.Is(err, store.ErrInUse) {
		t.Fatalf("deleting the global list = %v", err)
	}
	if err := e.svc.DeleteList(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
}

func TestDNCLimits(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, config.Limits{DNCEntriesPerList: 2, DNCEntriesPerAccount: 3, DNCLists: 2})
	d, _, err := e.svc.CreateDNCList(ctx, NewList{Name: "A"}, strings.NewReader("phone\n+14155550100\n+14155550101\n"), ImportOptions{})
	if err != nil || d.Entries != 2 {
		t.Fatalf("%+v, %v", d, err)
	}
	if _, err := e.svc.AddDNC(ctx, d.ID, "+14155550102", nil, "agent"); !errors.Is(err, ErrLimit) {
		t.Fatalf("AddDNC past the list limit = %v", err)
	}
	g, _ := e.st.GlobalDNC(ctx)
	if _, err := e.svc.AddDNC(ctx, g.ID, "+14155550102", nil, "agent"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddDNC(ctx, g.ID, "+14155550103", nil, "agent"); !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "dnc_entries_per_account") {
		t.Fatalf("AddDNC past the account limit = %v", err)
	}
	// Two DNC lists exist (the global one and A): a third is refused.
	if _, _, err := e.svc.CreateDNCList(ctx, NewList{Name: "B"}, nil, ImportOptions{}); !errors.Is(err, ErrLimit) {
		t.Fatalf("third DNC list = %v", err)
	}
}

func TestAgentMappingList(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, config.Limits{})
	l, rep, err := e.svc.CreateMappingList(ctx, NewList{Name: "VIP"}, openTestdata(t, "mapping.csv"), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != 2 || l.Entries != 2 {
		t.Fatalf("report = %+v", rep)
	}
	checkRejects(t, rep.Errors, []wantRow{
		{4, "agent", `"ghost@example.com" is not the id or email of an agent`},
		{5, "priority", `"200" is not a priority`},
	})
	m, err := e.svc.PutMapping(ctx, l.ID, 0, "+1 415 555 0109", "AGENT1@example.com", 7)
	if err != nil || m.Number != "+14155550109" || m.AgentID != e.agent.ID {
		t.Fatalf("PutMapping = %+v, %v", m, err)
	}
	if _, err := e.svc.PutMapping(ctx, l.ID, m.ID, "+14155550109", "nobody", 7); !errors.Is(err, ErrInvalid) {
		t.Fatalf("PutMapping with an unknown agent = %v", err)
	}
	if _, err := e.svc.PutMapping(ctx, l.ID, 0, "+14155550109", "1", 7); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a second mapping of one number = %v", err)
	}
	if _, _, err := e.svc.CreateMappingList(ctx, NewList{Name: "no agent"}, strings.NewReader("phone\n+14155550100\n"), ImportOptions{}); !errors.Is(err, ErrBadFile) {
		t.Fatalf("mapping file without an agent column = %v", err)
	}
}

// streamingStore hides the store's ScrubTally so that Scrub streams both sides.
type streamingStore struct{ Store }

// The in-database tally and the streaming scrub must agree on mixed data: several
// contact and DNC lists, numbers on more than one list, expired and future expiries,
// contacts with alternative numbers blocked in part or in full.
func TestScrubTallyMatchesStreaming(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, config.Limits{})
	r := rand.New(rand.NewPCG(11, 12))
	num := func() string { return fmt.Sprintf("+1415555%04d", r.IntN(300)) }
	var dncIDs []int64
	for l := 0; l < 3; l++ {
		var b strings.Builder
		b.WriteString("number,expires_at\n")
		for i := 0; i < 120; i++ {
			exp := ""
			switch r.IntN(4) {
			case 0:
				exp = "2026-05-01" // expired at testNow
			case 1:
				exp = "2027-01-01"
			}
			fmt.Fprintf(&b, "%s,%s\n", num(), exp)
		}
		d, _, err := e.svc.CreateDNCList(ctx, NewList{Name: fmt.Sprintf("DNC %d", l)}, strings.NewReader(b.String()), ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		dncIDs = append(dncIDs, d.ID)
	}
	g, err := e.st.GlobalDNC(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 40; i++ {
		if _, err := e.svc.AddDNC(ctx, g.ID, num(), nil, "agent"); err != nil {
			t.Fatal(err)
		}
	}
	var contactIDs []int64
	for l := 0; l < 2; l++ {
		var b strings.Builder
		b.WriteString("phone,phone2,phone3\n")
		for i := 0; i < 200; i++ {
			switch r.IntN(3) {
			case 0:
				fmt.Fprintf(&b, "%s,,\n", num())
			case 1:
				fmt.Fprintf(&b, "%s,%s,\n", num(), num())
			default:
				fmt.Fprintf(&b, "%s,%s,%s\n", num(), num(), num())
			}
		}
		c, _, err := e.svc.CreateContactList(ctx, NewList{Name: fmt.Sprintf("C %d", l)}, strings.NewReader(b.String()), ImportOptions{AllowDuplicates: true})
		if err != nil {
			t.Fatal(err)
		}
		contactIDs = append(contactIDs, c.ID)
	}
	streaming := New(streamingStore{e.st}, Options{Clock: e.clock, SuggestRegion: "US", Workers: 2})
	for _, opt := range []ScrubOptions{{}, {DNCLists: dncIDs}, {DNCLists: []int64{dncIDs[2], dncIDs[0]}, SkipGlobal: true}, {DNCLists: []int64{g.ID, dncIDs[1]}}} {
		got, err := e.svc.Scrub(ctx, contactIDs, opt, nil)
		if err != nil {
			t.Fatal(err)
		}
		want, err := streaming.Scrub(ctx, contactIDs, opt, nil)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
			t.Fatalf("%+v: tally %+v\nstreaming %+v", opt, got, want)
		}
		if want.Excluded == 0 || want.NumbersRemoved == 0 || want.Kept == 0 {
			t.Fatalf("%+v: the data should exclude, keep and trim contacts: %+v", opt, want)
		}
	}
}

// filledMeanwhile is a store whose bulk writes find the account filled at commit, as
// when another import committed first (store/storetest ListCapacity runs the real race).
type filledMeanwhile struct{ Store }

func (f filledMeanwhile) WriteContacts(ctx context.Context, listID, maxAccount int64, next func() (store.Contact, error)) (int64, error) {
	return 0, fmt.Errorf("%w: the contact lists would hold %d entries", store.ErrCapacity, maxAccount+1)
}

func (f filledMeanwhile) WriteDNCEntries(ctx context.Context, listID, maxAccount int64, next func() (store.DNCEntry, error)) (int64, error) {
	return 0, fmt.Errorf("%w: the dnc lists would hold %d entries", store.ErrCapacity, maxAccount+1)
}

// TestAccountFilledByAnotherImport: the store's commit-time refusal reaches the user as
// the account limit, naming the key, and the list is left invalid with nothing in it.
func TestAccountFilledByAnotherImport(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, config.Limits{ContactsPerAccount: 5, DNCEntriesPerAccount: 7})
	svc := New(filledMeanwhile{e.st}, Options{Limits: config.Limits{ContactsPerAccount: 5, DNCEntriesPerAccount: 7}, Clock: e.clock, SuggestRegion: "US", Workers: 2})
	l, rep, err := svc.CreateContactList(ctx, NewList{Name: "late"}, strings.NewReader("phone\n+14155550100\n"), ImportOptions{})
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "at most 5 contacts (limits.contacts_per_account)") || !strings.Contains(err.Error(), "nothing of this file was written") {
		t.Fatalf("contacts: %v", err)
	}
	if l.Status != store.ListInvalid || l.Entries != 0 || rep.Imported != 0 {
		t.Errorf("list %+v, report %+v; want invalid and empty", l, rep)
	}
	_, _, err = svc.CreateDNCList(ctx, NewList{Name: "late dnc"}, strings.NewReader("phone\n+14155550100\n"), ImportOptions{})
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "at most 7 DNC entries (limits.dnc_entries_per_account)") {
		t.Fatalf("dnc: %v", err)
	}
}
