package media

import (
	"net/netip"
	"time"

	"github.com/pion/rtcp"
)

// DefaultRTCPInterval is how often a session with an RTCP socket sends a report
// (RFC 3550 section 6.2 suggests 5 s as the minimum).
const DefaultRTCPInterval = 5 * time.Second

// rtcpState is the RTCP side of a session, guarded by Session.mu.
type rtcpState struct {
	remote  netip.AddrPort // set by SetRemoteRTCP (SDP a=rtcp), else derived
	latched netip.AddrPort // source of the peer's first RTCP packet

	// what the peer's last sender report said, for our LSR/DLSR fields
	lastSR   uint32 // middle 32 bits of its NTP timestamp
	lastSRAt time.Time

	// totals at our previous report, for the fraction lost of the next one
	priorExpected uint64
	priorReceived uint64

	// what the peer reports about our stream
	received       uint64
	remoteLost     int64
	remoteFraction float64
	remoteJitter   time.Duration
	rtt            time.Duration
}

// SetRemoteRTCP sets the peer's RTCP address when its SDP gives one (a=rtcp);
// otherwise reports go to the peer's RTP port + 1, or to wherever its RTCP comes from.
func (s *Session) SetRemoteRTCP(ap netip.AddrPort) {
	s.mu.Lock()
	s.rtcp.remote = ap
	s.mu.Unlock()
}

func (s *Session) rtcpRemoteLocked() netip.AddrPort {
	switch {
	case s.rtcp.latched.IsValid():
		return s.rtcp.latched
	case s.rtcp.remote.IsValid():
		return s.rtcp.remote
	}
	r := s.remoteLocked()
	if !r.IsValid() || r.Port() == 65535 {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(r.Addr(), r.Port()+1)
}

// ntpTime converts t to the 64-bit NTP format (seconds since 1900 . fraction).
func ntpTime(t time.Time) uint64 {
	const unixToNTP = 2208988800
	secs := uint64(t.Unix() + unixToNTP)
	frac := uint64(t.Nanosecond()) << 32 / uint64(time.Second)
	return secs<<32 | frac
}

// ntpShortDuration converts a duration in 1/65536 s (the LSR/DLSR unit) to time.
func ntpShortDuration(v uint32) time.Duration {
	return time.Duration(uint64(v) * uint64(time.Second) >> 16)
}

// sendRTCP sends one compound report: SR (or RR before we have sent anything), with a
// reception report block for the peer's stream once it has one, and SDES CNAME.
func (s *Session) sendRTCP() {
	now := time.Now()
	s.sendMu.Lock()
	sent, octets, rtpTime := s.txPackets, s.txBytes, s.clockTS
	s.sendMu.Unlock()

	s.mu.Lock()
	to := s.rtcpRemoteLocked()
	var reports []rtcp.ReceptionReport
	if r := &s.recv; r.started {
		expected := r.expected()
		received := r.priorReceived + r.received
		expInt := expected - s.rtcp.priorExpected
		recInt := received - s.rtcp.priorReceived
		s.rtcp.priorExpected, s.rtcp.priorReceived = expected, received
		var fraction uint8
		if expInt > 0 && expInt > recInt {
			fraction = uint8(min((expInt-recInt)<<8/expInt, 255))
		}
		rr := rtcp.ReceptionReport{
			SSRC:               r.ssrc,
			FractionLost:       fraction,
			TotalLost:          uint32(min(r.lost(), 0x7fffff)),
			LastSequenceNumber: r.maxSeq,
			Jitter:             uint32(r.jitter >> 4),
		}
		if !s.rtcp.lastSRAt.IsZero() {
			rr.LastSenderReport = s.rtcp.lastSR
			rr.Delay = uint32(now.Sub(s.rtcp.lastSRAt) * 65536 / time.Second)
		}
		reports = append(reports, rr)
	}
	s.mu.Unlock()
	if !to.IsValid() {
		return
	}

	var first rtcp.Packet
	if sent > 0 {
		first = &rtcp.SenderReport{
			SSRC: s.ssrc, NTPTime: ntpTime(now), RTPTime: rtpTime,
			PacketCount: uint32(sent), OctetCount: uint32(octets), Reports: reports,
		}
	} else {
		first = &rtcp.ReceiverReport{SSRC: s.ssrc, Reports: reports}
	}
	b, err := rtcp.Marshal([]rtcp.Packet{first, rtcp.NewCNAMESourceDescription(s.ssrc, s.cname())})
	if err != nil {
		s.log.Debug("rtcp marshal", "err", err)
		return
	}
	if _, err := s.rtcpConn.WriteToUDPAddrPort(b, to); err != nil {
		s.log.Debug("rtcp send", "err", err)
	}
}

// cname is the SDES CNAME of our stream: unique per session is all RFC 7022 asks.
func (s *Session) cname() string {
	return "outdial-" + s.local.String()
}

func (s *Session) rtcpReadLoop() { s.readDatagrams(s.rtcpConn, "rtcp", s.handleRTCP) }

// handleRTCP takes in one compound RTCP packet from the peer.
func (s *Session) handleRTCP(b []byte, from netip.AddrPort, now time.Time) {
	pkts, err := rtcp.Unmarshal(b)
	if err != nil {
		s.drop(&s.malformed, reasonMalformed)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	peer := s.remoteLocked()
	switch {
	case s.rtcp.latched.IsValid():
		if from != s.rtcp.latched {
			s.foreign++
			s.countDrop(reasonForeign)
			return
		}
	case peer.IsValid() && from.Addr() != peer.Addr():
		s.foreign++ // RTCP only from the host we exchange RTP with
		s.countDrop(reasonForeign)
		return
	default:
		s.rtcp.latched = from
	}
	s.rtcp.received++
	for _, p := range pkts {
		var reports []rtcp.ReceptionReport
		switch p := p.(type) {
		case *rtcp.SenderReport:
			s.rtcp.lastSR = uint32(p.NTPTime >> 16)
			s.rtcp.lastSRAt = now
			reports = p.Reports
		case *rtcp.ReceiverReport:
			reports = p.Reports
		}
		for _, rr := range reports {
			if rr.SSRC != s.ssrc {
				continue
			}
			lost := int64(rr.TotalLost)
			if lost&0x800000 != 0 {
				lost -= 1 << 24 // 24-bit signed (duplicates can make it negative)
			}
			s.rtcp.remoteLost = lost
			s.rtcp.remoteFraction = float64(rr.FractionLost) / 256
			s.rtcp.remoteJitter = time.Duration(rr.Jitter) * time.Second / SampleRate
			if rr.LastSenderReport != 0 {
				a := uint32(ntpTime(now) >> 16)
				if rtt := a - rr.LastSenderReport - rr.Delay; rtt < 1<<31 {
					s.rtcp.rtt = ntpShortDuration(rtt)
				}
			}
		}
	}
}
