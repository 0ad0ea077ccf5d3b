package media

import (
	"net/netip"
	"time"
)

// Stats is a snapshot of one session's counters.
type Stats struct {
	PacketsReceived uint64 // valid RTP packets accepted from the peer (all payload types)
	BytesReceived   uint64 // their payload bytes
	PacketsSent     uint64
	BytesSent       uint64 // payload bytes sent

	// Lost is expected minus received packets (RFC 3550 A.3), from sequence gaps. It can
	// shrink when a late packet arrives, and is never negative.
	Lost       int64
	Expected   uint64        // packets the sequence numbers say were sent
	Jitter     time.Duration // RFC 3550 interarrival jitter estimate
	OutOfOrder uint64        // packets older than the highest sequence seen, not duplicates
	Duplicates uint64        // packets whose sequence number was already received

	ForeignDropped uint64 // packets from a source other than the latched one
	Malformed      uint64 // datagrams that are not RTP version 2
	UnknownPT      uint64 // RTP packets of a payload type we did not negotiate

	Latched      netip.AddrPort // the peer source we latched to; zero before the first packet
	LastReceived time.Time      // arrival of the last accepted packet, for media timeouts

	// From the peer's RTCP reports about our stream (zero without RTCP).
	RTCPReceived   uint64        // RTCP packets accepted from the peer
	RemoteLost     int64         // cumulative loss the peer reports
	RemoteFraction float64       // fraction lost in the peer's last interval, 0..1
	RemoteJitter   time.Duration // jitter the peer measures
	RTT            time.Duration // round trip from LSR/DLSR (RFC 3550 6.4.1)
}

// LossRatio returns Lost/Expected, 0 when nothing was expected.
func (s Stats) LossRatio() float64 {
	if s.Expected == 0 {
		return 0
	}
	return float64(s.Lost) / float64(s.Expected)
}

// seqWindow is how many recent sequence numbers the duplicate detector remembers.
const seqWindow = 128

// receiveStats follows one incoming RTP stream (RFC 3550 A.1, A.3, A.8). Not safe
// for concurrent use; the session guards it.
type receiveStats struct {
	started  bool
	ssrc     uint32
	baseSeq  uint32 // extended
	maxSeq   uint32 // extended highest
	received uint64 // unique packets
	seen     [seqWindow / 64]uint64
	// jitter in timestamp units, scaled by 16 as in RFC 3550 A.8 (integer form)
	jitter      int64
	lastTransit int64
	outOfOrder  uint64
	duplicates  uint64
	// totals of earlier streams (SSRC changes, numbering restarts)
	priorExpected uint64
	priorReceived uint64
}

// restart begins a new stream, keeping the totals of the previous one.
func (r *receiveStats) restart(ssrc uint32, seq uint16, ts uint32, arrival int64) {
	if r.started {
		r.priorExpected += uint64(r.maxSeq-r.baseSeq) + 1
		r.priorReceived += r.received
	}
	r.started = true
	r.ssrc = ssrc
	r.baseSeq = uint32(seq)
	r.maxSeq = uint32(seq)
	r.received = 1
	r.seen = [seqWindow / 64]uint64{}
	r.mark(uint32(seq))
	r.lastTransit = arrival - int64(ts)
}

// maxDropout is how far ahead a sequence number may jump and still count as the same
// stream (RFC 3550 A.1 uses 3000); beyond it, the stream restarts.
const maxDropout = 3000

// update accounts for one packet. arrival is in timestamp units (8 kHz). It reports
// whether the packet was a duplicate.
func (r *receiveStats) update(ssrc uint32, seq uint16, ts uint32, arrival int64) (dup bool) {
	if !r.started || ssrc != r.ssrc {
		r.restart(ssrc, seq, ts, arrival)
		return false
	}
	// extend seq relative to maxSeq
	maxLow := uint16(r.maxSeq)
	delta := int32(int16(seq - maxLow)) // signed distance, -32768..32767
	ext := uint32(int64(r.maxSeq) + int64(delta))
	switch {
	case delta > 0 && delta < maxDropout:
		// advance the window, clearing the skipped numbers
		for s := r.maxSeq + 1; s <= ext; s++ {
			r.clear(s)
			if ext-s > seqWindow {
				s = ext - seqWindow
			}
		}
		r.maxSeq = ext
	case delta > 0:
		// a jump too large to be loss: treat as a restart of the numbering
		r.restart(ssrc, seq, ts, arrival)
		return false
	default: // delta <= 0: duplicate or late
		if int64(ext) < int64(r.baseSeq) || -delta >= seqWindow {
			// too old to tell; count as out of order without changing totals
			r.outOfOrder++
			return false
		}
		if r.isMarked(ext) {
			r.duplicates++
			return true
		}
		r.outOfOrder++
	}
	r.mark(ext)
	r.received++
	transit := arrival - int64(ts)
	d := transit - r.lastTransit
	r.lastTransit = transit
	if d < 0 {
		d = -d
	}
	// J += (|D| - J) / 16, kept scaled by 16 (RFC 3550 A.8)
	r.jitter += d - ((r.jitter + 8) >> 4)
	return false
}

func (r *receiveStats) mark(s uint32)  { r.seen[(s/64)%(seqWindow/64)] |= 1 << (s % 64) }
func (r *receiveStats) clear(s uint32) { r.seen[(s/64)%(seqWindow/64)] &^= 1 << (s % 64) }
func (r *receiveStats) isMarked(s uint32) bool {
	return r.seen[(s/64)%(seqWindow/64)]&(1<<(s%64)) != 0
}

func (r *receiveStats) expected() uint64 {
	if !r.started {
		return 0
	}
	return r.priorExpected + uint64(r.maxSeq-r.baseSeq) + 1
}

func (r *receiveStats) lost() int64 {
	l := int64(r.expected()) - int64(r.priorReceived+r.received)
	return max(l, 0)
}

// jitterDuration converts the scaled jitter to wall time.
func (r *receiveStats) jitterDuration() time.Duration {
	return time.Duration(r.jitter>>4) * time.Second / SampleRate
}
