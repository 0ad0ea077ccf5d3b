package console

import (
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/config"
)

func TestHandlerServes(t *testing.T) {
	h := UIHandler(UIOptions{Version: "v-test"})
	tests := []struct {
		method, path string
		status       int
		ctype        string
		body         string // a substring the body must hold
	}{
		{"GET", "/", 200, "text/html", "<title>Home · outdial</title>"},
		{"GET", "/login", 200, "text/html", `id="login-form"`},
		{"GET", "/settings", 200, "text/html", `name="voice_machine_timeouts.tone_ms"`},
		{"GET", "/lists/contact/12", 200, "text/html", "Contact list"},
		{"GET", "/lists/dnc", 200, "text/html", "DNC Lists"},
		{"GET", "/admin/trunks", 200, "text/html", "SIP Trunks"},
		{"GET", "/static/js/api.js", 200, "text/javascript", "export async function api("},
		{"GET", "/static/css/app.css", 200, "text/css", ":root"},
		{"GET", "/favicon.ico", 200, "image/svg+xml", "<svg"},
		{"GET", "/no/such/page", 404, "text/html", "There is no page at this address"},
		{"GET", "/static/nope.js", 404, "text/plain", "no such file"},
		{"POST", "/settings", 405, "", ""},
		{"DELETE", "/anything", 405, "", "only answers GET"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %.200s", rec.Code, tt.status, rec.Body.String())
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, tt.ctype) {
				t.Errorf("Content-Type %q, want %s", ct, tt.ctype)
			}
			if !strings.Contains(rec.Body.String(), tt.body) {
				t.Errorf("body lacks %q: %.300s", tt.body, rec.Body.String())
			}
			if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("Content-Security-Policy %q does not limit scripts to this server", csp)
			}
		})
	}
}

