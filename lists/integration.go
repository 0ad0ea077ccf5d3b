package lists

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/outdial/outdial/store"
)

// Sync modes of API-integrated lists.
const (
	// SyncRemoveDuplicates appends fetched contacts, skipping numbers already listed.
	SyncRemoveDuplicates = "append_remove_duplicates"
	// SyncAllowDuplicates appends every fetched contact, so duplicates are re-contacted.
	SyncAllowDuplicates = "append_allow_duplicates"
)

// MaxSyncInterval is the spec's longest data sync interval.
const MaxSyncInterval = 24 * time.Hour

// maxResponseBytes bounds one fetched response.
const maxResponseBytes = 64 << 20

// Auth is an integration's authorization profile. Password and Token are write-only:
// they are sealed when stored and blanked when shown (HasPassword, HasToken say
// whether one is set).
type Auth struct {
	Type        string `json:"type"` // none, basic, bearer
	Username    string `json:"username,omitempty"`
	Password    string `json:"password,omitempty"`
	Token       string `json:"token,omitempty"`
	HasPassword bool   `json:"has_password"`
	HasToken    bool   `json:"has_token"`
}

// Integration says how to fetch an API-integrated contact list.
type Integration struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
	// Body is sent with POST requests.
	Body string `json:"body,omitempty"`
	Auth Auth   `json:"auth"`
	// RecordsPath is the dot path of the array of records in the response; empty
	// means the response itself is the array.
	RecordsPath string `json:"records_path,omitempty"`
	// SyncInterval is a Go duration ("15m", "6h"), at most 24h.
	SyncInterval string `json:"sync_interval"`
	SyncMode     string `json:"sync_mode"`
}

// FieldError names the setting an error is about, as its JSON path in an API-list
// request ({"name", "integration": {...}, "mapping": {...}}): "integration.url",
// "integration.auth.token", "mapping"... so a form can show the error next to it.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Err.Error() }

// Unwrap returns the wrapped error (a sentinel of this package).
func (e *FieldError) Unwrap() error { return e.Err }

// onField wraps a non-nil err in a FieldError naming field.
func onField(field string, err error) error {
	if err == nil {
		return nil
	}
	return &FieldError{Field: field, Err: err}
}

func (in Integration) interval() (time.Duration, error) {
	d, err := time.ParseDuration(in.SyncInterval)
	if err != nil || d < time.Minute || d > MaxSyncInterval {
		return 0, onField("integration.sync_interval", fmt.Errorf("%w: sync_interval %q: write a duration from 1m to 24h, such as 30m or 6h", ErrInvalid, in.SyncInterval))
	}
	return d, nil
}

func (in *Integration) check() error {
	in.Method = strings.ToUpper(strings.TrimSpace(in.Method))
	if in.Method == "" {
		in.Method = http.MethodGet
	}
	if in.Method != http.MethodGet && in.Method != http.MethodPost {
		return onField("integration.method", fmt.Errorf("%w: method %q: use GET or POST", ErrInvalid, in.Method))
	}
	u, err := url.Parse(in.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return onField("integration.url", fmt.Errorf("%w: url %q: write an absolute http:// or https:// address", ErrInvalid, in.URL))
	}
	if _, err := in.interval(); err != nil {
		return err
	}
	switch in.SyncMode {
	case "":
		in.SyncMode = SyncRemoveDuplicates
	case SyncRemoveDuplicates, SyncAllowDuplicates:
	default:
		return onField("integration.sync_mode", fmt.Errorf("%w: sync_mode %q: use %s or %s", ErrInvalid, in.SyncMode, SyncRemoveDuplicates, SyncAllowDuplicates))
	}
	switch in.Auth.Type {
	case "", "none":
		in.Auth = Auth{Type: "none"}
	case "basic":
		if in.Auth.Username == "" {
			return onField("integration.auth.username", fmt.Errorf("%w: auth.username is empty; basic authorization needs a user name", ErrInvalid))
		}
	case "bearer":
	default:
		return onField("integration.auth.type", fmt.Errorf("%w: auth.type %q: use none, basic or bearer", ErrInvalid, in.Auth.Type))
	}
	for k := range in.Headers {
		if strings.TrimSpace(k) == "" || strings.ContainsAny(k, " :\r\n") {
			return onField("integration.headers", fmt.Errorf("%w: header name %q: use a plain HTTP header name", ErrInvalid, k))
		}
	}
	return nil
}

