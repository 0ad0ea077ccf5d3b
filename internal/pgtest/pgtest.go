package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/outdial/outdial/internal/testdeps"
	"github.com/outdial/outdial/store/postgres"
	"github.com/outdial/outdial/store/sqldb"
)

// Run names the schemas of one test run after a random id, so that runs at the same
// time never collide.
type Run struct{ id uint64 }

// NewRun returns a Run with a new id.
func NewRun() Run { return Run{id: rand.Uint64()} }

// Open returns a store on the run's schema for name, created on first use; the same
// name opens the same schema again (a reopen). The schema is dropped when t ends.
func (r Run) Open(t testing.TB, name string) *sqldb.DB {
	t.Helper()
	url := testdeps.PostgresURL(t)
	schema := fmt.Sprintf("outdial_%x_%s", r.id, name)
	quoted := pgx.Identifier{schema}.Sanitize()
	admin, err := adminDB(url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`CREATE SCHEMA IF NOT EXISTS ` + quoted); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec(`DROP SCHEMA IF EXISTS ` + quoted + ` CASCADE`)
		admin.Close()
	})
	s, err := postgres.Open(context.Background(), url, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Open is NewRun().Open: a store on a schema of its own.
func Open(t testing.TB, name string) *sqldb.DB { return NewRun().Open(t, name) }

func adminDB(url string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("pgtest: %s: %w", testdeps.DatabaseURLEnv, err)
	}
	return stdlib.OpenDB(*cfg), nil
}
