package console

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/outdial/outdial/store"
)

// This file serves the agent softphone console at /console/: one html/template page
// and its ES modules (web/static/js/softphone/), which talk to the agent hub at
// /console/ws and to /api/v1 for sign-in. See docs/softphone.md.

// SoftphoneOptions configure the agent console page.
type SoftphoneOptions struct {
	// Version is shown in the page footer.
	Version string
	// PreviewTimeout is the preview timer: when it runs out the console dials the
	// offered record (default 30 s, as the spec says).
	PreviewTimeout time.Duration
	// RedirectAfter is how long after a call starts on a hidden console tab the agent
	// is brought back to it (default 5 s).
	RedirectAfter time.Duration
}

// softphoneBoot is the JSON the console reads from its page.
type softphoneBoot struct {
	boot
	PreviewSeconds float64 `json:"preview_seconds"`
	RedirectMS     int64   `json:"redirect_ms"`
	Socket         string  `json:"socket"`
}

// SoftphoneHandler returns the agent console. Register it at "/console/" beside the
// hub at "/console/ws" and UIHandler at "/" (which serves the shared /static/ assets).
func SoftphoneHandler(o SoftphoneOptions) http.Handler {
	h, err := newSoftphone(o)
	if err != nil {
		panic(err) // embedded templates: a build defect the tests catch
	}
	return h
}

type softphone struct {
	opts SoftphoneOptions
	ui   *ui
	page *template.Template
}

func newSoftphone(o SoftphoneOptions) (*softphone, error) {
	if o.PreviewTimeout <= 0 {
		o.PreviewTimeout = 30 * time.Second
	}
	if o.RedirectAfter <= 0 {
		o.RedirectAfter = 5 * time.Second
	}
	u, err := newUI(UIOptions{Version: o.Version})
	if err != nil {
		return nil, err
	}
	const module = "js/softphone/console.js"
	if _, ok := u.static[module]; !ok {
		return nil, fmt.Errorf("%w: agent console module %s is not embedded", ErrTemplate, module)
	}
	t, err := template.ParseFS(webFS, "web/softphone/console.html")
	if err != nil {
		return nil, fmt.Errorf("%w: agent console: %w", ErrTemplate, err)
	}
	return &softphone{opts: o, ui: u, page: t}, nil
}

func (s *softphone) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/console" {
		http.Redirect(w, r, "/console/", http.StatusMovedPermanently)
		return
	}
	if r.URL.Path != "/console/" {
		http.Error(w, "no such page; the agent console is at /console/", http.StatusNotFound)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed; the agent console only answers GET", http.StatusMethodNotAllowed)
		return
	}
	roles := map[string]int{}
	for _, role := range []store.Role{store.RoleAgent, store.RoleSupervisor, store.RoleManager, store.RoleAdmin} {
		roles[string(role)] = role.Rank()
	}
	b := softphoneBoot{
		boot:           boot{Page: "/console/", Title: "Agent console", Module: s.ui.asset("js/softphone/console.js"), Roles: roles, Version: s.opts.Version},
		PreviewSeconds: s.opts.PreviewTimeout.Seconds(),
		RedirectMS:     s.opts.RedirectAfter.Milliseconds(),
		Socket:         "/console/ws",
	}
	var buf bytes.Buffer
	err := s.page.Execute(&buf, struct {
		Boot    softphoneBoot
		Asset   func(string) string
		Version string
	}{b, s.ui.asset, s.opts.Version})
	if err != nil {
		http.Error(w, "template: "+err.Error(), http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	// The console also needs the microphone (getUserMedia needs no CSP source) and
	// its own WebSocket ('self' covers ws: and wss: of this host).
	hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; media-src 'self' blob: mediastream:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Permissions-Policy", "microphone=(self)")
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}
