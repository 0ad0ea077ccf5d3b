package carrier

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/outdial/outdial/media"
	outsip "github.com/outdial/outdial/sip"
)

// Config configures a simulated carrier.
type Config struct {
	// Listen is the UDP address to answer on, such as 127.0.0.1:5070. Required.
	Listen string
	// ListenTLS, when set, is a TCP address where the carrier also answers SIP over
	// TLS (tls trunks of the dialer), presenting TLS's certificate. The calls' media
	// stays RTP on Listen's IP. The carrier's own BYE on such a call goes over TLS to
	// the caller's Contact, trusting TLS's RootCAs (nil: the system's).
	ListenTLS string
	TLS       *tls.Config
	// Scenario decides each call; Seed makes the decisions repeatable.
	Scenario Scenario
	Seed     uint64
	// Audio is a folder of WAV files (8 kHz mono PCM16, mu-law or A-law): human/*.wav and
	// machine/*.wav, or just *.wav used for both; or Builtin for the carrier's own
	// synthesized clips. Empty: answered calls send silence.
	Audio string
	// RTPPorts is the media port range, [min, max] (default 30000-39999), on the Listen IP.
	RTPPorts [2]uint16
	// Report, when set, receives one Report per finished call.
	Report func(Report)
	// Logger for rare events; nil logs nothing.
	Logger *slog.Logger
}

// Report says what happened to one call.
type Report struct {
	Plan   Plan   `json:"plan"`
	CallID string `json:"call_id"`
	// To is the number called (the user part of the Request-URI), From the caller ID.
	To       string        `json:"to"`
	From     string        `json:"from,omitempty"`
	Outcome  string        `json:"outcome"` // answered, busy, no_answer, failure, cancelled, rejected
	HangupBy string        `json:"hangup_by,omitempty"`
	Audio    string        `json:"audio,omitempty"`
	Digits   string        `json:"digits,omitempty"`
	Talked   time.Duration `json:"talked,omitempty"`
	RTP      *media.Stats  `json:"rtp,omitempty"`
	// Start is when the INVITE arrived, End when the carrier was done with the call
	// (wall clock).
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Server is a running simulated carrier.
type Server struct {
	cfg   Config
	log   *slog.Logger
	quiet *slog.Logger // for sipgo, which is chatty
	ua    *sipgo.UserAgent
	srv   *sipgo.Server
	cache *sipgo.DialogServerCache
	// tlsCache holds the dialogs of calls that came over TLS: their Contact names the
	// TLS listener, so the caller's ACK and BYE come back over TLS.
	tlsCache *sipgo.DialogServerCache
	conn     net.PacketConn
	tls      net.Listener
	pool     *media.PortPool
	pacer    *media.Pacer // shared by every call's media session
	human    []*clip
	mach     []*clip
	n        atomic.Uint64
	active   atomic.Int64
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup // the listener
	calls    sync.WaitGroup // calls in progress
}

type clip struct {
	name string
	wav  *media.WAV
}

// New validates cfg, loads the audio, binds the socket and starts answering.
func New(cfg Config) (*Server, error) {
	if err := cfg.Scenario.Validate(); err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.RTPPorts == [2]uint16{} {
		cfg.RTPPorts = [2]uint16{30000, 39999}
	}
	s := &Server{cfg: cfg, log: cfg.Logger, pacer: media.NewPacer(0)}
	var err error
	switch cfg.Audio {
	case "":
	case Builtin:
		s.human, s.mach = builtinAudio()
	default:
		if s.human, s.mach, err = loadAudio(cfg.Audio); err != nil {
			return nil, err
		}
	}
	conn, err := net.ListenPacket("udp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("%w: field listen: %v", ErrInvalidConfig, err)
	}
	s.conn = conn
	la := conn.LocalAddr().(*net.UDPAddr)
	ip, _ := netip.AddrFromSlice(la.IP)
	ip = ip.Unmap()
	if ip.IsUnspecified() {
		conn.Close()
		return nil, fmt.Errorf("%w: field listen: %q is a wildcard; give the IP callers reach, such as 127.0.0.1:5070", ErrInvalidConfig, cfg.Listen)
	}
	s.pool, err = media.NewPortPool(media.PortPoolConfig{IP: ip, Min: cfg.RTPPorts[0], Max: cfg.RTPPorts[1]})
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("%w: field rtp_ports: %v", ErrInvalidConfig, err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	s.quiet = quiet
	s.ua, err = sipgo.NewUA(sipgo.WithUserAgent("outdial-carrier"), sipgo.WithUserAgenTLSConfig(cfg.TLS),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(quiet)),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(quiet)))
	if err != nil {
		conn.Close()
		return nil, err
	}
	s.srv, _ = sipgo.NewServer(s.ua, sipgo.WithServerLogger(quiet))
	cli, _ := sipgo.NewClient(s.ua, sipgo.WithClientHostname(ip.String()), sipgo.WithClientPort(la.Port), sipgo.WithClientLogger(quiet))
	s.cache = sipgo.NewDialogServerCache(cli, sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "carrier", Host: ip.String(), Port: la.Port}})
	s.srv.OnInvite(s.onInvite)
	s.srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) { _ = s.cacheFor(req).ReadAck(req, tx) })
	s.srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		if err := s.cacheFor(req).ReadBye(req, tx); err != nil {
			_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
		}
	})
	s.srv.OnOptions(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
	})
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = s.srv.ServeUDP(conn)
	}()
	for i := 0; i < 1000; i++ { // until sipgo can send from the listener
		if lc, err := s.ua.TransportLayer().GetConnection("udp", conn.LocalAddr().String()); err == nil && lc != nil {
			lc.TryClose()
			break
		}
		time.Sleep(time.Millisecond)
	}
	if cfg.ListenTLS != "" {
		if err := s.listenTLS(); err != nil {
			_ = s.Close()
			return nil, err
		}
	}
	return s, nil
}

