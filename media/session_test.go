package media_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/outdial/outdial/media"
	"github.com/pion/rtp"
	"github.com/prometheus/client_golang/prometheus"
)

func TestSessionsExchangeAudio(t *testing.T) {
	for _, codec := range []media.Codec{media.PCMU, media.PCMA} {
		t.Run(codec.String(), func(t *testing.T) {
			checkGoroutines(t)
			a, b := newPair(t, media.SessionConfig{Codec: codec}, media.SessionConfig{Codec: codec})
			got := newPCMCollector()
			b.OnPCM(got)

			prompt := tone(10*media.FrameSamples, 440, 8000) // 200 ms
			if err := a.Play(context.Background(), media.NewPCMReader(prompt)); err != nil {
				t.Fatalf("Play: %v", err)
			}
			want := g711RoundTrip(codec, prompt)
			waitFor(t, "the prompt at the receiver", func() bool { return indexOf(got.snapshot(), want) >= 0 })

			st := b.Stats()
			if st.Latched != a.LocalAddr() {
				t.Errorf("b latched to %v, want a's address %v", st.Latched, a.LocalAddr())
			}
			if st.Lost != 0 || st.Duplicates != 0 || st.OutOfOrder != 0 {
				t.Errorf("loopback stats: lost %d dup %d ooo %d, want zeros", st.Lost, st.Duplicates, st.OutOfOrder)
			}
			if st.PacketsReceived < 10 || st.BytesReceived != st.PacketsReceived*media.FrameSamples {
				t.Errorf("received %d packets, %d bytes: want >= 10 packets of %d bytes", st.PacketsReceived, st.BytesReceived, media.FrameSamples)
			}
			if sa := a.Stats(); sa.PacketsSent < 10 {
				t.Errorf("a sent %d packets, want >= 10", sa.PacketsSent)
			}
		})
	}
}

func TestSessionSendsHeaders(t *testing.T) {
	checkGoroutines(t)
	peer := newRawPeer(t)
	s := newSession(t, media.SessionConfig{Codec: media.PCMA, SSRC: 0xdeadbeef})
	s.SetRemote(peer.addr())

	first, _ := peer.recv(t)
	prev := first
	for range 5 {
		p, _ := peer.recv(t)
		if p.SSRC != 0xdeadbeef || p.PayloadType != uint8(media.PCMA) || len(p.Payload) != media.FrameSamples {
			t.Fatalf("packet SSRC %x PT %d len %d; want deadbeef, 8, 160", p.SSRC, p.PayloadType, len(p.Payload))
		}
		if p.SequenceNumber != prev.SequenceNumber+1 || p.Timestamp != prev.Timestamp+media.FrameSamples {
			t.Fatalf("seq %d ts %d after seq %d ts %d: want +1 and +160", p.SequenceNumber, p.Timestamp, prev.SequenceNumber, prev.Timestamp)
		}
		if !bytes.Equal(p.Payload, bytes.Repeat([]byte{media.PCMA.Silence()}, media.FrameSamples)) {
			t.Fatal("idle session sent something other than silence")
		}
		prev = p
	}
	if !first.Marker {
		t.Error("first packet of the stream has no marker bit")
	}
}

// TestSessionSilenceFollowsCodec checks the idle stream after SetCodec: silence in the
// new codec, labelled with its payload type.
func TestSessionSilenceFollowsCodec(t *testing.T) {
	checkGoroutines(t)
	peer := newRawPeer(t)
	s := newSession(t, media.SessionConfig{Codec: media.PCMU})
	s.SetRemote(peer.addr())
	for _, c := range []media.Codec{media.PCMU, media.PCMA, media.PCMU} {
		if err := s.SetCodec(c); err != nil {
			t.Fatal(err)
		}
		var p *rtp.Packet
		for range 20 { // a packet or two may have left before the switch
			if p, _ = peer.recv(t); p.PayloadType == c.PayloadType() {
				break
			}
		}
		if p.PayloadType != c.PayloadType() {
			t.Fatalf("after SetCodec(%v) the stream still has payload type %d", c, p.PayloadType)
		}
		if !bytes.Equal(p.Payload, bytes.Repeat([]byte{c.Silence()}, media.FrameSamples)) {
			t.Fatalf("silence in %v: payload % x...", c, p.Payload[:8])
		}
	}
}

