package api

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/outdial/outdial/config"
	"github.com/outdial/outdial/lists"
	"github.com/outdial/outdial/store"
)

// Options configure a Server.
type Options struct {
	Store    store.Store
	Config   config.Config
	Logger   *slog.Logger
	Registry *prometheus.Registry
	// Version is reported by /api/v1/openapi.json.
	Version string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Server is the HTTP face of outdial: /api/v1, /metrics, /healthz, /readyz.
type Server struct {
	store   store.Store
	cfg     config.Config
	log     *slog.Logger
	reg     *prometheus.Registry
	metrics *Metrics
	version string
	now     func() time.Time
	routes  []Route
	mux     *http.ServeMux
	lists   *lists.Service
	logins  *loginGuard
	// dummyHash is checked against when a login names an unknown user, so that the
	// answer takes as long as for a known one.
	dummyHash string
}

// Route is one API endpoint: its pattern, who may call it, what it takes and gives
// (for the OpenAPI document) and its handler.
type Route struct {
	Method  string
	Path    string // ServeMux pattern path, e.g. /api/v1/trunks/{id}
	Summary string
	Tag     string
	// Role is the lowest role allowed; "" means no authentication.
	Role store.Role
	// Request and Response are example values whose types describe the bodies.
	Request  any
	Response any
	// Status is the success status (200 when zero).
	Status int
	// Upload marks a multipart/form-data endpoint (file uploads).
	Upload  bool
	Handler func(w http.ResponseWriter, r *http.Request) error
}

// New builds the server and registers every route.
func New(o Options) *Server {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Registry == nil {
		o.Registry = NewRegistry(o.Version, "")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Server{store: o.Store, cfg: o.Config, log: o.Logger, reg: o.Registry, version: o.Version, now: o.Now, mux: http.NewServeMux()}
	s.metrics = NewMetrics(o.Registry)
	s.lists = s.newListService()
	s.logins = newLoginGuard(o.Store)
	s.dummyHash, _ = HashPassword("outdial-timing-equaliser", o.Config.Security.BcryptCost)
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(o.Registry, promhttp.HandlerOpts{Registry: o.Registry}))
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, &Error{Status: http.StatusNotFound, Code: "not_found",
			Message: fmt.Sprintf("no endpoint %s %s; see /api/v1/openapi.json", r.Method, r.URL.Path)})
	})
	s.Handle(Route{Method: "GET", Path: "/api/v1/openapi.json", Summary: "This OpenAPI document", Tag: "meta",
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			writeJSON(w, http.StatusOK, s.OpenAPI())
			return nil
		}})
	s.authRoutes()
	s.resourceRoutes()
	s.settingsRoutes()
	s.listRoutes()
	s.campaignRoutes()
	s.campaignIORoutes()
	s.campaignLiveRoutes()
	return s
}

// Handle registers a route. Domain packages' API files call it from New.
func (s *Server) Handle(rt Route) {
	s.routes = append(s.routes, rt)
	s.mux.Handle(rt.Method+" "+rt.Path, s.wrap(rt))
}

// Handle exposes a non-API handler (the web UI) on the same mux.
func (s *Server) HandleRaw(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// Routes returns the registered API routes.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

// ServeHTTP logs each request and serves it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	s.mux.ServeHTTP(rec, r)
	_, pattern := s.mux.Handler(r)
	if pattern == "" {
		pattern = "unmatched"
	}
	d := time.Since(start)
	s.metrics.requests.WithLabelValues(pattern, r.Method, fmt.Sprint(rec.status)).Inc()
	s.metrics.duration.WithLabelValues(pattern).Observe(d.Seconds())
	if pattern != "GET /healthz" && pattern != "GET /metrics" {
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "http request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", rec.status),
			slog.Duration("duration", d), slog.String("remote", r.RemoteAddr))
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Hijack lets WebSocket handlers (the agent hub at /console/ws) take the connection;
// gorilla/websocket asserts http.Hijacker on the writer it is given.
func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	r.status, r.wrote = http.StatusSwitchingProtocols, true
	return http.NewResponseController(r.ResponseWriter).Hijack()
}

type ctxKey int

const (
	principalKey ctxKey = iota
	auditKey
)

// Principal is the authenticated caller.
type Principal struct {
	User    store.User
	TokenID int64
}

// PrincipalFrom returns the caller of an authenticated request.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey).(Principal)
	return p, ok
}

// auditNote collects what a handler wants written to the audit log.
type auditNote struct {
	resourceID string
	detail     string
}

// NoteAudit records the id of the changed resource and a detail for the audit row of
// this request.
func NoteAudit(r *http.Request, resourceID, detail string) {
	if n, ok := r.Context().Value(auditKey).(*auditNote); ok {
		n.resourceID, n.detail = resourceID, detail
	}
}

