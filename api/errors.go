package api

import (
	"errors"
	"fmt"
	"net/http"
)

// Sentinel errors of the API layer. Handlers wrap them; writeError maps them to HTTP.
var (
	ErrUnauthorized = errors.New("api: authentication required")
	ErrForbidden    = errors.New("api: role not allowed")
	ErrBadRequest   = errors.New("api: bad request")
	ErrTooLarge     = errors.New("api: request body too large")
)

// Error is the JSON error every failed request returns:
// {"error": {"code": "...", "message": "...", "field": "..."}}.
type Error struct {
	Status  int           `json:"-"`
	Code    string        `json:"code"`
	Message string        `json:"message"`
	Field   string        `json:"field,omitempty"`
	Details []ErrorDetail `json:"details,omitempty"`
}

// ErrorDetail names one more field that failed validation.
type ErrorDetail struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	}
	return e.Message
}

// errorBody is the envelope of an Error.
type errorBody struct {
	Error *Error `json:"error"`
}

// invalid returns a 400 naming the field and the fix.
func invalid(field, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid", Field: field, Message: fmt.Sprintf(format, args...)}
}

// notFound returns a 404 for the named thing.
func notFound(what string) *Error {
	return &Error{Status: http.StatusNotFound, Code: "not_found", Message: what + " does not exist"}
}
