package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/outdial/outdial/store"
)

// Opener opens the database named name, creating it empty on first use. Opening the
// same name twice in one test returns a store on the same data (to test migrations
// and persistence); different names never share data. The backend drops what it
// created when the test ends.
type Opener func(t *testing.T, name string) store.Store

// Run runs every conformance test against the backend.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open Opener)
	}{
		{"Migrations", testMigrations},
		{"Users", testUsers},
		{"Tokens", testTokens},
		{"AgentsAndQueues", testAgentsAndQueues},
		{"Trunks", testTrunks},
		{"PhoneNumbers", testPhoneNumbers},
		{"Settings", testSettings},
		{"Audit", testAudit},
		{"LoginFailures", testLoginFailures},
	}
	tests = append(tests, extraTests...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					f, ok := r.(mustFail)
					if !ok {
						panic(r)
					}
					t.Fatalf("unexpected error: %v", f.err)
				}
			}()
			tt.fn(t, open)
		})
	}
}

// extraTests lists conformance tests defined in other files of this package.
var extraTests = []struct {
	name string
	fn   func(t *testing.T, open Opener)
}{
	{"Lists", testLists},
	{"Campaigns", testCampaigns},
	{"AttemptNotes", testAttemptNotes},
	{"AgentlessCapacity", testAgentlessCapacity},
	{"PreviewSkips", testPreviewSkips},
	{"ListCapacity", testListCapacity},
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// mustFail carries an unexpected error out of must to the subtest's recover.
type mustFail struct{ err error }

// must returns v, or ends the subtest with err (Run recovers it into t.Fatal).
func must[T any](v T, err error) T {
	if err != nil {
		panic(mustFail{err})
	}
	return v
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("err = %v, want %v", err, target)
	}
}

func testMigrations(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "migrations")
	applied, latest := 0, 0
	var err error
	if applied, latest, err = s.SchemaVersion(c); err != nil {
		t.Fatal(err)
	}
	if applied != latest || latest < 1 {
		t.Fatalf("SchemaVersion = %d, %d; want equal and >= 1", applied, latest)
	}
	must(s.CreateQueue(c, store.Queue{Name: "kept"}))
	// Opening again applies nothing and keeps the data.
	s2 := open(t, "migrations")
	a2, l2, err := s2.SchemaVersion(c)
	if err != nil || a2 != applied || l2 != latest {
		t.Fatalf("after reopen SchemaVersion = %d, %d, %v", a2, l2, err)
	}
	qs := must(s2.ListQueues(c))
	if len(qs) != 1 || qs[0].Name != "kept" {
		t.Fatalf("queues after reopen = %+v", qs)
	}
	if err := s2.Ping(c); err != nil {
		t.Fatal(err)
	}
}

func testUsers(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "users")
	u := must(s.CreateUser(c, store.User{Username: "ann", DisplayName: "Ann", Role: store.RoleManager, PasswordHash: "h"}))
	if u.ID == 0 || u.CreatedAt.IsZero() || u.Role != store.RoleManager {
		t.Fatalf("created %+v", u)
	}
	_, err := s.CreateUser(c, store.User{Username: "ann", Role: store.RoleAgent, PasswordHash: "h"})
	wantErr(t, err, store.ErrConflict)
	_, err = s.CreateUser(c, store.User{Username: "bad", Role: "emperor", PasswordHash: "h"})
	if err == nil {
		t.Fatal("a user with an unknown role was stored")
	}
	got := must(s.UserByUsername(c, "ann"))
	if got.ID != u.ID || got.PasswordHash != "h" {
		t.Fatalf("UserByUsername = %+v", got)
	}
	got.DisplayName, got.Disabled = "Ann B", true
	up := must(s.UpdateUser(c, got))
	if up.DisplayName != "Ann B" || !up.Disabled {
		t.Fatalf("UpdateUser = %+v", up)
	}
	_, err = s.UserByID(c, 999999)
	wantErr(t, err, store.ErrNotFound)
	_, err = s.UpdateUser(c, store.User{ID: 999999, Username: "x", Role: store.RoleAgent})
	wantErr(t, err, store.ErrNotFound)
	must(s.CreateUser(c, store.User{Username: "bob", Role: store.RoleAgent, PasswordHash: "h"}))
	us := must(s.ListUsers(c))
	if len(us) != 2 || us[0].Username != "ann" || us[1].Username != "bob" {
		t.Fatalf("ListUsers = %+v", us)
	}
	if err := s.DeleteUser(c, u.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.DeleteUser(c, u.ID), store.ErrNotFound)
}