func (s *Server) wrap(rt Route) http.Handler {
	mutating := rt.Method != http.MethodGet && rt.Method != http.MethodHead
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.Role != "" {
			p, err := s.authenticate(r)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if p.User.Role.Rank() < rt.Role.Rank() {
				s.fail(w, r, &Error{Status: http.StatusForbidden, Code: "forbidden",
					Message: fmt.Sprintf("role %s may not %s %s; it needs role %s or higher", p.User.Role, rt.Method, rt.Path, rt.Role)})
				return
			}
			r = r.WithContext(context.WithValue(r.Context(), principalKey, p))
		}
		note := &auditNote{}
		r = r.WithContext(context.WithValue(r.Context(), auditKey, note))
		// A change by a signed-in caller gets its audit row first, so that no change is
		// ever made without one: no row, no change.
		var pending int64
		if mutating && rt.Role != "" {
			e := s.auditEntry(r, rt, note)
			e.Outcome = store.AuditPending
			out, err := s.store.AppendAudit(r.Context(), e)
			if err != nil {
				s.log.Error("audit log write failed; change refused", "err", err, "action", e.Action)
				s.fail(w, r, &Error{Status: http.StatusServiceUnavailable, Code: "audit_unavailable",
					Message: "the audit log cannot be written, so nothing was changed; try again later"})
				return
			}
			pending = out.ID
		}
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		err := rt.Handler(rec, r)
		if err != nil {
			s.fail(rec, r, err)
		}
		ok := err == nil && rec.status < 300
		switch {
		case pending != 0:
			s.settleAudit(r, rt, note, pending, ok, rec.status)
		case mutating && ok: // sign-in: the row follows success
			if _, err := s.store.AppendAudit(context.WithoutCancel(r.Context()), s.auditEntry(r, rt, note)); err != nil {
				s.log.Error("audit log write failed", "err", err, "action", rt.Method+" "+rt.Path)
			}
		}
	})
}

// auditEntry is the audit row of request r as the handler has described it so far.
func (s *Server) auditEntry(r *http.Request, rt Route, n *auditNote) store.AuditEntry {
	e := store.AuditEntry{At: s.now().UTC(), Actor: "anonymous", Action: rt.Method + " " + rt.Path,
		Resource: resourceOf(rt.Path), ResourceID: n.resourceID, Detail: n.detail}
	if id := r.PathValue("id"); e.ResourceID == "" && id != "" {
		e.ResourceID = id
	}
	if p, ok := PrincipalFrom(r.Context()); ok {
		e.UserID, e.Actor = &p.User.ID, p.User.Username
	}
	return e
}

// settleAudit completes the pending row of a change that was made, and withdraws the
// row of one that was refused (4xx: nothing written). After a server error the row
// stays pending: whether anything was written is not known.
func (s *Server) settleAudit(r *http.Request, rt Route, n *auditNote, id int64, ok bool, status int) {
	ctx := context.WithoutCancel(r.Context())
	var err error
	switch {
	case ok:
		e := s.auditEntry(r, rt, n)
		err = s.store.CompleteAudit(ctx, id, e.ResourceID, e.Detail)
	case status < 500:
		err = s.store.WithdrawAudit(ctx, id)
	default:
		return
	}
	if err != nil {
		s.log.Error("audit log update failed; the row stays pending", "err", err, "audit_id", id, "action", rt.Method+" "+rt.Path)
	}
}

// resourceOf returns the resource name of an API path: /api/v1/trunks/{id} -> trunks.
func resourceOf(path string) string {
	rest := strings.TrimPrefix(path, "/api/v1/")
	name, _, _ := strings.Cut(rest, "/")
	return name
}

// fail writes err as the JSON error envelope and counts the rejection.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	switch {
	case errors.As(err, &e):
	case errors.Is(err, store.ErrNotFound):
		e = &Error{Status: http.StatusNotFound, Code: "not_found", Message: trimPrefix(err)}
	case errors.Is(err, store.ErrConflict):
		e = &Error{Status: http.StatusConflict, Code: "conflict", Message: trimPrefix(err) + "; choose another name or number"}
	case errors.Is(err, store.ErrInUse):
		e = &Error{Status: http.StatusConflict, Code: "in_use", Message: trimPrefix(err) + "; remove those references first"}
	case errors.Is(err, context.Canceled):
		e = &Error{Status: 499, Code: "canceled", Message: "the request was canceled"}
	default:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		e = &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error; the server log has the details"}
	}
	if e.Status == 0 {
		e.Status = http.StatusBadRequest
	}
	s.metrics.rejected.WithLabelValues(e.Code).Inc()
	writeJSON(w, e.Status, errorBody{Error: e})
}

func trimPrefix(err error) string {
	msg := err.Error()
	for _, p := range []string{"store: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	return msg
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "store unreachable: " + err.Error()})
		return
	}
	applied, latest, err := s.store.SchemaVersion(ctx)
	if err != nil || applied != latest {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "reason": "migrations not current", "applied": applied, "latest": latest})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "store": s.store.Backend(), "schema_version": applied})
}

// maxBody is the JSON body limit.
func (s *Server) maxBody() int64 { return s.cfg.Server.MaxBodyBytes }

// Decode reads a strict JSON body into v (for domain API files).
func (s *Server) Decode(w http.ResponseWriter, r *http.Request, v any) error {
	return decodeJSON(w, r, s.maxBody(), v)
}
