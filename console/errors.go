package console

import "errors"

// ErrTemplate reports an embedded page, template or asset that cannot be loaded: a
// build defect that the package tests catch.
var ErrTemplate = errors.New("console: web UI template")

// Errors of the agent WebSocket hub (agents.go).
var (
	// ErrAgentOffline is returned when a call is given to an agent who is not connected.
	ErrAgentOffline = errors.New("console: agent is not connected")
	// ErrNoAudio is returned when a call is given to an agent whose audio leg is not open.
	ErrNoAudio = errors.New("console: agent has no audio leg; send an audio message first")
)

// Errors of the WebRTC agent leg (webrtc.go).
var (
	// ErrWebRTCConfig reports a WebRTCConfig that cannot work.
	ErrWebRTCConfig = errors.New("console: webrtc config")
	// ErrOffer reports an audio message whose SDP offer cannot give a G.711 audio leg.
	ErrOffer = errors.New("console: audio offer")
)
