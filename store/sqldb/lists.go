package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/outdial/outdial/store"
)

var _ store.Lists = (*DB)(nil)

const listCols = `id, kind, name, description, status, source, entries, is_global, error, config, next_sync_at, created_at, updated_at`

func scanList(r rowScanner) (store.List, error) {
	var l store.List
	var kind, status, source, config string
	var next sql.NullTime
	err := r.Scan(&l.ID, &kind, &l.Name, &l.Description, &status, &source, &l.Entries, &l.Global, &l.Error, &config, &next, &l.CreatedAt, &l.UpdatedAt)
	l.Kind, l.Status, l.Source = store.ListKind(kind), store.ListStatus(status), store.ListSource(source)
	l.Config = []byte(config)
	l.NextSyncAt = timePtr(next)
	l.CreatedAt, l.UpdatedAt = l.CreatedAt.UTC(), l.UpdatedAt.UTC()
	l.Campaigns = []string{}
	return l, err
}

func configText(b []byte) string {
	if len(b) == 0 {
		return "{}"
	}
	return string(b)
}

// CreateList stores a new list; names are unique per kind.
func (s *DB) CreateList(ctx context.Context, l store.List) (store.List, error) {
	if !l.Kind.Valid() {
		return l, fmt.Errorf("sqldb: list kind %q is not contact, dnc or mapping", l.Kind)
	}
	if l.Status == "" {
		l.Status = store.ListValidating
	}
	if l.Source == "" {
		l.Source = store.SourceCSV
	}
	now := s.now()
	out, err := scanList(s.sql.QueryRowContext(ctx, `INSERT INTO lists (kind, name, description, status, source, error, config, next_sync_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING `+listCols,
		string(l.Kind), l.Name, l.Description, string(l.Status), string(l.Source), l.Error, configText(l.Config), nullTime(l.NextSyncAt), now))
	return out, s.mapErr(err, fmt.Sprintf("%s list %q", l.Kind, l.Name))
}

// ListByID returns one list with the campaigns that use it.
func (s *DB) ListByID(ctx context.Context, id int64) (store.List, error) {
	l, err := scanList(s.sql.QueryRowContext(ctx, `SELECT `+listCols+` FROM lists WHERE id = $1`, id))
	if err != nil {
		return l, s.mapErr(err, fmt.Sprintf("list %d", id))
	}
	ls, err := s.withCampaigns(ctx, []store.List{l})
	if err != nil {
		return l, err
	}
	return ls[0], nil
}

// inList appends placeholders for ids to args and returns "($k, $k+1, ...)".
func inList(args []any, ids []int64) (string, []any) {
	var b strings.Builder
	b.WriteByte('(')
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		args = append(args, id)
		b.WriteString("$" + strconv.Itoa(len(args)))
	}
	if len(ids) == 0 {
		b.WriteString("NULL")
	}
	b.WriteByte(')')
	return b.String(), args
}

func (s *DB) withCampaigns(ctx context.Context, ls []store.List) ([]store.List, error) {
	if len(ls) == 0 {
		return ls, nil
	}
	ids := make([]int64, len(ls))
	at := make(map[int64]int, len(ls))
	for i, l := range ls {
		ids[i] = l.ID
		at[l.ID] = i
	}
	in, args := inList(nil, ids)
	rows, err := s.sql.QueryContext(ctx, `SELECT list_id, campaign_name FROM list_usage WHERE list_id IN `+in+` ORDER BY campaign_name, campaign_id`, args...)
	if err != nil {
		return nil, s.mapErr(err, "list usage")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		ls[at[id]].Campaigns = append(ls[at[id]].Campaigns, name)
	}
	return ls, rows.Err()
}

// likePattern turns a search phrase into a lower-case LIKE pattern with escapes.
func likePattern(search string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + strings.ToLower(r.Replace(search)) + "%"
}

func pageLimit(limit int) int {
	if limit <= 0 {
		return 50
	}
	if limit > 10_000 {
		return 10_000
	}
	return limit
}

