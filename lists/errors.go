package lists

import "errors"

var (
	// ErrNotE164 is returned for a phone number that is not a valid E.164 number.
	ErrNotE164 = errors.New("lists: invalid phone number")
	// ErrBadFile is returned when a file cannot be imported at all: no header, an
	// unnamed or repeated column, a mapping to a column the file does not have.
	ErrBadFile = errors.New("lists: bad file")
	// ErrLimit is returned when an import or a new list would pass a configured limit.
	ErrLimit = errors.New("lists: limit reached")
	// ErrRejected is returned by a strict import that found bad rows; nothing is written.
	ErrRejected = errors.New("lists: file rejected")
	// ErrInvalid is returned for an invalid setting (name, mapping, integration).
	ErrInvalid = errors.New("lists: invalid")
	// ErrWrongKind is returned when an operation meets a list of another kind.
	ErrWrongKind = errors.New("lists: wrong kind of list")
	// ErrSchemaChanged is returned when an API-integrated list that a campaign uses
	// starts returning records of another shape; the change needs confirmation.
	ErrSchemaChanged = errors.New("lists: the API's record schema changed")
	// ErrFetch is returned when an integration's endpoint cannot be read.
	ErrFetch = errors.New("lists: fetch failed")
)
