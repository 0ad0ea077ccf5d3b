package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/outdial/outdial/store/sqldb"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Dialect is SQLite's flavour of the shared SQL store.
var Dialect = sqldb.Dialect{
	Name: "sqlite",
	Types: map[string]string{
		"{{id}}":    "INTEGER PRIMARY KEY AUTOINCREMENT",
		"{{time}}":  "DATETIME",
		"{{bytes}}": "BLOB",
	},
	IsUniqueViolation: func(err error) bool {
		return err != nil && (strings.Contains(err.Error(), "UNIQUE constraint failed") ||
			strings.Contains(err.Error(), "PRIMARY KEY constraint failed"))
	},
	IsForeignKeyViolation: func(err error) bool {
		return err != nil && strings.Contains(err.Error(), "FOREIGN KEY constraint failed")
	},
}

// Open opens (creating when needed) the SQLite database file at path in WAL mode with
// foreign keys on, and applies pending migrations. The folder is created too.
func Open(ctx context.Context, path string) (*sqldb.DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("sqlite: create folder for %s: %w", path, err)
		}
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// One writer at a time is SQLite's rule; a small pool keeps readers concurrent.
	db.SetMaxOpenConns(4)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s, err := sqldb.Open(ctx, db, Dialect)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}
