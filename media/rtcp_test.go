package media_test

import (
	"context"
	"testing"
	"time"

	"github.com/outdial/outdial/media"
	"github.com/pion/rtcp"
)

func newRTCPPool(t *testing.T, min uint16) *media.PortPool {
	t.Helper()
	pool, err := media.NewPortPool(media.PortPoolConfig{IP: loopback, Min: min, Max: min + 9, RTCP: true})
	if err != nil {
		t.Fatal(err)
	}
	return pool
}

func allocate(t *testing.T, pool *media.PortPool) *media.Port {
	t.Helper()
	p, err := pool.Allocate()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

func TestRTCPReportsBothWays(t *testing.T) {
	checkGoroutines(t)
	pool := newRTCPPool(t, 47140)
	pa, pb := allocate(t, pool), allocate(t, pool)
	cfg := func(p *media.Port) media.SessionConfig {
		return media.SessionConfig{RTCP: p.RTCP(), RTCPInterval: 100 * time.Millisecond}
	}
	a, err := media.NewSession(pa.RTP(), cfg(pa))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := media.NewSession(pb.RTP(), cfg(pb))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	a.SetRemote(pb.Addr())
	b.SetRemote(pa.Addr())

	// RTT needs a sender report each way and a receiver report back: a few intervals
	waitFor(t, "RTCP round trip on both sides", func() bool {
		return a.Stats().RTT > 0 && b.Stats().RTT > 0
	})
	for name, st := range map[string]media.Stats{"a": a.Stats(), "b": b.Stats()} {
		if st.RTCPReceived == 0 || st.RemoteLost != 0 || st.RemoteFraction != 0 {
			t.Errorf("%s: RTCP received %d, remote lost %d (%v); want reports and no loss", name, st.RTCPReceived, st.RemoteLost, st.RemoteFraction)
		}
		if st.RTT > time.Second {
			t.Errorf("%s: loopback RTT %v", name, st.RTT)
		}
	}
}

func TestRTCPReceiverReportCarriesLoss(t *testing.T) {
	checkGoroutines(t)
	pool := newRTCPPool(t, 47160)
	ps, pp := allocate(t, pool), allocate(t, pool)
	s, err := media.NewSession(ps.RTP(), media.SessionConfig{RTCP: ps.RTCP(), RTCPInterval: 60 * time.Millisecond, NoSilence: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetRemote(pp.Addr())

	peer := &rawPeer{conn: pp.RTP(), ssrc: 0x5151}
	gaps := map[uint16]bool{5: true, 6: true, 20: true}
	for seq := uint16(0); seq < 30; seq++ {
		if !gaps[seq] {
			peer.send(t, s.LocalAddr(), 0, seq, uint32(seq)*160, make([]byte, 160))
		}
	}
	waitFor(t, "the session to receive", func() bool { return s.Stats().PacketsReceived == 27 })

	buf := make([]byte, 1500)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	for ctx.Err() == nil {
		_ = pp.RTCP().SetReadDeadline(time.Now().Add(waitLimit))
		n, from, err := pp.RTCP().ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatal(err)
		}
		if from.Port() != ps.Addr().Port()+1 {
			t.Fatalf("RTCP from %v, want the session's RTCP port %d", from, ps.Addr().Port()+1)
		}
		pkts, err := rtcp.Unmarshal(buf[:n])
		if err != nil {
			t.Fatalf("session sent bad RTCP: %v", err)
		}
		for _, p := range pkts {
			rr, ok := p.(*rtcp.ReceiverReport) // the session sends nothing, so RR not SR
			if !ok || len(rr.Reports) == 0 || rr.Reports[0].LastSequenceNumber != 29 {
				continue
			}
			r := rr.Reports[0]
			if rr.SSRC != s.SSRC() || r.SSRC != peer.ssrc || r.TotalLost != uint32(len(gaps)) {
				t.Fatalf("report %+v from SSRC %x: want our SSRC %x about %x with %d lost", r, rr.SSRC, s.SSRC(), peer.ssrc, len(gaps))
			}
			return
		}
	}
	t.Fatal("no receiver report covering all packets")
}
