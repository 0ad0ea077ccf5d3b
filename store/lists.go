package store

import (
	"context"
	"time"
)

// ListKind says what a list holds.
type ListKind string

const (
	// ListContact holds contacts to call or message.
	ListContact ListKind = "contact"
	// ListDNC holds numbers that must not be contacted.
	ListDNC ListKind = "dnc"
	// ListMapping holds phone number -> agent assignments with a customer priority.
	ListMapping ListKind = "mapping"
)

// Valid reports whether k is one of the three kinds.
func (k ListKind) Valid() bool { return k == ListContact || k == ListDNC || k == ListMapping }

// ListStatus is the spec's Validating / Validated / Invalid.
type ListStatus string

const (
	ListValidating ListStatus = "Validating"
	ListValidated  ListStatus = "Validated"
	ListInvalid    ListStatus = "Invalid"
)

// ListSource says where a list's entries come from.
type ListSource string

const (
	SourceCSV    ListSource = "csv"
	SourceAPI    ListSource = "api"
	SourceManual ListSource = "manual"
)

// List is a contact list, a DNC list or an agent mapping list.
type List struct {
	ID          int64      `json:"id"`
	Kind        ListKind   `json:"kind"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Status      ListStatus `json:"status"`
	Source      ListSource `json:"source"`
	// Entries counts contacts, DNC entries or mappings; the store keeps it current.
	Entries int64 `json:"entries"`
	// Global marks the one global DNC list.
	Global bool `json:"global"`
	// Error says why the list is Invalid.
	Error string `json:"error,omitempty"`
	// Config is a JSON document owned by package lists (field mapping, API integration
	// with sealed secrets). The store does not interpret it.
	Config []byte `json:"-"`
	// NextSyncAt is when an API-integrated list is next fetched.
	NextSyncAt *time.Time `json:"next_sync_at,omitempty"`
	// Campaigns names the campaigns that use the list (from list_usage).
	Campaigns []string  `json:"campaigns"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// List sort keys for ListFilter.Sort.
const (
	SortUpdated = "updated_at" // the default
	SortName    = "name"
	SortCreated = "created_at"
	SortEntries = "entries"
)

// ListFilter selects, orders and pages lists.
type ListFilter struct {
	Kind ListKind
	// Search matches any part of the name or description, case-insensitively.
	Search string
	// Source, when set, keeps lists from that source only.
	Source ListSource
	// SyncDueBy, when set, keeps API lists whose NextSyncAt is at or before it.
	SyncDueBy *time.Time
	// Sort is one of the Sort* keys; empty means SortUpdated, newest first. Desc
	// orders from the highest value down.
	Sort string
	Desc bool
	// Limit 0 means 50; Offset skips rows.
	Limit, Offset int
}

// Page selects entries of one list: Search matches any part of the number or names.
type Page struct {
	Search        string
	Limit, Offset int
}

// Contact is one row of a contact list.
type Contact struct {
	ID     int64 `json:"id"`
	ListID int64 `json:"list_id"`
	// Row is the row of the source file (header = row 1) or the record index of a sync.
	Row int64 `json:"row"`
	// Phones are E.164 numbers in dialing order; Phones[0] is the primary number.
	Phones    []string `json:"phones"`
	FirstName string   `json:"first_name,omitempty"`
	LastName  string   `json:"last_name,omitempty"`
	// TimeZone is an IANA zone name; empty means the campaign's.
	TimeZone string `json:"time_zone,omitempty"`
	Priority int    `json:"priority,omitempty"`
	AgentID  *int64 `json:"agent_id,omitempty"`
	// Fields are the unmapped columns by header, for flows and templates.
	Fields    map[string]string `json:"fields"`
	CreatedAt time.Time         `json:"created_at"`
}

// ListImport records one upload or sync into a list.
type ListImport struct {
	ID       int64      `json:"id"`
	ListID   int64      `json:"list_id"`
	Source   ListSource `json:"source"`
	FileName string     `json:"file_name,omitempty"`
	Strict   bool       `json:"strict"`
	// Status is "completed" (rows written) or "failed" (nothing written).
	Status     string    `json:"status"`
	Rows       int64     `json:"rows"`
	Imported   int64     `json:"imported"`
	Rejected   int64     `json:"rejected"`
	Duplicates int64     `json:"duplicates"`
	Error      string    `json:"error,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
}

// Import statuses.
const (
	ImportCompleted = "completed"
	ImportFailed    = "failed"
)

// RejectedRow is one row an import did not write, with the reason and the fix.
type RejectedRow struct {
	ImportID int64  `json:"import_id"`
	Row      int64  `json:"row"`
	Line     int64  `json:"line"`
	Column   string `json:"column"`
	Value    string `json:"value"`
	Reason   string `json:"reason"`
	// Raw is the original record, CSV-encoded.
	Raw string `json:"raw"`
}

// DNCEntry is one number on a DNC list. An entry with ExpiresAt in the past no longer
// blocks.
type DNCEntry struct {
	ID        int64      `json:"id"`
	ListID    int64      `json:"list_id"`
	Number    string     `json:"number"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	Source    string     `json:"source,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

// Active reports whether the entry blocks at time at.
func (e DNCEntry) Active(at time.Time) bool { return e.ExpiresAt == nil || e.ExpiresAt.After(at) }

// AgentMapping assigns a customer number to an agent with a customer priority.
type AgentMapping struct {
	ID        int64     `json:"id"`
	ListID    int64     `json:"list_id"`
	Number    string    `json:"number"`
	AgentID   int64     `json:"agent_id"`
	Priority  int       `json:"priority"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Sync log statuses, as the spec's List Management Logs show them.
const (
	SyncCompleted = "Completed"
	SyncFailed    = "Failed"
)

// SyncLog is one row of the List Management Log: one fetch of an API-integrated list.
type SyncLog struct {
	ID          int64     `json:"id"`
	At          time.Time `json:"at"`
	ListID      int64     `json:"list_id"`
	ListName    string    `json:"list_name"`
	Campaigns   string    `json:"campaigns"`
	Status      string    `json:"status"`
	Description string    `json:"description"`
	Records     int64     `json:"records"`
	// Payload is the JSON of what was fetched (exported on demand).
	Payload []byte `json:"-"`
}

// SyncLogFilter selects log rows; Search matches list name, campaigns, description or
// status.
type SyncLogFilter struct {
	Search        string
	Since, Until  time.Time
	Limit, Offset int
}

// Lists stores contact, DNC and agent mapping lists, their entries, imports and the
// List Management Log.
//
// Campaigns record which lists they use in the list_usage table (LinkList/UnlinkList);
// DeleteList refuses with ErrInUse while a list has usage rows.
type Lists interface {
	CreateList(ctx context.Context, l List) (List, error)
	ListByID(ctx context.Context, id int64) (List, error)
	// FindLists returns one page of lists and the number of lists the filter matches.
	FindLists(ctx context.Context, f ListFilter) ([]List, int64, error)
	// UpdateList replaces name, description, status, error, config and NextSyncAt.
	UpdateList(ctx context.Context, l List) (List, error)
	// DeleteList deletes a list and its entries; ErrInUse while a campaign uses it or
	// while it is the global DNC list.
	DeleteList(ctx context.Context, id int64) error
	// ListTotals counts the lists of a kind and their entries, for account limits.
	ListTotals(ctx context.Context, kind ListKind) (lists, entries int64, err error)

	// GlobalDNC returns the global DNC list.
	GlobalDNC(ctx context.Context) (List, error)
	// SetGlobalDNC makes a DNC list the global one and unmarks the previous, atomically.
	SetGlobalDNC(ctx context.Context, id int64) (List, error)

	// LinkList records that a campaign uses a list; UnlinkList removes that record.
	LinkList(ctx context.Context, listID, campaignID int64, campaignName string) error
	UnlinkList(ctx context.Context, listID, campaignID int64) error

	// WriteContacts appends the contacts next yields to a list in one transaction and
	// adds them to its count. next returns io.EOF at the end; any other error rolls
	// back everything and is returned. With maxAccount > 0 the write is refused
	// (ErrCapacity, nothing written) when, at commit, the lists of this kind would hold
	// more than maxAccount entries in all; the check runs under one lock, so imports
	// at the same moment never pass it together.
	WriteContacts(ctx context.Context, listID, maxAccount int64, next func() (Contact, error)) (int64, error)
	// Contacts returns one page of a list's contacts in row order and the match count.
	Contacts(ctx context.Context, listID int64, p Page) ([]Contact, int64, error)
	// EachContact streams the contacts of lists in order (list order, then row order).
	EachContact(ctx context.Context, listIDs []int64, fn func(Contact) error) error
	// EachContactPhones streams only the ids and phones of the contacts of lists, in
	// the same order, for fast counting.
	EachContactPhones(ctx context.Context, listIDs []int64, fn func(id int64, phones []string) error) error
	// EachNumber streams the numbers of one list: primary phones of a contact list,
	// the numbers of a DNC list (all entries) or of a mapping list.
	EachNumber(ctx context.Context, listID int64, fn func(number string) error) error

	// RecordImport stores an import and its rejected rows.
	RecordImport(ctx context.Context, imp ListImport, rejected []RejectedRow) (ListImport, error)
	Imports(ctx context.Context, listID int64) ([]ListImport, error)
	ImportByID(ctx context.Context, id int64) (ListImport, error)
	// EachRejectedRow streams an import's rejected rows in row order.
	EachRejectedRow(ctx context.Context, importID int64, fn func(RejectedRow) error) error

	// WriteDNCEntries appends entries in one transaction (see WriteContacts).
	WriteDNCEntries(ctx context.Context, listID, maxAccount int64, next func() (DNCEntry, error)) (int64, error)
	// PutDNCEntry adds a number to a list, or updates its expiry when already listed.
	PutDNCEntry(ctx context.Context, e DNCEntry) (DNCEntry, error)
	DNCEntries(ctx context.Context, listID int64, p Page) ([]DNCEntry, int64, error)
	DeleteDNCEntry(ctx context.Context, listID, id int64) error
	// EachActiveDNC streams the entries of lists that block at time at.
	EachActiveDNC(ctx context.Context, listIDs []int64, at time.Time, fn func(DNCEntry) error) error
	// EachActiveDNCNumber streams only the list ids and numbers of those entries.
	EachActiveDNCNumber(ctx context.Context, listIDs []int64, at time.Time, fn func(listID int64, number string) error) error
	// DNCMatch returns an entry for number on one of lists that blocks at time at, or
	// ErrNotFound.
	DNCMatch(ctx context.Context, number string, listIDs []int64, at time.Time) (DNCEntry, error)

	// WriteAgentMappings appends mappings in one transaction (see WriteContacts).
	WriteAgentMappings(ctx context.Context, listID int64, next func() (AgentMapping, error)) (int64, error)
	// PutAgentMapping creates a mapping (ID 0) or updates one; a number appears once
	// per list (ErrConflict).
	PutAgentMapping(ctx context.Context, m AgentMapping) (AgentMapping, error)
	AgentMappings(ctx context.Context, listID int64, p Page) ([]AgentMapping, int64, error)
	DeleteAgentMapping(ctx context.Context, listID, id int64) error

	AppendSyncLog(ctx context.Context, l SyncLog) (SyncLog, error)
	// SyncLogs returns one page of log rows, newest first, and the match count.
	SyncLogs(ctx context.Context, f SyncLogFilter) ([]SyncLog, int64, error)
	// SyncLogByID returns one row with its payload.
	SyncLogByID(ctx context.Context, id int64) (SyncLog, error)
}
