package sip

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"golang.org/x/time/rate"
)

// Config configures a Client.
type Config struct {
	// Listen is the local UDP address for signalling, such as 0.0.0.0:5060 or
	// 127.0.0.1:0 (any free port). Required.
	Listen string
	// ListenTCP, when set, also accepts SIP over TCP there (trunks with transport tcp
	// send their in-dialog requests over the connection we open, so it is optional).
	ListenTCP string
	// PublicHost is the host placed in Via and Contact. Default: the Listen IP, which
	// must then not be unspecified (0.0.0.0).
	PublicHost string
	// Trunks are the trunks calls may use. Their addresses (and Allow lists) form the
	// inbound ACL: SIP from any other source is dropped.
	Trunks []Trunk
	// UserAgent is the User-Agent header. Default "outdial".
	UserAgent string
	// MaxMessageSize caps inbound UDP datagrams (default DefaultMaxMessageSize).
	MaxMessageSize int
	// SourceRate and SourceBurst cap requests per second per source address (defaults
	// DefaultSourceRate, DefaultSourceBurst; a negative SourceRate turns the cap off).
	SourceRate  float64
	SourceBurst int
	// InviteTimeout is how long a trunk may stay silent after our INVITE before we give
	// up on it and fail over to the next trunk (default 4 s).
	InviteTimeout time.Duration
	// OptionsInterval is the period of OPTIONS pings to each trunk (default 30 s;
	// negative: no pings, trunks are always considered up).
	OptionsInterval time.Duration
	// SessionExpires, when positive, asks for RFC 4028 session timers in our INVITEs.
	// Timers the peer asks for are honoured either way.
	SessionExpires time.Duration
	// Inbound decides on INVITEs that are not part of a call we placed. Default: 603 Decline.
	Inbound InviteHandler
	// TLSConfig is used to reach trunks over TLS. Default: system roots, verification on.
	TLSConfig *tls.Config
	// ListenTLS, when set, is a TCP address where we take SIP over TLS, presenting
	// ServerTLS's certificate: the Contact of calls on tls trunks names it, so a trunk
	// can send its in-dialog requests (its BYE, re-INVITEs) over TLS to us.
	ListenTLS string
	ServerTLS *tls.Config
	// Metrics, Logger: optional. SIPLogger receives sipgo's own logs (default: discarded).
	Metrics   *Metrics
	Logger    *slog.Logger
	SIPLogger *slog.Logger
}

// InviteHandler decides on an inbound INVITE that is not part of a call we placed. It
// returns the final status (3xx-6xx) and reason to answer with; outdial never answers
// or forwards such a call, so an inbound INVITE can never cause an outbound call.
type InviteHandler interface {
	HandleInvite(source netip.AddrPort, req *sip.Request) (code int, reason string)
}

// DeclineInvites answers every inbound INVITE with 603 Decline.
type DeclineInvites struct{}

// HandleInvite implements InviteHandler.
func (DeclineInvites) HandleInvite(netip.AddrPort, *sip.Request) (int, string) {
	return 603, "Decline"
}

var _ InviteHandler = DeclineInvites{}

// trunkState is a trunk with its live limits and health.
type trunkState struct {
	Trunk
	limiter *rate.Limiter
	active  atomic.Int64
	up      atomic.Bool
	fails   atomic.Int32
}

