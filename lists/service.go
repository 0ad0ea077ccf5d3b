package lists

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // contact time zones must resolve on a bare machine

	"github.com/outdial/outdial/config"
	"github.com/outdial/outdial/store"
)

// Store is what the lists service persists through.
type Store interface {
	store.Lists
	ListAgents(ctx context.Context) ([]store.Agent, error)
}

// Clock tells the time.
type Clock interface{ Now() time.Time }

// Doer sends HTTP requests (an *http.Client).
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Options configure a Service. Zero values take defaults.
type Options struct {
	Limits config.Limits
	// Clock defaults to the system clock.
	Clock Clock
	// SuggestRegion (e.g. "US") is used to propose fixes for numbers written without a
	// country code; it never changes what is accepted.
	SuggestRegion string
	// Workers validate rows in parallel; 0 means GOMAXPROCS.
	Workers int
	// Sealer encrypts integration secrets; nil refuses to store secrets.
	Sealer *Sealer
	// HTTP fetches API-integrated lists; nil means a client with a 30 s timeout.
	HTTP Doer
	// MaxRejectsKept bounds the rejected rows stored per import (the count is always
	// exact); 0 means 100,000.
	MaxRejectsKept int
}

// Service manages contact, DNC and agent mapping lists.
type Service struct {
	st      Store
	opt     Options
	limits  config.Limits
	clock   Clock
	http    Doer
	workers int
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// New returns a service over st.
func New(st Store, opt Options) *Service {
	s := &Service{st: st, opt: opt, limits: opt.Limits, clock: opt.Clock, http: opt.HTTP, workers: opt.Workers}
	if s.clock == nil {
		s.clock = systemClock{}
	}
	if s.http == nil {
		s.http = &http.Client{Timeout: 30 * time.Second}
	}
	if s.workers <= 0 {
		s.workers = runtime.GOMAXPROCS(0)
	}
	if s.opt.MaxRejectsKept <= 0 {
		s.opt.MaxRejectsKept = 100_000
	}
	d := config.Default().Limits
	l := &s.limits
	for _, p := range []struct{ v, def *int }{{&l.ContactsPerList, &d.ContactsPerList}, {&l.ContactsPerAccount, &d.ContactsPerAccount},
		{&l.ContactLists, &d.ContactLists}, {&l.ListColumns, &d.ListColumns}, {&l.ListFieldChars, &d.ListFieldChars},
		{&l.DNCEntriesPerList, &d.DNCEntriesPerList}, {&l.DNCEntriesPerAccount, &d.DNCEntriesPerAccount}, {&l.DNCLists, &d.DNCLists}} {
		if *p.v <= 0 {
			*p.v = *p.def
		}
	}
	return s
}

// RowError is one rejected row: where it is, what is wrong and how to fix it.
type RowError struct {
	Row    int64  `json:"row"`
	Line   int64  `json:"line"`
	Column string `json:"column,omitempty"`
	Value  string `json:"value,omitempty"`
	Reason string `json:"reason"`
}

func (e RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("row %d: %s", e.Row, e.Reason)
	}
	return fmt.Sprintf("row %d, column %s: %s", e.Row, e.Column, e.Reason)
}

// Report sums up one import.
type Report struct {
	ImportID int64  `json:"import_id"`
	Status   string `json:"status"`
	// Rows counts data rows read (blank rows included).
	Rows       int64 `json:"rows"`
	Imported   int64 `json:"imported"`
	Rejected   int64 `json:"rejected"`
	Duplicates int64 `json:"duplicates"`
	Blank      int64 `json:"blank"`
	// Errors holds the first rejected rows; the full list is the import's report.
	Errors []RowError `json:"errors"`
	// Error is why nothing was imported, when that is the case.
	Error string `json:"error,omitempty"`
}

// maxReportErrors bounds Report.Errors.
const maxReportErrors = 100

// ImportOptions tune an import.
type ImportOptions struct {
	// Mapping of columns to fields; zero means AutoMapping of the header.
	Mapping Mapping
	// Strict rejects the whole file, writing nothing, when any row is bad.
	Strict bool
	// AllowDuplicates keeps rows whose number is already in the list (they are still
	// counted); otherwise such rows are rejected as duplicates.
	AllowDuplicates bool
	FileName        string
}

