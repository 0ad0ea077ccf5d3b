package flow

import "errors"

var (
	// ErrInvalidFlow wraps every validation failure; each is a *NodeError naming the
	// node, the field and the fix.
	ErrInvalidFlow = errors.New("flow: invalid flow")
	// ErrTooManySteps stops a run that loops past MaxSteps nodes.
	ErrTooManySteps = errors.New("flow: too many steps")
)
