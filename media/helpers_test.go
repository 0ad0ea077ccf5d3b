package media_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/outdial/outdial/media"
	"github.com/pion/rtp"
	"github.com/prometheus/client_golang/prometheus"
)

// metricValue returns the value of the counter name whose only label (if any) has
// the value label.
func metricValue(t testing.TB, reg *prometheus.Registry, name, label string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if label == "" || (len(m.GetLabel()) == 1 && m.GetLabel()[0].GetValue() == label) {
				return m.GetCounter().GetValue()
			}
		}
	}
	t.Fatalf("metric %s{%s} not found", name, label)
	return 0
}

// waitLimit bounds every wait in these tests so a broken build fails instead of hanging.
// It is a safety net, not a timing assertion: on success nothing waits this long.
const waitLimit = 10 * time.Second

// checkGoroutines fails t if, after the test and its cleanups, more goroutines run
// than before it started. Register it first so its cleanup runs last.
func checkGoroutines(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		var now int
		for range 200 { // bounded: goroutines of closed sockets take a moment to go
			now = runtime.NumGoroutine()
			if now <= before {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		buf := make([]byte, 1<<16)
		n := runtime.Stack(buf, true)
		t.Errorf("goroutine leak: %d before, %d after\n%s", before, now, buf[:n])
	})
}

func listenLoopback(t testing.TB) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newSession(t testing.TB, cfg media.SessionConfig) *media.Session {
	t.Helper()
	s, err := media.NewSession(listenLoopback(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// newPair returns two sessions that send to each other.
func newPair(t testing.TB, ca, cb media.SessionConfig) (*media.Session, *media.Session) {
	t.Helper()
	a, b := newSession(t, ca), newSession(t, cb)
	a.SetRemote(b.LocalAddr())
	b.SetRemote(a.LocalAddr())
	return a, b
}

// tone returns n samples of a sine at hz.
func tone(n int, hz float64, amp float64) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(amp * math.Sin(2*math.Pi*hz*float64(i)/media.SampleRate))
	}
	return s
}

// g711RoundTrip returns what a receiver decodes when samples are sent in codec c.
func g711RoundTrip(c media.Codec, samples []int16) []int16 {
	enc := make([]byte, len(samples))
	c.Encode(enc, samples)
	out := make([]int16, len(samples))
	c.Decode(out, enc)
	return out
}

// pcmCollector keeps every frame it is given.
type pcmCollector struct {
	mu      sync.Mutex
	samples []int16
	frames  int
	notify  chan struct{}
}

func newPCMCollector() *pcmCollector { return &pcmCollector{notify: make(chan struct{}, 1)} }

func (c *pcmCollector) HandlePCM(frame []int16) {
	c.mu.Lock()
	c.samples = append(c.samples, frame...)
	c.frames++
	c.mu.Unlock()
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

func (c *pcmCollector) snapshot() []int16 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int16(nil), c.samples...)
}

// waitFor polls cond, bounded by waitLimit.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// indexOf returns where want starts inside got, or -1.
func indexOf(got, want []int16) int {
	if len(want) == 0 {
		return 0
	}
	for i := 0; i+len(want) <= len(got); i++ {
		if got[i] == want[0] && equalPCM(got[i:i+len(want)], want) {
			return i
		}
	}
	return -1
}

func equalPCM(a, b []int16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// wavBytes builds a WAV file by hand (independently of media.WAVWriter).
func wavBytes(format, channels uint16, rate uint32, bits uint16, data []byte) []byte {
	var b bytes.Buffer
	b.WriteString("RIFF")
	_ = binary.Write(&b, binary.LittleEndian, uint32(36+len(data)))
	b.WriteString("WAVEfmt ")
	_ = binary.Write(&b, binary.LittleEndian, uint32(16))
	_ = binary.Write(&b, binary.LittleEndian, format)
	_ = binary.Write(&b, binary.LittleEndian, channels)
	_ = binary.Write(&b, binary.LittleEndian, rate)
	_ = binary.Write(&b, binary.LittleEndian, rate*uint32(channels)*uint32(bits)/8)
	_ = binary.Write(&b, binary.LittleEndian, channels*bits/8)
	_ = binary.Write(&b, binary.LittleEndian, bits)
	b.WriteString("data")
	_ = binary.Write(&b, binary.LittleEndian, uint32(len(data)))
	b.Write(data)
	return b.Bytes()
}

func pcm16LE(samples []int16) []byte {
	b := make([]byte, 2*len(samples))
	for i, v := range samples {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	return b
}

// rawPeer is a plain UDP socket that sends hand-made RTP, for tests that need
// control over sequence numbers and source addresses.
type rawPeer struct {
	conn *net.UDPConn
	ssrc uint32
}

func newRawPeer(t testing.TB) *rawPeer {
	c := listenLoopback(t)
	t.Cleanup(func() { _ = c.Close() })
	return &rawPeer{conn: c, ssrc: 0x1234}
}

func (p *rawPeer) addr() netip.AddrPort { return p.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

func (p *rawPeer) send(t testing.TB, to netip.AddrPort, pt uint8, seq uint16, ts uint32, payload []byte) {
	t.Helper()
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq, Timestamp: ts, SSRC: p.ssrc}, Payload: payload}
	b, err := pkt.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.conn.WriteToUDPAddrPort(b, to); err != nil {
		t.Fatal(err)
	}
}

// recv reads one RTP packet, bounded by waitLimit.
func (p *rawPeer) recv(t testing.TB) (*rtp.Packet, netip.AddrPort) {
	t.Helper()
	buf := make([]byte, 1500)
	_ = p.conn.SetReadDeadline(time.Now().Add(waitLimit))
	n, from, err := p.conn.ReadFromUDPAddrPort(buf)
	if err != nil {
		t.Fatalf("raw peer read: %v", err)
	}
	var pkt rtp.Packet
	if err := pkt.Unmarshal(buf[:n]); err != nil {
		t.Fatalf("raw peer got non-RTP: %v", err)
	}
	return &pkt, from
}
