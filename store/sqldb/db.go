package sqldb

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/outdial/outdial/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Dialect is what differs between SQL backends.
type Dialect struct {
	// Name is "sqlite" or "postgres".
	Name string
	// Types maps the placeholders used in migrations ({{id}}, {{time}}, {{bytes}}) to
	// column definitions.
	Types map[string]string
	// IsUniqueViolation and IsForeignKeyViolation recognise constraint errors.
	IsUniqueViolation     func(error) bool
	IsForeignKeyViolation func(error) bool
	// Lock, when set, serialises the transactions that take the same key between
	// processes (PostgreSQL: a transaction-level advisory lock). SQLite needs none: its
	// write transactions are immediate and one at a time.
	Lock func(ctx context.Context, tx *sql.Tx, key int64) error
	// CopyRows, when set, bulk-loads rows into table through conn, inside the
	// transaction open on conn (PostgreSQL: COPY). next returns io.EOF after the last
	// row. When nil, batched multi-row INSERTs are used (see lists_copy.go).
	CopyRows func(ctx context.Context, conn *sql.Conn, table string, cols []string, next func() ([]any, error)) (int64, error)
}

// DB implements store.Store over database/sql.
type DB struct {
	sql     *sql.DB
	dialect Dialect
	now     func() time.Time
}

var _ store.Store = (*DB)(nil)

// Open wraps db, applies pending migrations and returns the store.
func Open(ctx context.Context, db *sql.DB, d Dialect) (*DB, error) {
	s := &DB{sql: db, dialect: d, now: func() time.Time { return time.Now().UTC() }}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// SQL returns the underlying handle, for backend-specific bulk paths.
func (s *DB) SQL() *sql.DB { return s.sql }

// Backend names the dialect.
func (s *DB) Backend() string { return s.dialect.Name }

// Ping checks that the database answers.
func (s *DB) Ping(ctx context.Context) error { return s.sql.PingContext(ctx) }

// Close closes the database handle.
func (s *DB) Close() error { return s.sql.Close() }

// Now returns the store's clock reading, in UTC.
func (s *DB) Now() time.Time { return s.now() }

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations(d Dialect) ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("sqldb: migration file %q is not named NNNN_name.sql", e.Name())
		}
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		text := string(b)
		for k, v := range d.Types {
			text = strings.ReplaceAll(text, k, v)
		}
		if strings.Contains(text, "{{") {
			return nil, fmt.Errorf("sqldb: migration %s has a placeholder dialect %s does not define", e.Name(), d.Name)
		}
		ms = append(ms, migration{version: v, name: name, sql: text})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("sqldb: migrations must be numbered 1, 2, 3...; found %d at position %d", m.version, i+1)
		}
	}
	return ms, nil
}

// Keys of Dialect.Lock.
const (
	// lockMigrations: one node migrates at a time; the others wait, then find nothing
	// to do.
	lockMigrations int64 = 7263510
	// lockAgentless: the count of live agentless attempts and the insert of a new one
	// are one step for every node.
	lockAgentless int64 = 7263511
	// lockListEntries: an import's check of the account's entries and its commit are
	// one step.
	lockListEntries int64 = 7263512
)

// lock takes the dialect's lock on key inside tx, if the dialect has one.
func (s *DB) lock(ctx context.Context, tx *sql.Tx, key int64) error {
	if s.dialect.Lock == nil {
		return nil
	}
	return s.dialect.Lock(ctx, tx, key)
}

func (s *DB) migrate(ctx context.Context) error {
	ms, err := loadMigrations(s.dialect)
	if err != nil {
		return err
	}
	tx, err := s.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqldb: begin migrations: %w", err)
	}
	defer tx.Rollback()
	if err := s.lock(ctx, tx, lockMigrations); err != nil {
		return fmt.Errorf("sqldb: lock migrations: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("sqldb: create schema_migrations: %w", err)
	}
	var applied int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&applied); err != nil {
		return fmt.Errorf("sqldb: read schema version: %w", err)
	}
	if applied > len(ms) {
		return fmt.Errorf("%w: database is at version %d, this binary knows %d", store.ErrMigrationsAhead, applied, len(ms))
	}
	for _, m := range ms[applied:] {
		for _, stmt := range splitStatements(m.sql) {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("sqldb: migration %04d_%s: %w", m.version, m.name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			m.version, m.name, s.now().Format(time.RFC3339)); err != nil {
			return fmt.Errorf("sqldb: record migration %d: %w", m.version, err)
		}
	}
	return tx.Commit()
}

// splitStatements splits a migration on semicolons that end a line; statements in
// migrations must not contain such semicolons elsewhere.
func splitStatements(text string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			if stmt := strings.TrimSpace(cur.String()); stmt != ";" {
				out = append(out, stmt)
			}
			cur.Reset()
		}
	}
	if stmt := strings.TrimSpace(cur.String()); stmt != "" {
		out = append(out, stmt)
	}
	return out
}

// SchemaVersion returns the applied and the latest known migration versions.
func (s *DB) SchemaVersion(ctx context.Context) (applied, latest int, err error) {
	ms, err := loadMigrations(s.dialect)
	if err != nil {
		return 0, 0, err
	}
	err = s.sql.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&applied)
	return applied, len(ms), err
}

// mapErr turns constraint violations into store errors, naming what was violated.
func (s *DB) mapErr(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%w: %s", store.ErrNotFound, what)
	case s.dialect.IsUniqueViolation != nil && s.dialect.IsUniqueViolation(err):
		return fmt.Errorf("%w: %s", store.ErrConflict, what)
	case s.dialect.IsForeignKeyViolation != nil && s.dialect.IsForeignKeyViolation(err):
		return fmt.Errorf("%w: %s is referenced by other records", store.ErrInUse, what)
	}
	return fmt.Errorf("sqldb: %s: %w", what, err)
}

// deleteByID deletes one row and reports ErrNotFound when none matched.
func (s *DB) deleteByID(ctx context.Context, table string, id int64, what string) error {
	res, err := s.sql.ExecContext(ctx, "DELETE FROM "+table+" WHERE id = $1", id)
	if err != nil {
		return s.mapErr(err, what)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: %s", store.ErrNotFound, what)
	}
	return nil
}

// execOne runs an UPDATE and reports ErrNotFound when no row matched.
func (s *DB) execOne(ctx context.Context, what, query string, args ...any) error {
	res, err := s.sql.ExecContext(ctx, query, args...)
	if err != nil {
		return s.mapErr(err, what)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: %s", store.ErrNotFound, what)
	}
	return nil
}

// nullTime converts an optional time for a query argument.
func nullTime(t *time.Time) sql.NullTime {
	if t == nil {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: t.UTC(), Valid: true}
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

// rowScanner is satisfied by *sql.Row and *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

// collect runs a query and scans every row with scan.
func collect[T any](ctx context.Context, db *sql.DB, scan func(rowScanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
