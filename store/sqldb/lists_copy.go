package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/outdial/outdial/store"
)

// errEOF ends a row source.
var errEOF = io.EOF

// insertBatchRows is how many rows one multi-row INSERT carries when the dialect has no
// CopyRows; SQLite allows 32766 parameters per statement.
const insertBatchRows = 500

// withConnTx runs fn in a transaction on one dedicated connection, so that a dialect's
// CopyRows can reach the driver connection the transaction runs on.
func (s *DB) withConnTx(ctx context.Context, fn func(conn *sql.Conn, tx *sql.Tx) error) error {
	conn, err := s.sql.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqldb: connection: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqldb: begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(conn, tx); err != nil {
		return err
	}
	return tx.Commit()
}

// bulkWrite streams rows into table for list listID (which must be of kind) in one
// transaction and adds their number to the list's entry count.
func (s *DB) bulkWrite(ctx context.Context, listID int64, kind store.ListKind, table string, cols []string, next func() ([]any, error)) (int64, error) {
	var n int64
	err := s.withConnTx(ctx, func(conn *sql.Conn, tx *sql.Tx) error {
		if err := s.checkKind(ctx, tx, listID, kind); err != nil {
			return err
		}
		var err error
		if n, err = s.copyRows(ctx, conn, tx, table, cols, next); err != nil {
			return err
		}
		return s.bumpEntries(ctx, tx, listID, n)
	})
	if err != nil {
		if s.dialect.IsUniqueViolation != nil && s.dialect.IsUniqueViolation(err) {
			return 0, fmt.Errorf("%w: a number was added to the list while it was being imported; import again", store.ErrConflict)
		}
		return 0, err
	}
	return n, nil
}

// copyRows loads rows with the dialect's CopyRows, or with batched INSERTs in tx.
func (s *DB) copyRows(ctx context.Context, conn *sql.Conn, tx *sql.Tx, table string, cols []string, next func() ([]any, error)) (int64, error) {
	if s.dialect.CopyRows != nil {
		return s.dialect.CopyRows(ctx, conn, table, cols, next)
	}
	return insertBatches(ctx, tx, table, cols, next)
}

// insertStatement builds a multi-row INSERT with anonymous ? parameters: SQLite (the
// backend without CopyRows) binds them by position, while $N parameters are looked up
// by name per bind, which is quadratic in the batch size.
func insertStatement(table string, cols []string, rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return b.String()
}

// insertBatches writes rows with multi-row INSERTs of insertBatchRows rows, reusing one
// prepared statement for full batches.
func insertBatches(ctx context.Context, tx *sql.Tx, table string, cols []string, next func() ([]any, error)) (int64, error) {
	full, err := tx.PrepareContext(ctx, insertStatement(table, cols, insertBatchRows))
	if err != nil {
		return 0, fmt.Errorf("sqldb: prepare insert into %s: %w", table, err)
	}
	defer full.Close()
	args := make([]any, 0, insertBatchRows*len(cols))
	var n int64
	flush := func() error {
		rows := len(args) / len(cols)
		if rows == 0 {
			return nil
		}
		var err error
		if rows == insertBatchRows {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, insertStatement(table, cols, rows), args...)
		}
		if err != nil {
			return fmt.Errorf("sqldb: insert into %s: %w", table, err)
		}
		n += int64(rows)
		args = args[:0]
		return nil
	}
	for {
		row, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, err
		}
		args = append(args, row...)
		if len(args) == insertBatchRows*len(cols) {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if err := flush(); err != nil {
		return 0, err
	}
	return n, nil
}

// encodeFields stores custom fields as a JSON object.
func encodeFields(f map[string]string) string {
	if len(f) == 0 {
		return "{}"
	}
	b, err := json.Marshal(f)
	if err != nil {
		// A map of strings always marshals; keep the row rather than fail the import.
		return "{}"
	}
	return string(b)
}

func decodeFields(s string) (map[string]string, error) {
	f := map[string]string{}
	if s == "" || s == "{}" {
		return f, nil
	}
	if err := json.Unmarshal([]byte(s), &f); err != nil {
		return nil, fmt.Errorf("sqldb: contact fields: %w", err)
	}
	return f, nil
}