// FindLists returns a filtered, sorted page of lists and the total match count.
func (s *DB) FindLists(ctx context.Context, f store.ListFilter) ([]store.List, int64, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(len(args))))
	}
	if f.Kind != "" {
		add(`kind = $?`, string(f.Kind))
	}
	if f.Source != "" {
		add(`source = $?`, string(f.Source))
	}
	if f.Search != "" {
		add(`(LOWER(name) LIKE $? ESCAPE '\' OR LOWER(description) LIKE $? ESCAPE '\')`, likePattern(f.Search))
	}
	if f.SyncDueBy != nil {
		add(`next_sync_at IS NOT NULL AND next_sync_at <= $?`, f.SyncDueBy.UTC())
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int64
	if err := s.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM lists`+cond, args...).Scan(&total); err != nil {
		return nil, 0, s.mapErr(err, "lists")
	}
	col, desc := "updated_at", true
	switch f.Sort {
	case "", store.SortUpdated:
		if f.Sort != "" {
			desc = f.Desc
		}
	case store.SortName:
		col, desc = "LOWER(name)", f.Desc
	case store.SortCreated:
		col, desc = "created_at", f.Desc
	case store.SortEntries:
		col, desc = "entries", f.Desc
	default:
		return nil, 0, fmt.Errorf("sqldb: sort %q is not one of updated_at, name, created_at, entries", f.Sort)
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	args = append(args, pageLimit(f.Limit), max(f.Offset, 0))
	q := `SELECT ` + listCols + ` FROM lists` + cond + ` ORDER BY ` + col + dir + `, id` + dir +
		fmt.Sprintf(` LIMIT $%d OFFSET $%d`, len(args)-1, len(args))
	ls, err := collect(ctx, s.sql, scanList, q, args...)
	if err != nil {
		return nil, 0, s.mapErr(err, "lists")
	}
	ls, err = s.withCampaigns(ctx, ls)
	return ls, total, err
}

// UpdateList replaces the editable fields of a list.
func (s *DB) UpdateList(ctx context.Context, l store.List) (store.List, error) {
	out, err := scanList(s.sql.QueryRowContext(ctx, `UPDATE lists SET name = $1, description = $2, status = $3, error = $4, config = $5,
		next_sync_at = $6, updated_at = $7 WHERE id = $8 RETURNING `+listCols,
		l.Name, l.Description, string(l.Status), l.Error, configText(l.Config), nullTime(l.NextSyncAt), s.now(), l.ID))
	if err != nil {
		return out, s.mapErr(err, fmt.Sprintf("list %d", l.ID))
	}
	ls, err := s.withCampaigns(ctx, []store.List{out})
	if err != nil {
		return out, err
	}
	return ls[0], nil
}

// DeleteList removes a list and everything in it, unless a campaign uses it or it is
// the global DNC list.
func (s *DB) DeleteList(ctx context.Context, id int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var global bool
		var name string
		if err := tx.QueryRowContext(ctx, `SELECT is_global, name FROM lists WHERE id = $1`, id).Scan(&global, &name); err != nil {
			return s.mapErr(err, fmt.Sprintf("list %d", id))
		}
		if global {
			return fmt.Errorf("%w: list %q is the global DNC list; mark another DNC list as global first", store.ErrInUse, name)
		}
		rows, err := tx.QueryContext(ctx, `SELECT campaign_name FROM list_usage WHERE list_id = $1 ORDER BY campaign_name`, id)
		if err != nil {
			return s.mapErr(err, "list usage")
		}
		var used []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return err
			}
			used = append(used, fmt.Sprintf("%q", n))
		}
		rows.Close()
		if len(used) > 0 {
			return fmt.Errorf("%w: list %q is used by campaign %s; remove it from the campaign first", store.ErrInUse, name, strings.Join(used, ", "))
		}
		// Entries go by ON DELETE CASCADE; deleting them first keeps SQLite's cascade
		// from holding a huge list in one statement's journal twice.
		for _, t := range []string{"contacts", "dnc_entries", "agent_mappings"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE list_id = $1`, id); err != nil {
				return s.mapErr(err, fmt.Sprintf("entries of list %d", id))
			}
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM lists WHERE id = $1`, id)
		return s.mapErr(err, fmt.Sprintf("list %d", id))
	})
}

// ListTotals counts the lists of a kind and their entries.
func (s *DB) ListTotals(ctx context.Context, kind store.ListKind) (lists, entries int64, err error) {
	err = s.sql.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(entries), 0) FROM lists WHERE kind = $1`, string(kind)).Scan(&lists, &entries)
	return lists, entries, s.mapErr(err, "list totals")
}

