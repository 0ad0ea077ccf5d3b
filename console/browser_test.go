package console_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/outdial/outdial/api"
	"github.com/outdial/outdial/config"
	"github.com/outdial/outdial/console"
	"github.com/outdial/outdial/internal/testdeps"
	"github.com/outdial/outdial/store"
	"github.com/outdial/outdial/store/sqlite"
)

// One headless Chromium serves every browser test of this binary; each test opens its
// own tab. The browser starts on first use and ends in TestMain.
var shared struct {
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.cancel != nil {
		shared.cancel()
	}
	os.Exit(code)
}

func browser(t *testing.T) context.Context {
	t.Helper()
	exe := testdeps.Program(t, "chromium")
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "outdial-chromium-")
		if err != nil {
			shared.err = err
			return
		}
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
			chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(dir),
			chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
			// The agent console's microphone: a fake device (a beep), permission granted.
			chromedp.Flag("use-fake-ui-for-media-stream", true), chromedp.Flag("use-fake-device-for-media-stream", true),
			chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
			chromedp.WindowSize(1366, 900))
		ctx, cancelCtx := chromedp.NewContext(alloc)
		shared.ctx = ctx
		shared.cancel = func() { cancelCtx(); cancelAlloc(); os.RemoveAll(dir) }
		// Start the browser now so the first test does not pay for it inside its deadline.
		shared.err = chromedp.Do(ctx, chromedp.Navigate("about:blank"))
	})
	if shared.err != nil {
		t.Fatalf("start chromium: %v", shared.err)
	}
	return shared.ctx
}

// env is a running outdial API with the web UI, a fresh SQLite store and one user per
// role (username = role name, password = password-<role>).
type env struct {
	t     *testing.T
	url   string
	store store.Store
	srv   *api.Server
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "ui.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := config.Default()
	cfg.Security.BcryptCost = 4
	cfg.Security.SecretKey = "console-browser-tests-secret-key-0123456789" // seals API-list credentials
	srv := api.New(api.Options{Store: st, Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test"})
	srv.HandleRaw("/", console.UIHandler(console.UIOptions{Version: "test"}))
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	for _, role := range []store.Role{store.RoleAdmin, store.RoleManager, store.RoleSupervisor, store.RoleAgent} {
		u := store.User{Username: string(role), DisplayName: "Test " + string(role), Role: role}
		if err := api.ValidateUser(&u, password(role), true, 8, 4); err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateUser(context.Background(), u); err != nil {
			t.Fatal(err)
		}
	}
	return &env{t: t, url: ts.URL, store: st, srv: srv}
}

func password(r store.Role) string { return "password-" + string(r) }

// tab is one browser tab of a test, with the console messages it collected.
type tab struct {
	t    *testing.T
	e    *env
	ctx  context.Context
	mu   sync.Mutex
	msgs []string
	done chan struct{}
}

// expectedNetwork matches the browser's log line for an API answer a test provokes on
// purpose (a refused value, a wrong password): those are not page errors.
var expectedNetwork = regexp.MustCompile(`status of (400|401|403|409|422|502) `)

func (e *env) tab() *tab {
	t := e.t
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser(t))
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	tb := &tab{t: t, e: e, ctx: ctx, done: make(chan struct{})}
	msgs := chromedp.Console(ctx)
	go func() {
		defer close(tb.done)
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type != chromedp.ConsoleError && !m.IsException() {
				continue
			}
			if m.Source == "network" && strings.Contains(m.URL, "/api/v1/") && expectedNetwork.MatchString(m.Text) {
				continue
			}
			tb.mu.Lock()
			tb.msgs = append(tb.msgs, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line))
			tb.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		// Let late messages of the last action arrive, then close the tab.
		_ = chromedp.Do(ctx, chromedp.Sleep(100*time.Millisecond))
		cancelTimeout()
		cancel()
		<-tb.done
		tb.mu.Lock()
		defer tb.mu.Unlock()
		for _, m := range tb.msgs {
			t.Errorf("browser console: %s", m)
		}
	})
	return tb
}

