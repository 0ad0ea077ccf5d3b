package media

import (
	"sync"
	"time"

	"github.com/pion/rtp"
)

// reanchorGap is the pause in a forwarded stream after which sequence numbers and
// timestamps are anchored afresh to the outgoing stream (and the marker bit is set).
const reanchorGap = 200 * time.Millisecond

// streamRewriter maps an incoming stream's sequence numbers and timestamps onto an
// outgoing stream: offsets are fixed when the incoming source first appears, changes
// SSRC, or resumes after a pause, so gaps and reordering carry through unchanged while
// the outgoing numbering stays continuous.
type streamRewriter struct {
	active   bool
	srcSSRC  uint32
	seqDelta uint16
	tsDelta  uint32
	last     time.Duration // arrival of the previous packet, on the owner's clock
}

// rewrite returns the outgoing sequence number and timestamp of p and whether the
// packet starts a new run (the marker bit should be set). nextSeq and nextTS are
// what the outgoing stream would use for its next packet.
func (r *streamRewriter) rewrite(p *rtp.Packet, now time.Duration, nextSeq uint16, nextTS uint32) (seq uint16, ts uint32, anchored bool) {
	if !r.active || p.SSRC != r.srcSSRC || now-r.last > reanchorGap {
		r.active = true
		r.srcSSRC = p.SSRC
		r.seqDelta = nextSeq - p.SequenceNumber
		r.tsDelta = nextTS - p.Timestamp
		anchored = true
	}
	r.last = now
	return p.SequenceNumber + r.seqDelta, p.Timestamp + r.tsDelta, anchored
}

// seqAfter reports whether a comes after b in RTP sequence arithmetic.
func seqAfter(a, b uint16) bool { return a != b && a-b < 0x8000 }

// Restamper is an RTPWriter that gives everything written through it one continuous
// outgoing stream (its own SSRC, sequence numbers and timestamps) before passing it to
// the next writer. Use it in front of a writer that passes numbering through, such as
// a WebRTC TrackLocalStaticRTP, so that a change of upstream source (early media then
// answer, a transfer) does not look like a jump to the receiver. Safe for concurrent use.
type Restamper struct {
	mu      sync.Mutex
	next    RTPWriter
	ssrc    uint32
	rw      streamRewriter
	nextSeq uint16
	nextTS  uint32
	lastTS  uint32
	start   time.Time
	lastAt  time.Duration
	started bool
	out     rtp.Packet
}

var _ RTPWriter = (*Restamper)(nil)

// NewRestamper returns a Restamper writing to next with the given SSRC (0 picks a
// random one).
func NewRestamper(next RTPWriter, ssrc uint32) *Restamper {
	if ssrc == 0 {
		ssrc = randomUint32()
	}
	return &Restamper{next: next, ssrc: ssrc, nextSeq: uint16(randomUint32()), nextTS: randomUint32(), start: time.Now()}
}

// WriteRTP rewrites a copy of p's header and writes it to the next writer.
func (r *Restamper) WriteRTP(p *rtp.Packet) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Since(r.start)
	nextTS := r.nextTS
	if r.started {
		// after a pause, move the timestamp on by the wall time that passed
		nextTS = r.lastTS + uint32(max(now-r.lastAt, FrameDuration)*SampleRate/time.Second)
	}
	seq, ts, anchored := r.rw.rewrite(p, now, r.nextSeq, nextTS)
	if !r.started || seqAfter(seq+1, r.nextSeq) {
		r.nextSeq = seq + 1
	}
	r.started, r.lastTS, r.lastAt = true, ts, now
	r.out.Header = rtp.Header{
		Version: 2, Marker: p.Marker || anchored, PayloadType: p.PayloadType,
		SequenceNumber: seq, Timestamp: ts, SSRC: r.ssrc,
	}
	r.out.Payload = p.Payload
	err := r.next.WriteRTP(&r.out)
	r.out.Payload = nil
	return err
}
