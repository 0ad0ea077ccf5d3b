package api

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/outdial/outdial/lists"
	"github.com/outdial/outdial/store"
)

// ListPage is one page of lists with the number matching the filter.
type ListPage struct {
	Items []ListItem `json:"items"`
	Total int64      `json:"total"`
}

// ListItem is a list as the list tables show it; URL is the endpoint of an
// API-integrated contact list.
type ListItem struct {
	store.List
	URL string `json:"url,omitempty"`
}

// ListImportResult is a list with the report of the import that filled it.
type ListImportResult struct {
	List   store.List   `json:"list"`
	Report lists.Report `json:"report"`
}

// ContactListDetail is a contact list with its mapping and (redacted) integration.
type ContactListDetail struct {
	List        store.List         `json:"list"`
	Mapping     lists.Mapping      `json:"mapping"`
	Integration *lists.Integration `json:"integration,omitempty"`
	Imports     []store.ListImport `json:"imports"`
}

// APIListRequest creates or edits an API-integrated contact list.
type APIListRequest struct {
	Name        string            `json:"name,omitempty"`
	Description string            `json:"description,omitempty"`
	Integration lists.Integration `json:"integration"`
	Mapping     lists.Mapping     `json:"mapping"`
	// Confirm applies a changed record schema to a list a campaign uses.
	Confirm bool `json:"confirm,omitempty"`
	// ListID (Validate only) compares the preview with a saved list's schema.
	ListID int64 `json:"list_id,omitempty"`
}

// APIListResult is a list with the log row of its first fetch.
type APIListResult struct {
	List store.List    `json:"list"`
	Log  store.SyncLog `json:"log"`
}

// ContactPage, DNCEntryPage, MappingPage and SyncLogPage are pages of entries.
type ContactPage struct {
	Items []store.Contact `json:"items"`
	Total int64           `json:"total"`
}
type DNCEntryPage struct {
	Items []DNCEntryView `json:"items"`
	Total int64          `json:"total"`
}
type MappingPage struct {
	Items []store.AgentMapping `json:"items"`
	Total int64                `json:"total"`
}
type SyncLogPage struct {
	Items []store.SyncLog `json:"items"`
	Total int64           `json:"total"`
}

// DNCEntryView is a DNC entry with its validity now.
type DNCEntryView struct {
	store.DNCEntry
	Valid bool `json:"valid"`
}

