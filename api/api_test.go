package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial/api"
	"github.com/outdial/outdial/config"
	"github.com/outdial/outdial/store"
	"github.com/outdial/outdial/store/sqlite"
)

// harness is a running API server on loopback with a fresh SQLite store and one user
// per role.
type harness struct {
	t      *testing.T
	srv    *api.Server
	url    string
	store  store.Store
	tokens map[store.Role]string
}

// newHarness starts the API on a fresh SQLite store; wrap, when given, stands between
// the server and the store (the harness itself uses the store directly).
func newHarness(t *testing.T, wrap ...func(store.Store) store.Store) *harness {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "api.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := config.Default()
	cfg.Security.BcryptCost = 4
	var served store.Store = st
	for _, w := range wrap {
		served = w(served)
	}
	srv := api.New(api.Options{Store: served, Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test"})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	h := &harness{t: t, srv: srv, url: ts.URL, store: st, tokens: map[store.Role]string{}}
	for _, role := range []store.Role{store.RoleAdmin, store.RoleManager, store.RoleSupervisor, store.RoleAgent} {
		u := store.User{Username: string(role) + "1", Role: role}
		if err := api.ValidateUser(&u, "password-"+string(role), true, 8, 4); err != nil {
			t.Fatal(err)
		}
		u, err := st.CreateUser(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		secret, _, err := api.CreateToken(context.Background(), st, u.ID, "test", 0, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		h.tokens[role] = secret
	}
	return h
}

// do sends a request as role ("" = anonymous) and returns status and body.
func (h *harness) do(role store.Role, method, path, body string) (int, []byte) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.url+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+h.tokens[role])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

type apiError struct {
	Error struct {
		Code, Message, Field string
		Details              []struct{ Field, Message string }
	}
}

func decodeErr(t *testing.T, b []byte) apiError {
	t.Helper()
	var e apiError
	if err := json.Unmarshal(b, &e); err != nil || e.Error.Code == "" {
		t.Fatalf("not an error envelope: %s", b)
	}
	return e
}

func TestHealthReadyMetrics(t *testing.T) {
	h := newHarness(t)
	if code, b := h.do("", "GET", "/healthz", ""); code != 200 || !bytes.Contains(b, []byte(`"ok"`)) {
		t.Fatalf("/healthz = %d %s", code, b)
	}
	code, b := h.do("", "GET", "/readyz", "")
	if code != 200 || !bytes.Contains(b, []byte(`"sqlite"`)) {
		t.Fatalf("/readyz = %d %s", code, b)
	}
	h.store.Close()
	if code, _ := h.do("", "GET", "/readyz", ""); code != http.StatusServiceUnavailable {
		t.Fatalf("/readyz with a closed store = %d, want 503", code)
	}
	code, b = h.do("", "GET", "/metrics", "")
	for _, want := range []string{"outdial_build_info{", "go_goroutines", "process_", "outdial_http_requests_total"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("/metrics (%d) lacks %s", code, want)
		}
	}
}

func TestAuthAndRoles(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name   string
		role   store.Role
		auth   string
		method string
		path   string
		body   string
		want   int
		code   string
	}{
		{"no token", "", "", "GET", "/api/v1/queues", "", 401, "unauthorized"},
		{"bad token", "", "Bearer od_nope", "GET", "/api/v1/queues", "", 401, "unauthorized"},
		{"basic scheme", "", "Basic YWRtaW46eA==", "GET", "/api/v1/queues", "", 401, "unauthorized"},
		{"agent cannot list queues", store.RoleAgent, "", "GET", "/api/v1/queues", "", 403, "forbidden"},
		{"supervisor reads queues", store.RoleSupervisor, "", "GET", "/api/v1/queues", "", 200, ""},
		{"supervisor cannot create", store.RoleSupervisor, "", "POST", "/api/v1/queues", `{"name":"q"}`, 403, "forbidden"},
		{"manager creates", store.RoleManager, "", "POST", "/api/v1/queues", `{"name":"q"}`, 201, ""},
		{"manager cannot add trunks", store.RoleManager, "", "POST", "/api/v1/trunks", `{"name":"t","address":"127.0.0.1:5060"}`, 403, "forbidden"},
		{"manager cannot list users", store.RoleManager, "", "GET", "/api/v1/users", "", 403, "forbidden"},
		{"admin lists users", store.RoleAdmin, "", "GET", "/api/v1/users", "", 200, ""},
		{"agent reads self", store.RoleAgent, "", "GET", "/api/v1/auth/me", "", 200, ""},
		{"unknown endpoint", store.RoleAdmin, "", "GET", "/api/v1/nothing", "", 404, "not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, h.url+tt.path, strings.NewReader(tt.body))
			if tt.role != "" {
				req.Header.Set("Authorization", "Bearer "+h.tokens[tt.role])
			}
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tt.want, b)
			}
			if tt.code != "" && decodeErr(t, b).Error.Code != tt.code {
				t.Fatalf("code in %s, want %s", b, tt.code)
			}
		})
	}
}

