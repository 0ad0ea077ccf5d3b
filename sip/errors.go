package sip

import "errors"

// Sentinel errors. Test for them with errors.Is; the returned errors wrap them with the
// field, value or trunk that caused them.
var (
	// ErrInvalidTrunk marks a trunk whose configuration cannot be used.
	ErrInvalidTrunk = errors.New("sip: invalid trunk")
	// ErrInvalidConfig marks a client configuration that cannot be used.
	ErrInvalidConfig = errors.New("sip: invalid client config")
	// ErrInvalidRequest marks a DialRequest that cannot be dialled.
	ErrInvalidRequest = errors.New("sip: invalid dial request")
	// ErrUnknownTrunk is returned when a DialRequest names a trunk the client was not configured with.
	ErrUnknownTrunk = errors.New("sip: unknown trunk")
	// ErrNoCapacity is returned when every candidate trunk is down or at its channel limit.
	ErrNoCapacity = errors.New("sip: no trunk capacity")
	// ErrClosed is returned by a Client that has been closed.
	ErrClosed = errors.New("sip: client closed")
	// ErrInvalidSDP marks an SDP body we cannot use.
	ErrInvalidSDP = errors.New("sip: invalid SDP")
	// ErrNoCommonCodec is returned when an SDP offer or answer shares no codec with us.
	ErrNoCommonCodec = errors.New("sip: no common codec")
	// ErrCallEnded is returned by operations on a call that has already ended.
	ErrCallEnded = errors.New("sip: call ended")
)
