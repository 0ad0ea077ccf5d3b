package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/outdial/outdial/internal/testdeps"
	"github.com/outdial/outdial/store"
	"github.com/outdial/outdial/store/postgres"
	"github.com/outdial/outdial/store/storetest"
)

func TestConformance(t *testing.T) {
	url := testdeps.PostgresURL(t)
	run := fmt.Sprintf("t%x", rand.Uint64())
	storetest.Run(t, func(t *testing.T, name string) store.Store {
		schema := "outdial_" + run + "_" + name
		admin := adminDB(t, url)
		if _, err := admin.Exec(`CREATE SCHEMA IF NOT EXISTS ` + pgx.Identifier{schema}.Sanitize()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			admin.Exec(`DROP SCHEMA IF EXISTS ` + pgx.Identifier{schema}.Sanitize() + ` CASCADE`)
			admin.Close()
		})
		s, err := postgres.Open(context.Background(), url, postgres.Options{Schema: schema})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func adminDB(t *testing.T, url string) *sql.DB {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	return stdlib.OpenDB(*cfg)
}