// Redacted returns the integration as the API shows it: secrets blanked.
func (in Integration) Redacted() Integration {
	in.Auth.HasPassword = in.Auth.HasPassword || in.Auth.Password != ""
	in.Auth.HasToken = in.Auth.HasToken || in.Auth.Token != ""
	in.Auth.Password, in.Auth.Token = "", ""
	return in
}

// seal encrypts the secrets of in; empty secrets keep those of prev (already sealed).
func (s *Service) seal(in Integration, prev *Integration) (Integration, error) {
	keep := func(plain, old string) (string, error) {
		if plain == "" {
			return old, nil
		}
		if s.opt.Sealer == nil {
			return "", fmt.Errorf("%w: the server has no security.secret_key, so it cannot store API credentials", ErrInvalid)
		}
		return s.opt.Sealer.Seal(plain)
	}
	var oldPass, oldTok string
	if prev != nil && prev.Auth.Type == in.Auth.Type {
		oldPass, oldTok = prev.Auth.Password, prev.Auth.Token
	}
	var err error
	if in.Auth.Password, err = keep(in.Auth.Password, oldPass); err != nil {
		return in, err
	}
	if in.Auth.Token, err = keep(in.Auth.Token, oldTok); err != nil {
		return in, err
	}
	in.Auth.HasPassword, in.Auth.HasToken = in.Auth.Password != "", in.Auth.Token != ""
	if in.Auth.Type == "bearer" && in.Auth.Token == "" {
		return in, onField("integration.auth.token", fmt.Errorf("%w: auth.token is empty; bearer authorization needs a token", ErrInvalid))
	}
	return in, nil
}

func (s *Service) unseal(v string) (string, error) {
	if v == "" || !strings.HasPrefix(v, sealedPrefix) {
		return v, nil
	}
	if s.opt.Sealer == nil {
		return "", fmt.Errorf("%w: the server has no security.secret_key to open the stored API credentials", ErrInvalid)
	}
	return s.opt.Sealer.Open(v)
}

// fetched is one response, flattened.
type fetched struct {
	raw     []json.RawMessage
	records []map[string]string
	fields  []string
}

