package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/outdial/outdial/store"
)

// resource describes a plain CRUD collection under /api/v1/<name>.
type resource[T any] struct {
	name      string // collection path segment, e.g. "trunks"
	one       string // singular for messages, e.g. "trunk"
	readRole  store.Role
	writeRole store.Role
	list      func(ctx context.Context) ([]T, error)
	get       func(ctx context.Context, id int64) (T, error)
	create    func(ctx context.Context, v T) (T, error)
	update    func(ctx context.Context, v T) (T, error)
	remove    func(ctx context.Context, id int64) error
	// validate checks and normalises a create or update body; old is nil on create.
	validate func(ctx context.Context, v *T, old *T) error
	setID    func(v *T, id int64)
	idOf     func(v T) int64
	// redact hides secrets before a record is returned.
	redact func(v T) T
}

func pathID(r *http.Request) (int64, error) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, invalid("id", "%q is not a record id; ids are positive whole numbers", raw)
	}
	return id, nil
}

func registerResource[T any](s *Server, res resource[T]) {
	var zero T
	base := "/api/v1/" + res.name
	out := func(v T) T {
		if res.redact != nil {
			return res.redact(v)
		}
		return v
	}
	s.Handle(Route{Method: "GET", Path: base, Tag: res.name, Role: res.readRole, Summary: "List " + res.name, Response: []T{},
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			vs, err := res.list(r.Context())
			if err != nil {
				return err
			}
			for i := range vs {
				vs[i] = out(vs[i])
			}
			writeJSON(w, http.StatusOK, vs)
			return nil
		}})
	s.Handle(Route{Method: "GET", Path: base + "/{id}", Tag: res.name, Role: res.readRole, Summary: "Get one " + res.one, Response: zero,
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			v, err := res.get(r.Context(), id)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, out(v))
			return nil
		}})
	s.Handle(Route{Method: "POST", Path: base, Tag: res.name, Role: res.writeRole, Summary: "Create a " + res.one,
		Request: zero, Response: zero, Status: http.StatusCreated,
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			var v T
			if err := s.Decode(w, r, &v); err != nil {
				return err
			}
			res.setID(&v, 0)
			if err := res.validate(r.Context(), &v, nil); err != nil {
				return err
			}
			created, err := res.create(r.Context(), v)
			if err != nil {
				return err
			}
			NoteAudit(r, fmt.Sprint(res.idOf(created)), "created "+res.one)
			w.Header().Set("Location", fmt.Sprintf("%s/%d", base, res.idOf(created)))
			writeJSON(w, http.StatusCreated, out(created))
			return nil
		}})
	s.Handle(Route{Method: "PUT", Path: base + "/{id}", Tag: res.name, Role: res.writeRole, Summary: "Replace a " + res.one,
		Request: zero, Response: zero,
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			old, err := res.get(r.Context(), id)
			if err != nil {
				return err
			}
			var v T
			if err := s.Decode(w, r, &v); err != nil {
				return err
			}
			res.setID(&v, id)
			if err := res.validate(r.Context(), &v, &old); err != nil {
				return err
			}
			updated, err := res.update(r.Context(), v)
			if err != nil {
				return err
			}
			NoteAudit(r, fmt.Sprint(id), "replaced "+res.one)
			writeJSON(w, http.StatusOK, out(updated))
			return nil
		}})
	s.Handle(Route{Method: "DELETE", Path: base + "/{id}", Tag: res.name, Role: res.writeRole, Summary: "Delete a " + res.one,
		Status: http.StatusNoContent,
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			if err := res.remove(r.Context(), id); err != nil {
				return err
			}
			NoteAudit(r, fmt.Sprint(id), "deleted "+res.one)
			w.WriteHeader(http.StatusNoContent)
			return nil
		}})
}
