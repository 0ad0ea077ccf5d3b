package media

import (
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pion/rtp"
)

// TelephoneEvent is the RFC 4733 section 2.3 payload of one telephone-event packet.
type TelephoneEvent struct {
	Event    uint8  // 0-9 digits, 10 '*', 11 '#', 12-15 'A'-'D', 16 flash
	End      bool   // E bit: last packets of the event
	Volume   uint8  // power in -dBm0, 0-63 (6 bits)
	Duration uint16 // in timestamp units since the event's timestamp
}

// eventPayloadSize is the size of one marshaled TelephoneEvent.
const eventPayloadSize = 4

// MarshalSize returns the size of the marshaled payload, always 4.
func (e TelephoneEvent) MarshalSize() int { return eventPayloadSize }

// MarshalTo writes the payload into b, which must hold 4 bytes.
func (e TelephoneEvent) MarshalTo(b []byte) (int, error) {
	if len(b) < eventPayloadSize {
		return 0, fmt.Errorf("media: telephone-event buffer has %d bytes, need %d", len(b), eventPayloadSize)
	}
	b[0] = e.Event
	b[1] = e.Volume & 0x3f
	if e.End {
		b[1] |= 0x80
	}
	binary.BigEndian.PutUint16(b[2:], e.Duration)
	return eventPayloadSize, nil
}

// Marshal returns the 4-byte payload.
func (e TelephoneEvent) Marshal() []byte {
	b := make([]byte, eventPayloadSize)
	_, _ = e.MarshalTo(b)
	return b
}

// Unmarshal parses the first 4 bytes of b. Extra bytes (several events in one packet,
// RFC 4733 section 2.5.1.5) are ignored; the reserved bit is ignored as the RFC asks.
func (e *TelephoneEvent) Unmarshal(b []byte) error {
	if len(b) < eventPayloadSize {
		return fmt.Errorf("%w (got %d)", ErrEventPayload, len(b))
	}
	e.Event = b[0]
	e.End = b[1]&0x80 != 0
	e.Volume = b[1] & 0x3f
	e.Duration = binary.BigEndian.Uint16(b[2:])
	return nil
}

const digitChars = "0123456789*#ABCD"

// EventForDigit returns the RFC 4733 event code of a DTMF digit (0-9, *, #, A-D,
// lower-case a-d accepted).
func EventForDigit(d rune) (uint8, error) {
	i := strings.IndexRune(digitChars, d)
	if i < 0 && d >= 'a' && d <= 'd' {
		i = strings.IndexRune(digitChars, d-'a'+'A')
	}
	if i < 0 {
		return 0, fmt.Errorf("%w (got %q)", ErrDigit, d)
	}
	return uint8(i), nil
}

// DigitForEvent returns the digit of an event code, ok false for codes above 15.
func DigitForEvent(ev uint8) (rune, bool) {
	if int(ev) >= len(digitChars) {
		return 0, false
	}
	return rune(digitChars[ev]), true
}

// Digit is one DTMF digit received from the peer.
type Digit struct {
	Digit    rune          // '0'-'9', '*', '#', 'A'-'D'
	Duration time.Duration // as reported by the sender (0 if its end packets were lost)
}

// DTMFHandler receives digits detected on a session.
type DTMFHandler interface {
	HandleDTMF(d Digit)
}

// DTMFHandlerFunc adapts a function to DTMFHandler.
type DTMFHandlerFunc func(d Digit)

// HandleDTMF calls f(d).
func (f DTMFHandlerFunc) HandleDTMF(d Digit) { f(d) }

// DTMFDetector is an RTPHandler stage for telephone-event packets. It reports each
// event once to its handler: on the first end packet (the sender repeats it three
// times), or, if every end packet was lost, when the next event begins. Events are
// told apart by their RTP timestamp (RFC 4733 section 2.5.1.3). Safe for use by one
// receive goroutine while the handler is replaced from another.
type DTMFDetector struct {
	mu        sync.Mutex
	h         DTMFHandler
	started   bool
	ts        uint32
	ssrc      uint32
	event     uint8
	duration  uint16
	delivered bool
	ev        TelephoneEvent
}

var _ RTPHandler = (*DTMFDetector)(nil)

// NewDTMFDetector returns a detector reporting to h (which may be nil until SetHandler).
func NewDTMFDetector(h DTMFHandler) *DTMFDetector { return &DTMFDetector{h: h} }

// SetHandler replaces the digit handler; nil drops digits.
func (d *DTMFDetector) SetHandler(h DTMFHandler) {
	d.mu.Lock()
	d.h = h
	d.mu.Unlock()
}

// HandleRTP consumes one telephone-event packet.
func (d *DTMFDetector) HandleRTP(p *rtp.Packet) error {
	if err := d.ev.Unmarshal(p.Payload); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.started && p.Timestamp == d.ts && p.SSRC == d.ssrc {
		if d.delivered {
			return nil // retransmitted end packet, or a late continuation
		}
		if d.ev.Duration > d.duration {
			d.duration = d.ev.Duration
		}
		if d.ev.End {
			d.deliver()
		}
		return nil
	}
	if d.started && !d.delivered {
		d.deliver() // the previous event's end packets were all lost
	}
	d.started, d.delivered = true, false
	d.ts, d.ssrc = p.Timestamp, p.SSRC
	d.event, d.duration = d.ev.Event, d.ev.Duration
	if d.ev.End {
		d.deliver()
	}
	return nil
}

func (d *DTMFDetector) deliver() {
	d.delivered = true
	r, ok := DigitForEvent(d.event)
	if !ok || d.h == nil {
		return
	}
	d.h.HandleDTMF(Digit{Digit: r, Duration: time.Duration(d.duration) * time.Second / SampleRate})
}