// GlobalDNC returns the global DNC list.
func (s *DB) GlobalDNC(ctx context.Context) (store.List, error) {
	var id int64
	if err := s.sql.QueryRowContext(ctx, `SELECT id FROM lists WHERE is_global`).Scan(&id); err != nil {
		return store.List{}, s.mapErr(err, "global DNC list")
	}
	return s.ListByID(ctx, id)
}

// SetGlobalDNC makes list id the global DNC list in one transaction.
func (s *DB) SetGlobalDNC(ctx context.Context, id int64) (store.List, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var kind string
		if err := tx.QueryRowContext(ctx, `SELECT kind FROM lists WHERE id = $1`, id).Scan(&kind); err != nil {
			return s.mapErr(err, fmt.Sprintf("list %d", id))
		}
		if kind != string(store.ListDNC) {
			return fmt.Errorf("%w: list %d is a %s list; only DNC lists can be global", store.ErrNotFound, id, kind)
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE lists SET is_global = FALSE, updated_at = $1 WHERE is_global AND id <> $2`, now, id); err != nil {
			return s.mapErr(err, "global DNC list")
		}
		_, err := tx.ExecContext(ctx, `UPDATE lists SET is_global = TRUE, updated_at = $1 WHERE id = $2`, now, id)
		return s.mapErr(err, fmt.Sprintf("list %d", id))
	})
	if err != nil {
		return store.List{}, err
	}
	return s.ListByID(ctx, id)
}

// LinkList records that a campaign uses a list (idempotent; the name is refreshed).
func (s *DB) LinkList(ctx context.Context, listID, campaignID int64, campaignName string) error {
	_, err := s.sql.ExecContext(ctx, `INSERT INTO list_usage (list_id, campaign_id, campaign_name) VALUES ($1, $2, $3)
		ON CONFLICT (list_id, campaign_id) DO UPDATE SET campaign_name = excluded.campaign_name`, listID, campaignID, campaignName)
	if err != nil && s.dialect.IsForeignKeyViolation(err) {
		return fmt.Errorf("%w: list %d", store.ErrNotFound, listID)
	}
	return s.mapErr(err, fmt.Sprintf("usage of list %d", listID))
}

// UnlinkList removes a usage record.
func (s *DB) UnlinkList(ctx context.Context, listID, campaignID int64) error {
	return s.execOne(ctx, fmt.Sprintf("usage of list %d by campaign %d", listID, campaignID),
		`DELETE FROM list_usage WHERE list_id = $1 AND campaign_id = $2`, listID, campaignID)
}

// checkKind fails unless list id exists and is of kind.
func (s *DB) checkKind(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id int64, kind store.ListKind) error {
	var k string
	if err := q.QueryRowContext(ctx, `SELECT kind FROM lists WHERE id = $1`, id).Scan(&k); err != nil {
		return s.mapErr(err, fmt.Sprintf("list %d", id))
	}
	if k != string(kind) {
		return fmt.Errorf("%w: list %d is a %s list, not a %s list", store.ErrNotFound, id, k, kind)
	}
	return nil
}

// bumpEntries adds n to a list's entry count and touches it.
func (s *DB) bumpEntries(ctx context.Context, tx *sql.Tx, id, n int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE lists SET entries = entries + $1, updated_at = $2 WHERE id = $3`, n, s.now(), id)
	return s.mapErr(err, fmt.Sprintf("list %d", id))
}

// ---- contacts

var contactInsertCols = []string{"list_id", "row_num", "phone", "alt_phones", "first_name", "last_name", "time_zone", "priority", "agent_id", "fields", "created_at"}

const contactCols = `id, list_id, row_num, phone, alt_phones, first_name, last_name, time_zone, priority, agent_id, fields, created_at`

func scanContact(r rowScanner) (store.Contact, error) {
	var c store.Contact
	var phone, alt, fields string
	var agent sql.NullInt64
	err := r.Scan(&c.ID, &c.ListID, &c.Row, &phone, &alt, &c.FirstName, &c.LastName, &c.TimeZone, &c.Priority, &agent, &fields, &c.CreatedAt)
	if err != nil {
		return c, err
	}
	c.Phones = append([]string{phone}, strings.Fields(alt)...)
	if agent.Valid {
		c.AgentID = &agent.Int64
	}
	c.Fields, err = decodeFields(fields)
	c.CreatedAt = c.CreatedAt.UTC()
	return c, err
}

