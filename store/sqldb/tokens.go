package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/outdial/outdial/store"
)

const tokenCols = `id, user_id, name, hash, prefix, created_at, expires_at, last_used_at`

func scanToken(r rowScanner) (store.Token, error) {
	var t store.Token
	var exp, used sql.NullTime
	err := r.Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, &t.Prefix, &t.CreatedAt, &exp, &used)
	t.CreatedAt = t.CreatedAt.UTC()
	t.ExpiresAt, t.LastUsedAt = timePtr(exp), timePtr(used)
	return t, err
}

// CreateToken stores a token hash for a user.
func (s *DB) CreateToken(ctx context.Context, t store.Token) (store.Token, error) {
	row := s.sql.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, hash, prefix, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+tokenCols,
		t.UserID, t.Name, t.Hash, t.Prefix, s.now(), nullTime(t.ExpiresAt))
	out, err := scanToken(row)
	return out, s.mapErr(err, fmt.Sprintf("token %q", t.Name))
}

// TokenByHash returns the token with that hash and its user.
func (s *DB) TokenByHash(ctx context.Context, hash []byte) (store.Token, store.User, error) {
	row := s.sql.QueryRowContext(ctx, `SELECT t.id, t.user_id, t.name, t.hash, t.prefix, t.created_at, t.expires_at, t.last_used_at,
		u.id, u.username, u.display_name, u.email, u.role, u.password_hash, u.disabled, u.created_at, u.updated_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = $1`, hash)
	var t store.Token
	var u store.User
	var exp, used sql.NullTime
	var role string
	err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, &t.Prefix, &t.CreatedAt, &exp, &used,
		&u.ID, &u.Username, &u.DisplayName, &u.Email, &role, &u.PasswordHash, &u.Disabled, &u.CreatedAt, &u.UpdatedAt)
	t.ExpiresAt, t.LastUsedAt = timePtr(exp), timePtr(used)
	u.Role = store.Role(role)
	return t, u, s.mapErr(err, "token")
}

// ListTokens returns a user's tokens, newest first.
func (s *DB) ListTokens(ctx context.Context, userID int64) ([]store.Token, error) {
	ts, err := collect(ctx, s.sql, scanToken, `SELECT `+tokenCols+` FROM api_tokens WHERE user_id = $1 ORDER BY id DESC`, userID)
	return ts, s.mapErr(err, "tokens")
}

// DeleteToken revokes a token.
func (s *DB) DeleteToken(ctx context.Context, id int64) error {
	return s.deleteByID(ctx, "api_tokens", id, fmt.Sprintf("token %d", id))
}

// TouchToken records when a token was last used.
func (s *DB) TouchToken(ctx context.Context, id int64, at time.Time) error {
	return s.execOne(ctx, fmt.Sprintf("token %d", id), `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, at.UTC(), id)
}