func (ts *trunkState) acquire() bool {
	for {
		n := ts.active.Load()
		if ts.MaxChannels > 0 && n >= int64(ts.MaxChannels) {
			return false
		}
		if ts.active.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

func (ts *trunkState) release() { ts.active.Add(-1) }

// Client is a SIP user agent on sipgo that places calls on trunks and serves what trunks
// send back: in-dialog BYE, re-INVITE and UPDATE, OPTIONS. Everything else is refused.
type Client struct {
	cfg     Config
	log     *slog.Logger
	metrics *Metrics

	ua      *sipgo.UserAgent
	srv     *sipgo.Server
	cli     *sipgo.Client
	duas    map[Transport]*sipgo.DialogUA // per transport: Via and Contact name where we take it
	guard   *guard
	conn    net.PacketConn
	tcp     net.Listener
	tlsLn   net.Listener
	laddr   netip.AddrPort
	host    string
	trunks  map[string]*trunkState
	ordered []*trunkState
	inbound InviteHandler

	mu    sync.Mutex
	calls map[string]*Call // by dialog ID

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	closed atomic.Bool
}

// NewClient validates cfg, binds the listening sockets and starts serving and pinging
// trunks. Close releases everything.
func NewClient(cfg Config) (*Client, error) {
	var errs []error
	if cfg.Listen == "" {
		errs = append(errs, fmt.Errorf("%w: field listen is empty; set it to an address such as 0.0.0.0:5060", ErrInvalidConfig))
	}
	names := map[string]bool{}
	for i, t := range cfg.Trunks {
		if err := t.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("trunks[%d]: %w", i, err))
		}
		if names[t.Name] {
			errs = append(errs, fmt.Errorf("%w: trunks[%d]: field name: %q is used twice", ErrInvalidConfig, i, t.Name))
		}
		names[t.Name] = true
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "outdial"
	}
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = DefaultMaxMessageSize
	}
	if cfg.SourceRate == 0 {
		cfg.SourceRate = DefaultSourceRate
	}
	if cfg.SourceBurst <= 0 {
		cfg.SourceBurst = DefaultSourceBurst
	}
	if cfg.InviteTimeout <= 0 {
		cfg.InviteTimeout = 4 * time.Second
	}
	if cfg.OptionsInterval == 0 {
		cfg.OptionsInterval = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SIPLogger == nil {
		cfg.SIPLogger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	c := &Client{cfg: cfg, log: cfg.Logger, metrics: cfg.Metrics, trunks: map[string]*trunkState{}, calls: map[string]*Call{}, inbound: cfg.Inbound}
	if c.inbound == nil {
		c.inbound = DeclineInvites{}
	}

	var allow []netip.Prefix
	for _, t := range cfg.Trunks {
		ts := &trunkState{Trunk: t}
		if t.MaxCPS > 0 {
			ts.limiter = rate.NewLimiter(rate.Limit(t.MaxCPS), max(1, int(t.MaxCPS)))
		}
		ts.up.Store(true)
		c.metrics.trunkUp(t.Name, true)
		c.trunks[t.Name] = ts
		c.ordered = append(c.ordered, ts)
		ips, err := resolveHost(t.host())
		if err != nil {
			return nil, fmt.Errorf("%w: trunk %q: field address: cannot resolve %q: %v", ErrInvalidTrunk, t.Name, t.host(), err)
		}
		for _, ip := range ips {
			allow = append(allow, netip.PrefixFrom(ip, ip.BitLen()))
		}
		for _, a := range t.Allow {
			p, _ := parsePrefix(a)
			allow = append(allow, p)
		}
	}
	limit := rate.Limit(cfg.SourceRate)
	if cfg.SourceRate < 0 {
		limit = 0
	}
	c.guard = newGuard(allow, cfg.MaxMessageSize, limit, cfg.SourceBurst, c.metrics)

	parser := sip.NewParser()
	parser.MaxMessageLength = cfg.MaxMessageSize
	ua, err := sipgo.NewUA(
		sipgo.WithUserAgent(cfg.UserAgent),
		sipgo.WithUserAgentParser(parser),
		sipgo.WithUserAgenTLSConfig(cfg.TLSConfig),
		sipgo.WithUserAgentTransportLayerOptions(
			sip.WithTransportLayerReadFilter(c.guard.filter),
			sip.WithTransportLayerLogger(cfg.SIPLogger)),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(cfg.SIPLogger)),
	)
	if err != nil {
		return nil, fmt.Errorf("sip: user agent: %w", err)
	}
	c.ua = ua

	conn, err := net.ListenPacket("udp", cfg.Listen)
	if err != nil {
		ua.Close()
		return nil, fmt.Errorf("%w: field listen: %v", ErrInvalidConfig, err)
	}
	c.conn = conn
	c.laddr = conn.LocalAddr().(*net.UDPAddr).AddrPort()
	c.host = cfg.PublicHost
	if c.host == "" {
		if c.laddr.Addr().IsUnspecified() {
			conn.Close()
			ua.Close()
			return nil, fmt.Errorf("%w: field public_host is empty and listen %q is a wildcard; set public_host to the IP trunks should send to", ErrInvalidConfig, cfg.Listen)
		}
		c.host = c.laddr.Addr().Unmap().String()
	}
	if cfg.ListenTCP != "" {
		ln, err := net.Listen("tcp", cfg.ListenTCP)
		if err != nil {
			conn.Close()
			ua.Close()
			return nil, fmt.Errorf("%w: field listen_tcp: %v", ErrInvalidConfig, err)
		}
		c.tcp = ln
	}

	if cfg.ListenTLS != "" {
		if cfg.ServerTLS == nil || (len(cfg.ServerTLS.Certificates) == 0 && cfg.ServerTLS.GetCertificate == nil) {
			c.closeListeners()
			ua.Close()
			return nil, fmt.Errorf("%w: field listen_tls needs a certificate and key (tls_cert_file, tls_key_file)", ErrInvalidConfig)
		}
		ln, err := tls.Listen("tcp", cfg.ListenTLS, cfg.ServerTLS)
		if err != nil {
			c.closeListeners()
			ua.Close()
			return nil, fmt.Errorf("%w: field listen_tls: %v", ErrInvalidConfig, err)
		}
		c.tlsLn = ln
	}

	c.srv, _ = sipgo.NewServer(ua, sipgo.WithServerLogger(cfg.SIPLogger))
	c.cli, _ = sipgo.NewClient(ua, sipgo.WithClientHostname(c.host), sipgo.WithClientPort(int(c.laddr.Port())), sipgo.WithClientLogger(cfg.SIPLogger))
	c.duas = map[Transport]*sipgo.DialogUA{TransportUDP: {Client: c.cli, ContactHDR: c.contact(TransportUDP)}}
	for _, t := range []Transport{TransportTCP, TransportTLS} {
		// The Via of requests over TCP/TLS names the port of our Contact (the TCP
		// listener when there is one), not the UDP port.
		cli, _ := sipgo.NewClient(ua, sipgo.WithClientHostname(c.host), sipgo.WithClientPort(c.contact(t).Address.Port), sipgo.WithClientLogger(cfg.SIPLogger))
		c.duas[t] = &sipgo.DialogUA{Client: cli, ContactHDR: c.contact(t)}
	}
	c.routes()
	ua.TransportLayer().OnMessage(c.countInbound)

	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		_ = c.srv.ServeUDP(conn)
	}()
	// Wait until sipgo has the listener in its pool, so requests can leave from it.
	for i := 0; i < 1000; i++ {
		if lc, err := ua.TransportLayer().GetConnection("udp", conn.LocalAddr().String()); err == nil && lc != nil {
			lc.TryClose()
			break
		}
		time.Sleep(time.Millisecond)
	}
	if c.tcp != nil {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			_ = c.srv.ServeTCP(c.tcp)
		}()
	}
	if c.tlsLn != nil {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			_ = c.srv.ServeTLS(c.tlsLn)
		}()
	}
	if cfg.OptionsInterval > 0 {
		for _, ts := range c.ordered {
			c.wg.Add(1)
			go c.pingLoop(ts)
		}
	}
	return c, nil
}