// WriteContacts appends contacts in one transaction.
func (s *DB) WriteContacts(ctx context.Context, listID, maxAccount int64, next func() (store.Contact, error)) (int64, error) {
	now := s.now()
	row := make([]any, len(contactInsertCols))
	var fields fieldsEncoder
	return s.bulkWrite(ctx, listID, maxAccount, store.ListContact, "contacts", contactInsertCols, func() ([]any, error) {
		c, err := next()
		if err != nil {
			return nil, err
		}
		if len(c.Phones) == 0 {
			return nil, fmt.Errorf("sqldb: contact of row %d has no phone number", c.Row)
		}
		var agent *int64
		if c.AgentID != nil {
			v := *c.AgentID
			agent = &v
		}
		row[0], row[1], row[2], row[3] = listID, c.Row, c.Phones[0], strings.Join(c.Phones[1:], " ")
		row[4], row[5], row[6], row[7] = c.FirstName, c.LastName, c.TimeZone, c.Priority
		row[8], row[9], row[10] = agent, fields.encode(c.Fields), now
		return row, nil
	})
}

// Contacts returns a page of a list's contacts.
func (s *DB) Contacts(ctx context.Context, listID int64, p store.Page) ([]store.Contact, int64, error) {
	if err := s.checkKind(ctx, s.sql, listID, store.ListContact); err != nil {
		return nil, 0, err
	}
	cond, args := `list_id = $1`, []any{listID}
	if p.Search != "" {
		args = append(args, likePattern(p.Search))
		cond += ` AND (phone LIKE $2 ESCAPE '\' OR alt_phones LIKE $2 ESCAPE '\' OR LOWER(first_name) LIKE $2 ESCAPE '\' OR LOWER(last_name) LIKE $2 ESCAPE '\')`
	}
	return pageOf(ctx, s, scanContact, "contacts", contactCols, cond, "id", args, p)
}

