package sqldb

import (
	"context"
	"fmt"
	"strings"

	"github.com/outdial/outdial/store"
)

const trunkCols = `id, name, address, transport, username, password, from_domain, max_channels, max_cps, codecs, priority, enabled, created_at, updated_at`

func scanTrunk(r rowScanner) (store.Trunk, error) {
	var t store.Trunk
	var codecs string
	err := r.Scan(&t.ID, &t.Name, &t.Address, &t.Transport, &t.Username, &t.Password, &t.FromDomain,
		&t.MaxChannels, &t.MaxCPS, &codecs, &t.Priority, &t.Enabled, &t.CreatedAt, &t.UpdatedAt)
	t.Codecs = splitList(codecs)
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return t, err
}

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// CreateTrunk stores a trunk; its name must be free.
func (s *DB) CreateTrunk(ctx context.Context, t store.Trunk) (store.Trunk, error) {
	out, err := scanTrunk(s.sql.QueryRowContext(ctx, `INSERT INTO trunks (name, address, transport, username, password, from_domain,
		max_channels, max_cps, codecs, priority, enabled, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING `+trunkCols,
		t.Name, t.Address, t.Transport, t.Username, t.Password, t.FromDomain, t.MaxChannels, t.MaxCPS,
		strings.Join(t.Codecs, ","), t.Priority, t.Enabled, s.now()))
	return out, s.mapErr(err, fmt.Sprintf("trunk %q", t.Name))
}

// TrunkByID returns one trunk.
func (s *DB) TrunkByID(ctx context.Context, id int64) (store.Trunk, error) {
	t, err := scanTrunk(s.sql.QueryRowContext(ctx, `SELECT `+trunkCols+` FROM trunks WHERE id = $1`, id))
	return t, s.mapErr(err, fmt.Sprintf("trunk %d", id))
}

// ListTrunks returns every trunk in failover order (priority, then id).
func (s *DB) ListTrunks(ctx context.Context) ([]store.Trunk, error) {
	ts, err := collect(ctx, s.sql, scanTrunk, `SELECT `+trunkCols+` FROM trunks ORDER BY priority, id`)
	return ts, s.mapErr(err, "trunks")
}

// UpdateTrunk replaces a trunk's fields.
func (s *DB) UpdateTrunk(ctx context.Context, t store.Trunk) (store.Trunk, error) {
	out, err := scanTrunk(s.sql.QueryRowContext(ctx, `UPDATE trunks SET name = $1, address = $2, transport = $3, username = $4,
		password = $5, from_domain = $6, max_channels = $7, max_cps = $8, codecs = $9, priority = $10, enabled = $11, updated_at = $12
		WHERE id = $13 RETURNING `+trunkCols,
		t.Name, t.Address, t.Transport, t.Username, t.Password, t.FromDomain, t.MaxChannels, t.MaxCPS,
		strings.Join(t.Codecs, ","), t.Priority, t.Enabled, s.now(), t.ID))
	return out, s.mapErr(err, fmt.Sprintf("trunk %d", t.ID))
}

// DeleteTrunk removes a trunk; refused with ErrInUse while a phone number uses it.
func (s *DB) DeleteTrunk(ctx context.Context, id int64) error {
	return s.deleteByID(ctx, "trunks", id, fmt.Sprintf("trunk %d", id))
}