// Addr is the local UDP signalling address.
func (c *Client) Addr() netip.AddrPort { return c.laddr }

// TrunkUp reports the OPTIONS health of a configured trunk.
func (c *Client) TrunkUp(name string) (up, ok bool) {
	ts := c.trunks[name]
	if ts == nil {
		return false, false
	}
	return ts.up.Load(), true
}

// ActiveCalls is the number of calls between INVITE and end.
func (c *Client) ActiveCalls() int {
	n := 0
	for _, ts := range c.ordered {
		n += int(ts.active.Load())
	}
	return n
}

// Close hangs up nothing by itself: callers end their calls first (Hangup). It stops
// pings, closes the sockets and waits for the serving goroutines.
func (c *Client) Close() error {
	if !c.closed.CompareAndSwap(false, true) {
		return nil
	}
	c.cancel()
	c.closeListeners()
	err := c.ua.Close()
	c.wg.Wait()
	return err
}

func (c *Client) closeListeners() {
	c.conn.Close()
	if c.tcp != nil {
		c.tcp.Close()
	}
	if c.tlsLn != nil {
		c.tlsLn.Close()
	}
}

func (c *Client) contact(t Transport) sip.ContactHeader {
	u := sip.Uri{Scheme: "sip", User: "outdial", Host: c.host, Port: int(c.laddr.Port())}
	if t != TransportUDP {
		u.UriParams = sip.NewParams()
		u.UriParams.Add("transport", string(t))
		switch {
		case t == TransportTLS && c.tlsLn != nil:
			u.Port = c.tlsLn.Addr().(*net.TCPAddr).Port
		case c.tcp != nil:
			u.Port = c.tcp.Addr().(*net.TCPAddr).Port
		}
	}
	return sip.ContactHeader{Address: u}
}