// pageOf runs a count and a paged select over table.
func pageOf[T any](ctx context.Context, s *DB, scan func(rowScanner) (T, error), table, cols, cond, order string, args []any, p store.Page) ([]T, int64, error) {
	var total int64
	if err := s.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, s.mapErr(err, table)
	}
	args = append(args, pageLimit(p.Limit), max(p.Offset, 0))
	out, err := collect(ctx, s.sql, scan, `SELECT `+cols+` FROM `+table+` WHERE `+cond+` ORDER BY `+order+
		fmt.Sprintf(` LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	return out, total, s.mapErr(err, table)
}

// EachContact streams contacts of lists, list by list, in row order.
func (s *DB) EachContact(ctx context.Context, listIDs []int64, fn func(store.Contact) error) error {
	for _, id := range listIDs {
		if err := eachOf(ctx, s, scanContact, fn, `SELECT `+contactCols+` FROM contacts WHERE list_id = $1 ORDER BY id`, id); err != nil {
			return err
		}
	}
	return nil
}

// eachOf streams the rows of a query through fn.
func eachOf[T any](ctx context.Context, s *DB, scan func(rowScanner) (T, error), fn func(T) error, query string, args ...any) error {
	rows, err := s.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return s.mapErr(err, "query")
	}
	defer rows.Close()
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EachContactPhones streams ids and phones of the contacts of lists.
func (s *DB) EachContactPhones(ctx context.Context, listIDs []int64, fn func(int64, []string) error) error {
	for _, list := range listIDs {
		rows, err := s.sql.QueryContext(ctx, `SELECT id, phone, alt_phones FROM contacts WHERE list_id = $1 ORDER BY id`, list)
		if err != nil {
			return s.mapErr(err, "contacts")
		}
		var id int64
		var phone, alt string
		for rows.Next() {
			if err := rows.Scan(&id, &phone, &alt); err != nil {
				rows.Close()
				return err
			}
			phones := []string{phone}
			if alt != "" {
				phones = append(phones, strings.Fields(alt)...)
			}
			if err := fn(id, phones); err != nil {
				rows.Close()
				return err
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// EachNumber streams the numbers of one list.
func (s *DB) EachNumber(ctx context.Context, listID int64, fn func(string) error) error {
	var kind string
	if err := s.sql.QueryRowContext(ctx, `SELECT kind FROM lists WHERE id = $1`, listID).Scan(&kind); err != nil {
		return s.mapErr(err, fmt.Sprintf("list %d", listID))
	}
	q := map[string]string{
		string(store.ListContact): `SELECT phone FROM contacts WHERE list_id = $1`,
		string(store.ListDNC):     `SELECT number FROM dnc_entries WHERE list_id = $1`,
		string(store.ListMapping): `SELECT number FROM agent_mappings WHERE list_id = $1`,
	}[kind]
	rows, err := s.sql.QueryContext(ctx, q, listID)
	if err != nil {
		return s.mapErr(err, fmt.Sprintf("numbers of list %d", listID))
	}
	defer rows.Close()
	var n string
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return err
		}
		if err := fn(n); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ---- imports and rejected rows

const importCols = `id, list_id, source, file_name, strict, status, rows_read, imported, rejected, duplicates, error, started_at, finished_at`

func scanImport(r rowScanner) (store.ListImport, error) {
	var i store.ListImport
	var source string
	err := r.Scan(&i.ID, &i.ListID, &source, &i.FileName, &i.Strict, &i.Status, &i.Rows, &i.Imported, &i.Rejected, &i.Duplicates, &i.Error, &i.StartedAt, &i.FinishedAt)
	i.Source = store.ListSource(source)
	i.StartedAt, i.FinishedAt = i.StartedAt.UTC(), i.FinishedAt.UTC()
	return i, err
}

var rejectCols = []string{"import_id", "row_num", "line", "col", "value", "reason", "raw"}

// RecordImport stores an import and its rejected rows in one transaction.
func (s *DB) RecordImport(ctx context.Context, imp store.ListImport, rejected []store.RejectedRow) (store.ListImport, error) {
	if imp.FinishedAt.IsZero() {
		imp.FinishedAt = s.now()
	}
	if imp.StartedAt.IsZero() {
		imp.StartedAt = imp.FinishedAt
	}
	var out store.ListImport
	err := s.withConnTx(ctx, func(conn *sql.Conn, tx *sql.Tx) error {
		var err error
		out, err = scanImport(tx.QueryRowContext(ctx, `INSERT INTO list_imports (list_id, source, file_name, strict, status, rows_read, imported, rejected, duplicates, error, started_at, finished_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING `+importCols,
			imp.ListID, string(imp.Source), imp.FileName, imp.Strict, imp.Status, imp.Rows, imp.Imported, imp.Rejected, imp.Duplicates, imp.Error,
			imp.StartedAt.UTC(), imp.FinishedAt.UTC()))
		if err != nil {
			if s.dialect.IsForeignKeyViolation(err) {
				return fmt.Errorf("%w: list %d", store.ErrNotFound, imp.ListID)
			}
			return s.mapErr(err, "list import")
		}
		i := 0
		row := make([]any, len(rejectCols))
		_, err = s.copyRows(ctx, conn, tx, "list_rejects", rejectCols, func() ([]any, error) {
			if i == len(rejected) {
				return nil, errEOF
			}
			r := rejected[i]
			i++
			row[0], row[1], row[2], row[3], row[4], row[5], row[6] = out.ID, r.Row, r.Line, r.Column, r.Value, r.Reason, r.Raw
			return row, nil
		})
		return err
	})
	return out, err
}

// Imports returns a list's imports, newest first.
func (s *DB) Imports(ctx context.Context, listID int64) ([]store.ListImport, error) {
	out, err := collect(ctx, s.sql, scanImport, `SELECT `+importCols+` FROM list_imports WHERE list_id = $1 ORDER BY id DESC`, listID)
	return out, s.mapErr(err, "list imports")
}

// ImportByID returns one import.
func (s *DB) ImportByID(ctx context.Context, id int64) (store.ListImport, error) {
	i, err := scanImport(s.sql.QueryRowContext(ctx, `SELECT `+importCols+` FROM list_imports WHERE id = $1`, id))
	return i, s.mapErr(err, fmt.Sprintf("list import %d", id))
}

func scanReject(r rowScanner) (store.RejectedRow, error) {
	var x store.RejectedRow
	err := r.Scan(&x.ImportID, &x.Row, &x.Line, &x.Column, &x.Value, &x.Reason, &x.Raw)
	return x, err
}

// EachRejectedRow streams an import's rejected rows in row order.
func (s *DB) EachRejectedRow(ctx context.Context, importID int64, fn func(store.RejectedRow) error) error {
	return eachOf(ctx, s, scanReject, fn, `SELECT import_id, row_num, line, col, value, reason, raw FROM list_rejects WHERE import_id = $1 ORDER BY row_num, line`, importID)
}

// ---- DNC entries

const dncCols = `id, list_id, number, expires_at, source, created_at`

var dncInsertCols = []string{"list_id", "number", "expires_at", "source", "created_at"}

func scanDNC(r rowScanner) (store.DNCEntry, error) {
	var e store.DNCEntry
	var exp sql.NullTime
	err := r.Scan(&e.ID, &e.ListID, &e.Number, &exp, &e.Source, &e.CreatedAt)
	e.ExpiresAt = timePtr(exp)
	e.CreatedAt = e.CreatedAt.UTC()
	return e, err
}

// WriteDNCEntries appends entries in one transaction.
func (s *DB) WriteDNCEntries(ctx context.Context, listID, maxAccount int64, next func() (store.DNCEntry, error)) (int64, error) {
	now := s.now()
	row := make([]any, len(dncInsertCols))
	return s.bulkWrite(ctx, listID, maxAccount, store.ListDNC, "dnc_entries", dncInsertCols, func() ([]any, error) {
		e, err := next()
		if err != nil {
			return nil, err
		}
		row[0], row[1], row[2], row[3], row[4] = listID, e.Number, nullTime(e.ExpiresAt), e.Source, now
		return row, nil
	})
}

// PutDNCEntry adds a number or updates the expiry of one already listed.
func (s *DB) PutDNCEntry(ctx context.Context, e store.DNCEntry) (store.DNCEntry, error) {
	var out store.DNCEntry
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.checkKind(ctx, tx, e.ListID, store.ListDNC); err != nil {
			return err
		}
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM dnc_entries WHERE list_id = $1 AND number = $2`, e.ListID, e.Number).Scan(&id)
		switch {
		case err == sql.ErrNoRows:
			out, err = scanDNC(tx.QueryRowContext(ctx, `INSERT INTO dnc_entries (list_id, number, expires_at, source, created_at)
				VALUES ($1, $2, $3, $4, $5) RETURNING `+dncCols, e.ListID, e.Number, nullTime(e.ExpiresAt), e.Source, s.now()))
			if err != nil {
				return s.mapErr(err, fmt.Sprintf("DNC entry %s", e.Number))
			}
			return s.bumpEntries(ctx, tx, e.ListID, 1)
		case err != nil:
			return s.mapErr(err, fmt.Sprintf("DNC entry %s", e.Number))
		}
		out, err = scanDNC(tx.QueryRowContext(ctx, `UPDATE dnc_entries SET expires_at = $1, source = $2 WHERE id = $3 RETURNING `+dncCols,
			nullTime(e.ExpiresAt), e.Source, id))
		if err != nil {
			return s.mapErr(err, fmt.Sprintf("DNC entry %s", e.Number))
		}
		_, err = tx.ExecContext(ctx, `UPDATE lists SET updated_at = $1 WHERE id = $2`, s.now(), e.ListID)
		return err
	})
	return out, err
}

