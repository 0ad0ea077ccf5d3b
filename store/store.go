package store

import (
	"context"
	"time"
)

// Store is everything outdial persists. Backends implement it in store/sqlite and
// store/postgres (both through store/sqldb); store/storetest holds them to one behaviour.
type Store interface {
	Users
	Tokens
	Agents
	Queues
	Trunks
	PhoneNumbers
	Settings
	Audit
	LoginFailures
	Lists
	Campaigns

	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// SchemaVersion returns the applied migration version and the latest this binary has.
	SchemaVersion(ctx context.Context) (applied, latest int, err error)
	// Backend names the backend: "sqlite" or "postgres".
	Backend() string
	Close() error
}

// Role is what a user may do. Roles are ordered: each includes the ones below it.
type Role string

const (
	RoleAgent      Role = "agent"
	RoleSupervisor Role = "supervisor"
	RoleManager    Role = "manager"
	RoleAdmin      Role = "admin"
)

// Rank orders roles; an unknown role ranks 0 and may do nothing.
func (r Role) Rank() int {
	switch r {
	case RoleAgent:
		return 1
	case RoleSupervisor:
		return 2
	case RoleManager:
		return 3
	case RoleAdmin:
		return 4
	}
	return 0
}

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool { return r.Rank() > 0 }