func TestStaticRevalidates(t *testing.T) {
	h := UIHandler(UIOptions{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/static/js/ui.js", nil))
	etag := rec.Header().Get("ETag")
	if rec.Code != 200 || etag == "" {
		t.Fatalf("status %d, ETag %q", rec.Code, etag)
	}
	req := httptest.NewRequest("GET", "/static/js/ui.js", nil)
	req.Header.Set("If-None-Match", etag)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("revalidation: status %d with %d bytes, want 304 and none", rec.Code, rec.Body.Len())
	}
}

// bootOf returns the boot JSON a page carries.
func bootOf(t *testing.T, html string) boot {
	t.Helper()
	m := regexp.MustCompile(`(?s)<script type="application/json" id="boot">(.*?)</script>`).FindStringSubmatch(html)
	if m == nil {
		t.Fatalf("no boot data in page")
	}
	var b boot
	if err := json.Unmarshal([]byte(m[1]), &b); err != nil {
		t.Fatalf("boot data %q: %v", m[1], err)
	}
	return b
}

func TestEveryPageBootsItsModule(t *testing.T) {
	u, err := newUI(UIOptions{Version: "v9"})
	if err != nil {
		t.Fatal(err)
	}
	h := u.routes()
	for _, p := range pages {
		path := strings.NewReplacer("{$}", "", "{id}", "7").Replace(p.Pattern)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != 200 {
			t.Errorf("%s: status %d", path, rec.Code)
			continue
		}
		b := bootOf(t, rec.Body.String())
		if b.Page != p.Pattern || b.Needs != p.Needs || b.Version != "v9" {
			t.Errorf("%s: boot %+v does not describe the page", path, b)
		}
		name := strings.TrimPrefix(strings.SplitN(b.Module, "?", 2)[0], "/static/")
		if _, ok := u.static[name]; !ok {
			t.Errorf("%s: module %s is not embedded", path, b.Module)
		}
		if b.Roles["admin"] <= b.Roles["manager"] || b.Roles["manager"] <= b.Roles["supervisor"] || b.Roles["supervisor"] <= b.Roles["agent"] || b.Roles["agent"] < 1 {
			t.Errorf("%s: role ranks %v are not ordered admin > manager > supervisor > agent", path, b.Roles)
		}
		if p.Needs != "" && !regexp.MustCompile(`^(GET|POST|PUT|DELETE|PATCH) /api/v1/\S+$`).MatchString(p.Needs) {
			t.Errorf("%s: Needs %q is not \"METHOD /api/v1/path\"", path, p.Needs)
		}
	}
}

// TestModulesImportOnlyEmbeddedFiles checks every relative import of every module
// names a file that is embedded, so no page fails on a missing module in a browser.
func TestModulesImportOnlyEmbeddedFiles(t *testing.T) {
	u, err := newUI(UIOptions{})
	if err != nil {
		t.Fatal(err)
	}
	imp := regexp.MustCompile(`(?m)^import .* from '(\.[^']+)';`)
	for name, f := range u.static {
		if !strings.HasSuffix(name, ".js") {
			continue
		}
		for _, m := range imp.FindAllStringSubmatch(string(f.body), -1) {
			dir := name[:strings.LastIndex(name, "/")+1]
			target := cleanJoin(dir, m[1])
			if _, ok := u.static[target]; !ok {
				t.Errorf("%s imports %s, which is not embedded (looked for %s)", name, m[1], target)
			}
		}
	}
}

func cleanJoin(dir, rel string) string {
	parts := strings.Split(strings.TrimSuffix(dir, "/"), "/")
	if dir == "" {
		parts = nil
	}
	for _, seg := range strings.Split(rel, "/") {
		switch seg {
		case ".":
		case "..":
			if len(parts) > 0 {
				parts = parts[:len(parts)-1]
			}
		default:
			parts = append(parts, seg)
		}
	}
	return strings.Join(parts, "/")
}

// leaves lists the JSON paths of the number fields of a settings document.
func leaves(prefix string, v map[string]any, out *[]string) {
	for k, x := range v {
		if m, ok := x.(map[string]any); ok {
			leaves(prefix+k+".", m, out)
			continue
		}
		*out = append(*out, prefix+k)
	}
}

func TestSettingsPageCoversEverySetting(t *testing.T) {
	b, err := json.Marshal(campaign.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var want []string
	leaves("", doc, &want)
	var got []string
	for _, s := range settingSections {
		for _, f := range s.Fields {
			got = append(got, f.Name)
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("settings page fields\n got %v\nwant %v (the JSON of campaign.Settings)", got, want)
	}
}

// TestSettingsHelpMatchesValidate probes campaign.Settings.Validate at the bounds the
// page states, so the help text cannot drift from the rule the API applies.
func TestSettingsHelpMatchesValidate(t *testing.T) {
	ceiling := config.Default().Limits.MaxConcurrentCallsCeiling
	for _, s := range settingSections {
		for _, f := range s.Fields {
			hi := f.Max
			if hi == 0 {
				hi = ceiling
			}
			for _, probe := range []struct {
				v  int
				ok bool
			}{{f.Min, true}, {hi, true}, {f.Min - 1, false}, {hi + 1, false}} {
				set := campaign.DefaultSettings()
				b, _ := json.Marshal(set)
				var doc map[string]any
				json.Unmarshal(b, &doc)
				setPath(doc, f.Name, probe.v)
				b, _ = json.Marshal(doc)
				if err := json.Unmarshal(b, &set); err != nil {
					t.Fatal(err)
				}
				err := set.Validate(ceiling)
				refused := false
				var fe *campaign.FieldError
				if j, ok := err.(interface{ Unwrap() []error }); ok {
					for _, e := range j.Unwrap() {
						if errors.As(e, &fe) && fe.Field == f.Name {
							refused = true
						}
					}
				}
				if refused == probe.ok {
					t.Errorf("%s = %d: page says allowed %d..%d, but Validate refused=%v (%v)", f.Name, probe.v, f.Min, hi, refused, err)
				}
			}
		}
	}
}

func setPath(doc map[string]any, path string, v int) {
	keys := strings.Split(path, ".")
	for _, k := range keys[:len(keys)-1] {
		doc = doc[k].(map[string]any)
	}
	doc[keys[len(keys)-1]] = v
}

func TestTemplatesParse(t *testing.T) {
	// Every page file in web/pages is used by a page (or the not-found page).
	used := map[string]bool{"notfound.html": true}
	for _, p := range pages {
		used[p.Template] = true
	}
	entries, err := fs.ReadDir(webFS, "web/pages")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !used[e.Name()] {
			t.Errorf("web/pages/%s is not used by any page", e.Name())
		}
	}
}
