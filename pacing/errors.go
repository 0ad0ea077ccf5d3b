package pacing

import "errors"

// Sentinel errors returned by Decide (wrapped with the offending campaign, agent or
// call) and by ParseMode.
var (
	ErrUnknownMode = errors.New("pacing: unknown dialing mode")
	ErrPriority    = errors.New("pacing: campaign priority must be 1 (lowest) to 5 (highest)")
	ErrRatio       = errors.New("pacing: power pacing ratio must be between 1 and 10")
	ErrTarget      = errors.New("pacing: abandonment target must be between 0 and 0.5")
	ErrIndex       = errors.New("pacing: index out of range")
	ErrNegative    = errors.New("pacing: count must not be negative")
)