func TestLoginLogoutAndExpiry(t *testing.T) {
	h := newHarness(t)
	code, b := h.do("", "POST", "/api/v1/auth/login", `{"username":"manager1","password":"wrong-password"}`)
	if code != 401 {
		t.Fatalf("wrong password = %d %s", code, b)
	}
	code, b = h.do("", "POST", "/api/v1/auth/login", `{"username":"manager1","password":"password-manager"}`)
	if code != 200 {
		t.Fatalf("login = %d %s", code, b)
	}
	var lr struct {
		Token string
		User  struct{ Role string }
	}
	json.Unmarshal(b, &lr)
	if !strings.HasPrefix(lr.Token, api.TokenPrefix) || lr.User.Role != "manager" {
		t.Fatalf("login response %s", b)
	}
	h.tokens["session"] = lr.Token
	if code, _ := h.do("session", "GET", "/api/v1/queues", ""); code != 200 {
		t.Fatalf("session token refused: %d", code)
	}
	if code, _ := h.do("session", "POST", "/api/v1/auth/logout", ""); code != 204 {
		t.Fatalf("logout = %d", code)
	}
	if code, _ := h.do("session", "GET", "/api/v1/queues", ""); code != 401 {
		t.Fatalf("revoked token still works: %d", code)
	}
	// An expired token is refused.
	u, _ := h.store.UserByUsername(context.Background(), "admin1")
	secret, _, err := api.CreateToken(context.Background(), h.store, u.ID, "short", time.Millisecond, time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	h.tokens["expired"] = secret
	code, b = h.do("expired", "GET", "/api/v1/users", "")
	if code != 401 || !strings.Contains(decodeErr(t, b).Error.Message, "expired") {
		t.Fatalf("expired token = %d %s", code, b)
	}
}

func TestBadInputWritesNothing(t *testing.T) {
	h := newHarness(t)
	big := `{"name":"` + strings.Repeat("x", 2<<20) + `"}`
	tests := []struct {
		name   string
		body   string
		status int
		field  string
		code   string
	}{
		{"malformed", `{"name": "q",`, 400, "", "invalid"},
		{"syntax", `{"name" "q"}`, 400, "", "invalid"},
		{"unknown field", `{"name":"q","colour":"red"}`, 400, "colour", "invalid"},
		{"wrong type", `{"name": 42}`, 400, "name", "invalid"},
		{"two values", `{"name":"q"}{"name":"r"}`, 400, "", "invalid"},
		{"empty", ``, 400, "", "invalid"},
		{"missing name", `{"description":"d"}`, 400, "name", "invalid"},
		{"too large", big, 413, "", "too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, b := h.do(store.RoleManager, "POST", "/api/v1/queues", tt.body)
			if code != tt.status {
				t.Fatalf("status = %d, want %d: %.300s", code, tt.status, b)
			}
			e := decodeErr(t, b)
			if e.Error.Code != tt.code || e.Error.Field != tt.field {
				t.Fatalf("error = %+v, want code %s field %q", e.Error, tt.code, tt.field)
			}
		})
	}
	qs, _ := h.store.ListQueues(context.Background())
	if len(qs) != 0 {
		t.Fatalf("bad requests wrote %d queues", len(qs))
	}
	audit, _ := h.store.ListAudit(context.Background(), store.AuditFilter{})
	if len(audit) != 0 {
		t.Fatalf("bad requests wrote audit rows: %+v", audit)
	}
	body, _ := http.Get(h.url + "/metrics")
	mb, _ := io.ReadAll(body.Body)
	body.Body.Close()
	if !bytes.Contains(mb, []byte(`outdial_api_rejected_total{reason="invalid"} 7`)) {
		t.Errorf("rejections not counted:\n%s", grep(mb, "outdial_api_rejected_total"))
	}
}