// DNCEntries returns a page of a DNC list's entries.
func (s *DB) DNCEntries(ctx context.Context, listID int64, p store.Page) ([]store.DNCEntry, int64, error) {
	if err := s.checkKind(ctx, s.sql, listID, store.ListDNC); err != nil {
		return nil, 0, err
	}
	cond, args := `list_id = $1`, []any{listID}
	if p.Search != "" {
		args = append(args, likePattern(p.Search))
		cond += ` AND number LIKE $2 ESCAPE '\'`
	}
	return pageOf(ctx, s, scanDNC, "dnc_entries", dncCols, cond, "id", args, p)
}

// DeleteDNCEntry removes one entry.
func (s *DB) DeleteDNCEntry(ctx context.Context, listID, id int64) error {
	return s.deleteEntry(ctx, "dnc_entries", "DNC entry", listID, id)
}

func (s *DB) deleteEntry(ctx context.Context, table, what string, listID, id int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE list_id = $1 AND id = $2`, listID, id)
		if err != nil {
			return s.mapErr(err, what)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: %s %d in list %d", store.ErrNotFound, what, id, listID)
		}
		return s.bumpEntries(ctx, tx, listID, -1)
	})
}

// EachActiveDNC streams the entries of lists that block at time at.
func (s *DB) EachActiveDNC(ctx context.Context, listIDs []int64, at time.Time, fn func(store.DNCEntry) error) error {
	in, args := inList([]any{at.UTC()}, listIDs)
	return eachOf(ctx, s, scanDNC, fn, `SELECT `+dncCols+` FROM dnc_entries WHERE list_id IN `+in+` AND (expires_at IS NULL OR expires_at > $1)`, args...)
}

// EachActiveDNCNumber streams the list ids and numbers of lists' entries that block at
// time at.
func (s *DB) EachActiveDNCNumber(ctx context.Context, listIDs []int64, at time.Time, fn func(int64, string) error) error {
	in, args := inList([]any{at.UTC()}, listIDs)
	rows, err := s.sql.QueryContext(ctx, `SELECT list_id, number FROM dnc_entries WHERE list_id IN `+in+` AND (expires_at IS NULL OR expires_at > $1)`, args...)
	if err != nil {
		return s.mapErr(err, "DNC entries")
	}
	defer rows.Close()
	var id int64
	var n string
	for rows.Next() {
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		if err := fn(id, n); err != nil {
			return err
		}
	}
	return rows.Err()
}

// DNCMatch returns a blocking entry for number, or ErrNotFound.
func (s *DB) DNCMatch(ctx context.Context, number string, listIDs []int64, at time.Time) (store.DNCEntry, error) {
	in, args := inList([]any{number, at.UTC()}, listIDs)
	e, err := scanDNC(s.sql.QueryRowContext(ctx, `SELECT `+dncCols+` FROM dnc_entries WHERE number = $1 AND list_id IN `+in+
		` AND (expires_at IS NULL OR expires_at > $2) ORDER BY id LIMIT 1`, args...))
	return e, s.mapErr(err, fmt.Sprintf("DNC entry for %s", number))
}

// ---- agent mappings

const mappingCols = `id, list_id, number, agent_id, priority, created_at, updated_at`

var mappingInsertCols = []string{"list_id", "number", "agent_id", "priority", "created_at", "updated_at"}

func scanMapping(r rowScanner) (store.AgentMapping, error) {
	var m store.AgentMapping
	err := r.Scan(&m.ID, &m.ListID, &m.Number, &m.AgentID, &m.Priority, &m.CreatedAt, &m.UpdatedAt)
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return m, err
}

// WriteAgentMappings appends mappings in one transaction.
func (s *DB) WriteAgentMappings(ctx context.Context, listID int64, next func() (store.AgentMapping, error)) (int64, error) {
	now := s.now()
	row := make([]any, len(mappingInsertCols))
	n, err := s.bulkWrite(ctx, listID, 0, store.ListMapping, "agent_mappings", mappingInsertCols, func() ([]any, error) {
		m, err := next()
		if err != nil {
			return nil, err
		}
		row[0], row[1], row[2], row[3], row[4], row[5] = listID, m.Number, m.AgentID, m.Priority, now, now
		return row, nil
	})
	if err != nil && s.dialect.IsForeignKeyViolation(err) {
		return 0, fmt.Errorf("%w: an agent of the mapping list was deleted during the import", store.ErrNotFound)
	}
	return n, err
}

// PutAgentMapping creates (ID 0) or updates a mapping.
func (s *DB) PutAgentMapping(ctx context.Context, m store.AgentMapping) (store.AgentMapping, error) {
	var out store.AgentMapping
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.checkKind(ctx, tx, m.ListID, store.ListMapping); err != nil {
			return err
		}
		now := s.now()
		var err error
		if m.ID == 0 {
			out, err = scanMapping(tx.QueryRowContext(ctx, `INSERT INTO agent_mappings (list_id, number, agent_id, priority, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $5) RETURNING `+mappingCols, m.ListID, m.Number, m.AgentID, m.Priority, now))
			if err == nil {
				err = s.bumpEntries(ctx, tx, m.ListID, 1)
			}
		} else {
			out, err = scanMapping(tx.QueryRowContext(ctx, `UPDATE agent_mappings SET number = $1, agent_id = $2, priority = $3, updated_at = $4
				WHERE id = $5 AND list_id = $6 RETURNING `+mappingCols, m.Number, m.AgentID, m.Priority, now, m.ID, m.ListID))
		}
		if err != nil && s.dialect.IsForeignKeyViolation(err) {
			return fmt.Errorf("%w: agent %d", store.ErrNotFound, m.AgentID)
		}
		return s.mapErr(err, fmt.Sprintf("mapping of %s", m.Number))
	})
	return out, err
}

// AgentMappings returns a page of a mapping list's entries.
func (s *DB) AgentMappings(ctx context.Context, listID int64, p store.Page) ([]store.AgentMapping, int64, error) {
	if err := s.checkKind(ctx, s.sql, listID, store.ListMapping); err != nil {
		return nil, 0, err
	}
	cond, args := `list_id = $1`, []any{listID}
	if p.Search != "" {
		args = append(args, likePattern(p.Search))
		cond += ` AND number LIKE $2 ESCAPE '\'`
	}
	return pageOf(ctx, s, scanMapping, "agent_mappings", mappingCols, cond, "id", args, p)
}

