package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

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
func (s *DB) bulkWrite(ctx context.Context, listID, maxAccount int64, kind store.ListKind, table string, cols []string, next func() ([]any, error)) (int64, error) {
	var n int64
	err := s.withConnTx(ctx, func(conn *sql.Conn, tx *sql.Tx) error {
		if err := s.checkKind(ctx, tx, listID, kind); err != nil {
			return err
		}
		var err error
		if n, err = s.copyRows(ctx, conn, tx, table, cols, next); err != nil {
			return err
		}
		if err := s.bumpEntries(ctx, tx, listID, n); err != nil {
			return err
		}
		if maxAccount <= 0 {
			return nil
		}
		// The account-wide count, with this write and every write committed before
		// the lock was ours: two imports that each fit alone cannot both commit.
		if err := s.lock(ctx, tx, lockListEntries); err != nil {
			return s.mapErr(err, "list entries lock")
		}
		var total int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(entries), 0) FROM lists WHERE kind = $1`, string(kind)).Scan(&total); err != nil {
			return s.mapErr(err, "list entries")
		}
		if total > maxAccount {
			return fmt.Errorf("%w: with these %d the %s lists would hold %d entries, more than the account's %d", store.ErrCapacity, n, kind, total, maxAccount)
		}
		return nil
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
// prepared statement for full batches. Rows are gathered on a second goroutine (it
// calls next, which validates and encodes) while this one executes the previous
// batch, so the two overlap; next is still called by one goroutine at a time and not
// at all once insertBatches has returned.
func insertBatches(ctx context.Context, tx *sql.Tx, table string, cols []string, next func() ([]any, error)) (int64, error) {
	full, err := tx.PrepareContext(ctx, insertStatement(table, cols, insertBatchRows))
	if err != nil {
		return 0, fmt.Errorf("sqldb: prepare insert into %s: %w", table, err)
	}
	defer full.Close()
	type batch struct {
		args []any
		err  error
	}
	size := insertBatchRows * len(cols)
	free := make(chan []any, 3)
	for i := 0; i < cap(free); i++ {
		free <- make([]any, 0, size)
	}
	filled := make(chan batch, 1)
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(filled)
		for {
			var args []any
			select {
			case args = <-free:
			case <-quit:
				return
			}
			args = args[:0]
			var err error
			for len(args) < size {
				var row []any
				if row, err = next(); err != nil {
					break
				}
				args = append(args, row...)
			}
			if errors.Is(err, io.EOF) {
				err = nil
			} else if err != nil {
				args = args[:0]
			}
			if len(args) > 0 || err != nil {
				select {
				case filled <- batch{args: args, err: err}:
				case <-quit:
					return
				}
			}
			if len(args) < size || err != nil {
				return
			}
		}
	}()
	defer func() {
		close(quit)
		<-done
	}()
	var n int64
	for b := range filled {
		if b.err != nil {
			return 0, b.err
		}
		rows := len(b.args) / len(cols)
		var err error
		if rows == insertBatchRows {
			_, err = full.ExecContext(ctx, b.args...)
		} else {
			_, err = tx.ExecContext(ctx, insertStatement(table, cols, rows), b.args...)
		}
		if err != nil {
			return 0, fmt.Errorf("sqldb: insert into %s: %w", table, err)
		}
		n += int64(rows)
		clear(b.args) // drop references to this batch's values
		free <- b.args
	}
	return n, nil
}

// encodeFields stores custom fields as a JSON object.
func encodeFields(f map[string]string) string {
	var e fieldsEncoder
	return e.encode(f)
}

// fieldsEncoder writes custom fields as a JSON object, byte for byte what
// json.Marshal writes (keys sorted, the same escapes), without reflection and reusing
// its buffers from row to row. Not safe for concurrent use.
type fieldsEncoder struct {
	keys []string
	buf  []byte
}

func (e *fieldsEncoder) encode(f map[string]string) string {
	if len(f) == 0 {
		return "{}"
	}
	e.keys = e.keys[:0]
	for k := range f {
		e.keys = append(e.keys, k)
	}
	slices.Sort(e.keys)
	e.buf = append(e.buf[:0], '{')
	for i, k := range e.keys {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.buf = appendJSONString(e.buf, k)
		e.buf = append(e.buf, ':')
		e.buf = appendJSONString(e.buf, f[k])
	}
	e.buf = append(e.buf, '}')
	return string(e.buf)
}

// appendJSONString quotes s as encoding/json does: HTML-sensitive characters and
// U+2028/U+2029 as \u escapes, invalid UTF-8 as U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
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