func (s *Server) listenTLS() error {
	c := s.cfg.TLS
	if c == nil || (len(c.Certificates) == 0 && c.GetCertificate == nil) {
		return fmt.Errorf("%w: field tls: listen_tls needs a certificate and key", ErrInvalidConfig)
	}
	ln, err := tls.Listen("tcp", s.cfg.ListenTLS, c)
	if err != nil {
		return fmt.Errorf("%w: field listen_tls: %v", ErrInvalidConfig, err)
	}
	s.tls = ln
	ta := ln.Addr().(*net.TCPAddr)
	cli, _ := sipgo.NewClient(s.ua, sipgo.WithClientHostname(ta.IP.String()), sipgo.WithClientPort(ta.Port), sipgo.WithClientLogger(s.quiet))
	s.tlsCache = sipgo.NewDialogServerCache(cli, sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "carrier", Host: ta.IP.String(), Port: ta.Port,
		UriParams: sip.HeaderParams{{K: "transport", V: "tls"}}}})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = s.srv.ServeTLS(ln)
	}()
	return nil
}

// cacheFor returns the dialog cache of the transport req came over.
func (s *Server) cacheFor(req *sip.Request) *sipgo.DialogServerCache {
	if s.tlsCache != nil && strings.EqualFold(req.Transport(), "TLS") {
		return s.tlsCache
	}
	return s.cache
}

// TLSAddr is the carrier's SIP over TLS address (invalid without ListenTLS).
func (s *Server) TLSAddr() netip.AddrPort {
	if s.tls == nil {
		return netip.AddrPort{}
	}
	return s.tls.Addr().(*net.TCPAddr).AddrPort()
}

// Addr is the carrier's SIP address.
func (s *Server) Addr() netip.AddrPort {
	return s.conn.LocalAddr().(*net.UDPAddr).AddrPort()
}

// Active is the number of calls in progress.
func (s *Server) Active() int { return int(s.active.Load()) }

// Close ends every call (BYE to answered ones), stops answering and frees the sockets.
func (s *Server) Close() error {
	s.cancel()
	done := make(chan struct{})
	go func() { s.calls.Wait(); close(done) }()
	select { // calls end on ctx; the listener goroutine ends with the socket
	case <-done:
	case <-time.After(10 * time.Second):
	}
	s.conn.Close()
	if s.tls != nil {
		s.tls.Close()
	}
	err := s.ua.Close()
	s.wg.Wait()
	return err
}

