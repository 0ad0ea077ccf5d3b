package engine

import "errors"

var (
	// ErrConfig marks an engine configuration that cannot be used.
	ErrConfig = errors.New("engine: invalid config")
	// ErrNoPrompt is returned (wrapped) by Call.Play when no recorded prompt has that
	// name; the engine then speaks the text instead.
	ErrNoPrompt = errors.New("engine: no such prompt")
	// ErrStopped is returned by the agent methods once the engine has stopped.
	ErrStopped = errors.New("engine: stopped")
	// ErrNoAgent is returned by a flow's transfer when no agent of the queue takes the
	// call within the grace.
	ErrNoAgent = errors.New("engine: no agent available")
)
