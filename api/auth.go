package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/outdial/outdial/store"
)

// TokenPrefix starts every API token, so leaked tokens are easy to scan for.
const TokenPrefix = "od_"

// HashPassword returns the bcrypt hash of password at cost.
func HashPassword(password string, cost int) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return "", fmt.Errorf("api: hash password: %w", err)
	}
	return string(h), nil
}

// CheckPassword reports whether password matches the bcrypt hash.
func CheckPassword(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// NewToken returns a fresh random token and the record to store for it (hash only).
func NewToken(userID int64, name string, ttl time.Duration, now time.Time) (string, store.Token, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", store.Token{}, err
	}
	secret := TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	sum := sha256.Sum256([]byte(secret))
	t := store.Token{UserID: userID, Name: name, Hash: sum[:], Prefix: secret[:10]}
	if ttl > 0 {
		exp := now.Add(ttl).UTC()
		t.ExpiresAt = &exp
	}
	return secret, t, nil
}

// CreateToken makes a token for a user and stores it, returning the secret (shown once).
func CreateToken(ctx context.Context, st store.Tokens, userID int64, name string, ttl time.Duration, now time.Time) (string, store.Token, error) {
	secret, t, err := NewToken(userID, name, ttl, now)
	if err != nil {
		return "", store.Token{}, err
	}
	t, err = st.CreateToken(ctx, t)
	return secret, t, err
}

func unauthorized(msg string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: "unauthorized", Message: msg}
}

// authenticate finds the caller from the Authorization: Bearer header.
func (s *Server) authenticate(r *http.Request) (Principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return Principal{}, fmt.Errorf("%w", unauthorized("missing Authorization header; send Authorization: Bearer <token> (outdial tokens create, or POST /api/v1/auth/login)"))
	}
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || !strings.HasPrefix(secret, TokenPrefix) {
		return Principal{}, unauthorized("Authorization must be Bearer od_...; other schemes are not accepted")
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(secret)))
	tok, user, err := s.store.TokenByHash(r.Context(), sum[:])
	if errors.Is(err, store.ErrNotFound) || (err == nil && subtle.ConstantTimeCompare(tok.Hash, sum[:]) != 1) {
		return Principal{}, unauthorized("the token is not valid; it may have been revoked")
	}
	if err != nil {
		return Principal{}, err
	}
	now := s.now()
	if tok.ExpiresAt != nil && !now.Before(*tok.ExpiresAt) {
		return Principal{}, unauthorized("the token expired at " + tok.ExpiresAt.Format(time.RFC3339) + "; sign in again")
	}
	if user.Disabled {
		return Principal{}, &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "user " + user.Username + " is disabled"}
	}
	if tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) > time.Minute {
		if err := s.store.TouchToken(context.WithoutCancel(r.Context()), tok.ID, now); err != nil {
			s.log.Warn("token touch failed", "err", err)
		}
	}
	return Principal{User: user, TokenID: tok.ID}, nil
}

// loginFailed counts a failed sign-in and returns the error to answer. When the
// failure cannot be counted the answer is a server error, not another free guess.
func (s *Server) loginFailed(ctx context.Context, user, addr string) error {
	if err := s.logins.failed(ctx, user, addr, s.now()); err != nil {
		return fmt.Errorf("api: sign-in throttle: %w", err)
	}
	return unauthorized("wrong username or password")
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token     string     `json:"token"`
	ExpiresAt time.Time  `json:"expires_at"`
	User      store.User `json:"user"`
}

type tokenRequest struct {
	Name       string `json:"name"`
	TTLSeconds int64  `json:"ttl_seconds"`
}

type tokenResponse struct {
	Token  string      `json:"token"`
	Record store.Token `json:"record"`
}

// sessionTTL is how long a login token lasts.
const sessionTTL = 12 * time.Hour