func grep(b []byte, s string) string {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestSettings(t *testing.T) {
	h := newHarness(t)
	code, b := h.do(store.RoleSupervisor, "GET", "/api/v1/settings", "")
	if code != 200 || !bytes.Contains(b, []byte(`"max_concurrent_calls": 10`)) {
		t.Fatalf("defaults = %d %s", code, b)
	}
	bad := []struct{ body, field, rng string }{
		{`{"max_concurrent_calls": 26}`, "max_concurrent_calls", "1..25"},
		{`{"power_dialing_customer_wait_seconds": 2}`, "power_dialing_customer_wait_seconds", "3..120"},
		{`{"power_dialing_agent_idle_max_seconds": 4}`, "power_dialing_agent_idle_max_seconds", "5..3600"},
		{`{"proactive_cooldown_time": 30001}`, "proactive_cooldown_time", "0..30000"},
		{`{"unanswered_call_attempts_to_dnc": 0, "max_concurrent_calls": 12}`, "unanswered_call_attempts_to_dnc", "1..100"},
	}
	for _, tt := range bad {
		code, b := h.do(store.RoleManager, "PUT", "/api/v1/settings", tt.body)
		e := decodeErr(t, b)
		if code != 400 || e.Error.Field != tt.field || !strings.Contains(e.Error.Message, tt.rng) {
			t.Errorf("PUT %s = %d %s", tt.body, code, b)
		}
	}
	// Nothing was saved, not even the valid field of a request that had a bad one.
	code, b = h.do(store.RoleSupervisor, "GET", "/api/v1/settings", "")
	if !bytes.Contains(b, []byte(`"max_concurrent_calls": 10`)) {
		t.Fatalf("a refused PUT changed settings: %s", b)
	}
	if code, b := h.do(store.RoleSupervisor, "PUT", "/api/v1/settings", `{"max_concurrent_calls": 20}`); code != 403 {
		t.Fatalf("supervisor PUT = %d %s", code, b)
	}
	code, b = h.do(store.RoleManager, "PUT", "/api/v1/settings", `{"max_concurrent_calls": 20, "voice_machine_timeouts": {"decision_ms": 4000, "greeting_completion_ms": 900, "no_speech_ms": 2000, "tone_ms": 15000}}`)
	if code != 200 {
		t.Fatalf("valid PUT = %d %s", code, b)
	}
	_, b = h.do(store.RoleSupervisor, "GET", "/api/v1/settings", "")
	if !bytes.Contains(b, []byte(`"max_concurrent_calls": 20`)) || !bytes.Contains(b, []byte(`"power_dialing_customer_wait_seconds": 5`)) {
		t.Fatalf("after PUT: %s", b)
	}
	audit, _ := h.store.ListAudit(context.Background(), store.AuditFilter{Resource: "settings"})
	if len(audit) != 1 || audit[0].Actor != "manager1" || audit[0].Action != "PUT /api/v1/settings" {
		t.Fatalf("audit = %+v", audit)
	}
}

func TestTrunksAndPhoneNumbers(t *testing.T) {
	h := newHarness(t)
	code, b := h.do(store.RoleAdmin, "POST", "/api/v1/trunks", `{"name":"carrier","address":"127.0.0.1:5070","username":"u","password":"s3cret"}`)
	if code != 201 || bytes.Contains(b, []byte("s3cret")) || !bytes.Contains(b, []byte(`"PCMU"`)) {
		t.Fatalf("create trunk = %d %s", code, b)
	}
	var tr store.Trunk
	json.Unmarshal(b, &tr)
	for _, tt := range []struct{ body, field string }{
		{`{"name":"x","address":"nohost"}`, "address"},
		{`{"name":"x","address":"h:99999"}`, "address"},
		{`{"name":"x","address":"h:5060","transport":"sctp"}`, "transport"},
		{`{"name":"x","address":"h:5060","codecs":["G729"]}`, "codecs[0]"},
		{`{"name":"x","address":"h:5060","max_channels":-1}`, "max_channels"},
		{`{"name":"x","address":"h:5060","password":"p"}`, "username"},
		{`{"name":"","address":"h:5060"}`, "name"},
	} {
		code, b := h.do(store.RoleAdmin, "POST", "/api/v1/trunks", tt.body)
		if code != 400 || decodeErr(t, b).Error.Field != tt.field {
			t.Errorf("POST %s = %d %s, want field %s", tt.body, code, b, tt.field)
		}
	}
	// An update without the password keeps it.
	code, b = h.do(store.RoleAdmin, "PUT", "/api/v1/trunks/1", `{"name":"carrier","address":"127.0.0.1:5071","username":"u"}`)
	if code != 200 {
		t.Fatalf("PUT trunk = %d %s", code, b)
	}
	got, _ := h.store.TrunkByID(context.Background(), tr.ID)
	if got.Password != "s3cret" || got.Address != "127.0.0.1:5071" {
		t.Fatalf("stored trunk after PUT = %+v", got)
	}
	code, b = h.do(store.RoleManager, "POST", "/api/v1/phone-numbers", `{"number":"+1 415 555 2671","direction":"outbound","trunk_id":1}`)
	if code != 201 || !bytes.Contains(b, []byte(`"+14155552671"`)) {
		t.Fatalf("create number = %d %s", code, b)
	}
	for _, tt := range []struct{ body, field string }{
		{`{"number":"4155552671"}`, "number"},
		{`{"number":"+999"}`, "number"},
		{`{"number":"+14155552672","direction":"sideways"}`, "direction"},
	} {
		code, b := h.do(store.RoleManager, "POST", "/api/v1/phone-numbers", tt.body)
		if code != 400 || decodeErr(t, b).Error.Field != tt.field {
			t.Errorf("POST %s = %d %s", tt.body, code, b)
		}
	}
	code, b = h.do(store.RoleManager, "POST", "/api/v1/phone-numbers", `{"number":"+14155552671"}`)
	if code != 409 {
		t.Fatalf("duplicate number = %d %s", code, b)
	}
	code, b = h.do(store.RoleAdmin, "DELETE", "/api/v1/trunks/1", "")
	if code != 409 || decodeErr(t, b).Error.Code != "in_use" {
		t.Fatalf("delete trunk in use = %d %s", code, b)
	}
	if code, b := h.do(store.RoleAdmin, "GET", "/api/v1/trunks/abc", ""); code != 400 || decodeErr(t, b).Error.Field != "id" {
		t.Fatalf("bad id = %d %s", code, b)
	}
	if code, _ := h.do(store.RoleAdmin, "GET", "/api/v1/trunks/99", ""); code != 404 {
		t.Fatalf("missing trunk = %d", code)
	}
}

func TestUsersAgentsQueues(t *testing.T) {
	h := newHarness(t)
	code, b := h.do(store.RoleAdmin, "POST", "/api/v1/users", `{"username":"dana","role":"agent","password":"short"}`)
	if code != 400 || decodeErr(t, b).Error.Field != "password" {
		t.Fatalf("short password = %d %s", code, b)
	}
	code, b = h.do(store.RoleAdmin, "POST", "/api/v1/users", `{"username":"dana","role":"agent","password":"long-enough-pw"}`)
	if code != 201 || bytes.Contains(b, []byte("password")) {
		t.Fatalf("create user = %d %s", code, b)
	}
	var u store.User
	json.Unmarshal(b, &u)
	h.do(store.RoleManager, "POST", "/api/v1/queues", `{"name":"sales"}`)
	code, b = h.do(store.RoleManager, "POST", "/api/v1/agents", `{"user_id":1,"name":"Admin"}`)
	if code != 400 || decodeErr(t, b).Error.Field != "user_id" {
		t.Fatalf("agent for admin user = %d %s", code, b)
	}
	code, b = h.do(store.RoleManager, "POST", "/api/v1/agents", `{"user_id":`+itoa(u.ID)+`,"name":"Dana","queue_ids":[1,5]}`)
	if code != 400 || decodeErr(t, b).Error.Field != "queue_ids[1]" {
		t.Fatalf("agent with ghost queue = %d %s", code, b)
	}
	code, b = h.do(store.RoleManager, "POST", "/api/v1/agents", `{"user_id":`+itoa(u.ID)+`,"name":"Dana","queue_ids":[1]}`)
	if code != 201 {
		t.Fatalf("agent = %d %s", code, b)
	}
	if code, b := h.do(store.RoleManager, "DELETE", "/api/v1/queues/1", ""); code != 409 {
		t.Fatalf("delete queue in use = %d %s", code, b)
	}
	if code, _ := h.do(store.RoleManager, "POST", "/api/v1/queues", `{"name":"sales"}`); code != 409 {
		t.Fatalf("duplicate queue = %d", code)
	}
	// The last admin cannot be demoted.
	code, b = h.do(store.RoleAdmin, "PUT", "/api/v1/users/1", `{"username":"admin1","role":"manager"}`)
	if code != 409 || decodeErr(t, b).Error.Code != "last_admin" {
		t.Fatalf("demote last admin = %d %s", code, b)
	}
	audit, _ := h.store.ListAudit(context.Background(), store.AuditFilter{})
	actions := map[string]bool{}
	for _, a := range audit {
		actions[a.Action+" by "+a.Actor] = true
	}
	for _, want := range []string{"POST /api/v1/users by admin1", "POST /api/v1/agents by manager1", "POST /api/v1/queues by manager1"} {
		if !actions[want] {
			t.Errorf("audit lacks %q: %v", want, actions)
		}
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	h := newHarness(t)
	code, b := h.do("", "GET", "/api/v1/openapi.json", "")
	if code != 200 {
		t.Fatalf("openapi = %d", code)
	}
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	routes := h.srv.Routes()
	if len(routes) < 20 {
		t.Fatalf("only %d routes", len(routes))
	}
	for _, rt := range routes {
		op, ok := doc.Paths[rt.Path][strings.ToLower(rt.Method)]
		if !ok {
			t.Errorf("%s %s is not in the OpenAPI document", rt.Method, rt.Path)
			continue
		}
		if rt.Role != "" && op["security"] == nil {
			t.Errorf("%s %s lacks security", rt.Method, rt.Path)
		}
	}
	if !bytes.Contains(b, []byte(`"Trunk"`)) || !bytes.Contains(b, []byte(`"max_channels"`)) {
		t.Error("schemas of bodies are missing")
	}
}

func TestLoginThrottle(t *testing.T) {
	h := newHarness(t)
	for i := 0; i < 5; i++ {
		if code, b := h.do("", "POST", "/api/v1/auth/login", `{"username":"manager1","password":"guess-`+itoa(int64(i))+`"}`); code != 401 {
			t.Fatalf("failed login %d = %d %s", i, code, b)
		}
	}
	// The sixth try is refused even with the right password, and says when to retry.
	req, _ := http.NewRequest("POST", h.url+"/api/v1/auth/login", strings.NewReader(`{"username":"manager1","password":"password-manager"}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || decodeErr(t, b).Error.Code != "too_many_attempts" {
		t.Fatalf("throttled login = %d Retry-After %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), b)
	}
	// Another user is not locked out by manager1's failures.
	if code, b := h.do("", "POST", "/api/v1/auth/login", `{"username":"admin1","password":"password-admin"}`); code != 200 {
		t.Fatalf("other user's login = %d %s", code, b)
	}
}

// TestLoginThrottleAcrossNodes: two API nodes on one store share the failures, so
// guesses spread over both are stopped after five all the same.
func TestLoginThrottleAcrossNodes(t *testing.T) {
	h := newHarness(t)
	cfg := config.Default()
	cfg.Security.BcryptCost = 4
	other := httptest.NewServer(api.New(api.Options{Store: h.store, Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test"}))
	defer other.Close()
	login := func(url, password string) int {
		t.Helper()
		resp, err := http.Post(url+"/api/v1/auth/login", "application/json", strings.NewReader(`{"username":"manager1","password":"`+password+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := 0; i < 5; i++ {
		url := h.url
		if i%2 == 1 {
			url = other.URL
		}
		if code := login(url, "guess-"+itoa(int64(i))); code != 401 {
			t.Fatalf("failed login %d = %d", i, code)
		}
	}
	for _, url := range []string{h.url, other.URL} {
		if code := login(url, "password-manager"); code != 429 {
			t.Errorf("login after 5 failures spread over two nodes = %d on %s; want 429", code, url)
		}
	}
}
