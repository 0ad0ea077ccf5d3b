package sip

import (
	"bytes"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
	"golang.org/x/time/rate"
)

// Guard defaults, after Kamailio's default configuration (etc/kamailio.cfg): messages
// above 16 KiB are refused, and a source may send 16 requests per 2 s before it is
// banned for 300 s (pike). Trunks are our peers and carry all of our call load, so
// their cap is much higher; other sources never get past the ACL.
const (
	DefaultMaxMessageSize = 16384
	DefaultSourceRate     = 500 // requests per second per trunk source address
	DefaultSourceBurst    = 1000
)

// guard filters raw inbound messages before sipgo parses them, so refused traffic
// creates no transaction or dialog state: source ACL, size cap, start-line sanity and a
// per-source request rate cap. Refusals are silent drops, counted by reason.
type guard struct {
	allow   []netip.Prefix
	maxSize int
	limit   rate.Limit
	burst   int
	metrics *Metrics

	mu      sync.Mutex
	sources map[netip.Addr]*rate.Limiter
	swept   time.Time
}

func newGuard(allow []netip.Prefix, maxSize int, limit rate.Limit, burst int, m *Metrics) *guard {
	return &guard{allow: allow, maxSize: maxSize, limit: limit, burst: burst, metrics: m, sources: map[netip.Addr]*rate.Limiter{}}
}

// allowed reports whether ip is inside the ACL.
func (g *guard) allowed(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range g.allow {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// filter is a sip.TransportReadFilter. For UDP it must never return an error (that
// would stop the listener); for TCP an error closes the connection.
func (g *guard) filter(props sip.TransportReadProps, data []byte) ([]byte, error) {
	ip, ok := remoteIP(props.RemoteAddr)
	if !ok || !g.allowed(ip) {
		g.metrics.reject("acl")
		return g.refuse(props, errRefusedSource)
	}
	if isKeepAlive(data) {
		return data, nil
	}
	if props.Transport == "UDP" && len(data) > g.maxSize {
		g.metrics.reject("size")
		return nil, nil
	}
	isResponse := bytes.HasPrefix(data, []byte("SIP/2.0 "))
	if !isResponse && !looksLikeRequest(data) {
		g.metrics.reject("malformed")
		return g.refuse(props, nil)
	}
	if !isResponse && !g.take(ip) {
		g.metrics.reject("rate")
		return nil, nil
	}
	return data, nil
}

var errRefusedSource = &net.AddrError{Err: "source not in trunk ACL", Addr: ""}

// refuse drops a datagram, or for stream transports closes the connection with err.
func (g *guard) refuse(props sip.TransportReadProps, err error) ([]byte, error) {
	if props.Transport != "UDP" && err != nil {
		return nil, err
	}
	return nil, nil
}

func (g *guard) take(ip netip.Addr) bool {
	if g.limit <= 0 {
		return true
	}
	now := time.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	if now.Sub(g.swept) > time.Minute { // forget idle sources; the ACL bounds the map anyway
		for a, l := range g.sources {
			if l.TokensAt(now) >= float64(g.burst) {
				delete(g.sources, a)
			}
		}
		g.swept = now
	}
	l := g.sources[ip]
	if l == nil {
		l = rate.NewLimiter(g.limit, g.burst)
		g.sources[ip] = l
	}
	return l.AllowN(now, 1)
}

func remoteIP(a net.Addr) (netip.Addr, bool) {
	switch a := a.(type) {
	case *net.UDPAddr:
		ap := a.AddrPort()
		return ap.Addr().Unmap(), ap.IsValid()
	case *net.TCPAddr:
		ap := a.AddrPort()
		return ap.Addr().Unmap(), ap.IsValid()
	case nil:
		return netip.Addr{}, false
	}
	ap, err := netip.ParseAddrPort(a.String())
	return ap.Addr().Unmap(), err == nil
}

func isKeepAlive(data []byte) bool {
	return len(bytes.Trim(data, "\r\n")) == 0
}

// looksLikeRequest checks the start line shape: METHOD SP Request-URI SP SIP/2.0 CRLF,
// with an upper-case token method. Anything else is not worth parsing.
func looksLikeRequest(data []byte) bool {
	data = bytes.TrimLeft(data, "\r\n")
	line, _, ok := bytes.Cut(data, []byte("\r\n"))
	if !ok {
		line, _, ok = bytes.Cut(data, []byte("\n"))
		if !ok {
			return false
		}
	}
	method, rest, ok := bytes.Cut(line, []byte(" "))
	if !ok || len(method) == 0 || len(method) > 32 {
		return false
	}
	for _, c := range method {
		if (c < 'A' || c > 'Z') && c != '-' && c != '_' && c != '.' && c != '!' && c != '%' && c != '*' && c != '+' && c != '`' && c != '\'' && c != '~' && (c < '0' || c > '9') && (c < 'a' || c > 'z') {
			return false
		}
	}
	return bytes.HasSuffix(bytes.TrimRight(rest, " \t"), []byte("SIP/2.0"))
}