func (s *Server) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to != nil && to.Params.Has("tag") { // re-INVITE: accept as is
		_ = tx.Respond(sip.NewResponseFromRequest(req, 488, "Not Acceptable Here", nil))
		return
	}
	if s.ctx.Err() != nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 503, "Service Unavailable", nil))
		return
	}
	s.calls.Add(1)
	defer s.calls.Done()
	s.active.Add(1)
	defer s.active.Add(-1)
	plan := s.cfg.Scenario.Plan(s.cfg.Seed, s.n.Add(1)-1)
	rep := Report{Plan: plan, Start: time.Now()}
	if id := req.CallID(); id != nil {
		rep.CallID = id.Value()
	}
	rep.To = req.Recipient.User
	if f := req.From(); f != nil {
		rep.From = f.Address.User
	}
	defer func() {
		rep.End = time.Now()
		if s.cfg.Report != nil {
			s.cfg.Report(rep)
		}
	}()
	dlg, err := s.cacheFor(req).ReadInvite(req, tx)
	if err != nil {
		rep.Outcome = "rejected"
		_ = tx.Respond(sip.NewResponseFromRequest(req, 400, "Bad Request", nil))
		return
	}
	defer dlg.Close()
	_ = dlg.Respond(100, "Trying", nil)
	offer, err := outsip.ParseMedia(req.Body())
	if err != nil {
		rep.Outcome = "rejected"
		_ = dlg.Respond(488, "Not Acceptable Here", nil)
		return
	}
	if plan.Kind == KindFailure {
		rep.Outcome = "failure"
		_ = dlg.Respond(plan.Code, reasonFor(plan.Code), nil)
		return
	}

	// Media: needed for early media and answers.
	var leg *leg
	if plan.Kind == KindAnswer || plan.EarlyMedia {
		leg, err = s.newLeg(offer)
		if err != nil {
			rep.Outcome = "failure"
			_ = dlg.Respond(503, "Service Unavailable", nil)
			return
		}
		defer leg.close(&rep)
	}
	if plan.EarlyMedia {
		_ = dlg.Respond(183, "Session Progress", leg.answer, sip.NewHeader("Content-Type", "application/sdp"))
	} else {
		_ = dlg.Respond(180, "Ringing", nil)
	}
	if !s.wait(dlg.Context(), plan.Ring) {
		rep.Outcome = "cancelled"
		return
	}
	switch plan.Kind {
	case KindBusy:
		rep.Outcome = "busy"
		_ = dlg.Respond(486, "Busy Here", nil)
		return
	case KindNoAnswer:
		rep.Outcome = "no_answer"
		_ = dlg.Respond(480, "Temporarily Unavailable", nil)
		return
	}
	if err := dlg.RespondSDP(leg.answer); err != nil {
		// sipgo says "No ACK received" when the caller's BYE overtook its ACK (they come
		// back to back on a TCP or TLS stream): the 200 went out, the call was answered
		// and hung up at once. Any other error is a CANCEL before the answer.
		if strings.Contains(err.Error(), "No ACK") {
			rep.Outcome, rep.HangupBy = "answered", "caller"
		} else {
			rep.Outcome = "cancelled"
		}
		return
	}
	rep.Outcome = "answered"
	start := time.Now()
	rep.Audio = leg.talk(s, plan, dlg.Context())
	ctx, cancel := context.WithTimeout(s.ctx, plan.Talk)
	select {
	case <-dlg.Context().Done():
		rep.HangupBy = "caller"
	case <-ctx.Done():
		if plan.CarrierHangup || s.ctx.Err() != nil {
			rep.HangupBy = "carrier"
		} else { // the caller should hang up: give it a grace period
			grace, stop := context.WithTimeout(s.ctx, 30*time.Second)
			select {
			case <-dlg.Context().Done():
				rep.HangupBy = "caller"
			case <-grace.Done():
				rep.HangupBy = "carrier"
			}
			stop()
		}
	}
	cancel()
	rep.Talked = time.Since(start).Round(time.Millisecond)
	if rep.HangupBy == "carrier" {
		bctx, stop := context.WithTimeout(context.Background(), 5*time.Second)
		_ = dlg.Bye(bctx)
		stop()
	}
}

// wait sleeps d unless the call or the server ends first.
func (s *Server) wait(call context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-call.Done():
		return false
	case <-s.ctx.Done():
		return false
	}
}

func reasonFor(code int) string {
	switch code {
	case 404:
		return "Not Found"
	case 403:
		return "Forbidden"
	case 480:
		return "Temporarily Unavailable"
	case 486:
		return "Busy Here"
	case 503:
		return "Service Unavailable"
	case 603:
		return "Decline"
	}
	return "Failure"
}

