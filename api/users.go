package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/outdial/outdial/store"
)

// userRequest is the body of user creation and update. Password is required on create
// and optional on update (empty keeps the current one).
type userRequest struct {
	Username    string     `json:"username"`
	DisplayName string     `json:"display_name"`
	Email       string     `json:"email"`
	Role        store.Role `json:"role"`
	Password    string     `json:"password"`
	Disabled    bool       `json:"disabled"`
}

// ValidateUser checks a new or changed user and hashes the password. It is shared by
// the API and `outdial users create`.
func ValidateUser(u *store.User, password string, creating bool, minPassword, cost int) error {
	u.Username = strings.TrimSpace(u.Username)
	if !usernamePattern.MatchString(u.Username) {
		return invalid("username", "%q is not allowed; use 2..64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit", u.Username)
	}
	if !u.Role.Valid() {
		return invalid("role", "%q is not a role; allowed admin, manager, supervisor, agent", u.Role)
	}
	if len(u.DisplayName) > 100 {
		return invalid("display_name", "is %d characters; at most 100 are allowed", len(u.DisplayName))
	}
	if u.Email != "" && (!strings.Contains(u.Email, "@") || len(u.Email) > 254) {
		return invalid("email", "%q is not an email address", u.Email)
	}
	if password == "" && !creating {
		return nil
	}
	if len(password) < minPassword {
		return invalid("password", "is %d characters; it needs at least %d", len(password), minPassword)
	}
	if len(password) > 72 {
		return invalid("password", "is %d bytes; at most 72 are allowed", len(password))
	}
	h, err := HashPassword(password, cost)
	if err != nil {
		return err
	}
	u.PasswordHash = h
	return nil
}

func (s *Server) userRoutes() {
	sec := s.cfg.Security
	s.Handle(Route{Method: "GET", Path: "/api/v1/users", Tag: "users", Role: store.RoleAdmin, Summary: "List users", Response: []store.User{},
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			us, err := s.store.ListUsers(r.Context())
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, us)
			return nil
		}})
	s.Handle(Route{Method: "GET", Path: "/api/v1/users/{id}", Tag: "users", Role: store.RoleAdmin, Summary: "Get a user", Response: store.User{},
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			u, err := s.store.UserByID(r.Context(), id)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, u)
			return nil
		}})
	s.Handle(Route{Method: "POST", Path: "/api/v1/users", Tag: "users", Role: store.RoleAdmin, Summary: "Create a user",
		Request: userRequest{}, Response: store.User{}, Status: http.StatusCreated,
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			var req userRequest
			if err := s.Decode(w, r, &req); err != nil {
				return err
			}
			u := store.User{Username: req.Username, DisplayName: req.DisplayName, Email: req.Email, Role: req.Role, Disabled: req.Disabled}
			if err := ValidateUser(&u, req.Password, true, sec.MinPasswordLength, sec.BcryptCost); err != nil {
				return err
			}
			u, err := s.store.CreateUser(r.Context(), u)
			if err != nil {
				return err
			}
			NoteAudit(r, fmt.Sprint(u.ID), "created user "+u.Username+" role "+string(u.Role))
			writeJSON(w, http.StatusCreated, u)
			return nil
		}})
	s.Handle(Route{Method: "PUT", Path: "/api/v1/users/{id}", Tag: "users", Role: store.RoleAdmin,
		Summary: "Replace a user (an empty password keeps the current one)", Request: userRequest{}, Response: store.User{},
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			old, err := s.store.UserByID(r.Context(), id)
			if err != nil {
				return err
			}
			var req userRequest
			if err := s.Decode(w, r, &req); err != nil {
				return err
			}
			u := store.User{ID: id, Username: req.Username, DisplayName: req.DisplayName, Email: req.Email, Role: req.Role,
				Disabled: req.Disabled, PasswordHash: old.PasswordHash}
			if err := ValidateUser(&u, req.Password, false, sec.MinPasswordLength, sec.BcryptCost); err != nil {
				return err
			}
			if err := s.keepAnAdmin(r.Context(), old, u); err != nil {
				return err
			}
			u, err = s.store.UpdateUser(r.Context(), u)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, u)
			return nil
		}})
	s.Handle(Route{Method: "DELETE", Path: "/api/v1/users/{id}", Tag: "users", Role: store.RoleAdmin, Summary: "Delete a user", Status: http.StatusNoContent,
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			old, err := s.store.UserByID(r.Context(), id)
			if err != nil {
				return err
			}
			if err := s.keepAnAdmin(r.Context(), old, store.User{}); err != nil {
				return err
			}
			if err := s.store.DeleteUser(r.Context(), id); err != nil {
				return err
			}
			w.WriteHeader(http.StatusNoContent)
			return nil
		}})
}

// keepAnAdmin refuses a change that would leave no enabled administrator.
func (s *Server) keepAnAdmin(ctx context.Context, old, next store.User) error {
	if old.Role != store.RoleAdmin || old.Disabled || (next.Role == store.RoleAdmin && !next.Disabled) {
		return nil
	}
	us, err := s.store.ListUsers(ctx)
	if err != nil {
		return err
	}
	for _, u := range us {
		if u.ID != old.ID && u.Role == store.RoleAdmin && !u.Disabled {
			return nil
		}
	}
	return &Error{Status: http.StatusConflict, Code: "last_admin", Message: "this is the last enabled admin; create another admin first"}
}
