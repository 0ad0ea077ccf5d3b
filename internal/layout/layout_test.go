package layout

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/outdial/outdial"

// pkg is one package of the module: its folder and the imports of its non-test files.
type pkg struct {
	dir     string
	hasDoc  bool
	imports map[string]bool
}

func loadPackages(t *testing.T) map[string]*pkg {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	pkgs := map[string]*pkg{}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "data" || name == "bin" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		p := pkgs[rel]
		if p == nil {
			p = &pkg{dir: rel, imports: map[string]bool{}}
			pkgs[rel] = p
		}
		if f.Doc != nil && strings.TrimSpace(f.Doc.Text()) != "" {
			p.hasDoc = true
		}
		for _, imp := range f.Imports {
			p.imports[strings.Trim(imp.Path.Value, `"`)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

func TestEveryPackageHasDocComment(t *testing.T) {
	for dir, p := range loadPackages(t) {
		if !p.hasDoc {
			t.Errorf("package %s has no doc comment; add a doc.go saying what it owns and what it must not touch", dir)
		}
		if _, err := os.Stat(filepath.Join("../..", dir, "doc.go")); err != nil {
			t.Errorf("package %s has no doc.go", dir)
		}
	}
}

// rule forbids packages under a folder from importing some paths.
type rule struct {
	under  string   // folder prefix, e.g. "amd"
	forbid []string // import path prefixes (module-relative when starting with "/")
	why    string
}

var rules = []rule{
	{"amd", []string{"/", "net", "os", "os/exec", "database/sql"}, "amd is pure: no I/O and no other outdial package"},
	{"pacing", []string{"/", "net", "os", "database/sql"}, "pacing is pure: no I/O and no other outdial package"},
	{"media", []string{"/sip", "/campaign", "/lists", "/flow", "/sms", "/proactive", "/console", "/api", "/store", "database/sql"}, "media is transport and knows no domain"},
	{"sip", []string{"/campaign", "/lists", "/flow", "/sms", "/proactive", "/console", "/api", "/store", "database/sql"}, "sip is transport and knows no domain"},
	{"lists", []string{"/console", "/api", "database/sql"}, "domain packages do not reach faces or SQL"},
	{"campaign", []string{"/console", "/api", "database/sql"}, "domain packages do not reach faces or SQL"},
	{"flow", []string{"/console", "/api", "database/sql"}, "domain packages do not reach faces or SQL"},
	{"api", []string{"database/sql"}, "only store writes SQL"},
	{"console", []string{"database/sql"}, "only store writes SQL"},
}

// allowed lists exceptions: sub-packages of amd that do I/O on purpose (file readers
// and the corpus evaluator, kept out of the pure detector) and the pacing simulator's
// own use of pacing.
var allowed = map[string]bool{
	"amd/eval":         true,
	"pacing/sim":       true,
	"amd/cmd":          true,
	"pacing/sim/tests": true,
}

func TestDependencyRules(t *testing.T) {
	for dir, p := range loadPackages(t) {
		for _, r := range rules {
			if dir != r.under && !strings.HasPrefix(dir, r.under+"/") {
				continue
			}
			for imp := range p.imports {
				for _, f := range r.forbid {
					bad := false
					switch {
					case f == "/":
						bad = strings.HasPrefix(imp, module+"/") && !strings.HasPrefix(imp, module+"/"+r.under)
					case strings.HasPrefix(f, "/"):
						bad = imp == module+f || strings.HasPrefix(imp, module+f+"/")
					default:
						bad = imp == f
					}
					if bad && !(allowed[dir] && (f == "/" || f == "os" || f == "time" || f == "net")) {
						t.Errorf("%s imports %s: %s", dir, imp, r.why)
					}
				}
			}
		}
	}
}
