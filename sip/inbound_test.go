package sip_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/outdial/outdial/sip"
)

// peerConn is a raw UDP socket playing a trunk (or a stranger) towards the client.
type peerConn struct {
	t    *testing.T
	conn *net.UDPConn
	to   *net.UDPAddr
}

func newPeer(t *testing.T, ip string, to *net.UDPAddr) *peerConn {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(ip)})
	if err != nil {
		t.Skipf("cannot bind %s: %v", ip, err)
	}
	t.Cleanup(func() { c.Close() })
	return &peerConn{t: t, conn: c, to: to}
}

func (p *peerConn) send(b []byte) {
	p.t.Helper()
	if _, err := p.conn.WriteToUDP(b, p.to); err != nil {
		p.t.Fatal(err)
	}
}

// request builds a well-formed request from this peer.
func (p *peerConn) request(method string, n int) []byte {
	la := p.conn.LocalAddr().String()
	return []byte(fmt.Sprintf("%s sip:outdial@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-%s-%d\r\nFrom: <sip:peer@%s>;tag=f%d\r\nTo: <sip:outdial@%s>\r\nCall-ID: %s-%d@test\r\nCSeq: 1 %s\r\nContact: <sip:peer@%s>\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
		method, p.to, la, strings.ToLower(method), n, la, n, p.to, strings.ToLower(method), n, method, la))
}

// status reads one response and returns its status line, or "" after wait.
func (p *peerConn) status(wait time.Duration) string {
	buf := make([]byte, 65536)
	p.conn.SetReadDeadline(time.Now().Add(wait))
	n, _, err := p.conn.ReadFromUDP(buf)
	if err != nil {
		return ""
	}
	line, _, _ := bytes.Cut(buf[:n], []byte("\r\n"))
	return string(line)
}

// value reads a counter or gauge.
func value(m prometheus.Metric) float64 {
	var d dto.Metric
	if err := m.Write(&d); err != nil {
		return -1
	}
	if d.Counter != nil {
		return d.Counter.GetValue()
	}
	return d.Gauge.GetValue()
}

func waitCounter(t *testing.T, c prometheus.Metric, want float64) {
	t.Helper()
	for i := 0; i < 1000; i++ {
		if value(c) >= want {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("counter = %v, want %v", value(c), want)
}

func inboundClient(t *testing.T, cfg sip.Config) (*sip.Client, *sip.Metrics, *net.UDPAddr) {
	t.Helper()
	m := sip.NewMetrics(prometheus.NewRegistry())
	cfg.Metrics = m
	cfg.Trunks = []sip.Trunk{{Name: "loop", Address: "127.0.0.1:5999"}}
	c := newTestClient(t, cfg)
	return c, m, net.UDPAddrFromAddrPort(c.Addr())
}

func TestInboundPolicy(t *testing.T) {
	_, m, addr := inboundClient(t, sip.Config{})
	trunk := newPeer(t, "127.0.0.1", addr)
	cases := []struct {
		method string
		want   string
		reason string // rejected_total label that must count it, if any
	}{
		{"OPTIONS", "SIP/2.0 200 OK", ""},
		{"REGISTER", "SIP/2.0 403 Forbidden", "register"},
		{"INVITE", "SIP/2.0 603 Decline", "invite"},
		{"SUBSCRIBE", "SIP/2.0 405 Method Not Allowed", ""},
	}
	for i, tc := range cases {
		trunk.send(trunk.request(tc.method, i))
		if got := trunk.status(3 * time.Second); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.method, got, tc.want)
		}
		if tc.reason != "" {
			if got := value(m.Rejected.WithLabelValues(tc.reason)); got != 1 {
				t.Errorf("%s: rejected{%s} = %v, want 1", tc.method, tc.reason, got)
			}
		}
	}
	if got := value(m.Requests.WithLabelValues("OPTIONS", "in")); got != 1 {
		t.Errorf("requests{OPTIONS,in} = %v, want 1", got)
	}
}

func TestInboundACLDropsStrangers(t *testing.T) {
	_, m, addr := inboundClient(t, sip.Config{})
	stranger := newPeer(t, "127.0.0.2", addr) // loopback, but not the trunk's address
	stranger.send(stranger.request("OPTIONS", 1))
	stranger.send(stranger.request("INVITE", 2))
	waitCounter(t, m.Rejected.WithLabelValues("acl"), 2)
	if got := stranger.status(200 * time.Millisecond); got != "" {
		t.Errorf("stranger got %q, want silence", got)
	}
	if got := value(m.Rejected.WithLabelValues("invite")); got != 0 {
		t.Errorf("a dropped INVITE reached the INVITE handler (rejected{invite} = %v)", got)
	}
}

func TestInboundSurvivesGarbage(t *testing.T) {
	_, m, addr := inboundClient(t, sip.Config{})
	trunk := newPeer(t, "127.0.0.1", addr)
	// The oversized datagram goes first, on a quiet socket: behind the flood below a
	// loaded machine's receive buffer could drop it before the UA reads it.
	trunk.send(bytes.Repeat([]byte("A"), 20000))
	waitCounter(t, m.Rejected.WithLabelValues("size"), 1)
	files, err := filepath.Glob(filepath.Join("testdata", "torture", "*.sip"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no torture messages: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		trunk.send(b)
	}
	rng := rand.New(rand.NewPCG(4475, 1))
	for i := 0; i < 200; i++ {
		b := make([]byte, 1+rng.IntN(1400))
		for j := range b {
			b[j] = byte(rng.UintN(256))
		}
		if i%2 == 0 { // half of them start like SIP to get past the cheap checks
			b = append([]byte("INVITE sip:x@127.0.0.1 SIP/2.0\r\n"), b...)
		}
		trunk.send(b)
	}
	// Drain whatever the garbage provoked (400s, 481s), then the UA must still answer.
	for trunk.status(100*time.Millisecond) != "" {
	}
	trunk.send(trunk.request("OPTIONS", 9999))
	if got := trunk.status(3 * time.Second); got != "SIP/2.0 200 OK" {
		t.Fatalf("after garbage OPTIONS got %q, want 200 OK", got)
	}
}

func TestInboundRateCap(t *testing.T) {
	_, m, addr := inboundClient(t, sip.Config{SourceRate: 0.001, SourceBurst: 5})
	trunk := newPeer(t, "127.0.0.1", addr)
	for i := 0; i < 20; i++ {
		trunk.send(trunk.request("OPTIONS", i))
	}
	waitCounter(t, m.Rejected.WithLabelValues("rate"), 15)
	ok := 0
	for trunk.status(300*time.Millisecond) == "SIP/2.0 200 OK" {
		ok++
	}
	if ok != 5 {
		t.Errorf("answered %d OPTIONS, want the burst of 5", ok)
	}
}