// NewList names a list to create.
type NewList struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

func (n NewList) check() error {
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" {
		return fmt.Errorf("%w: name is empty; give the list a name", ErrInvalid)
	}
	if len(n.Name) > 200 {
		return fmt.Errorf("%w: name has %d characters; at most 200", ErrInvalid, len(n.Name))
	}
	return nil
}

// listConfig is the JSON kept in store.List.Config.
type listConfig struct {
	Mapping     Mapping      `json:"mapping"`
	Integration *Integration `json:"integration,omitempty"`
	// Schema is the set of field paths the API returned at the last accepted sync.
	Schema []string `json:"schema,omitempty"`
}

func decodeConfig(l store.List) (listConfig, error) {
	var c listConfig
	if len(l.Config) == 0 {
		return c, nil
	}
	if err := json.Unmarshal(l.Config, &c); err != nil {
		return c, fmt.Errorf("lists: configuration of list %d: %w", l.ID, err)
	}
	return c, nil
}

func encodeConfig(c listConfig) []byte {
	b, _ := json.Marshal(c)
	return b
}

// checkListCount refuses a new list of kind beyond the account limit.
func (s *Service) checkListCount(ctx context.Context, kind store.ListKind) error {
	if kind == store.ListMapping {
		return nil // agent mapping lists are not limited
	}
	n, _, err := s.st.ListTotals(ctx, kind)
	if err != nil {
		return err
	}
	limit, key := s.limits.ContactLists, "limits.contact_lists"
	if kind == store.ListDNC {
		limit, key = s.limits.DNCLists, "limits.dnc_lists"
	}
	if n >= int64(limit) {
		return fmt.Errorf("%w: the account has %d %s lists, the most allowed (%s); delete one first", ErrLimit, n, kind, key)
	}
	return nil
}

// listOf loads a list and checks its kind.
func (s *Service) listOf(ctx context.Context, id int64, kind store.ListKind) (store.List, error) {
	l, err := s.st.ListByID(ctx, id)
	if err != nil {
		return l, err
	}
	if l.Kind != kind {
		return l, fmt.Errorf("%w: list %d is a %s list, not a %s list", ErrWrongKind, id, l.Kind, kind)
	}
	return l, nil
}

// DeleteList deletes a list; it is refused (store.ErrInUse) while a campaign uses it
// or while it is the global DNC list.
func (s *Service) DeleteList(ctx context.Context, id int64) error { return s.st.DeleteList(ctx, id) }

// agentIndex resolves agent ids and emails (case-insensitive) to agent ids.
type agentIndex map[string]int64

func (s *Service) agents(ctx context.Context) (agentIndex, error) {
	as, err := s.st.ListAgents(ctx)
	if err != nil {
		return nil, err
	}
	idx := agentIndex{}
	for _, a := range as {
		idx[strconv.FormatInt(a.ID, 10)] = a.ID
		if a.Email != "" {
			idx[strings.ToLower(a.Email)] = a.ID
		}
	}
	return idx, nil
}

func (a agentIndex) lookup(v string) (int64, bool) {
	id, ok := a[strings.ToLower(strings.TrimSpace(v))]
	return id, ok
}

// reasonOf strips the sentinel's prefix from a phone number error.
func reasonOf(err error) string {
	if errors.Is(err, ErrNotE164) {
		return strings.TrimPrefix(err.Error(), ErrNotE164.Error()+": ")
	}
	return err.Error()
}

// finishImport records the import and its rejected rows and builds the report.
func (s *Service) finishImport(ctx context.Context, imp store.ListImport, rejects []store.RejectedRow, rep *Report) error {
	imp.FinishedAt = s.clock.Now().UTC()
	rec, err := s.st.RecordImport(ctx, imp, rejects)
	if err != nil {
		return err
	}
	rep.ImportID, rep.Status = rec.ID, rec.Status
	return nil
}