// User is a person who signs in: an administrator, a manager, a supervisor or an agent.
type User struct {
	ID           int64     `json:"id"`
	Username     string    `json:"username"`
	DisplayName  string    `json:"display_name"`
	Email        string    `json:"email,omitempty"`
	Role         Role      `json:"role"`
	PasswordHash string    `json:"-"`
	Disabled     bool      `json:"disabled"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Users stores user accounts.
type Users interface {
	CreateUser(ctx context.Context, u User) (User, error)
	UserByID(ctx context.Context, id int64) (User, error)
	UserByUsername(ctx context.Context, username string) (User, error)
	ListUsers(ctx context.Context) ([]User, error)
	UpdateUser(ctx context.Context, u User) (User, error)
	DeleteUser(ctx context.Context, id int64) error
}

// Token is an API bearer token. Only its SHA-256 hash is stored.
type Token struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	Hash       []byte     `json:"-"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// Tokens stores API tokens.
type Tokens interface {
	CreateToken(ctx context.Context, t Token) (Token, error)
	// TokenByHash returns the token and its user.
	TokenByHash(ctx context.Context, hash []byte) (Token, User, error)
	ListTokens(ctx context.Context, userID int64) ([]Token, error)
	DeleteToken(ctx context.Context, id int64) error
	TouchToken(ctx context.Context, id int64, at time.Time) error
}

// Agent is the contact-centre profile of a user with role agent.
type Agent struct {
	ID        int64     `json:"id"`
	UserID    int64     `json:"user_id"`
	Name      string    `json:"name"`
	Email     string    `json:"email,omitempty"`
	QueueIDs  []int64   `json:"queue_ids"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Agents stores agents and their queue memberships.
type Agents interface {
	CreateAgent(ctx context.Context, a Agent) (Agent, error)
	AgentByID(ctx context.Context, id int64) (Agent, error)
	AgentByUserID(ctx context.Context, userID int64) (Agent, error)
	ListAgents(ctx context.Context) ([]Agent, error)
	UpdateAgent(ctx context.Context, a Agent) (Agent, error)
	DeleteAgent(ctx context.Context, id int64) error
}

// Queue is a group of agents that campaign calls are delivered to.
type Queue struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Queues stores queues.
type Queues interface {
	CreateQueue(ctx context.Context, q Queue) (Queue, error)
	QueueByID(ctx context.Context, id int64) (Queue, error)
	ListQueues(ctx context.Context) ([]Queue, error)
	UpdateQueue(ctx context.Context, q Queue) (Queue, error)
	DeleteQueue(ctx context.Context, id int64) error
}

// Trunk is a SIP trunk to a carrier or SBC.
type Trunk struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Address     string    `json:"address"`
	Transport   string    `json:"transport"`
	Username    string    `json:"username,omitempty"`
	Password    string    `json:"password,omitempty"`
	FromDomain  string    `json:"from_domain,omitempty"`
	MaxChannels int       `json:"max_channels"`
	MaxCPS      float64   `json:"max_cps"`
	Codecs      []string  `json:"codecs"`
	Priority    int       `json:"priority"`
	Enabled     bool      `json:"enabled"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Trunks stores SIP trunks.
type Trunks interface {
	CreateTrunk(ctx context.Context, t Trunk) (Trunk, error)
	TrunkByID(ctx context.Context, id int64) (Trunk, error)
	ListTrunks(ctx context.Context) ([]Trunk, error)
	UpdateTrunk(ctx context.Context, t Trunk) (Trunk, error)
	DeleteTrunk(ctx context.Context, id int64) error
}

// Direction says whether a phone number may place calls.
type Direction string

const (
	DirectionOutbound        Direction = "outbound"
	DirectionInboundOutbound Direction = "inbound-outbound"
	DirectionInbound         Direction = "inbound"
)

// PhoneNumber is a number the account owns, usable as a caller ID when outbound-enabled.
type PhoneNumber struct {
	ID          int64     `json:"id"`
	Number      string    `json:"number"`
	Description string    `json:"description"`
	Direction   Direction `json:"direction"`
	TrunkID     *int64    `json:"trunk_id,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// PhoneNumbers stores phone numbers.
type PhoneNumbers interface {
	CreatePhoneNumber(ctx context.Context, p PhoneNumber) (PhoneNumber, error)
	PhoneNumberByID(ctx context.Context, id int64) (PhoneNumber, error)
	ListPhoneNumbers(ctx context.Context) ([]PhoneNumber, error)
	UpdatePhoneNumber(ctx context.Context, p PhoneNumber) (PhoneNumber, error)
	DeletePhoneNumber(ctx context.Context, id int64) error
}

// Settings stores named JSON documents of account-wide settings. The store does not
// interpret them; their types and validation live with the domain code.
type Settings interface {
	// Setting returns the document stored under key, or ErrNotFound.
	Setting(ctx context.Context, key string) ([]byte, error)
	PutSetting(ctx context.Context, key string, value []byte) error
}

// AuditEntry records one change: who made it, what and when.
type AuditEntry struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	UserID     *int64    `json:"user_id,omitempty"`
	Actor      string    `json:"actor"`
	Action     string    `json:"action"`
	Resource   string    `json:"resource"`
	ResourceID string    `json:"resource_id,omitempty"`
	Detail     string    `json:"detail,omitempty"`
	// Outcome is AuditDone (the default when appended), or AuditPending for a row
	// written before its change whose result was never recorded.
	Outcome string `json:"outcome"`
}

// Audit outcomes.
const (
	AuditPending = "pending"
	AuditDone    = "done"
)

// AuditFilter selects audit entries; zero fields match everything.
type AuditFilter struct {
	Since, Until time.Time
	Resource     string
	Limit        int
}

// LoginFailures counts failed sign-ins per key (a username or an address, hashed by
// the caller) for the sign-in throttle, across every node.
type LoginFailures interface {
	// RecordLoginFailure adds one failure at at for each key, and deletes every failure
	// older than prune.
	RecordLoginFailure(ctx context.Context, keys []string, at, prune time.Time) error
	// RecentLoginFailures returns the times of key's latest failures after since,
	// newest first, at most limit of them.
	RecentLoginFailures(ctx context.Context, key string, since time.Time, limit int) ([]time.Time, error)
	// ClearLoginFailures forgets key's failures.
	ClearLoginFailures(ctx context.Context, key string) error
}

// Audit stores the audit log. It is append-only, except that a pending entry (one
// written before its change) is completed once, or withdrawn when the change was not
// made.
type Audit interface {
	// AppendAudit adds an entry (Outcome defaults to AuditDone; At to now).
	AppendAudit(ctx context.Context, e AuditEntry) (AuditEntry, error)
	// CompleteAudit marks pending entry id done, with the resource id and detail the
	// change produced (empty ones keep what the entry has). ErrNotFound when id is not
	// pending.
	CompleteAudit(ctx context.Context, id int64, resourceID, detail string) error
	// WithdrawAudit deletes pending entry id: its change was refused and nothing was
	// written. ErrNotFound when id is not pending.
	WithdrawAudit(ctx context.Context, id int64) error
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
}