func TestSessionLatching(t *testing.T) {
	checkGoroutines(t)
	sdp := newRawPeer(t)   // the address the SDP gave; the peer never sends from it
	real := newRawPeer(t)  // where the peer's packets really come from (NAT)
	other := newRawPeer(t) // a stranger
	s := newSession(t, media.SessionConfig{})
	s.SetRemote(sdp.addr())

	// before latching, we send to the SDP address
	if _, from := sdp.recv(t); from != s.LocalAddr() {
		t.Fatalf("SDP address got a packet from %v, want %v", from, s.LocalAddr())
	}
	// an unknown payload type must not latch
	other.send(t, s.LocalAddr(), 99, 1, 160, make([]byte, 160))
	real.send(t, s.LocalAddr(), 0, 100, 16000, make([]byte, 160))
	waitFor(t, "latching", func() bool { return s.Stats().Latched == real.addr() })
	if s.Remote() != real.addr() {
		t.Fatalf("Remote() = %v after latching, want %v", s.Remote(), real.addr())
	}
	if _, from := real.recv(t); from != s.LocalAddr() {
		t.Fatalf("latched peer got a packet from %v", from)
	}
	// after latching, strangers are dropped and counted
	for i := range 3 {
		other.send(t, s.LocalAddr(), 0, uint16(500+i), uint32(i)*160, make([]byte, 160))
	}
	waitFor(t, "foreign drops", func() bool { return s.Stats().ForeignDropped == 3 })
	if st := s.Stats(); st.PacketsReceived != 1 || st.UnknownPT != 1 {
		t.Errorf("received %d (want 1), unknown PT %d (want 1)", st.PacketsReceived, st.UnknownPT)
	}
	// a re-INVITE moving the media clears the latch
	s.SetRemote(other.addr())
	if s.Remote() != other.addr() || s.Stats().Latched.IsValid() {
		t.Errorf("after SetRemote to a new address: Remote %v, Latched %v", s.Remote(), s.Stats().Latched)
	}
}

func TestSessionMeasuresLoss(t *testing.T) {
	checkGoroutines(t)
	reg := prometheus.NewRegistry()
	metrics, err := media.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	peer := newRawPeer(t)
	s := newSession(t, media.SessionConfig{Metrics: metrics, NoSilence: true})
	s.SetRemote(peer.addr())

	dropped := map[uint16]bool{3: true, 10: true, 11: true, 12: true, 40: true}
	sent := 0
	for seq := uint16(0); seq < 50; seq++ {
		if dropped[seq] {
			continue
		}
		peer.send(t, s.LocalAddr(), 0, 65500+seq, uint32(seq)*160, make([]byte, 160)) // wraps past 65535
		sent++
	}
	waitFor(t, "all packets", func() bool { return s.Stats().PacketsReceived == uint64(sent) })
	st := s.Stats()
	if st.Expected != 50 || st.Lost != int64(len(dropped)) {
		t.Errorf("expected %d lost %d, want 50 and %d", st.Expected, st.Lost, len(dropped))
	}
	if got := st.LossRatio(); got != float64(len(dropped))/50 {
		t.Errorf("loss ratio %v", got)
	}
	_ = s.Close()
	if got := metricValue(t, reg, "outdial_rtp_lost_packets_total", ""); got != float64(len(dropped)) {
		t.Errorf("outdial_rtp_lost_packets_total = %v, want %d", got, len(dropped))
	}
	if got := metricValue(t, reg, "outdial_rtp_packets_total", "in"); got != float64(sent) {
		t.Errorf(`outdial_rtp_packets_total{direction="in"} = %v, want %d`, got, sent)
	}
}

func TestSessionDTMFRoundTrip(t *testing.T) {
	checkGoroutines(t)
	a, b := newPair(t, media.SessionConfig{EventPT: 96}, media.SessionConfig{EventPT: 96})
	var (
		mu     sync.Mutex
		digits []media.Digit
	)
	b.OnDTMF(media.DTMFHandlerFunc(func(d media.Digit) {
		mu.Lock()
		digits = append(digits, d)
		mu.Unlock()
	}))
	if err := a.SendDTMF(context.Background(), "19*#D"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "5 digits", func() bool { mu.Lock(); defer mu.Unlock(); return len(digits) >= 5 })
	// end packets are sent three times; a short pause lets duplicates arrive if any
	time.Sleep(3 * media.FrameDuration)
	mu.Lock()
	defer mu.Unlock()
	var got []rune
	for _, d := range digits {
		got = append(got, d.Digit)
		if d.Duration != 100*time.Millisecond {
			t.Errorf("digit %c lasted %v, want 100ms", d.Digit, d.Duration)
		}
	}
	if string(got) != "19*#D" {
		t.Errorf("received %q, want %q", string(got), "19*#D")
	}
	if err := a.SendDTMF(context.Background(), "12x"); !errors.Is(err, media.ErrDigit) {
		t.Errorf("SendDTMF with 'x': %v, want ErrDigit", err)
	}
}

