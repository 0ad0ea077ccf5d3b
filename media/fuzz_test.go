package media

import (
	"bytes"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// FuzzReadWAV feeds arbitrary bytes to the WAV parser: it must return a WAV or an
// error, never panic or read without bound.
func FuzzReadWAV(f *testing.F) {
	f.Add(wavHeader(0))
	f.Add(append(wavHeader(4), 1, 0, 2, 0, 3, 0, 4, 0))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x07\x00\x01\x00@\x1f\x00\x00@\x1f\x00\x00\x01\x00\x08\x00data\xff\xff\xff\xff\x01\x02"))
	f.Fuzz(func(t *testing.T, b []byte) {
		w, err := ReadWAV(bytes.NewReader(b))
		if err == nil && len(w.Samples) > len(b) {
			t.Fatalf("%d samples from %d bytes", len(w.Samples), len(b))
		}
	})
}

// FuzzReceiveDatagram feeds arbitrary datagrams, from the latched peer and from a
// stranger, through the whole receive pipeline with every consumer attached.
func FuzzReceiveDatagram(f *testing.F) {
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: 1, SSRC: 9}, Payload: make([]byte, 160)}
	b, _ := pkt.Marshal()
	f.Add(b, false)
	ev := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: DefaultEventPT, SequenceNumber: 2, SSRC: 9}, Payload: []byte{1, 0x80, 3, 0}}
	b, _ = ev.Marshal()
	f.Add(b, false)
	f.Add([]byte{0x90, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 0xbe, 0xde, 0, 1, 0x10, 0xff, 0, 0}, true)

	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		f.Fatal(err)
	}
	s, err := NewSession(conn, SessionConfig{NoSilence: true})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	s.OnPCM(PCMHandlerFunc(func([]int16) {}))
	s.OnDTMF(DTMFHandlerFunc(func(Digit) {}))
	s.OnRTP(RTPHandlerFunc(func(*rtp.Packet) error { return nil }))
	peer := netip.MustParseAddrPort("127.0.0.1:4000")
	stranger := netip.MustParseAddrPort("127.0.0.1:5000")
	f.Fuzz(func(t *testing.T, b []byte, fromStranger bool) {
		from := peer
		if fromStranger {
			from = stranger
		}
		s.handleDatagram(b, from, time.Now())
		s.handleRTCP(b, from, time.Now())
		_ = s.Stats()
	})
}