// DeleteAgentMapping removes one mapping.
func (s *DB) DeleteAgentMapping(ctx context.Context, listID, id int64) error {
	return s.deleteEntry(ctx, "agent_mappings", "agent mapping", listID, id)
}

// ---- List Management Log

const syncLogCols = `id, at, list_id, list_name, campaigns, status, description, records`

func scanSyncLog(r rowScanner) (store.SyncLog, error) {
	var l store.SyncLog
	err := r.Scan(&l.ID, &l.At, &l.ListID, &l.ListName, &l.Campaigns, &l.Status, &l.Description, &l.Records)
	l.At = l.At.UTC()
	return l, err
}

// AppendSyncLog stores one log row.
func (s *DB) AppendSyncLog(ctx context.Context, l store.SyncLog) (store.SyncLog, error) {
	if l.At.IsZero() {
		l.At = s.now()
	}
	out, err := scanSyncLog(s.sql.QueryRowContext(ctx, `INSERT INTO list_sync_log (at, list_id, list_name, campaigns, status, description, records, payload)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING `+syncLogCols,
		l.At.UTC(), l.ListID, l.ListName, l.Campaigns, l.Status, l.Description, l.Records, string(l.Payload)))
	out.Payload = l.Payload
	return out, s.mapErr(err, "list sync log")
}

