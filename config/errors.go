package config

import "errors"

// ErrInvalid wraps every validation failure; the message names the key path and the
// allowed values.
var ErrInvalid = errors.New("config: invalid value")

// ErrUnknownKey is returned when the YAML file or the environment names a key that
// does not exist.
var ErrUnknownKey = errors.New("config: unknown key")
