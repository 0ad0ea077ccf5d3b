package sqldb

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/outdial/outdial/store"
)

const auditCols = `id, at, user_id, actor, action, resource, resource_id, detail`

func scanAudit(r rowScanner) (store.AuditEntry, error) {
	var e store.AuditEntry
	var uid sql.NullInt64
	err := r.Scan(&e.ID, &e.At, &uid, &e.Actor, &e.Action, &e.Resource, &e.ResourceID, &e.Detail)
	if uid.Valid {
		e.UserID = &uid.Int64
	}
	e.At = e.At.UTC()
	return e, err
}

// AppendAudit adds an entry; At defaults to now.
func (s *DB) AppendAudit(ctx context.Context, e store.AuditEntry) (store.AuditEntry, error) {
	if e.At.IsZero() {
		e.At = s.now()
	}
	out, err := scanAudit(s.sql.QueryRowContext(ctx, `INSERT INTO audit_log (at, user_id, actor, action, resource, resource_id, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+auditCols,
		e.At.UTC(), nullID(e.UserID), e.Actor, e.Action, e.Resource, e.ResourceID, e.Detail))
	return out, s.mapErr(err, "audit entry")
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