// DNCEntryRequest adds a number to a DNC list; ExpiresAt is optional.
type DNCEntryRequest struct {
	Number    string     `json:"number"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// MappingRequest adds or edits an agent mapping; Agent is an agent id or email.
type MappingRequest struct {
	Number   string `json:"number"`
	Agent    string `json:"agent"`
	Priority int    `json:"priority"`
}

type clockFunc func() time.Time

func (f clockFunc) Now() time.Time { return f() }

// ListService returns the lists domain service the API uses (serve runs its sync loop).
func (s *Server) ListService() *lists.Service { return s.lists }

// listService returns the lists domain service.
func (s *Server) listService() *lists.Service { return s.lists }

// newListService builds the lists domain service over the server's store and config.
func (s *Server) newListService() *lists.Service {
	var sealer *lists.Sealer
	if k := s.cfg.Security.SecretKey; k != "" {
		sealer, _ = lists.NewSealer(k)
	}
	return lists.New(s.store, lists.Options{Limits: s.cfg.Limits, Clock: clockFunc(s.now), Sealer: sealer, SuggestRegion: "US"})
}

// listError turns domain errors into API errors.
func listError(err error) error {
	if err == nil {
		return nil
	}
	msg := strings.TrimPrefix(err.Error(), "lists: ")
	out := listErrorOf(err, msg)
	var fe *lists.FieldError
	if e, ok := out.(*Error); ok && errors.As(err, &fe) {
		e.Field = fe.Field
	}
	return out
}

func listErrorOf(err error, msg string) error {
	switch {
	case errors.Is(err, lists.ErrLimit):
		return &Error{Status: http.StatusUnprocessableEntity, Code: "limit", Message: msg}
	case errors.Is(err, lists.ErrBadFile):
		return &Error{Status: http.StatusUnprocessableEntity, Code: "bad_file", Field: "file", Message: msg}
	case errors.Is(err, lists.ErrNotE164):
		return &Error{Status: http.StatusBadRequest, Code: "invalid", Field: "number", Message: msg}
	case errors.Is(err, lists.ErrInvalid):
		return &Error{Status: http.StatusBadRequest, Code: "invalid", Message: msg}
	case errors.Is(err, lists.ErrWrongKind):
		return &Error{Status: http.StatusNotFound, Code: "not_found", Message: msg}
	case errors.Is(err, lists.ErrSchemaChanged):
		return &Error{Status: http.StatusConflict, Code: "schema_changed", Message: msg}
	case errors.Is(err, lists.ErrFetch):
		return &Error{Status: http.StatusBadGateway, Code: "fetch_failed", Message: msg}
	}
	return err
}

// upload reads a multipart form as a stream: text fields first, then the "file"
// part, which is handed to fn without being buffered. A form without a file part
// calls fn with a nil reader.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, fileRequired bool, fn func(n lists.NewList, opt lists.ImportOptions, file io.Reader) error) error {
	if max := s.cfg.Server.MaxUploadBytes; max > 0 {
		r.Body = http.MaxBytesReader(w, r.Body, max)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return &Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Message: "send multipart/form-data with the fields name, description, strict, allow_duplicates, map (header=field, repeatable) and then the CSV in a part named file"}
	}
	var n lists.NewList
	var opt lists.ImportOptions
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return invalid("", "cannot read the multipart body: %v", err)
		}
		if part.FormName() == "file" {
			opt.FileName = part.FileName()
			err := fn(n, opt, part)
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return &Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large",
					Message: fmt.Sprintf("the upload is larger than %d bytes (server.max_upload_bytes); split the file", s.cfg.Server.MaxUploadBytes)}
			}
			return err
		}
		v, err := formValue(part)
		if err != nil {
			return err
		}
		switch part.FormName() {
		case "name":
			n.Name = v
		case "description":
			n.Description = v
		case "strict":
			opt.Strict = v == "true" || v == "1"
		case "allow_duplicates":
			opt.AllowDuplicates = v == "true" || v == "1"
		case "map":
			col, field, ok := strings.Cut(v, "=")
			if !ok {
				return invalid("map", "%q is not header=field", v)
			}
			if err := opt.Mapping.Set(col, field); err != nil {
				return invalid("map", "%s", strings.TrimPrefix(err.Error(), "lists: invalid: "))
			}
		default:
			return invalid(part.FormName(), "is not a known form field; use name, description, strict, allow_duplicates, map and file")
		}
	}
	if fileRequired {
		return invalid("file", "no part named file; attach the CSV as the last part of the form")
	}
	return fn(n, opt, nil)
}

func formValue(p *multipart.Part) (string, error) {
	b, err := io.ReadAll(io.LimitReader(p, 64<<10))
	if err != nil {
		return "", invalid(p.FormName(), "cannot read: %v", err)
	}
	return strings.TrimSpace(string(b)), nil
}

func listFilter(r *http.Request, kind store.ListKind) (store.ListFilter, error) {
	q := r.URL.Query()
	f := store.ListFilter{Kind: kind, Search: q.Get("search"), Sort: q.Get("sort"), Desc: q.Get("desc") == "true"}
	switch f.Sort {
	case "", store.SortUpdated, store.SortName, store.SortCreated, store.SortEntries:
	default:
		return f, invalid("sort", "%q is not a sort key; use updated_at, name, created_at or entries", f.Sort)
	}
	var err error
	if f.Limit, f.Offset, err = paging(r); err != nil {
		return f, err
	}
	return f, nil
}

func paging(r *http.Request) (limit, offset int, err error) {
	q := r.URL.Query()
	for _, p := range []struct {
		name string
		dst  *int
	}{{"limit", &limit}, {"offset", &offset}} {
		if v := q.Get(p.name); v != "" {
			n, e := strconv.Atoi(v)
			if e != nil || n < 0 {
				return 0, 0, invalid(p.name, "%q is not a whole number >= 0", v)
			}
			*p.dst = n
		}
	}
	return limit, offset, nil
}

func entryPage(r *http.Request) (store.Page, error) {
	limit, offset, err := paging(r)
	return store.Page{Search: r.URL.Query().Get("search"), Limit: limit, Offset: offset}, err
}

func pathInt(r *http.Request, name string) (int64, error) {
	raw := r.PathValue(name)
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, invalid(name, "%q is not a record id; ids are positive whole numbers", raw)
	}
	return id, nil
}

// listOfKind loads a list and 404s when it is another kind.
func (s *Server) listOfKind(ctx context.Context, id int64, kind store.ListKind) (store.List, error) {
	l, err := s.store.ListByID(ctx, id)
	if err != nil {
		return l, err
	}
	if l.Kind != kind {
		return l, notFound(fmt.Sprintf("%s list %d", kind, id))
	}
	return l, nil
}

// createFromUpload serves a multipart upload that creates a list with create (the
// file part is optional unless fileRequired). audit, when not nil, notes the import
// in the audit log.
func (s *Server) createFromUpload(fileRequired bool, create func(context.Context, lists.NewList, io.Reader, lists.ImportOptions) (store.List, lists.Report, error),
	audit func(lists.Report) string) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		return s.upload(w, r, fileRequired, func(n lists.NewList, opt lists.ImportOptions, file io.Reader) error {
			l, rep, err := create(r.Context(), n, file, opt)
			if err != nil && l.ID == 0 {
				return listError(err)
			}
			if audit != nil {
				NoteAudit(r, strconv.FormatInt(l.ID, 10), audit(rep))
			}
			writeJSON(w, http.StatusCreated, ListImportResult{List: l, Report: rep})
			return nil
		})
	}
}

// appendFromUpload serves a multipart upload whose file is appended with add to the
// list named by the path's id.
func (s *Server) appendFromUpload(add func(context.Context, int64, io.Reader, lists.ImportOptions) (lists.Report, error)) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		return s.upload(w, r, true, func(_ lists.NewList, opt lists.ImportOptions, file io.Reader) error {
			rep, err := add(r.Context(), id, file, opt)
			if err != nil && rep.ImportID == 0 {
				return listError(err)
			}
			writeJSON(w, http.StatusOK, rep)
			return nil
		})
	}
}

func (s *Server) listRoutes() {
	svc := s.listService()
	read, write := store.RoleSupervisor, store.RoleManager
	kinds := []struct {
		path string
		kind store.ListKind
		tag  string
		one  string
	}{
		{"contact-lists", store.ListContact, "contact-lists", "contact list"},
		{"dnc-lists", store.ListDNC, "dnc-lists", "DNC list"},
		{"agent-mapping-lists", store.ListMapping, "agent-mapping-lists", "agent mapping list"},
	}
	for _, k := range kinds {
		base := "/api/v1/" + k.path
		s.Handle(Route{Method: "GET", Path: base, Tag: k.tag, Role: read, Response: ListPage{},
			Summary: "List " + k.one + "s (search, sort=updated_at|name|created_at|entries, desc, limit, offset)",
			Handler: func(w http.ResponseWriter, r *http.Request) error {
				f, err := listFilter(r, k.kind)
				if err != nil {
					return err
				}
				ls, total, err := s.store.FindLists(r.Context(), f)
				if err != nil {
					return err
				}
				items := make([]ListItem, len(ls))
				for i, l := range ls {
					items[i].List = l
					if l.Source == store.SourceAPI {
						if in, _, err := svc.IntegrationOf(l); err == nil && in != nil {
							items[i].URL = in.URL
						}
					}
				}
				writeJSON(w, http.StatusOK, ListPage{Items: items, Total: total})
				return nil
			}})
		s.Handle(Route{Method: "DELETE", Path: base + "/{id}", Tag: k.tag, Role: write, Status: http.StatusNoContent,
			Summary: "Delete a " + k.one + " (refused while a campaign uses it)",
			Handler: func(w http.ResponseWriter, r *http.Request) error {
				id, err := pathID(r)
				if err != nil {
					return err
				}
				if _, err := s.listOfKind(r.Context(), id, k.kind); err != nil {
					return err
				}
				if err := svc.DeleteList(r.Context(), id); err != nil {
					return err
				}
				w.WriteHeader(http.StatusNoContent)
				return nil
			}})
		s.Handle(Route{Method: "GET", Path: base + "/{id}/imports", Tag: k.tag, Role: read, Response: []store.ListImport{},
			Summary: "Imports into a " + k.one + ", newest first",
			Handler: func(w http.ResponseWriter, r *http.Request) error {
				id, err := pathID(r)
				if err != nil {
					return err
				}
				if _, err := s.listOfKind(r.Context(), id, k.kind); err != nil {
					return err
				}
				is, err := s.store.Imports(r.Context(), id)
				if err != nil {
					return err
				}
				writeJSON(w, http.StatusOK, is)
				return nil
			}})
	}

	// Contact lists.
	s.Handle(Route{Method: "POST", Path: "/api/v1/contact-lists", Tag: "contact-lists", Role: write, Upload: true, Status: http.StatusCreated,
		Response: ListImportResult{}, Summary: "Create a contact list from a CSV upload (fields: name, description, strict, allow_duplicates, map=header=field..., file)",
		Handler: s.createFromUpload(true, svc.CreateContactList, func(rep lists.Report) string {
			return fmt.Sprintf("%d imported, %d rejected", rep.Imported, rep.Rejected)
		})})
	s.Handle(Route{Method: "POST", Path: "/api/v1/contact-lists/{id}/rows", Tag: "contact-lists", Role: write, Upload: true,
		Response: lists.Report{}, Summary: "Append the rows of a CSV upload to a contact list (existing rows are never changed)",
		Handler: s.appendFromUpload(svc.AppendContacts)})
	s.Handle(Route{Method: "GET", Path: "/api/v1/contact-lists/{id}", Tag: "contact-lists", Role: read, Response: ContactListDetail{},
		Summary: "Get a contact list with its mapping, integration (secrets hidden) and imports",
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			l, err := s.listOfKind(r.Context(), id, store.ListContact)
			if err != nil {
				return err
			}
			in, m, err := svc.IntegrationOf(l)
			if err != nil {
				return err
			}
			is, err := s.store.Imports(r.Context(), id)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, ContactListDetail{List: l, Mapping: m, Integration: in, Imports: is})
			return nil
		}})
	s.Handle(Route{Method: "GET", Path: "/api/v1/contact-lists/{id}/contacts", Tag: "contact-lists", Role: read, Response: ContactPage{},
		Summary: "Contacts of a list (search, limit, offset)",
		Handler: listPage(s.store.Contacts, func(cs []store.Contact, total int64) any { return ContactPage{Items: cs, Total: total} })})
	s.Handle(Route{Method: "POST", Path: "/api/v1/contact-lists/validate", Tag: "contact-lists", Role: write, Request: APIListRequest{}, Response: lists.Preview{},
		Summary: "Fetch an API integration once and preview its first records through the mapping",
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			var req APIListRequest
			if err := s.Decode(w, r, &req); err != nil {
				return err
			}
			p, err := svc.Validate(r.Context(), req.Integration, req.Mapping, req.ListID)
			if err != nil {
				return listError(err)
			}
			writeJSON(w, http.StatusOK, p)
			return nil
		}})
	s.Handle(Route{Method: "POST", Path: "/api/v1/contact-lists/api", Tag: "contact-lists", Role: write, Request: APIListRequest{}, Response: APIListResult{},
		Status: http.StatusCreated, Summary: "Create an API-integrated contact list and fetch it once",
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			var req APIListRequest
			if err := s.Decode(w, r, &req); err != nil {
				return err
			}
			l, log, err := svc.CreateAPIList(r.Context(), lists.NewList{Name: req.Name, Description: req.Description}, req.Integration, req.Mapping)
			if err != nil && l.ID == 0 {
				return listError(err)
			}
			if err != nil {
				return err
			}
			NoteAudit(r, strconv.FormatInt(l.ID, 10), "API integration "+req.Integration.URL)
			writeJSON(w, http.StatusCreated, APIListResult{List: l, Log: log})
			return nil
		}})
	s.Handle(Route{Method: "PUT", Path: "/api/v1/contact-lists/{id}/integration", Tag: "contact-lists", Role: write, Request: APIListRequest{}, Response: store.List{},
		Summary: "Edit an API integration; empty secrets keep the stored ones; a schema change on a list in use needs confirm",
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			var req APIListRequest
			if err := s.Decode(w, r, &req); err != nil {
				return err
			}
			l, err := svc.UpdateIntegration(r.Context(), id, req.Integration, req.Mapping, req.Confirm)
			if err != nil {
				return listError(err)
			}
			writeJSON(w, http.StatusOK, l)
			return nil
		}})
	s.Handle(Route{Method: "POST", Path: "/api/v1/contact-lists/{id}/sync", Tag: "contact-lists", Role: write, Response: store.SyncLog{},
		Summary: "Fetch an API-integrated list now; the result is also a List Management Log row",
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			log, err := svc.SyncList(r.Context(), id)
			if err != nil {
				return listError(err)
			}
			writeJSON(w, http.StatusOK, log)
			return nil
		}})
	s.Handle(Route{Method: "GET", Path: "/api/v1/list-imports/{id}/rejected.csv", Tag: "contact-lists", Role: read,
		Summary: "Download the rejected rows of an import as CSV (row, line, column, value, reason, original)",
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			if _, err := s.store.ImportByID(r.Context(), id); err != nil {
				return err
			}
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="import-%d-rejected.csv"`, id))
			cw := csv.NewWriter(w)
			cw.Write([]string{"row", "line", "column", "value", "reason", "original"})
			err = s.store.EachRejectedRow(r.Context(), id, func(x store.RejectedRow) error {
				return cw.Write([]string{strconv.FormatInt(x.Row, 10), strconv.FormatInt(x.Line, 10), x.Column, x.Value, x.Reason, x.Raw})
			})
			cw.Flush()
			return err
		}})

	// DNC lists.
	s.Handle(Route{Method: "POST", Path: "/api/v1/dnc-lists", Tag: "dnc-lists", Role: write, Upload: true, Status: http.StatusCreated,
		Response: ListImportResult{}, Summary: "Create a DNC list, from a CSV upload when a file part is sent (columns: phone/number, expires_at)",
		Handler: s.createFromUpload(false, svc.CreateDNCList, func(rep lists.Report) string { return fmt.Sprintf("%d imported", rep.Imported) })})
	s.Handle(Route{Method: "GET", Path: "/api/v1/dnc-lists/{id}", Tag: "dnc-lists", Role: read, Response: store.List{}, Summary: "Get a DNC list",
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			l, err := s.listOfKind(r.Context(), id, store.ListDNC)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, l)
			return nil
		}})
	s.Handle(Route{Method: "POST", Path: "/api/v1/dnc-lists/{id}/rows", Tag: "dnc-lists", Role: write, Upload: true, Response: lists.Report{},
		Summary: "Append the numbers of a CSV upload to a DNC list", Handler: s.appendFromUpload(svc.AppendDNC)})
	s.Handle(Route{Method: "POST", Path: "/api/v1/dnc-lists/{id}/global", Tag: "dnc-lists", Role: write, Response: store.List{},
		Summary: "Mark a DNC list as the global one (the previous global list is unmarked)",
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			l, err := s.store.SetGlobalDNC(r.Context(), id)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, l)
			return nil
		}})
	s.Handle(Route{Method: "GET", Path: "/api/v1/dnc-lists/{id}/entries", Tag: "dnc-lists", Role: read, Response: DNCEntryPage{},
		Summary: "Entries of a DNC list with their validity (search, limit, offset)",
		Handler: listPage(s.store.DNCEntries, func(es []store.DNCEntry, total int64) any {
			now := s.now()
			out := make([]DNCEntryView, len(es))
			for i, e := range es {
				out[i] = DNCEntryView{DNCEntry: e, Valid: e.Active(now)}
			}
			return DNCEntryPage{Items: out, Total: total}
		})})
	s.Handle(Route{Method: "POST", Path: "/api/v1/dnc-lists/{id}/entries", Tag: "dnc-lists", Role: store.RoleAgent, Request: DNCEntryRequest{},
		Response: store.DNCEntry{}, Status: http.StatusCreated, Summary: "Add a number to a DNC list (again: replaces its expiry)",
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			var req DNCEntryRequest
			if err := s.Decode(w, r, &req); err != nil {
				return err
			}
			source := "api"
			if p, ok := PrincipalFrom(r.Context()); ok {
				source = string(p.User.Role) + ":" + p.User.Username
			}
			e, err := svc.AddDNC(r.Context(), id, req.Number, req.ExpiresAt, source)
			if err != nil {
				return listError(err)
			}
			writeJSON(w, http.StatusCreated, e)
			return nil
		}})
	s.Handle(Route{Method: "DELETE", Path: "/api/v1/dnc-lists/{id}/entries/{entry}", Tag: "dnc-lists", Role: write, Status: http.StatusNoContent,
		Summary: "Remove a number from a DNC list",
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			entry, err := pathInt(r, "entry")
			if err != nil {
				return err
			}
			if err := s.store.DeleteDNCEntry(r.Context(), id, entry); err != nil {
				return err
			}
			w.WriteHeader(http.StatusNoContent)
			return nil
		}})

	// Agent mapping lists.
	s.Handle(Route{Method: "POST", Path: "/api/v1/agent-mapping-lists", Tag: "agent-mapping-lists", Role: write, Upload: true, Status: http.StatusCreated,
		Response: ListImportResult{}, Summary: "Create an agent mapping list, from a CSV upload when a file part is sent (columns: phone, agent id or email, priority)",
		Handler: s.createFromUpload(false, svc.CreateMappingList, nil)})
	s.Handle(Route{Method: "POST", Path: "/api/v1/agent-mapping-lists/{id}/rows", Tag: "agent-mapping-lists", Role: write, Upload: true, Response: lists.Report{},
		Summary: "Append the rows of a CSV upload to an agent mapping list", Handler: s.appendFromUpload(svc.AppendMappings)})
	s.Handle(Route{Method: "GET", Path: "/api/v1/agent-mapping-lists/{id}/mappings", Tag: "agent-mapping-lists", Role: read, Response: MappingPage{},
		Summary: "Mappings of a list (search, limit, offset)",
		Handler: listPage(s.store.AgentMappings, func(ms []store.AgentMapping, total int64) any { return MappingPage{Items: ms, Total: total} })})
	putMapping := func(status int) func(w http.ResponseWriter, r *http.Request) error {
		return func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			var mid int64
			if r.PathValue("mapping") != "" {
				if mid, err = pathInt(r, "mapping"); err != nil {
					return err
				}
			}
			var req MappingRequest
			if err := s.Decode(w, r, &req); err != nil {
				return err
			}
			m, err := svc.PutMapping(r.Context(), id, mid, req.Number, req.Agent, req.Priority)
			if err != nil {
				return listError(err)
			}
			writeJSON(w, status, m)
			return nil
		}
	}
	s.Handle(Route{Method: "POST", Path: "/api/v1/agent-mapping-lists/{id}/mappings", Tag: "agent-mapping-lists", Role: write, Request: MappingRequest{},
		Response: store.AgentMapping{}, Status: http.StatusCreated, Summary: "Add a mapping", Handler: putMapping(http.StatusCreated)})
	s.Handle(Route{Method: "PUT", Path: "/api/v1/agent-mapping-lists/{id}/mappings/{mapping}", Tag: "agent-mapping-lists", Role: write, Request: MappingRequest{},
		Response: store.AgentMapping{}, Summary: "Edit a mapping", Handler: putMapping(http.StatusOK)})
	s.Handle(Route{Method: "DELETE", Path: "/api/v1/agent-mapping-lists/{id}/mappings/{mapping}", Tag: "agent-mapping-lists", Role: write, Status: http.StatusNoContent,
		Summary: "Delete a mapping",
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			mid, err := pathInt(r, "mapping")
			if err != nil {
				return err
			}
			if err := s.store.DeleteAgentMapping(r.Context(), id, mid); err != nil {
				return err
			}
			w.WriteHeader(http.StatusNoContent)
			return nil
		}})

	// List Management Log.
	s.Handle(Route{Method: "GET", Path: "/api/v1/list-logs", Tag: "list-logs", Role: read, Response: SyncLogPage{},
		Summary: "List Management Log of API fetches, newest first (search, since, until as RFC 3339, limit, offset)",
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			f := store.SyncLogFilter{Search: r.URL.Query().Get("search")}
			var err error
			if f.Limit, f.Offset, err = paging(r); err != nil {
				return err
			}
			for _, p := range []struct {
				name string
				dst  *time.Time
			}{{"since", &f.Since}, {"until", &f.Until}} {
				if v := r.URL.Query().Get(p.name); v != "" {
					if *p.dst, err = time.Parse(time.RFC3339, v); err != nil {
						return invalid(p.name, "%q is not an RFC 3339 time such as 2026-01-31T00:00:00Z", v)
					}
				}
			}
			logs, total, err := s.store.SyncLogs(r.Context(), f)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, SyncLogPage{Items: logs, Total: total})
			return nil
		}})
	s.Handle(Route{Method: "GET", Path: "/api/v1/list-logs/{id}/export", Tag: "list-logs", Role: read,
		Summary: "Download the contacts one fetch returned, as a JSON file",
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			l, err := s.store.SyncLogByID(r.Context(), id)
			if err != nil {
				return err
			}
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="list-log-%d.json"`, id))
			if len(l.Payload) == 0 {
				l.Payload = []byte("[]")
			}
			_, err = w.Write(l.Payload)
			return err
		}})
}

// listPage serves one page of a list's entries (GET .../{id}/...; query search, limit,
// offset): load reads the page, page wraps it in the route's response type.
func listPage[T any](load func(ctx context.Context, id int64, p store.Page) ([]T, int64, error), page func([]T, int64) any) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		p, err := entryPage(r)
		if err != nil {
			return err
		}
		items, total, err := load(r.Context(), id, p)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, page(items, total))
		return nil
	}
}
