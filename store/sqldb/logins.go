package sqldb

import (
	"context"
	"database/sql"
	"time"
)

// RecordLoginFailure adds a failure per key and prunes the old ones, in one transaction.
func (s *DB) RecordLoginFailure(ctx context.Context, keys []string, at, prune time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE at < $1`, prune.UTC()); err != nil {
			return err
		}
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (key, at) VALUES ($1, $2)`, k, at.UTC()); err != nil {
				return err
			}
		}
		return nil
	})
	return s.mapErr(err, "login failures")
}

// RecentLoginFailures returns key's latest failures after since, newest first.
func (s *DB) RecentLoginFailures(ctx context.Context, key string, since time.Time, limit int) ([]time.Time, error) {
	rows, err := s.sql.QueryContext(ctx, `SELECT at FROM login_failures WHERE key = $1 AND at > $2 ORDER BY at DESC, id DESC LIMIT $3`,
		key, since.UTC(), limit)
	if err != nil {
		return nil, s.mapErr(err, "login failures")
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var t time.Time
		if err := rows.Scan(&t); err != nil {
			return nil, s.mapErr(err, "login failures")
		}
		out = append(out, t.UTC())
	}
	return out, s.mapErr(rows.Err(), "login failures")
}

// ClearLoginFailures forgets key's failures.
func (s *DB) ClearLoginFailures(ctx context.Context, key string) error {
	_, err := s.sql.ExecContext(ctx, `DELETE FROM login_failures WHERE key = $1`, key)
	return s.mapErr(err, "login failures")
}