func testTokens(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "tokens")
	u := must(s.CreateUser(c, store.User{Username: "ops", Role: store.RoleAdmin, PasswordHash: "h"}))
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	tok := must(s.CreateToken(c, store.Token{UserID: u.ID, Name: "ci", Hash: []byte{1, 2, 3}, Prefix: "od_abc", ExpiresAt: &exp}))
	_, err := s.CreateToken(c, store.Token{UserID: u.ID, Name: "dup", Hash: []byte{1, 2, 3}, Prefix: "od_abc"})
	wantErr(t, err, store.ErrConflict)
	gt, gu, err := s.TokenByHash(c, []byte{1, 2, 3})
	if err != nil || gt.ID != tok.ID || gu.Username != "ops" || gu.Role != store.RoleAdmin {
		t.Fatalf("TokenByHash = %+v %+v %v", gt, gu, err)
	}
	if gt.ExpiresAt == nil || !gt.ExpiresAt.Equal(exp) {
		t.Fatalf("ExpiresAt = %v, want %v", gt.ExpiresAt, exp)
	}
	_, _, err = s.TokenByHash(c, []byte{9})
	wantErr(t, err, store.ErrNotFound)
	now := time.Now().UTC().Truncate(time.Second)
	if err := s.TouchToken(c, tok.ID, now); err != nil {
		t.Fatal(err)
	}
	ts := must(s.ListTokens(c, u.ID))
	if len(ts) != 1 || ts[0].LastUsedAt == nil || !ts[0].LastUsedAt.Equal(now) {
		t.Fatalf("ListTokens = %+v", ts)
	}
	// Deleting the user revokes the tokens.
	if err := s.DeleteUser(c, u.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.TokenByHash(c, []byte{1, 2, 3})
	wantErr(t, err, store.ErrNotFound)
}

func testAgentsAndQueues(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "agents")
	q1 := must(s.CreateQueue(c, store.Queue{Name: "sales", Description: "Sales"}))
	q2 := must(s.CreateQueue(c, store.Queue{Name: "support"}))
	_, err := s.CreateQueue(c, store.Queue{Name: "sales"})
	wantErr(t, err, store.ErrConflict)
	u := must(s.CreateUser(c, store.User{Username: "agent1", Role: store.RoleAgent, PasswordHash: "h"}))
	a := must(s.CreateAgent(c, store.Agent{UserID: u.ID, Name: "Agent One", QueueIDs: []int64{q1.ID, q2.ID, q1.ID}}))
	if len(a.QueueIDs) != 2 {
		t.Fatalf("QueueIDs = %v, want two distinct", a.QueueIDs)
	}
	_, err = s.CreateAgent(c, store.Agent{UserID: u.ID, Name: "again"})
	wantErr(t, err, store.ErrConflict)
	u2 := must(s.CreateUser(c, store.User{Username: "agent2", Role: store.RoleAgent, PasswordHash: "h"}))
	_, err = s.CreateAgent(c, store.Agent{UserID: u2.ID, Name: "ghost queue", QueueIDs: []int64{424242}})
	wantErr(t, err, store.ErrNotFound)
	if as := must(s.ListAgents(c)); len(as) != 1 {
		t.Fatalf("a failed CreateAgent left a row behind: %+v", as)
	}
	byUser := must(s.AgentByUserID(c, u.ID))
	if byUser.ID != a.ID || len(byUser.QueueIDs) != 2 {
		t.Fatalf("AgentByUserID = %+v", byUser)
	}
	wantErr(t, s.DeleteQueue(c, q1.ID), store.ErrInUse)
	a.QueueIDs = []int64{q2.ID}
	a.Name = "Agent 1"
	up := must(s.UpdateAgent(c, a))
	if up.Name != "Agent 1" || len(up.QueueIDs) != 1 || up.QueueIDs[0] != q2.ID {
		t.Fatalf("UpdateAgent = %+v", up)
	}
	if err := s.DeleteQueue(c, q1.ID); err != nil {
		t.Fatalf("DeleteQueue of an unused queue: %v", err)
	}
	q2.Description = "Support desk"
	if got := must(s.UpdateQueue(c, q2)); got.Description != "Support desk" {
		t.Fatalf("UpdateQueue = %+v", got)
	}
	if err := s.DeleteAgent(c, a.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.AgentByID(c, a.ID)
	wantErr(t, err, store.ErrNotFound)
}

