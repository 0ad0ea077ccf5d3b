package sqldb

import (
	"context"
	"fmt"

	"github.com/outdial/outdial/store"
)

// Setting returns the JSON document stored under key.
func (s *DB) Setting(ctx context.Context, key string) ([]byte, error) {
	var v string
	err := s.sql.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	return []byte(v), s.mapErr(err, fmt.Sprintf("setting %q", key))
}

// PutSetting stores value under key, replacing what was there.
func (s *DB) PutSetting(ctx context.Context, key string, value []byte) error {
	_, err := s.sql.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, string(value), s.now())
	return s.mapErr(err, fmt.Sprintf("setting %q", key))
}

var _ store.Settings = (*DB)(nil)
