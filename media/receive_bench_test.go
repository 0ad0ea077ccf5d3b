package media

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"
)

type countPCM struct{ n, sum int }

func (c *countPCM) HandlePCM(f []int16) { c.n++; c.sum += int(f[0]) }

// BenchmarkReceiveDecode measures the receive pipeline for one datagram after the
// socket read: RTP parse, latching check, loss/jitter statistics, metrics, G.711
// decode and delivery to a PCMHandler. It must report 0 allocs/op.
func BenchmarkReceiveDecode(b *testing.B) {
	for _, codec := range []Codec{PCMU, PCMA} {
		b.Run(codec.String(), func(b *testing.B) {
			conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
			if err != nil {
				b.Fatal(err)
			}
			m, _ := NewMetrics(nil)
			s, err := NewSession(conn, SessionConfig{Metrics: m, NoSilence: true})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			sink := &countPCM{}
			s.OnPCM(sink)
			pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: uint8(codec), SSRC: 42}, Payload: make([]byte, FrameSamples)}
			for i := range pkt.Payload {
				pkt.Payload[i] = byte(i)
			}
			buf := make([]byte, 1500)
			from := netip.MustParseAddrPort("127.0.0.1:40000")
			now := time.Now()
			b.ReportAllocs()
			b.SetBytes(FrameSamples)
			b.ResetTimer()
			for i := range b.N {
				pkt.SequenceNumber = uint16(i)
				pkt.Timestamp = uint32(i) * FrameSamples
				n, _ := pkt.MarshalTo(buf)
				s.handleDatagram(buf[:n], from, now.Add(time.Duration(i)*FrameDuration))
			}
			b.StopTimer()
			if sink.n != b.N {
				b.Fatalf("handler saw %d frames of %d", sink.n, b.N)
			}
		})
	}
}

func TestReceiveDecodeAllocatesNothing(t *testing.T) {
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := NewMetrics(nil)
	s, err := NewSession(conn, SessionConfig{Metrics: m, NoSilence: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sink := &countPCM{}
	s.OnPCM(sink)
	s.OnDTMF(DTMFHandlerFunc(func(Digit) {}))
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, SSRC: 42}, Payload: make([]byte, FrameSamples)}
	ev := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: DefaultEventPT, SSRC: 42}, Payload: TelephoneEvent{Event: 1, End: true, Duration: 800}.Marshal()}
	buf := make([]byte, 1500)
	from := netip.MustParseAddrPort("127.0.0.1:40000")
	i := 0
	allocs := testing.AllocsPerRun(200, func() {
		i++
		p := &pkt
		if i%10 == 0 {
			p = &ev
			p.Timestamp = uint32(i)
		}
		p.SequenceNumber = uint16(i)
		n, _ := p.MarshalTo(buf)
		s.handleDatagram(buf[:n], from, time.Now())
	})
	if allocs != 0 {
		t.Errorf("receive path allocates %.1f times per packet, want 0", allocs)
	}
}