func testTrunks(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "trunks")
	tr := store.Trunk{Name: "carrier-a", Address: "127.0.0.1:5070", Transport: "udp", Username: "u", Password: "p",
		MaxChannels: 100, MaxCPS: 10.5, Codecs: []string{"PCMU", "PCMA"}, Priority: 2, Enabled: true}
	a := must(s.CreateTrunk(c, tr))
	if a.MaxCPS != 10.5 || len(a.Codecs) != 2 || a.Codecs[1] != "PCMA" || !a.Enabled {
		t.Fatalf("CreateTrunk = %+v", a)
	}
	_, err := s.CreateTrunk(c, tr)
	wantErr(t, err, store.ErrConflict)
	tr.Name, tr.Priority = "carrier-b", 1
	b := must(s.CreateTrunk(c, tr))
	ts := must(s.ListTrunks(c))
	if len(ts) != 2 || ts[0].ID != b.ID {
		t.Fatalf("ListTrunks not in priority order: %+v", ts)
	}
	a.Enabled = false
	if got := must(s.UpdateTrunk(c, a)); got.Enabled {
		t.Fatal("UpdateTrunk did not disable")
	}
	if err := s.DeleteTrunk(c, a.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.TrunkByID(c, a.ID)
	wantErr(t, err, store.ErrNotFound)
}

func testPhoneNumbers(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "phones")
	tr := must(s.CreateTrunk(c, store.Trunk{Name: "t", Address: "127.0.0.1:5070", Transport: "udp", MaxChannels: 1, MaxCPS: 1, Codecs: []string{"PCMU"}}))
	p := must(s.CreatePhoneNumber(c, store.PhoneNumber{Number: "+14155550100", Direction: store.DirectionOutbound, TrunkID: &tr.ID}))
	if p.TrunkID == nil || *p.TrunkID != tr.ID {
		t.Fatalf("CreatePhoneNumber = %+v", p)
	}
	_, err := s.CreatePhoneNumber(c, store.PhoneNumber{Number: "+14155550100", Direction: store.DirectionOutbound})
	wantErr(t, err, store.ErrConflict)
	ghost := int64(777777)
	_, err = s.CreatePhoneNumber(c, store.PhoneNumber{Number: "+14155550101", Direction: store.DirectionOutbound, TrunkID: &ghost})
	wantErr(t, err, store.ErrNotFound)
	wantErr(t, s.DeleteTrunk(c, tr.ID), store.ErrInUse)
	p.TrunkID, p.Direction = nil, store.DirectionInboundOutbound
	up := must(s.UpdatePhoneNumber(c, p))
	if up.TrunkID != nil || up.Direction != store.DirectionInboundOutbound {
		t.Fatalf("UpdatePhoneNumber = %+v", up)
	}
	if ps := must(s.ListPhoneNumbers(c)); len(ps) != 1 {
		t.Fatalf("ListPhoneNumbers = %+v", ps)
	}
	if err := s.DeletePhoneNumber(c, p.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.DeletePhoneNumber(c, p.ID), store.ErrNotFound)
}