func (s *Server) authRoutes() {
	s.Handle(Route{Method: "POST", Path: "/api/v1/auth/login", Tag: "auth",
		Summary: "Exchange a username and password for a bearer token valid 12 hours",
		Request: loginRequest{}, Response: loginResponse{},
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			var req loginRequest
			if err := s.Decode(w, r, &req); err != nil {
				return err
			}
			addr, _, _ := net.SplitHostPort(r.RemoteAddr)
			ctx := context.WithoutCancel(r.Context())
			no, until, err := s.logins.blocked(ctx, req.Username, addr, s.now())
			if err != nil {
				return fmt.Errorf("api: sign-in throttle: %w", err)
			}
			if no {
				wait := max(time.Second, until.Sub(s.now()).Round(time.Second))
				w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())))
				return &Error{Status: http.StatusTooManyRequests, Code: "too_many_attempts",
					Message: fmt.Sprintf("too many failed sign-ins for this user or address; try again in %s", wait)}
			}
			u, err := s.store.UserByUsername(r.Context(), req.Username)
			if errors.Is(err, store.ErrNotFound) {
				// Spend the same time as a real check so usernames cannot be probed.
				CheckPassword(s.dummyHash, req.Password)
				return s.loginFailed(ctx, req.Username, addr)
			}
			if err != nil {
				return err
			}
			if !CheckPassword(u.PasswordHash, req.Password) {
				return s.loginFailed(ctx, req.Username, addr)
			}
			if err := s.logins.succeeded(ctx, req.Username); err != nil {
				s.log.Warn("sign-in throttle: clearing failures", "err", err)
			}
			if u.Disabled {
				return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "user " + u.Username + " is disabled"}
			}
			secret, tok, err := CreateToken(r.Context(), s.store, u.ID, "login", sessionTTL, s.now())
			if err != nil {
				return err
			}
			r = r.WithContext(context.WithValue(r.Context(), principalKey, Principal{User: u, TokenID: tok.ID}))
			NoteAudit(r, fmt.Sprint(u.ID), "login")
			writeJSON(w, http.StatusOK, loginResponse{Token: secret, ExpiresAt: *tok.ExpiresAt, User: u})
			return nil
		}})
	s.Handle(Route{Method: "GET", Path: "/api/v1/auth/me", Tag: "auth", Role: store.RoleAgent,
		Summary: "The authenticated user", Response: store.User{},
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			p, _ := PrincipalFrom(r.Context())
			writeJSON(w, http.StatusOK, p.User)
			return nil
		}})
	s.Handle(Route{Method: "POST", Path: "/api/v1/auth/logout", Tag: "auth", Role: store.RoleAgent,
		Summary: "Revoke the token used for this request", Status: http.StatusNoContent,
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			p, _ := PrincipalFrom(r.Context())
			if err := s.store.DeleteToken(r.Context(), p.TokenID); err != nil {
				return err
			}
			w.WriteHeader(http.StatusNoContent)
			return nil
		}})
	s.Handle(Route{Method: "POST", Path: "/api/v1/tokens", Tag: "auth", Role: store.RoleAgent,
		Summary: "Create an API token for yourself (shown once)", Request: tokenRequest{}, Response: tokenResponse{}, Status: http.StatusCreated,
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			var req tokenRequest
			if err := s.Decode(w, r, &req); err != nil {
				return err
			}
			if strings.TrimSpace(req.Name) == "" || len(req.Name) > 100 {
				return invalid("name", "must be 1..100 characters")
			}
			if req.TTLSeconds < 0 || req.TTLSeconds > 10*365*24*3600 {
				return invalid("ttl_seconds", "%d is out of range; allowed 0 (no expiry)..315360000", req.TTLSeconds)
			}
			p, _ := PrincipalFrom(r.Context())
			secret, tok, err := CreateToken(r.Context(), s.store, p.User.ID, req.Name, time.Duration(req.TTLSeconds)*time.Second, s.now())
			if err != nil {
				return err
			}
			NoteAudit(r, fmt.Sprint(tok.ID), "token "+req.Name)
			writeJSON(w, http.StatusCreated, tokenResponse{Token: secret, Record: tok})
			return nil
		}})
	s.Handle(Route{Method: "GET", Path: "/api/v1/tokens", Tag: "auth", Role: store.RoleAgent,
		Summary: "List your API tokens (hashes are never returned)", Response: []store.Token{},
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			p, _ := PrincipalFrom(r.Context())
			ts, err := s.store.ListTokens(r.Context(), p.User.ID)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, ts)
			return nil
		}})
	s.Handle(Route{Method: "DELETE", Path: "/api/v1/tokens/{id}", Tag: "auth", Role: store.RoleAgent,
		Summary: "Revoke one of your tokens", Status: http.StatusNoContent,
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			p, _ := PrincipalFrom(r.Context())
			ts, err := s.store.ListTokens(r.Context(), p.User.ID)
			if err != nil {
				return err
			}
			for _, t := range ts {
				if t.ID == id {
					if err := s.store.DeleteToken(r.Context(), id); err != nil {
						return err
					}
					w.WriteHeader(http.StatusNoContent)
					return nil
				}
			}
			return notFound(fmt.Sprintf("token %d", id))
		}})
}
