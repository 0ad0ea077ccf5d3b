package media_test

import (
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/outdial/outdial/media"
)

var loopback = netip.MustParseAddr("127.0.0.1")

func TestPortPoolAllocatesEvenPorts(t *testing.T) {
	pool, err := media.NewPortPool(media.PortPoolConfig{IP: loopback, Min: 47101, Max: 47108})
	if err != nil {
		t.Fatal(err)
	}
	if pool.Size() != 4 {
		t.Fatalf("Size %d, want 4 (47102..47108 even)", pool.Size())
	}
	seen := map[uint16]*media.Port{}
	for range 4 {
		p, err := pool.Allocate()
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		if p.Number()%2 != 0 || p.Number() < 47102 || p.Number() > 47108 || seen[p.Number()] != nil {
			t.Fatalf("allocated port %d", p.Number())
		}
		if p.Addr() != netip.AddrPortFrom(loopback, p.Number()) || p.RTCP() != nil {
			t.Errorf("port %d: Addr %v RTCP %v", p.Number(), p.Addr(), p.RTCP())
		}
		seen[p.Number()] = p
	}
	if _, err := pool.Allocate(); !errors.Is(err, media.ErrPoolExhausted) {
		t.Fatalf("5th Allocate: %v, want ErrPoolExhausted", err)
	}
	if pool.InUse() != 4 {
		t.Errorf("InUse %d", pool.InUse())
	}
	if err := seen[47104].Close(); err != nil {
		t.Fatal(err)
	}
	_ = seen[47104].Close() // idempotent
	p, err := pool.Allocate()
	if err != nil || p.Number() != 47104 {
		t.Fatalf("Allocate after release: %v, %v; want port 47104 again", p, err)
	}
	defer p.Close()
}

func TestPortPoolRTCPAndBusyPorts(t *testing.T) {
	// someone else holds 47120: the pool must skip it
	busy, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 47120)))
	if err != nil {
		t.Skipf("cannot reserve port 47120 for the test: %v", err)
	}
	defer busy.Close()
	pool, err := media.NewPortPool(media.PortPoolConfig{IP: loopback, Min: 47120, Max: 47124, RTCP: true})
	if err != nil {
		t.Fatal(err)
	}
	if pool.Size() != 2 {
		t.Fatalf("Size %d, want 2 (47120 and 47122; 47124 has no odd partner in range)", pool.Size())
	}
	p, err := pool.Allocate()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.Number() != 47122 || p.RTCP() == nil || p.RTCP().LocalAddr().(*net.UDPAddr).Port != 47123 {
		t.Errorf("got port %d with RTCP %v, want 47122 and 47123", p.Number(), p.RTCP())
	}
	if _, err := pool.Allocate(); !errors.Is(err, media.ErrPoolExhausted) {
		t.Errorf("Allocate with the only other port busy: %v, want ErrPoolExhausted", err)
	}
}

func TestPortPoolSessionOwnsSocket(t *testing.T) {
	checkGoroutines(t)
	pool, err := media.NewPortPool(media.PortPoolConfig{IP: loopback, Min: 47130, Max: 47131})
	if err != nil {
		t.Fatal(err)
	}
	p, err := pool.Allocate()
	if err != nil {
		t.Fatal(err)
	}
	s, err := media.NewSession(p.RTP(), media.SessionConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if s.LocalAddr() != p.Addr() {
		t.Errorf("session on %v, port %v", s.LocalAddr(), p.Addr())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("Port.Close after Session.Close: %v, want nil", err)
	}
	if pool.InUse() != 0 {
		t.Errorf("InUse %d after Close", pool.InUse())
	}
}

func TestNewPortPoolRejectsBadRanges(t *testing.T) {
	tests := []struct {
		name string
		cfg  media.PortPoolConfig
	}{
		{"zero min", media.PortPoolConfig{Min: 0, Max: 100}},
		{"max below min", media.PortPoolConfig{Min: 20000, Max: 10000}},
		{"no even port", media.PortPoolConfig{Min: 20001, Max: 20001}},
		{"no room for rtcp", media.PortPoolConfig{Min: 20000, Max: 20000, RTCP: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := media.NewPortPool(tt.cfg); !errors.Is(err, media.ErrPortRange) {
				t.Errorf("NewPortPool(%+v) = %v, want ErrPortRange", tt.cfg, err)
			}
		})
	}
}