// fetch calls the endpoint and flattens its records with dot-notation keys.
func (s *Service) fetch(ctx context.Context, in Integration) (fetched, error) {
	var f fetched
	var body io.Reader
	if in.Method == http.MethodPost && in.Body != "" {
		body = strings.NewReader(in.Body)
	}
	req, err := http.NewRequestWithContext(ctx, in.Method, in.URL, body)
	if err != nil {
		return f, fmt.Errorf("%w: %v", ErrFetch, err)
	}
	for k, v := range in.Headers {
		req.Header.Set(k, v)
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	switch in.Auth.Type {
	case "basic":
		pass, err := s.unseal(in.Auth.Password)
		if err != nil {
			return f, err
		}
		req.SetBasicAuth(in.Auth.Username, pass)
	case "bearer":
		tok, err := s.unseal(in.Auth.Token)
		if err != nil {
			return f, err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return f, onField("integration.url", fmt.Errorf("%w: %s %s: %v", ErrFetch, in.Method, in.URL, err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return f, fmt.Errorf("%w: reading the response of %s: %v", ErrFetch, in.URL, err)
	}
	if resp.StatusCode/100 != 2 {
		field := "integration.url"
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			field = "integration.auth.type"
		}
		return f, onField(field, fmt.Errorf("%w: %s %s answered HTTP %d", ErrFetch, in.Method, in.URL, resp.StatusCode))
	}
	if len(data) > maxResponseBytes {
		return f, fmt.Errorf("%w: the response is larger than %d MB", ErrFetch, maxResponseBytes>>20)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return f, onField("integration.url", fmt.Errorf("%w: the response is not JSON: %v", ErrFetch, err))
	}
	node := root
	if in.RecordsPath != "" {
		for _, part := range strings.Split(in.RecordsPath, ".") {
			obj, ok := node.(map[string]any)
			if !ok {
				return f, onField("integration.records_path", fmt.Errorf("%w: records_path %q: %q is not inside an object", ErrFetch, in.RecordsPath, part))
			}
			if node, ok = obj[part]; !ok {
				return f, onField("integration.records_path", fmt.Errorf("%w: records_path %q: the response has no field %q", ErrFetch, in.RecordsPath, part))
			}
		}
	}
	arr, ok := node.([]any)
	if !ok {
		return f, onField("integration.records_path", fmt.Errorf("%w: the records are not a JSON array; set records_path to the field that holds the array", ErrFetch))
	}
	seen := map[string]bool{}
	for i, item := range arr {
		obj, ok := item.(map[string]any)
		if !ok {
			return f, onField("integration.records_path", fmt.Errorf("%w: record %d is not a JSON object", ErrFetch, i+1))
		}
		flat := map[string]string{}
		flatten("", obj, flat)
		for k := range flat {
			if !seen[k] {
				seen[k] = true
				f.fields = append(f.fields, k)
			}
		}
		f.records = append(f.records, flat)
		raw, _ := json.Marshal(obj)
		f.raw = append(f.raw, raw)
	}
	sort.Strings(f.fields)
	return f, nil
}

func flatten(prefix string, v any, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			flatten(key, child, out)
		}
	case []any:
		for i, child := range x {
			flatten(prefix+"."+strconv.Itoa(i), child, out)
		}
	case nil:
		out[prefix] = ""
	case string:
		out[prefix] = x
	case json.Number:
		out[prefix] = x.String()
	case bool:
		out[prefix] = strconv.FormatBool(x)
	default:
		out[prefix] = fmt.Sprint(x)
	}
}

// recordSource feeds fetched records to the import pipeline.
type recordSource struct {
	f fetched
	i int
}

func (r *recordSource) header() []string { return r.f.fields }

func (r *recordSource) next() (record, error) {
	if r.i == len(r.f.records) {
		return record{}, io.EOF
	}
	rec := r.f.records[r.i]
	r.i++
	fields := make([]string, len(r.f.fields))
	for j, k := range r.f.fields {
		fields[j] = rec[k]
	}
	return record{row: int64(r.i), line: int64(r.i), fields: fields}, nil
}

// Preview is what Validate shows: the fields the API returns and the first records
// as contacts, with the errors the mapping would give.
type Preview struct {
	Fields   []string            `json:"fields"`
	Total    int                 `json:"total"`
	Records  []map[string]string `json:"records"`
	Contacts []store.Contact     `json:"contacts"`
	Errors   []RowError          `json:"errors"`
	// Warning is set when the fields differ from those the list was saved with.
	Warning string `json:"warning,omitempty"`
}

// previewRecords is how many records Validate maps.
const previewRecords = 10

// Validate fetches the endpoint once and previews the first records through the
// mapping (zero mapping: automatic). listID, when not 0, compares the fields with the
// list's saved schema and warns of a change.
func (s *Service) Validate(ctx context.Context, in Integration, m Mapping, listID int64) (Preview, error) {
	var prev *Integration
	var schema []string
	if listID != 0 {
		l, err := s.listOf(ctx, listID, store.ListContact)
		if err != nil {
			return Preview{}, err
		}
		cfg, err := decodeConfig(l)
		if err != nil {
			return Preview{}, err
		}
		prev, schema = cfg.Integration, cfg.Schema
	}
	if err := in.check(); err != nil {
		return Preview{}, err
	}
	if prev != nil {
		if in.Auth.Password == "" && prev.Auth.Type == in.Auth.Type {
			in.Auth.Password = prev.Auth.Password
		}
		if in.Auth.Token == "" && prev.Auth.Type == in.Auth.Type {
			in.Auth.Token = prev.Auth.Token
		}
	}
	f, err := s.fetch(ctx, in)
	if err != nil {
		return Preview{}, err
	}
	p := Preview{Fields: f.fields, Total: len(f.records), Records: []map[string]string{}, Contacts: []store.Contact{}, Errors: []RowError{}}
	if schema != nil && !slices.Equal(schema, f.fields) {
		p.Warning = schemaChange(schema, f.fields)
	}
	if m.IsZero() {
		m = AutoMapping(f.fields)
	}
	cols, err := m.resolve(f.fields)
	if err != nil {
		return p, onField("mapping", err)
	}
	conv := s.contactConverter(f.fields, cols, nil)()
	if cols.agent >= 0 {
		agents, err := s.agents(ctx)
		if err != nil {
			return p, err
		}
		conv = s.contactConverter(f.fields, cols, agents)()
	}
	src := &recordSource{f: f}
	for i := 0; i < previewRecords && i < len(f.records); i++ {
		rec, _ := src.next()
		p.Records = append(p.Records, f.records[i])
		res := conv(rec)
		if res.err != nil {
			p.Errors = append(p.Errors, *res.err)
			continue
		}
		p.Contacts = append(p.Contacts, res.val)
	}
	return p, nil
}

func schemaChange(old, cur []string) string {
	var added, removed []string
	for _, f := range cur {
		if !slices.Contains(old, f) {
			added = append(added, f)
		}
	}
	for _, f := range old {
		if !slices.Contains(cur, f) {
			removed = append(removed, f)
		}
	}
	return fmt.Sprintf("the API's records changed shape (new fields: %s; missing fields: %s)", orNone(added), orNone(removed))
}

func orNone(ss []string) string {
	if len(ss) == 0 {
		return "none"
	}
	return strings.Join(ss, ", ")
}

// CreateAPIList creates an API-integrated contact list and runs its first sync. The
// list is created even when the first fetch fails (it is logged and retried at the
// next interval).
func (s *Service) CreateAPIList(ctx context.Context, n NewList, in Integration, m Mapping) (store.List, store.SyncLog, error) {
	if err := n.check(); err != nil {
		return store.List{}, store.SyncLog{}, onField("name", err)
	}
	if err := in.check(); err != nil {
		return store.List{}, store.SyncLog{}, err
	}
	if err := s.checkListCount(ctx, store.ListContact); err != nil {
		return store.List{}, store.SyncLog{}, err
	}
	sealed, err := s.seal(in, nil)
	if err != nil {
		return store.List{}, store.SyncLog{}, err
	}
	now := s.clock.Now().UTC()
	l, err := s.st.CreateList(ctx, store.List{Kind: store.ListContact, Name: strings.TrimSpace(n.Name), Description: n.Description,
		Status: store.ListValidating, Source: store.SourceAPI, NextSyncAt: &now, Config: encodeConfig(listConfig{Mapping: m, Integration: &sealed})})
	if err != nil {
		return l, store.SyncLog{}, err
	}
	log, err := s.SyncList(ctx, l.ID)
	if err != nil {
		return l, log, err
	}
	l, err = s.st.ListByID(ctx, l.ID)
	return l, log, err
}

// UpdateIntegration replaces a list's integration and mapping. Empty secrets keep the
// stored ones. When a campaign uses the list and the endpoint now returns records of
// another shape, it fails with ErrSchemaChanged (and the warning) unless confirmed.
func (s *Service) UpdateIntegration(ctx context.Context, listID int64, in Integration, m Mapping, confirm bool) (store.List, error) {
	l, err := s.listOf(ctx, listID, store.ListContact)
	if err != nil {
		return l, err
	}
	if l.Source != store.SourceAPI {
		return l, fmt.Errorf("%w: list %d is filled from files, not from an API", ErrWrongKind, listID)
	}
	cfg, err := decodeConfig(l)
	if err != nil {
		return l, err
	}
	if err := in.check(); err != nil {
		return l, err
	}
	sealed, err := s.seal(in, cfg.Integration)
	if err != nil {
		return l, err
	}
	if len(l.Campaigns) > 0 && !confirm {
		f, err := s.fetch(ctx, sealed)
		if err == nil && cfg.Schema != nil && !slices.Equal(cfg.Schema, f.fields) {
			return l, fmt.Errorf("%w: %s; campaign %s uses this list; save again with confirm to apply it",
				ErrSchemaChanged, schemaChange(cfg.Schema, f.fields), strings.Join(l.Campaigns, ", "))
		}
	}
	cfg.Integration, cfg.Mapping = &sealed, m
	if confirm {
		cfg.Schema = nil // the next sync records the new shape
	}
	now := s.clock.Now().UTC()
	l.Config, l.NextSyncAt = encodeConfig(cfg), &now
	return s.st.UpdateList(ctx, l)
}

// IntegrationOf returns a list's integration and mapping with secrets redacted.
func (s *Service) IntegrationOf(l store.List) (*Integration, Mapping, error) {
	cfg, err := decodeConfig(l)
	if err != nil || cfg.Integration == nil {
		return nil, cfg.Mapping, err
	}
	r := cfg.Integration.Redacted()
	return &r, cfg.Mapping, nil
}

// SyncList fetches an API-integrated list once and appends what it returns, writing a
// List Management Log row either way. A failing endpoint never changes the list: the
// failure is logged (and returned as the log row, not as an error) and the next
// fetch is scheduled. An error is returned only when the log itself cannot be written.
func (s *Service) SyncList(ctx context.Context, listID int64) (store.SyncLog, error) {
	l, err := s.listOf(ctx, listID, store.ListContact)
	if err != nil {
		return store.SyncLog{}, err
	}
	cfg, err := decodeConfig(l)
	if err != nil {
		return store.SyncLog{}, err
	}
	if cfg.Integration == nil {
		return store.SyncLog{}, fmt.Errorf("%w: list %d has no API integration", ErrWrongKind, listID)
	}
	in := *cfg.Integration
	log := store.SyncLog{At: s.clock.Now().UTC(), ListID: l.ID, ListName: l.Name, Campaigns: strings.Join(l.Campaigns, ", ")}
	fail := func(msg string) (store.SyncLog, error) {
		log.Status, log.Description = store.SyncFailed, msg
		return s.endSync(ctx, l, cfg, in, log, l.Status == store.ListValidating)
	}
	f, err := s.fetch(ctx, in)
	if err != nil {
		return fail(err.Error())
	}
	log.Records = int64(len(f.records))
	log.Payload = jsonArray(f.raw)
	if cfg.Schema != nil && !slices.Equal(cfg.Schema, f.fields) && len(l.Campaigns) > 0 {
		return fail(fmt.Sprintf("not applied: %s and campaign %s uses the list; review it with Validate and save the list to accept it",
			schemaChange(cfg.Schema, f.fields), log.Campaigns))
	}
	m := cfg.Mapping
	if m.IsZero() {
		m = AutoMapping(f.fields)
	}
	opt := ImportOptions{Mapping: m, AllowDuplicates: in.SyncMode == SyncAllowDuplicates, FileName: in.URL}
	if len(f.records) > 0 {
		if _, err := m.resolve(f.fields); err != nil {
			return fail(err.Error())
		}
		rep, err := s.importContacts(ctx, l, &recordSource{f: f}, opt, store.SourceAPI)
		if err != nil {
			return fail(err.Error())
		}
		log.Description = fmt.Sprintf("Successfully fetched %d contact records: %d added, %d duplicates, %d rejected",
			len(f.records), rep.Imported, rep.Duplicates, rep.Rejected-btoi(!opt.AllowDuplicates)*rep.Duplicates)
	} else {
		log.Description = "Successfully fetched 0 contact records"
	}
	log.Status = store.SyncCompleted
	cfg.Schema = f.fields
	if l.Status != store.ListValidated {
		l.Status, l.Error = store.ListValidated, ""
	}
	return s.endSync(ctx, l, cfg, in, log, false)
}

func btoi(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func jsonArray(raw []json.RawMessage) []byte {
	b, _ := json.Marshal(raw)
	return b
}

// endSync writes the log row and schedules the next fetch.
func (s *Service) endSync(ctx context.Context, l store.List, cfg listConfig, in Integration, log store.SyncLog, invalid bool) (store.SyncLog, error) {
	out, err := s.st.AppendSyncLog(ctx, log)
	if err != nil {
		return log, err
	}
	fresh, err := s.st.ListByID(ctx, l.ID)
	if err != nil {
		return out, err
	}
	every, _ := in.interval()
	next := s.clock.Now().UTC().Add(every)
	fresh.NextSyncAt, fresh.Config, fresh.Status, fresh.Error = &next, encodeConfig(cfg), l.Status, l.Error
	if invalid {
		fresh.Status, fresh.Error = store.ListInvalid, log.Description
	}
	_, err = s.st.UpdateList(ctx, fresh)
	return out, err
}

// SyncDue fetches every API-integrated list whose next sync time has come and
// returns how many it fetched.
func (s *Service) SyncDue(ctx context.Context) (int, error) {
	now := s.clock.Now().UTC()
	n := 0
	for {
		due, _, err := s.st.FindLists(ctx, store.ListFilter{Kind: store.ListContact, Source: store.SourceAPI, SyncDueBy: &now, Sort: store.SortName, Limit: 100})
		if err != nil {
			return n, err
		}
		if len(due) == 0 {
			return n, nil
		}
		for _, l := range due {
			if _, err := s.SyncList(ctx, l.ID); err != nil {
				return n, err
			}
			n++
		}
	}
}

// RunSync calls SyncDue every interval until ctx ends.
func (s *Service) RunSync(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.SyncDue(ctx); err != nil && !errors.Is(err, context.Canceled) {
			// A store error stops nothing: the next tick retries.
			_ = err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
