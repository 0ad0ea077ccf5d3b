package sqldb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/outdial/outdial/store"
)

const phoneCols = `id, number, description, direction, trunk_id, created_at, updated_at`

func scanPhone(r rowScanner) (store.PhoneNumber, error) {
	var p store.PhoneNumber
	var dir string
	var trunk sql.NullInt64
	err := r.Scan(&p.ID, &p.Number, &p.Description, &dir, &trunk, &p.CreatedAt, &p.UpdatedAt)
	p.Direction = store.Direction(dir)
	if trunk.Valid {
		p.TrunkID = &trunk.Int64
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return p, err
}

func nullID(id *int64) sql.NullInt64 {
	if id == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: *id, Valid: true}
}

// CreatePhoneNumber stores a number; it must be unique.
func (s *DB) CreatePhoneNumber(ctx context.Context, p store.PhoneNumber) (store.PhoneNumber, error) {
	out, err := scanPhone(s.sql.QueryRowContext(ctx, `INSERT INTO phone_numbers (number, description, direction, trunk_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5) RETURNING `+phoneCols, p.Number, p.Description, string(p.Direction), nullID(p.TrunkID), s.now()))
	if err != nil && s.dialect.IsForeignKeyViolation(err) {
		return out, fmt.Errorf("%w: trunk %d", store.ErrNotFound, *p.TrunkID)
	}
	return out, s.mapErr(err, fmt.Sprintf("phone number %s", p.Number))
}

// PhoneNumberByID returns one number.
func (s *DB) PhoneNumberByID(ctx context.Context, id int64) (store.PhoneNumber, error) {
	p, err := scanPhone(s.sql.QueryRowContext(ctx, `SELECT `+phoneCols+` FROM phone_numbers WHERE id = $1`, id))
	return p, s.mapErr(err, fmt.Sprintf("phone number %d", id))
}

// ListPhoneNumbers returns every number in order.
func (s *DB) ListPhoneNumbers(ctx context.Context) ([]store.PhoneNumber, error) {
	ps, err := collect(ctx, s.sql, scanPhone, `SELECT `+phoneCols+` FROM phone_numbers ORDER BY number`)
	return ps, s.mapErr(err, "phone numbers")
}

// UpdatePhoneNumber replaces a number's fields.
func (s *DB) UpdatePhoneNumber(ctx context.Context, p store.PhoneNumber) (store.PhoneNumber, error) {
	out, err := scanPhone(s.sql.QueryRowContext(ctx, `UPDATE phone_numbers SET number = $1, description = $2, direction = $3, trunk_id = $4, updated_at = $5
		WHERE id = $6 RETURNING `+phoneCols, p.Number, p.Description, string(p.Direction), nullID(p.TrunkID), s.now(), p.ID))
	if err != nil && s.dialect.IsForeignKeyViolation(err) {
		return out, fmt.Errorf("%w: trunk %d", store.ErrNotFound, *p.TrunkID)
	}
	return out, s.mapErr(err, fmt.Sprintf("phone number %d", p.ID))
}

// DeletePhoneNumber removes a number.
func (s *DB) DeletePhoneNumber(ctx context.Context, id int64) error {
	return s.deleteByID(ctx, "phone_numbers", id, fmt.Sprintf("phone number %d", id))
}
