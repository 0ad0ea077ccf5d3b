package sqldb

import (
	"context"
	"fmt"

	"github.com/outdial/outdial/store"
)

const userCols = `id, username, display_name, email, role, password_hash, disabled, created_at, updated_at`

func scanUser(r rowScanner) (store.User, error) {
	var u store.User
	var role string
	err := r.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Email, &role, &u.PasswordHash, &u.Disabled, &u.CreatedAt, &u.UpdatedAt)
	u.Role = store.Role(role)
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return u, err
}

// CreateUser stores a new user; the username must be free.
func (s *DB) CreateUser(ctx context.Context, u store.User) (store.User, error) {
	now := s.now()
	row := s.sql.QueryRowContext(ctx, `INSERT INTO users (username, display_name, email, role, password_hash, disabled, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING `+userCols,
		u.Username, u.DisplayName, u.Email, string(u.Role), u.PasswordHash, u.Disabled, now)
	out, err := scanUser(row)
	return out, s.mapErr(err, fmt.Sprintf("user %q", u.Username))
}

// UserByID returns one user.
func (s *DB) UserByID(ctx context.Context, id int64) (store.User, error) {
	u, err := scanUser(s.sql.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
	return u, s.mapErr(err, fmt.Sprintf("user %d", id))
}

// UserByUsername returns the user with that username.
func (s *DB) UserByUsername(ctx context.Context, username string) (store.User, error) {
	u, err := scanUser(s.sql.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE username = $1`, username))
	return u, s.mapErr(err, fmt.Sprintf("user %q", username))
}

// ListUsers returns every user by username.
func (s *DB) ListUsers(ctx context.Context) ([]store.User, error) {
	us, err := collect(ctx, s.sql, scanUser, `SELECT `+userCols+` FROM users ORDER BY username`)
	return us, s.mapErr(err, "users")
}

// UpdateUser replaces the user's fields (all but id and created_at).
func (s *DB) UpdateUser(ctx context.Context, u store.User) (store.User, error) {
	row := s.sql.QueryRowContext(ctx, `UPDATE users SET username = $1, display_name = $2, email = $3, role = $4,
		password_hash = $5, disabled = $6, updated_at = $7 WHERE id = $8 RETURNING `+userCols,
		u.Username, u.DisplayName, u.Email, string(u.Role), u.PasswordHash, u.Disabled, s.now(), u.ID)
	out, err := scanUser(row)
	return out, s.mapErr(err, fmt.Sprintf("user %d", u.ID))
}

// DeleteUser removes a user, their tokens and their agent profile.
func (s *DB) DeleteUser(ctx context.Context, id int64) error {
	return s.deleteByID(ctx, "users", id, fmt.Sprintf("user %d", id))
}
