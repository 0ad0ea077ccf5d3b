package media

import "errors"

// Sentinel errors of package media. Test for them with errors.Is.
var (
	// ErrClosed is returned by operations on a closed Session or PortPool.
	ErrClosed = errors.New("media: session closed")
	// ErrPoolExhausted is returned by PortPool.Allocate when every port is in use.
	ErrPoolExhausted = errors.New("media: RTP port pool exhausted; widen the port range or lower concurrency")
	// ErrPortRange is returned by NewPortPool for an empty or invalid range.
	ErrPortRange = errors.New("media: invalid RTP port range")
	// ErrBusy is returned by Play or SendDTMF while another one is running on the session.
	ErrBusy = errors.New("media: session is already playing or sending DTMF; cancel it first")
	// ErrCodec is returned for a payload type or codec name that is not PCMU or PCMA.
	ErrCodec = errors.New("media: unsupported codec; use PCMU (0) or PCMA (8)")
	// ErrWAVFormat is returned by OpenWAV for a file that is not 8 kHz mono PCM16, mu-law or A-law.
	ErrWAVFormat = errors.New("media: unsupported WAV format")
	// ErrEventPayload is returned by TelephoneEvent.Unmarshal for a short payload.
	ErrEventPayload = errors.New("media: telephone-event payload is shorter than 4 bytes")
	// ErrDigit is returned by SendDTMF for a character that is not 0-9, *, #, A-D.
	ErrDigit = errors.New("media: not a DTMF digit; use 0-9, *, #, A-D")
	// ErrNoRemote is returned when sending before SetRemote gave a peer address.
	ErrNoRemote = errors.New("media: no remote address; call SetRemote with the SDP address first")
)
