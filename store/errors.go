package store

import "errors"

var (
	// ErrNotFound is returned when the requested record does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict is returned when a write would break a uniqueness rule (a name or
	// number already taken).
	ErrConflict = errors.New("store: already exists")
	// ErrInUse is returned when a record cannot be deleted because another refers to it.
	ErrInUse = errors.New("store: in use")
	// ErrCapacity is returned when a write would exceed a configured limit shared by
	// every node (the account's Max Concurrent Calls).
	ErrCapacity = errors.New("store: capacity reached")
	// ErrMigrationsAhead is returned when the database has migrations this binary does
	// not know (it was migrated by a newer outdial).
	ErrMigrationsAhead = errors.New("store: database schema is newer than this binary")
)
