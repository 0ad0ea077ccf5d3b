package voice

import (
	"context"
	"math"
	"net"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/outdial/outdial/amd"
	"github.com/outdial/outdial/campaign/engine"
	"github.com/outdial/outdial/media"
)

// peer sends PCMU RTP over UDP on 127.0.0.1 the way a phone with silence suppression
// does: packets only while there is sound.
type peer struct {
	t    *testing.T
	conn *net.UDPConn
	to   *net.UDPAddr
	seq  uint16
	ts   uint32
}

// send sends frames of pcm in 20 ms packets at the real-time rate.
func (p *peer) send(pcm []int16) {
	enc := make([]byte, amd.FrameSamples)
	for i := 0; i+amd.FrameSamples <= len(pcm); i += amd.FrameSamples {
		n := media.PCMU.Encode(enc, pcm[i:i+amd.FrameSamples])
		pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: p.seq, Timestamp: p.ts, SSRC: 0x5eed}, Payload: enc[:n]}
		b, err := pkt.Marshal()
		if err != nil {
			p.t.Fatal(err)
		}
		if _, err := p.conn.WriteToUDP(b, p.to); err != nil {
			p.t.Fatal(err)
		}
		p.seq++
		p.ts += amd.FrameSamples
		time.Sleep(20 * time.Millisecond)
	}
}

// noise is ms of low room noise; hello is a voiced sound with a syllable envelope.
func noise(ms int, seed uint32) []int16 {
	out := make([]int16, ms*8)
	for i := range out {
		seed = seed*1664525 + 1013904223
		out[i] = int16(int32(seed) >> 24)
	}
	return out
}

func hello(ms int) []int16 {
	out := make([]int16, ms*8)
	for i := range out {
		t := float64(i) / 8000
		v := 0.0
		for h := 1; h <= 10; h++ {
			v += math.Sin(2*math.Pi*float64(h)*160*t) / float64(h)
		}
		out[i] = int16(5000 * v * (0.35 + 0.65*math.Abs(math.Sin(math.Pi*4*t))))
	}
	return out
}

// TestClassifyHearsSilenceSuppression: a person says hello and their phone then sends
// nothing. Without the wall clock the detector would wait for audio that never comes
// and give up unsure after 10 s; with it, the silence after the hello is heard.
func TestClassifyHearsSilenceSuppression(t *testing.T) {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := media.NewSession(conn, media.SessionConfig{Codec: media.PCMU})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	pc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	sess.SetRemote(pc.LocalAddr().(*net.UDPAddr).AddrPort())
	p, err := amd.Preset(amd.PresetDefault)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	c := &Call{d: &Dialer{params: p, cfg: Config{Metrics: m}}, sess: sess, done: make(chan struct{}), decisions: make(chan amd.Decision, 4)}

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	type result struct {
		class engine.Class
		err   error
		at    time.Duration
	}
	got := make(chan result, 1)
	start := time.Now()
	go func() {
		class, err := c.Classify(ctx)
		got <- result{class, err, time.Since(start)}
	}()
	pr := &peer{t: t, conn: pc, to: conn.LocalAddr().(*net.UDPAddr)}
	pr.send(noise(400, 1))
	h := hello(600)
	n := noise(600, 2)
	for i := range h {
		h[i] += n[i]
	}
	pr.send(h)
	// from here on the peer sends nothing at all
	r := <-got
	if r.err != nil || r.class != engine.ClassHuman {
		t.Fatalf("Classify = %v, %v after %v; want a human", r.class, r.err, r.at)
	}
	t.Logf("classified human %v after answer", r.at)
	if n := testutil.ToFloat64(m.decisions.WithLabelValues("HUMAN", "SILENCEAFTERGREETING")); n != 1 {
		t.Errorf("outdial_amd_decisions_total{result=HUMAN,cause=SILENCEAFTERGREETING} = %v, want 1", n)
	}
	if n := testutil.CollectAndCount(reg, "outdial_amd_decision_seconds"); n != 1 {
		t.Errorf("outdial_amd_decision_seconds has %d series, want 1", n)
	}
}
