package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// copyRows streams rows into table with COPY FROM STDIN on the pgx connection under
// conn, so it joins the transaction open on conn.
func copyRows(ctx context.Context, conn *sql.Conn, table string, cols []string, next func() ([]any, error)) (int64, error) {
	var n int64
	err := conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("postgres: copy into %s: driver connection is %T, not pgx", table, dc)
		}
		src := &rowSource{next: next}
		var err error
		n, err = sc.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, src)
		if src.err != nil {
			// The source's own error (a rejected import) wins over COPY's report of it.
			return src.err
		}
		return err
	})
	return n, err
}

// rowSource adapts a next function to pgx.CopyFromSource.
type rowSource struct {
	next func() ([]any, error)
	row  []any
	err  error
}

func (r *rowSource) Next() bool {
	row, err := r.next()
	if err != nil {
		if !errors.Is(err, io.EOF) {
			r.err = err
		}
		return false
	}
	r.row = row
	return true
}

func (r *rowSource) Values() ([]any, error) { return r.row, nil }
func (r *rowSource) Err() error             { return r.err }

var _ pgx.CopyFromSource = (*rowSource)(nil)
