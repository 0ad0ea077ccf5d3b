package api_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/outdial/outdial/store"
)

// auditFaults is a store whose audit log can be made to fail.
type auditFaults struct {
	store.Store
	appendDown, completeDown atomic.Bool
}

var errAuditDown = errors.New("audit log: disk full")

func (s *auditFaults) AppendAudit(ctx context.Context, e store.AuditEntry) (store.AuditEntry, error) {
	if s.appendDown.Load() {
		return store.AuditEntry{}, errAuditDown
	}
	return s.Store.AppendAudit(ctx, e)
}

func (s *auditFaults) CompleteAudit(ctx context.Context, id int64, resourceID, detail string) error {
	if s.completeDown.Load() {
		return errAuditDown
	}
	return s.Store.CompleteAudit(ctx, id, resourceID, detail)
}

// TestAuditRowBeforeChange: the audit row of a change is written before the change.
// When it cannot be written, the change is refused (503) and nothing is written; when
// the row cannot be completed afterwards, it stays pending and still names who made
// which change; a refused change leaves no row.
func TestAuditRowBeforeChange(t *testing.T) {
	faults := &auditFaults{}
	h := newHarness(t, func(s store.Store) store.Store { faults.Store = s; return faults })
	ctx := context.Background()

	faults.appendDown.Store(true)
	code, b := h.do(store.RoleManager, "POST", "/api/v1/queues", `{"name":"sales"}`)
	if code != 503 || decodeErr(t, b).Error.Code != "audit_unavailable" {
		t.Fatalf("POST with the audit log down = %d %s; want 503 audit_unavailable", code, b)
	}
	if qs, _ := h.store.ListQueues(ctx); len(qs) != 0 {
		t.Fatalf("a change was made without its audit row: %+v", qs)
	}
	faults.appendDown.Store(false)

	faults.completeDown.Store(true)
	if code, b := h.do(store.RoleManager, "POST", "/api/v1/queues", `{"name":"sales"}`); code != 201 {
		t.Fatalf("POST = %d %s", code, b)
	}
	faults.completeDown.Store(false)
	if code, b := h.do(store.RoleManager, "POST", "/api/v1/queues", `{"name":"support"}`); code != 201 {
		t.Fatalf("POST = %d %s", code, b)
	}
	if code, _ := h.do(store.RoleManager, "POST", "/api/v1/queues", `{"name":"sales"}`); code != 409 {
		t.Fatalf("duplicate POST = %d; want 409", code)
	}
	rows, err := h.store.ListAudit(ctx, store.AuditFilter{Resource: "queues"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("audit rows %+v; want 2 (the refused duplicate withdrawn)", rows)
	}
	done, pending := rows[0], rows[1]
	if done.Outcome != store.AuditDone || done.ResourceID == "" || done.Actor != "manager1" {
		t.Errorf("completed row %+v; want done, with the new queue's id, by manager1", done)
	}
	if pending.Outcome != store.AuditPending || pending.Actor != "manager1" || pending.Action != "POST /api/v1/queues" {
		t.Errorf("row whose completion failed %+v; want pending, by manager1, POST /api/v1/queues", pending)
	}
}
