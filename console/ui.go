package console

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/outdial/outdial/store"
)

//go:embed web
var webFS embed.FS

// UIOptions configure the manager web UI.
type UIOptions struct {
	// Version is shown in the page footer.
	Version string
}

// page is one screen of the manager UI. The server renders its shell and static markup;
// its ES module fills it from /api/v1.
type page struct {
	// Pattern is the ServeMux pattern path, e.g. /campaigns/{id}/edit.
	Pattern string
	Title   string
	// Template names the page's markup in web/pages ("" means the module builds it all).
	Template string
	// Module is the page's ES module under web/static/js/pages.
	Module string
	// Needs is the API call ("METHOD /api/v1/...") the page cannot work without. The
	// shell opens the page only when that route exists in /api/v1/openapi.json and the
	// user's role may call it, so access follows the API's own role table.
	Needs string
	// Nav is the navigation group; "" keeps the page out of the navigation.
	Nav string
	// NavTitle is the label in the navigation (Title when empty).
	NavTitle string
	// Data is handed to the page template as .Data.
	Data any
}

// pages is the manager UI. Navigation follows this order.
var pages = []page{
	{Pattern: "/{$}", Title: "Home", Module: "home.js"},
	{Pattern: "/login", Title: "Sign in", Template: "login.html", Module: "login.js"},
	{Pattern: "/campaigns", Title: "Campaign Management", Module: "campaigns.js", Needs: "GET /api/v1/campaigns", Nav: "Campaigns"},
	{Pattern: "/campaigns/new", Title: "New voice campaign", Module: "campaign-edit.js", Needs: "POST /api/v1/campaigns"},
	{Pattern: "/campaigns/{id}/edit", Title: "Edit voice campaign", Module: "campaign-edit.js", Needs: "GET /api/v1/campaigns/{id}"},
	{Pattern: "/dashboard", Title: "Dashboard", Module: "dashboard.js", Needs: "GET /api/v1/campaigns/dashboard", Nav: "Campaigns"},
	{Pattern: "/dashboard/{id}", Title: "Campaign details", Module: "dashboard-detail.js", Needs: "GET /api/v1/campaigns/{id}/dashboard"},
	{Pattern: "/campaign-logs", Title: "Campaign Logs", Module: "campaign-logs.js", Needs: "GET /api/v1/campaign-logs", Nav: "Campaigns"},
	{Pattern: "/lists", Title: "Contact Lists", Module: "lists.js", Needs: "GET /api/v1/contact-lists", Nav: "List Management"},
	{Pattern: "/lists/dnc", Title: "DNC Lists", Module: "lists.js", Needs: "GET /api/v1/dnc-lists", Nav: "List Management"},
	{Pattern: "/lists/mapping", Title: "Agent Mapping", Module: "lists.js", Needs: "GET /api/v1/agent-mapping-lists", Nav: "List Management"},
	{Pattern: "/lists/logs", Title: "List Management Logs", Module: "list-logs.js", Needs: "GET /api/v1/list-logs", Nav: "List Management", NavTitle: "Logs"},
	{Pattern: "/lists/contact/{id}", Title: "Contact list", Module: "list-detail.js", Needs: "GET /api/v1/contact-lists/{id}/contacts"},
	{Pattern: "/lists/dnc/{id}", Title: "DNC list", Module: "list-detail.js", Needs: "GET /api/v1/dnc-lists/{id}/entries"},
	{Pattern: "/lists/mapping/{id}", Title: "Agent mapping list", Module: "list-detail.js", Needs: "GET /api/v1/agent-mapping-lists/{id}/mappings"},
	{Pattern: "/settings", Title: "Settings", Template: "settings.html", Module: "settings.js", Data: settingSections, Needs: "GET /api/v1/settings", Nav: "Campaigns"},
	{Pattern: "/admin/users", Title: "Users", Module: "admin.js", Needs: "GET /api/v1/users", Nav: "Administration"},
	{Pattern: "/admin/agents", Title: "Agents", Module: "admin.js", Needs: "GET /api/v1/agents", Nav: "Administration"},
	{Pattern: "/admin/queues", Title: "Queues", Module: "admin.js", Needs: "GET /api/v1/queues", Nav: "Administration"},
	{Pattern: "/admin/phone-numbers", Title: "Phone Numbers", Module: "admin.js", Needs: "GET /api/v1/phone-numbers", Nav: "Administration"},
	{Pattern: "/admin/trunks", Title: "SIP Trunks", Module: "admin.js", Needs: "GET /api/v1/trunks", Nav: "Administration"},
	{Pattern: "/admin/audit", Title: "Audit Log", Module: "audit.js", Needs: "GET /api/v1/audit", Nav: "Administration"},
}

// navGroup is one heading of the navigation with its links.
type navGroup struct {
	Name  string
	Links []navLink
}

type navLink struct {
	Href  string
	Title string
	Needs string
}

// boot is the JSON the shell reads from the page (never executed as script).
type boot struct {
	Page    string         `json:"page"`
	Title   string         `json:"title"`
	Module  string         `json:"module"`
	Needs   string         `json:"needs"`
	Roles   map[string]int `json:"roles"`
	Version string         `json:"version"`
}

// staticFile is one embedded asset with its validator.
type staticFile struct {
	body  []byte
	etag  string
	ctype string
}

// ui serves the manager web UI.
type ui struct {
	opts     UIOptions
	pages    map[string]*template.Template // by page pattern
	notFound *template.Template
	static   map[string]staticFile // by path under /static/
	nav      []navGroup
}

