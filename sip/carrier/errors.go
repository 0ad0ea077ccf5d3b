package carrier

import "errors"

var (
	// ErrInvalidScenario marks a scenario that cannot be played.
	ErrInvalidScenario = errors.New("carrier: invalid scenario")
	// ErrInvalidConfig marks a server configuration that cannot be used.
	ErrInvalidConfig = errors.New("carrier: invalid config")
)
