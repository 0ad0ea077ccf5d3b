package sim

import "errors"

// Sentinel errors of the simulator, wrapped with the offending key and value.
var (
	ErrScenario = errors.New("sim: invalid scenario")
)