func (c *Client) countInbound(m sip.Message) {
	switch m := m.(type) {
	case *sip.Request:
		c.metrics.request(m.Method.String(), "in")
	case *sip.Response:
		c.metrics.response(m.StatusCode, "in")
	}
}

// respond answers a server transaction and counts the response.
func (c *Client) respond(tx sip.ServerTransaction, req *sip.Request, code int, reason string, body []byte, hdrs ...sip.Header) {
	res := sip.NewResponseFromRequest(req, code, reason, body)
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	if err := tx.Respond(res); err != nil {
		c.log.Debug("sip: respond failed", "code", code, "err", err)
		return
	}
	c.metrics.response(code, "out")
}

func (c *Client) addCall(id string, call *Call) {
	c.mu.Lock()
	c.calls[id] = call
	c.mu.Unlock()
}

func (c *Client) removeCall(id string) {
	c.mu.Lock()
	delete(c.calls, id)
	c.mu.Unlock()
}

func (c *Client) findCall(req *sip.Request) *Call {
	id, err := sip.DialogIDFromRequestUAC(req)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[id]
}

// candidates returns the trunks of a request in failover order.
func (c *Client) candidates(names []string) ([]*trunkState, error) {
	if len(names) == 0 {
		if len(c.ordered) == 0 {
			return nil, fmt.Errorf("%w: the client has no trunks configured", ErrUnknownTrunk)
		}
		return c.ordered, nil
	}
	out := make([]*trunkState, 0, len(names))
	for _, n := range names {
		ts := c.trunks[n]
		if ts == nil {
			return nil, fmt.Errorf("%w: %q; configured trunks are %v", ErrUnknownTrunk, n, c.trunkNames())
		}
		out = append(out, ts)
	}
	return out, nil
}

func (c *Client) trunkNames() []string {
	out := make([]string, len(c.ordered))
	for i, ts := range c.ordered {
		out[i] = ts.Name
	}
	return out
}

func resolveHost(host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip.Unmap()}, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	for i := range ips {
		ips[i] = ips[i].Unmap()
	}
	return ips, err
}

// sessionExpires parses a Session-Expires header value: "1800;refresher=uac".
func sessionExpires(v string) (time.Duration, string, bool) {
	num, params, _ := strings.Cut(v, ";")
	n, err := strconv.Atoi(strings.TrimSpace(num))
	if err != nil || n < 1 || n > 86400 {
		return 0, "", false
	}
	refresher := ""
	for _, p := range strings.Split(params, ";") {
		if k, val, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(k, "refresher") {
			refresher = strings.ToLower(strings.TrimSpace(val))
		}
	}
	return time.Duration(n) * time.Second, refresher, true
}