func TestSendDTMFPackets(t *testing.T) {
	checkGoroutines(t)
	peer := newRawPeer(t)
	s := newSession(t, media.SessionConfig{NoSilence: true, DTMFDuration: 60 * time.Millisecond})
	s.SetRemote(peer.addr())
	done := make(chan error, 1)
	go func() { done <- s.SendDTMF(context.Background(), "5") }()

	// 3 tone packets (60 ms), 3 end packets, then silence of the gap
	var evs []media.TelephoneEvent
	var pkts []*rtp.Packet
	for len(pkts) < 6 {
		p, _ := peer.recv(t)
		if p.PayloadType != media.DefaultEventPT {
			continue
		}
		var ev media.TelephoneEvent
		if err := ev.Unmarshal(p.Payload); err != nil {
			t.Fatal(err)
		}
		evs, pkts = append(evs, ev), append(pkts, p)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	wantDur := []uint16{160, 320, 480, 480, 480, 480}
	for i, p := range pkts {
		if p.Timestamp != pkts[0].Timestamp {
			t.Errorf("packet %d timestamp %d, want the event start %d", i, p.Timestamp, pkts[0].Timestamp)
		}
		if i > 0 && p.SequenceNumber != pkts[i-1].SequenceNumber+1 {
			t.Errorf("packet %d seq %d not consecutive", i, p.SequenceNumber)
		}
		if p.Marker != (i == 0) {
			t.Errorf("packet %d marker %v", i, p.Marker)
		}
		if evs[i].Event != 5 || evs[i].End != (i >= 3) || evs[i].Duration != wantDur[i] {
			t.Errorf("packet %d: %+v, want event 5 end=%v duration %d", i, evs[i], i >= 3, wantDur[i])
		}
	}
}

func TestPlayEndsOnCancelCloseAndBusy(t *testing.T) {
	checkGoroutines(t)
	a, _ := newPair(t, media.SessionConfig{}, media.SessionConfig{})
	long := &startedSource{PCMSource: media.NewPCMReader(make([]int16, 60*media.SampleRate)), started: make(chan struct{})}

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- a.Play(ctx, long) }()
	<-long.started
	if err := a.Play(context.Background(), media.NewPCMReader(make([]int16, 10))); !errors.Is(err, media.ErrBusy) {
		t.Errorf("second Play: %v, want ErrBusy", err)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Play: %v, want context.Canceled", err)
	}

	long = &startedSource{PCMSource: media.NewPCMReader(make([]int16, 60*media.SampleRate)), started: make(chan struct{})}
	go func() { errc <- a.Play(context.Background(), long) }()
	<-long.started
	_ = a.Close()
	if err := <-errc; !errors.Is(err, media.ErrClosed) {
		t.Errorf("Play on Close: %v, want ErrClosed", err)
	}
	if err := a.Play(context.Background(), media.NewPCMReader(nil)); !errors.Is(err, media.ErrClosed) {
		t.Errorf("Play after Close: %v, want ErrClosed", err)
	}
}

// startedSource closes started on its first read.
type startedSource struct {
	media.PCMSource
	started chan struct{}
	once    sync.Once
}

func (s *startedSource) ReadPCM(f []int16) (int, error) {
	s.once.Do(func() { close(s.started) })
	return s.PCMSource.ReadPCM(f)
}

type failingSource struct{}

func (failingSource) ReadPCM([]int16) (int, error) { return 0, io.ErrUnexpectedEOF }

func TestPlaySourceError(t *testing.T) {
	checkGoroutines(t)
	a, _ := newPair(t, media.SessionConfig{}, media.SessionConfig{})
	if err := a.Play(context.Background(), failingSource{}); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("Play: %v, want the source's error", err)
	}
}

func TestNewSessionRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  media.SessionConfig
		want error
	}{
		{"codec", media.SessionConfig{Codec: 18}, media.ErrCodec},
		{"event pt", media.SessionConfig{EventPT: 8}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := listenLoopback(t)
			defer conn.Close()
			s, err := media.NewSession(conn, tt.cfg)
			if err == nil {
				_ = s.Close()
				t.Fatal("NewSession accepted a bad config")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSendPausedForHold(t *testing.T) {
	checkGoroutines(t)
	a, b := newPair(t, media.SessionConfig{}, media.SessionConfig{})
	waitFor(t, "b to receive a's silence", func() bool { return b.Stats().PacketsReceived > 3 })
	a.SetSendPaused(true)
	time.Sleep(2 * media.FrameDuration) // let packets already sent arrive
	held := b.Stats().PacketsReceived
	sentBefore := a.Stats().PacketsSent
	time.Sleep(10 * media.FrameDuration)
	if got := b.Stats().PacketsReceived; got != held || a.Stats().PacketsSent != sentBefore {
		t.Errorf("on hold: b received %d more, a sent %d more; want none", got-held, a.Stats().PacketsSent-sentBefore)
	}
	a.SetSendPaused(false)
	waitFor(t, "audio after unhold", func() bool { return b.Stats().PacketsReceived > held+3 })
	// no sequence numbers are used while paused, so the hold must not read as loss
	if st := b.Stats(); st.Lost != 0 {
		t.Errorf("loss reported across hold: %d", st.Lost)
	}
}