// leg is the carrier's media for one call.
type leg struct {
	port   *media.Port
	sess   *media.Session
	answer []byte
	mu     sync.Mutex
	digits []rune
}

func (s *Server) newLeg(offer outsip.Media) (*leg, error) {
	ans, err := outsip.Answer(offer, netip.AddrPort{}, []outsip.Codec{outsip.PCMU, outsip.PCMA})
	if err != nil {
		return nil, err
	}
	port, err := s.pool.Allocate()
	if err != nil {
		return nil, err
	}
	ans.Addr = port.Addr()
	codec, err := media.CodecForPayloadType(ans.Codec().PayloadType)
	if err != nil {
		codec = media.PCMU
	}
	cfg := media.SessionConfig{Codec: codec, Remote: offer.Addr, Pacer: s.pacer}
	if offer.HasDTMF {
		cfg.EventPT = offer.DTMF
	}
	sess, err := media.NewSession(port.RTP(), cfg)
	if err != nil {
		port.Close()
		return nil, err
	}
	return &leg{port: port, sess: sess, answer: ans.Marshal(uint64(port.Number()), 1)}, nil
}

// talk starts the audio of an answered call and the DTMF echo; it returns the clip name.
func (l *leg) talk(s *Server, plan Plan, call context.Context) string {
	clips := s.human
	if plan.Machine && len(s.mach) > 0 {
		clips = s.mach
	}
	var c *clip
	if len(clips) > 0 {
		c = clips[int(plan.Pick%uint32(len(clips)))]
	}
	playCtx, stopPlay := context.WithCancel(call)
	if c != nil {
		go func() { _ = l.sess.Play(playCtx, c.wav.Source()) }()
	}
	l.sess.OnDTMF(media.DTMFHandlerFunc(func(d media.Digit) {
		l.mu.Lock()
		l.digits = append(l.digits, d.Digit)
		l.mu.Unlock()
		if s.cfg.Scenario.DTMFEcho {
			stopPlay()
			go l.sendDigits(call, string(d.Digit))
		}
	}))
	context.AfterFunc(call, stopPlay)
	if plan.Press != "" {
		go func() {
			t := time.NewTimer(plan.PressAt)
			defer t.Stop()
			select {
			case <-t.C:
				stopPlay() // a caller stops talking to press
				l.sendDigits(call, plan.Press)
			case <-call.Done():
			}
		}()
	}
	if c == nil {
		return ""
	}
	return c.name
}

// sendDigits sends DTMF once the audio stopped for it has let go of the session.
func (l *leg) sendDigits(call context.Context, digits string) {
	for range 50 {
		if err := l.sess.SendDTMF(call, digits); !errors.Is(err, media.ErrBusy) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (l *leg) close(rep *Report) {
	st := l.sess.Stats()
	rep.RTP = &st
	l.mu.Lock()
	rep.Digits = string(l.digits)
	l.mu.Unlock()
	l.sess.Close()
	l.port.Close()
}

// loadAudio reads DIR/human/*.wav and DIR/machine/*.wav, or DIR/*.wav for both.
func loadAudio(dir string) (human, machine []*clip, err error) {
	load := func(pattern string) ([]*clip, error) {
		files, _ := filepath.Glob(pattern)
		sort.Strings(files)
		var out []*clip
		for _, f := range files {
			w, err := media.LoadWAV(f)
			if err != nil {
				return nil, fmt.Errorf("%w: field audio: %s: %v", ErrInvalidConfig, f, err)
			}
			out = append(out, &clip{name: filepath.Base(f), wav: w})
		}
		return out, nil
	}
	if _, err := os.Stat(dir); err != nil {
		return nil, nil, fmt.Errorf("%w: field audio: %v", ErrInvalidConfig, err)
	}
	if human, err = load(filepath.Join(dir, "human", "*.wav")); err != nil {
		return nil, nil, err
	}
	if machine, err = load(filepath.Join(dir, "machine", "*.wav")); err != nil {
		return nil, nil, err
	}
	if len(human)+len(machine) == 0 {
		all, err := load(filepath.Join(dir, "*.wav"))
		if err != nil {
			return nil, nil, err
		}
		if len(all) == 0 {
			return nil, nil, fmt.Errorf("%w: field audio: no .wav files in %s (or its human/ and machine/ folders)", ErrInvalidConfig, dir)
		}
		human, machine = all, all
	}
	if len(human) == 0 {
		human = machine
	}
	return human, machine, errors.Join()
}
