package media

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
)

// PortPoolConfig describes the UDP ports a PortPool hands out.
type PortPoolConfig struct {
	// IP to bind; the zero value binds every interface (0.0.0.0).
	IP netip.Addr
	// Min and Max bound the range, inclusive. RTP ports are the even ones in it.
	Min, Max uint16
	// RTCP also binds the odd port above each RTP port (RFC 3550 convention).
	RTCP bool
}

// PortPool allocates even UDP ports for RTP from a fixed range. It is safe for
// concurrent use. Ports taken by other programs are skipped.
type PortPool struct {
	cfg   PortPoolConfig
	mu    sync.Mutex
	used  map[uint16]bool
	next  uint16 // next even port to try
	count int    // even ports in the range
}

// NewPortPool checks cfg and returns an empty pool.
func NewPortPool(cfg PortPoolConfig) (*PortPool, error) {
	if !cfg.IP.IsValid() {
		cfg.IP = netip.IPv4Unspecified()
	}
	lo := cfg.Min + cfg.Min%2
	hi := cfg.Max
	if cfg.RTCP && hi%2 == 0 {
		hi-- // the last even port needs its odd partner inside the range
	}
	if cfg.Min == 0 || cfg.Max < cfg.Min || lo > hi {
		return nil, fmt.Errorf("%w: min %d, max %d (rtcp %v): give 1024 <= min < max with at least one even port", ErrPortRange, cfg.Min, cfg.Max, cfg.RTCP)
	}
	count := int(hi-lo)/2 + 1
	return &PortPool{cfg: cfg, used: make(map[uint16]bool), next: lo, count: count}, nil
}

// Size returns the number of RTP ports (sessions) the pool can hold.
func (p *PortPool) Size() int { return p.count }

// InUse returns the number of ports currently allocated.
func (p *PortPool) InUse() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.used)
}

// Allocate binds the next free even port (and its RTCP partner when configured).
// It returns ErrPoolExhausted when no port in the range can be bound.
func (p *PortPool) Allocate() (*Port, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	lo := p.cfg.Min + p.cfg.Min%2
	var lastErr error
	for range p.count {
		port := p.next
		p.next += 2
		if int(p.next) > int(lo)+2*(p.count-1) || p.next < lo {
			p.next = lo
		}
		if p.used[port] {
			continue
		}
		rtpConn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(p.cfg.IP, port)))
		if err != nil {
			lastErr = err
			continue
		}
		var rtcpConn *net.UDPConn
		if p.cfg.RTCP {
			rtcpConn, err = net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(p.cfg.IP, port+1)))
			if err != nil {
				_ = rtpConn.Close()
				lastErr = err
				continue
			}
		}
		p.used[port] = true
		return &Port{pool: p, port: port, rtp: rtpConn, rtcp: rtcpConn}, nil
	}
	if lastErr != nil {
		return nil, fmt.Errorf("%w (%d ports in %d-%d; last bind error: %v)", ErrPoolExhausted, p.count, p.cfg.Min, p.cfg.Max, lastErr)
	}
	return nil, fmt.Errorf("%w (%d ports in %d-%d)", ErrPoolExhausted, p.count, p.cfg.Min, p.cfg.Max)
}

func (p *PortPool) release(port uint16) {
	p.mu.Lock()
	delete(p.used, port)
	p.mu.Unlock()
}

// Port is one allocation from a PortPool: a bound RTP socket and, when the pool was
// configured with RTCP, the socket on the port above it.
type Port struct {
	pool      *PortPool
	port      uint16
	rtp, rtcp *net.UDPConn
	once      sync.Once
}

// RTP returns the RTP socket. Hand it to NewSession, which then owns it.
func (p *Port) RTP() *net.UDPConn { return p.rtp }

// RTCP returns the RTCP socket, or nil when the pool does not bind RTCP ports.
func (p *Port) RTCP() *net.UDPConn { return p.rtcp }

// Addr returns the local RTP address (the IP is the pool's, maybe unspecified).
func (p *Port) Addr() netip.AddrPort { return netip.AddrPortFrom(p.pool.cfg.IP, p.port) }

// Number returns the RTP port number.
func (p *Port) Number() uint16 { return p.port }

// Close closes both sockets (again, harmlessly, if a Session closed the RTP one
// already) and returns the port to the pool. It is idempotent.
func (p *Port) Close() error {
	var err error
	p.once.Do(func() {
		err = p.rtp.Close()
		if errors.Is(err, net.ErrClosed) {
			err = nil
		}
		if p.rtcp != nil {
			if e := p.rtcp.Close(); e != nil && !errors.Is(e, net.ErrClosed) && err == nil {
				err = e
			}
		}
		p.pool.release(p.port)
	})
	return err
}
