package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/outdial/outdial/store"
)

const auditCols = `id, at, user_id, actor, action, resource, resource_id, detail, outcome`

func scanAudit(r rowScanner) (store.AuditEntry, error) {
	var e store.AuditEntry
	var uid sql.NullInt64
	err := r.Scan(&e.ID, &e.At, &uid, &e.Actor, &e.Action, &e.Resource, &e.ResourceID, &e.Detail, &e.Outcome)
	if uid.Valid {
		e.UserID = &uid.Int64
	}
	e.At = e.At.UTC()
	return e, err
}

// AppendAudit adds an entry; At defaults to now, Outcome to done.
func (s *DB) AppendAudit(ctx context.Context, e store.AuditEntry) (store.AuditEntry, error) {
	if e.At.IsZero() {
		e.At = s.now()
	}
	switch e.Outcome {
	case "":
		e.Outcome = store.AuditDone
	case store.AuditDone, store.AuditPending:
	default:
		return store.AuditEntry{}, fmt.Errorf("store: audit outcome %q; want %s or %s", e.Outcome, store.AuditPending, store.AuditDone)
	}
	out, err := scanAudit(s.sql.QueryRowContext(ctx, `INSERT INTO audit_log (at, user_id, actor, action, resource, resource_id, detail, outcome)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING `+auditCols,
		e.At.UTC(), nullID(e.UserID), e.Actor, e.Action, e.Resource, e.ResourceID, e.Detail, e.Outcome))
	return out, s.mapErr(err, "audit entry")
}

// CompleteAudit marks a pending entry done.
func (s *DB) CompleteAudit(ctx context.Context, id int64, resourceID, detail string) error {
	res, err := s.sql.ExecContext(ctx, `UPDATE audit_log SET outcome = $1,
		resource_id = CASE WHEN $2 = '' THEN resource_id ELSE $2 END,
		detail = CASE WHEN $3 = '' THEN detail ELSE $3 END
		WHERE id = $4 AND outcome = $5`, store.AuditDone, resourceID, detail, id, store.AuditPending)
	return s.onePending(res, err, id)
}

// WithdrawAudit deletes a pending entry.
func (s *DB) WithdrawAudit(ctx context.Context, id int64) error {
	res, err := s.sql.ExecContext(ctx, `DELETE FROM audit_log WHERE id = $1 AND outcome = $2`, id, store.AuditPending)
	return s.onePending(res, err, id)
}

func (s *DB) onePending(res sql.Result, err error, id int64) error {
	if err != nil {
		return s.mapErr(err, "audit entry")
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("%w: pending audit entry %d", store.ErrNotFound, id)
	}
	return nil
}

// ListAudit returns entries newest first.
func (s *DB) ListAudit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if !f.Since.IsZero() {
		add("at >= ?", f.Since.UTC())
	}
	if !f.Until.IsZero() {
		add("at < ?", f.Until.UTC())
	}
	if f.Resource != "" {
		add("resource = ?", f.Resource)
	}
	q := `SELECT ` + auditCols + ` FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 || limit > 10000 {
		limit = 1000
	}
	q += " ORDER BY id DESC LIMIT " + strconv.Itoa(limit)
	es, err := collect(ctx, s.sql, scanAudit, q, args...)
	return es, s.mapErr(err, "audit log")
}
