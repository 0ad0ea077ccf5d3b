package media

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// TestForwardAfterOwnFrames interleaves forwarded packets with the session's own
// frames (silence after a forwarding pause shorter than the re-anchoring gap, a
// prompt while a bridge keeps forwarding): the leg must still send one gapless,
// duplicate-free sequence.
func TestForwardAfterOwnFrames(t *testing.T) {
	peer, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	p := newManualPacer(1, time.Now())
	w := p.workers[0]
	s := loopbackSession(t, SessionConfig{Pacer: p})
	s.SetRemote(peer.LocalAddr().(*net.UDPAddr).AddrPort())

	upstream := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: uint8(PCMU), SSRC: 7, SequenceNumber: 100, Timestamp: 1000}, Payload: make([]byte, FrameSamples)}
	forward := func(n int) {
		for range n {
			if err := s.WriteRTP(&upstream); err != nil {
				t.Fatal(err)
			}
			upstream.SequenceNumber++
			upstream.Timestamp += FrameSamples
		}
	}
	clock := time.Now()
	own := func(frames int) { // the pacer's frames, on a clock past the forwarding window
		for range frames {
			clock = clock.Add(FrameDuration)
			w.advance(clock.Add(time.Second))
		}
	}
	w.advance(clock) // align
	forward(3)
	own(2) // silence: on the pacer's clock the forwarded stream paused
	forward(3)
	s.jobMu.Lock()
	s.busy.Store(true)
	s.pending = &job{kind: jobPlay, ctx: t.Context(), src: NewPCMReader(make([]int16, 2*FrameSamples)), done: make(chan error, 1)}
	s.jobMu.Unlock()
	own(3) // a short prompt, then silence
	forward(3)

	want := s.Stats().PacketsSent
	buf := make([]byte, 1500)
	var prev uint16
	for i := range want {
		_ = peer.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, _, err := peer.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatalf("packet %d of %d: %v", i+1, want, err)
		}
		var got rtp.Packet
		if err := got.Unmarshal(buf[:n]); err != nil {
			t.Fatal(err)
		}
		if i > 0 && got.SequenceNumber != prev+1 {
			t.Errorf("packet %d has sequence number %d after %d; want one gapless sequence", i+1, got.SequenceNumber, prev)
		}
		prev = got.SequenceNumber
	}
}
