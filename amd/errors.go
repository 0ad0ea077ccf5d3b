package amd

import "errors"

// Errors returned when parameters are parsed or checked. They are wrapped with the name
// of the key and the accepted range; test them with errors.Is.
var (
	// ErrUnknownParam is returned for a key that names no parameter.
	ErrUnknownParam = errors.New("amd: unknown parameter")
	// ErrBadValue is returned for a value that is not a number (or boolean) or is out of range.
	ErrBadValue = errors.New("amd: bad parameter value")
	// ErrUnknownPreset is returned by Preset for a name that is not a preset.
	ErrUnknownPreset = errors.New("amd: unknown preset")
)