// SyncLogs returns a page of log rows, newest first.
func (s *DB) SyncLogs(ctx context.Context, f store.SyncLogFilter) ([]store.SyncLog, int64, error) {
	conds, args := []string{"1 = 1"}, []any{}
	if f.Search != "" {
		args = append(args, likePattern(f.Search))
		n := "$" + strconv.Itoa(len(args))
		conds = append(conds, `(LOWER(list_name) LIKE `+n+` ESCAPE '\' OR LOWER(campaigns) LIKE `+n+` ESCAPE '\' OR LOWER(description) LIKE `+n+` ESCAPE '\' OR LOWER(status) LIKE `+n+` ESCAPE '\')`)
	}
	if !f.Since.IsZero() {
		args = append(args, f.Since.UTC())
		conds = append(conds, `at >= $`+strconv.Itoa(len(args)))
	}
	if !f.Until.IsZero() {
		args = append(args, f.Until.UTC())
		conds = append(conds, `at < $`+strconv.Itoa(len(args)))
	}
	return pageOf(ctx, s, scanSyncLog, "list_sync_log", syncLogCols, strings.Join(conds, " AND "), "at DESC, id DESC", args,
		store.Page{Limit: f.Limit, Offset: f.Offset})
}

// SyncLogByID returns one log row with its payload.
func (s *DB) SyncLogByID(ctx context.Context, id int64) (store.SyncLog, error) {
	var payload string
	var l store.SyncLog
	err := s.sql.QueryRowContext(ctx, `SELECT `+syncLogCols+`, payload FROM list_sync_log WHERE id = $1`, id).
		Scan(&l.ID, &l.At, &l.ListID, &l.ListName, &l.Campaigns, &l.Status, &l.Description, &l.Records, &payload)
	l.At = l.At.UTC()
	l.Payload = []byte(payload)
	return l, s.mapErr(err, fmt.Sprintf("list sync log %d", id))
}