func testSettings(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "settings")
	_, err := s.Setting(c, "global")
	wantErr(t, err, store.ErrNotFound)
	if err := s.PutSetting(c, "global", []byte(`{"a":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSetting(c, "global", []byte(`{"a":2}`)); err != nil {
		t.Fatal(err)
	}
	if got := string(must(s.Setting(c, "global"))); got != `{"a":2}` {
		t.Fatalf("Setting = %s", got)
	}
}

func testAudit(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "audit")
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	uid := int64(7)
	for i := 0; i < 5; i++ {
		res := "trunk"
		if i%2 == 1 {
			res = "queue"
		}
		must(s.AppendAudit(c, store.AuditEntry{At: base.Add(time.Duration(i) * time.Hour), UserID: &uid, Actor: "ann", Action: "create", Resource: res, ResourceID: "1"}))
	}
	all := must(s.ListAudit(c, store.AuditFilter{}))
	if len(all) != 5 || !all[0].At.Equal(base.Add(4*time.Hour)) {
		t.Fatalf("ListAudit = %+v", all)
	}
	got := must(s.ListAudit(c, store.AuditFilter{Since: base.Add(time.Hour), Until: base.Add(4 * time.Hour), Resource: "trunk"}))
	if len(got) != 1 || !got[0].At.Equal(base.Add(2*time.Hour)) || got[0].UserID == nil || *got[0].UserID != 7 {
		t.Fatalf("filtered ListAudit = %+v", got)
	}
	if lim := must(s.ListAudit(c, store.AuditFilter{Limit: 2})); len(lim) != 2 {
		t.Fatalf("Limit 2 returned %d", len(lim))
	}
	if all[0].Outcome != store.AuditDone {
		t.Fatalf("appended entry outcome %q, want %q by default", all[0].Outcome, store.AuditDone)
	}

	// Written before a change: completed once, or withdrawn; a done entry stays.
	p1 := must(s.AppendAudit(c, store.AuditEntry{Actor: "ann", Action: "POST /api/v1/queues", Resource: "pending", Outcome: store.AuditPending}))
	p2 := must(s.AppendAudit(c, store.AuditEntry{Actor: "ann", Action: "POST /api/v1/queues", Resource: "pending", ResourceID: "9", Outcome: store.AuditPending}))
	if p1.Outcome != store.AuditPending {
		t.Fatalf("pending entry = %+v", p1)
	}
	if err := s.CompleteAudit(c, p1.ID, "12", "created queue"); err != nil {
		t.Fatal(err)
	}
	if err := s.CompleteAudit(c, p1.ID, "13", "again"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("completing a done entry = %v, want ErrNotFound", err)
	}
	if err := s.WithdrawAudit(c, p1.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("withdrawing a done entry = %v, want ErrNotFound", err)
	}
	if err := s.CompleteAudit(c, p2.ID, "", ""); err != nil {
		t.Fatal(err)
	}
	p3 := must(s.AppendAudit(c, store.AuditEntry{Actor: "ann", Action: "DELETE /api/v1/queues/{id}", Resource: "pending", Outcome: store.AuditPending}))
	if err := s.WithdrawAudit(c, p3.ID); err != nil {
		t.Fatal(err)
	}
	got = must(s.ListAudit(c, store.AuditFilter{Resource: "pending"}))
	if len(got) != 2 || got[0].ID != p2.ID || got[0].ResourceID != "9" || got[0].Outcome != store.AuditDone ||
		got[1].ID != p1.ID || got[1].ResourceID != "12" || got[1].Detail != "created queue" || got[1].Outcome != store.AuditDone {
		t.Fatalf("after complete and withdraw: %+v", got)
	}
	if _, err := s.AppendAudit(c, store.AuditEntry{Actor: "ann", Action: "x", Resource: "pending", Outcome: "maybe"}); err == nil {
		t.Fatal("an unknown outcome was stored")
	}
}

func testLoginFailures(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "logins")
	base := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
	for i := range 6 {
		if err := s.RecordLoginFailure(c, []string{"u1", "a1"}, base.Add(time.Duration(i)*time.Minute), base.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	must(0, s.RecordLoginFailure(c, []string{"u2"}, base.Add(10*time.Minute), base.Add(-time.Hour)))
	got := must(s.RecentLoginFailures(c, "u1", base.Add(time.Minute), 3))
	if len(got) != 3 || !got[0].Equal(base.Add(5*time.Minute)) || !got[2].Equal(base.Add(3*time.Minute)) {
		t.Fatalf("latest 3 of u1 = %v; want 03:05, 03:04, 03:03", got)
	}
	if got := must(s.RecentLoginFailures(c, "u1", base.Add(time.Minute), 100)); len(got) != 4 {
		t.Fatalf("u1 after 03:01 = %v; want 4", got)
	}
	// A new failure prunes everything before its prune time, of every key.
	must(0, s.RecordLoginFailure(c, []string{"a2"}, base.Add(20*time.Minute), base.Add(4*time.Minute)))
	if got := must(s.RecentLoginFailures(c, "a1", time.Time{}, 100)); len(got) != 2 {
		t.Fatalf("a1 after pruning before 03:04 = %v; want 03:05 and 03:04", got)
	}
	must(0, s.ClearLoginFailures(c, "u1"))
	if got := must(s.RecentLoginFailures(c, "u1", time.Time{}, 100)); len(got) != 0 {
		t.Fatalf("u1 after clear = %v", got)
	}
	if got := must(s.RecentLoginFailures(c, "a1", time.Time{}, 100)); len(got) != 2 {
		t.Fatalf("clearing u1 touched a1: %v", got)
	}
}