// UIHandler returns the manager web UI: html/template pages at / and below, and their
// ES modules and CSS under /static/, all embedded in the binary. Register it at "/";
// /api/ and /console/ belong to other handlers and are never served here.
func UIHandler(o UIOptions) http.Handler {
	u, err := newUI(o)
	if err != nil {
		// The templates and assets are embedded and checked by the tests; a failure
		// here is a build defect, not a runtime condition.
		panic(err)
	}
	return u.routes()
}

func newUI(o UIOptions) (*ui, error) {
	u := &ui{opts: o, pages: map[string]*template.Template{}, static: map[string]staticFile{}}
	groups := map[string]int{}
	for _, p := range pages {
		if p.Nav == "" {
			continue
		}
		i, ok := groups[p.Nav]
		if !ok {
			i = len(u.nav)
			groups[p.Nav] = i
			u.nav = append(u.nav, navGroup{Name: p.Nav})
		}
		title := p.NavTitle
		if title == "" {
			title = p.Title
		}
		u.nav[i].Links = append(u.nav[i].Links, navLink{Href: p.Pattern, Title: title, Needs: p.Needs})
	}
	for _, p := range pages {
		files := []string{"web/layout.html"}
		if p.Template != "" {
			files = append(files, "web/pages/"+p.Template)
		}
		t, err := template.New("layout.html").ParseFS(webFS, files...)
		if err != nil {
			return nil, fmt.Errorf("%w: page %s: %w", ErrTemplate, p.Pattern, err)
		}
		if _, err := fs.Stat(webFS, "web/static/js/pages/"+p.Module); err != nil {
			return nil, fmt.Errorf("%w: page %s: module %s: %w", ErrTemplate, p.Pattern, p.Module, err)
		}
		u.pages[p.Pattern] = t
	}
	nf, err := template.New("layout.html").ParseFS(webFS, "web/layout.html", "web/pages/notfound.html")
	if err != nil {
		return nil, fmt.Errorf("%w: not found page: %w", ErrTemplate, err)
	}
	u.notFound = nf
	err = fs.WalkDir(webFS, "web/static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := webFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ctype := mime.TypeByExtension(path.Ext(p))
		switch path.Ext(p) {
		case ".js":
			ctype = "text/javascript; charset=utf-8"
		case ".css":
			ctype = "text/css; charset=utf-8"
		case ".svg":
			ctype = "image/svg+xml"
		}
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		u.static[strings.TrimPrefix(p, "web/static/")] = staticFile{body: b, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, ctype: ctype}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: static files: %w", ErrTemplate, err)
	}
	return u, nil
}

func (u *ui) routes() http.Handler {
	mux := http.NewServeMux()
	for _, p := range pages {
		mux.HandleFunc("GET "+p.Pattern, u.servePage(p))
	}
	mux.HandleFunc("GET /static/{file...}", u.serveStatic)
	mux.HandleFunc("GET /favicon.ico", u.serveFavicon)
	mux.HandleFunc("/", u.serveNotFound)
	return securityHeaders(mux)
}

// securityHeaders sets the headers every UI response carries: scripts and styles come
// only from this server, and the UI cannot be framed.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		h.ServeHTTP(w, r)
	})
}

// layoutData is what web/layout.html renders.
type layoutData struct {
	Title   string
	Bare    bool // the sign-in page: no navigation
	Nav     []navGroup
	Boot    boot
	Version string
	Asset   func(string) string
	Data    any
}

func (u *ui) servePage(p page) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u.render(w, http.StatusOK, u.pages[p.Pattern], p)
	}
}

func (u *ui) serveNotFound(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed; the web UI only answers GET", http.StatusMethodNotAllowed)
		return
	}
	u.render(w, http.StatusNotFound, u.notFound, page{Pattern: r.URL.Path, Title: "Page not found", Module: "notfound.js"})
}

func (u *ui) render(w http.ResponseWriter, status int, t *template.Template, p page) {
	roles := map[string]int{}
	for _, r := range []store.Role{store.RoleAgent, store.RoleSupervisor, store.RoleManager, store.RoleAdmin} {
		roles[string(r)] = r.Rank()
	}
	b := boot{Page: p.Pattern, Title: p.Title, Module: u.asset("js/pages/" + p.Module), Needs: p.Needs, Roles: roles, Version: u.opts.Version}
	var buf bytes.Buffer
	err := t.Execute(&buf, layoutData{Title: p.Title, Bare: p.Pattern == "/login", Nav: u.nav, Boot: b, Version: u.opts.Version, Asset: u.asset, Data: p.Data})
	if err != nil {
		http.Error(w, "template: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// asset returns the URL of a static file with its content hash, so browsers fetch a
// changed file at once and may cache an unchanged one.
func (u *ui) asset(name string) string {
	f, ok := u.static[name]
	if !ok {
		return "/static/" + name
	}
	return "/static/" + name + "?v=" + strings.Trim(f.etag, `"`)
}

func (u *ui) serveStatic(w http.ResponseWriter, r *http.Request) {
	f, ok := u.static[r.PathValue("file")]
	if !ok {
		http.Error(w, "no such file", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", f.ctype)
	w.Header().Set("ETag", f.etag)
	w.Header().Set("Cache-Control", "no-cache")
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, f.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(f.body)
}

func (u *ui) serveFavicon(w http.ResponseWriter, r *http.Request) {
	f := u.static["favicon.svg"]
	w.Header().Set("Content-Type", f.ctype)
	w.Header().Set("Cache-Control", "max-age=86400")
	w.Write(f.body)
}