// do runs actions and fails the test on error, naming the step.
func (tb *tab) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, actions...); err != nil {
		tb.shot("failed-" + step)
		tb.t.Fatalf("%s: %v", step, err)
	}
}

// eval evaluates a JavaScript expression and returns its value as T.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// until evaluates a JavaScript predicate every 100 ms for at most 10 s, riding over
// page loads, and reports whether it held.
func (tb *tab) until(expr string) bool {
	for range 100 {
		ok, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return true
		}
		if tb.ctx.Err() != nil {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// waitText waits until the element sel contains text.
func (tb *tab) waitText(step, sel, text string) {
	tb.t.Helper()
	expr := fmt.Sprintf(`(() => { const el = document.querySelector(%q); return !!el && el.textContent.includes(%q); })()`, sel, text)
	if !tb.until(expr) {
		got, _ := chromedp.Run(tb.ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || "(no element)"`, sel)))
		loc, _ := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`location.href`))
		tb.shot("failed-" + step)
		tb.t.Fatalf("%s: %s never contained %q; it holds %q (page %s)", step, sel, text, strings.Join(strings.Fields(got), " "), loc)
	}
}

// clickLive clicks the element sel matches once it is there and enabled, finding and
// clicking it in one JavaScript turn: a table that re-renders (after a dialog closes,
// say) cannot swap the node between the finding and the click, as it can with
// chromedp.Click.
func (tb *tab) clickLive(step, sel string) {
	tb.t.Helper()
	tb.waitJS(step, fmt.Sprintf(`(() => { const b = document.querySelector(%q); if (b && !b.disabled) { b.click(); return true; } return false; })()`, sel))
}

// waitJS waits until a JavaScript expression is truthy.
func (tb *tab) waitJS(step, expr string) {
	tb.t.Helper()
	if !tb.until("!!(" + expr + ")") {
		loc, _ := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`location.href`))
		tb.shot("failed-" + step)
		tb.t.Fatalf("%s: %s never held (page %s)", step, expr, loc)
	}
}

// ready waits for the page module to finish mounting.
func (tb *tab) ready(step string) {
	tb.t.Helper()
	tb.waitJS(step, `document.querySelector('#page') && document.querySelector('#page').getAttribute('aria-busy') === 'false'`)
}

// artifacts is where screenshots go: $OUTDIAL_ARTIFACTS/console or a temp dir.
func artifacts(t *testing.T) string {
	if d := os.Getenv("OUTDIAL_ARTIFACTS"); d != "" {
		d = filepath.Join(d, "console")
		if err := os.MkdirAll(d, 0o755); err == nil {
			return d
		}
	}
	return t.TempDir()
}

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9_-]+`)

// shot saves a full-page PNG of the tab.
func (tb *tab) shot(name string) string {
	tb.t.Helper()
	buf, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	p := filepath.Join(artifacts(tb.t), unsafeName.ReplaceAllString(tb.t.Name()+"-"+name, "_")+".png")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		tb.t.Logf("screenshot %s: %v", name, err)
	}
	return p
}

// login signs in through the sign-in page as role and waits for the shell.
func (tb *tab) login(role store.Role) {
	tb.t.Helper()
	tb.do("open sign-in", chromedp.Navigate(tb.e.url+"/login"), chromedp.WaitVisible(chromedp.ID("username")))
	tb.do("sign in",
		chromedp.SendKeys(chromedp.ID("username"), string(role)),
		chromedp.SendKeys(chromedp.ID("password"), password(role)),
		chromedp.Click(chromedp.CSS("#login-form button[type=submit]")))
	tb.waitText("signed in", "#who", string(role))
	tb.ready("first page")
}

// open navigates to a UI path and waits for its module to mount.
func (tb *tab) open(path string) {
	tb.t.Helper()
	tb.do("open "+path, chromedp.Navigate(tb.e.url+path))
	tb.ready("mount " + path)
}

func itoa(n int64) string { return fmt.Sprint(n) }
