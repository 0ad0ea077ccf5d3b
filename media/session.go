package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
)

// SessionConfig configures one call leg. The zero value is usable: PCMU, telephone
// events on payload type 101, a random SSRC, silence when idle.
type SessionConfig struct {
	// Codec is the audio codec we send (from the SDP answer). Received audio is decoded
	// by its own payload type, PCMU or PCMA.
	Codec Codec
	// EventPT is the telephone-event payload type; 0 means DefaultEventPT.
	EventPT uint8
	// SSRC of the outgoing stream; 0 picks a random one.
	SSRC uint32
	// Remote is the peer's RTP address from the SDP, if already known; see SetRemote.
	Remote netip.AddrPort
	// DTMFDuration is how long each sent digit lasts; 0 means 100 ms.
	DTMFDuration time.Duration
	// DTMFGap is the pause after each sent digit; 0 means 60 ms.
	DTMFGap time.Duration
	// NoSilence stops the session from sending silence frames when it has nothing to
	// send (by default it sends them, which keeps the peer's latching, NAT bindings and
	// media timeouts happy).
	NoSilence bool
	// RTCP is the socket for RTCP (Port.RTCP() from a pool with RTCP on); nil sends
	// and reads no RTCP. Loss and jitter of the incoming stream are measured either
	// way; RTCP adds what the peer measures of ours (Stats.RemoteLost, RTT).
	RTCP *net.UDPConn
	// RTCPInterval between our reports; 0 means DefaultRTCPInterval.
	RTCPInterval time.Duration
	// Metrics receives packet counts; nil counts nothing.
	Metrics *Metrics
	// Logger for rare events (latching, read errors); nil logs nothing.
	Logger *slog.Logger
	// Pacer sends this session's frames; give every session of a process the same
	// one (NewPacer) so a few goroutines pace them all. nil gives the session a
	// Pacer of its own: one goroutine and one timer per session.
	Pacer *Pacer
}

// Session is one RTP call leg on one UDP socket. See the package documentation for
// the receive and send paths. All methods are safe for concurrent use.
type Session struct {
	conn    *net.UDPConn
	local   netip.AddrPort
	cfg     SessionConfig
	log     *slog.Logger
	metrics *Metrics
	start   time.Time

	codec   atomic.Uint32 // Codec we send
	eventPT atomic.Uint32

	// receive side, guarded by mu (also read by Stats and the send side)
	mu          sync.Mutex
	sdpRemote   netip.AddrPort
	latched     netip.AddrPort
	recv        receiveStats
	rxPackets   uint64
	rxBytes     uint64
	foreign     uint64
	malformed   uint64
	unknownPT   uint64
	lostCounted int64 // lost packets already added to the metrics counter
	lastRx      time.Time
	rtcp        rtcpState
	rtcpConn    *net.UDPConn

	rtpH    atomic.Pointer[rtpSlot]
	pcmH    atomic.Pointer[pcmSlot]
	sentPCM atomic.Pointer[pcmSlot]
	dtmf    *DTMFDetector
	pcmBuf  []int16 // receive goroutine only
	rxPkt   rtp.Packet

	// send side, guarded by sendMu (pacer and WriteRTP)
	sendMu    sync.Mutex
	ssrc      uint32
	seq       uint16
	clockTS   uint32 // timestamp of the next own frame; advances 160 per tick
	talking   bool   // false: the next packet starts a talkspurt (marker bit)
	sendBuf   []byte
	fwdBuf    []byte
	fwdPCM    []int16
	fwd       streamRewriter
	txPackets uint64
	txBytes   uint64

	lastForward atomic.Int64 // time since start of the last forwarded packet, ns
	busy        atomic.Bool  // a Play or SendDTMF job is running
	paused      atomic.Bool  // SetSendPaused: nothing leaves the socket

	// pacing: the Pacer ticks the session under tickMu; Close sets detached
	pacer    *Pacer
	tickMu   sync.Mutex
	detached bool
	pace     paceState
	snd      sendState
	jobMu    sync.Mutex
	pending  *job // a Play or SendDTMF the pacer has not picked up yet

	closed    chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup
}

type rtpSlot struct{ h RTPHandler }
type pcmSlot struct{ h PCMHandler }

var (
	_ RTPWriter = (*Session)(nil)
	_ Endpoint  = (*Session)(nil)
)

// NewSession starts a session on conn, which it owns from now on: Close closes it.
// The receive goroutine starts at once and the session joins its Pacer, which sends
// its first frame within 20 ms.
func NewSession(conn *net.UDPConn, cfg SessionConfig) (*Session, error) {
	if conn == nil {
		return nil, errors.New("media: NewSession needs a UDP socket; allocate one with PortPool.Allocate")
	}
	if !cfg.Codec.valid() {
		return nil, fmt.Errorf("%w: SessionConfig.Codec is %d", ErrCodec, uint8(cfg.Codec))
	}
	if cfg.EventPT == 0 {
		cfg.EventPT = DefaultEventPT
	}
	if cfg.EventPT < 96 || cfg.EventPT > 127 {
		return nil, fmt.Errorf("media: SessionConfig.EventPT %d is not a dynamic payload type; use 96-127 as in the SDP", cfg.EventPT)
	}
	if cfg.DTMFDuration <= 0 {
		cfg.DTMFDuration = 100 * time.Millisecond
	}
	if cfg.DTMFGap <= 0 {
		cfg.DTMFGap = 60 * time.Millisecond
	}
	if cfg.RTCPInterval <= 0 {
		cfg.RTCPInterval = DefaultRTCPInterval
	}
	if cfg.SSRC == 0 {
		cfg.SSRC = randomUint32()
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var local netip.AddrPort
	if ua, ok := conn.LocalAddr().(*net.UDPAddr); ok {
		local = ua.AddrPort()
	}
	s := &Session{
		conn:      conn,
		local:     local,
		cfg:       cfg,
		log:       log,
		metrics:   cfg.Metrics,
		start:     time.Now(),
		sdpRemote: cfg.Remote,
		dtmf:      NewDTMFDetector(nil),
		pcmBuf:    make([]int16, 1500),
		ssrc:      cfg.SSRC,
		seq:       uint16(randomUint32()),
		clockTS:   randomUint32(),
		sendBuf:   make([]byte, 1500),
		fwdBuf:    make([]byte, 1500),
		closed:    make(chan struct{}),
		rtcpConn:  cfg.RTCP,
		pacer:     cfg.Pacer,
		snd:       sendState{frame: make([]int16, FrameSamples), enc: make([]byte, FrameSamples), silence: make([]byte, FrameSamples)},
	}
	if s.pacer == nil {
		s.pacer = NewPacer(1)
	}
	s.codec.Store(uint32(cfg.Codec))
	s.eventPT.Store(uint32(cfg.EventPT))
	s.wg.Add(1)
	go s.readLoop()
	if s.rtcpConn != nil {
		s.wg.Add(1)
		go s.rtcpReadLoop()
	}
	s.pacer.add(s)
	return s, nil
}

// LocalAddr returns the address of the session's socket.
func (s *Session) LocalAddr() netip.AddrPort { return s.local }

// SSRC returns the SSRC of the outgoing stream.
func (s *Session) SSRC() uint32 { return s.ssrc }

// Codec returns the codec the session sends.
func (s *Session) Codec() Codec { return Codec(s.codec.Load()) }

// SetCodec changes the codec the session sends, for an answer or re-INVITE that
// settles on another one.
func (s *Session) SetCodec(c Codec) error {
	if !c.valid() {
		return fmt.Errorf("%w: %d", ErrCodec, uint8(c))
	}
	s.codec.Store(uint32(c))
	return nil
}

// SetEventPT changes the telephone-event payload type (sent and recognised).
func (s *Session) SetEventPT(pt uint8) error {
	if pt < 96 || pt > 127 {
		return fmt.Errorf("media: telephone-event payload type %d is not dynamic; use 96-127 as in the SDP", pt)
	}
	s.eventPT.Store(uint32(pt))
	return nil
}

// SetRemote sets the peer's RTP address from its SDP. Until the peer's first packet
// arrives the session sends there; then it sends wherever that packet came from
// (symmetric RTP). Setting a different address (a re-INVITE moving the media) clears
// the latch.
func (s *Session) SetRemote(ap netip.AddrPort) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ap != s.sdpRemote {
		s.sdpRemote = ap
		s.latched = netip.AddrPort{}
	}
}

// SetSendPaused stops (true) or resumes (false) sending RTP, for hold: pause when
// the peer's SDP says a=sendonly or a=inactive, resume on a=sendrecv or a=recvonly.
// Sequence numbers and timestamps run on while paused, so the stream resumes in real
// time; Play and SendDTMF keep running but send nothing. Receiving is not affected.
func (s *Session) SetSendPaused(paused bool) { s.paused.Store(paused) }

// Remote returns where the session currently sends: the latched source, else the
// SDP address, else the zero value.
func (s *Session) Remote() netip.AddrPort {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remoteLocked()
}

func (s *Session) remoteLocked() netip.AddrPort {
	if s.latched.IsValid() {
		return s.latched
	}
	return s.sdpRemote
}

// OnRTP sets the handler of received audio and telephone-event packets, as they
// arrive, for forwarding. nil removes it. The handler runs on the receive goroutine.
func (s *Session) OnRTP(h RTPHandler) { s.rtpH.Store(slotRTP(h)) }

// OnPCM sets the consumer of decoded received audio. nil removes it (and decoding
// stops). The handler runs on the receive goroutine.
func (s *Session) OnPCM(h PCMHandler) { s.pcmH.Store(slotPCM(h)) }

// OnSentPCM sets a consumer of the audio this session sends (prompts, silence,
// forwarded audio decoded), for recording both directions. nil removes it. It runs
// on the pacer goroutine (shared with other sessions when SessionConfig.Pacer is
// shared, so it must not block), or on the goroutine calling WriteRTP.
func (s *Session) OnSentPCM(h PCMHandler) { s.sentPCM.Store(slotPCM(h)) }

// OnDTMF sets the handler of received digits; nil drops them.
func (s *Session) OnDTMF(h DTMFHandler) { s.dtmf.SetHandler(h) }

func slotRTP(h RTPHandler) *rtpSlot {
	if h == nil {
		return nil
	}
	return &rtpSlot{h}
}

func slotPCM(h PCMHandler) *pcmSlot {
	if h == nil {
		return nil
	}
	return &pcmSlot{h}
}

// Stats returns a snapshot of the session's counters.
func (s *Session) Stats() Stats {
	s.mu.Lock()
	st := Stats{
		PacketsReceived: s.rxPackets,
		BytesReceived:   s.rxBytes,
		Lost:            s.recv.lost(),
		Expected:        s.recv.expected(),
		Jitter:          s.recv.jitterDuration(),
		OutOfOrder:      s.recv.outOfOrder,
		Duplicates:      s.recv.duplicates,
		ForeignDropped:  s.foreign,
		Malformed:       s.malformed,
		UnknownPT:       s.unknownPT,
		Latched:         s.latched,
		LastReceived:    s.lastRx,
		RTCPReceived:    s.rtcp.received,
		RemoteLost:      s.rtcp.remoteLost,
		RemoteFraction:  s.rtcp.remoteFraction,
		RemoteJitter:    s.rtcp.remoteJitter,
		RTT:             s.rtcp.rtt,
	}
	s.mu.Unlock()
	s.sendMu.Lock()
	st.PacketsSent, st.BytesSent = s.txPackets, s.txBytes
	s.sendMu.Unlock()
	return st
}

// Close takes the session off its Pacer, stops the receive goroutine(s), closes the
// socket(s) and ends a running Play or SendDTMF with ErrClosed. It returns when
// everything has stopped. It is idempotent.
func (s *Session) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.closed)
		s.pace.worker.remove(s)
		s.tickMu.Lock() // waits for a tick in progress
		s.detached = true
		if s.snd.cur != nil {
			s.finish(ErrClosed)
		}
		s.tickMu.Unlock()
		s.jobMu.Lock()
		if s.pending != nil {
			s.pending.done <- ErrClosed
			s.pending = nil
		}
		s.jobMu.Unlock()
		err = s.conn.Close()
		if s.rtcpConn != nil {
			err = errors.Join(err, s.rtcpConn.Close())
		}
		s.wg.Wait()
		s.reportLost()
	})
	return err
}

// Done returns a channel closed when Close is called.
func (s *Session) Done() <-chan struct{} { return s.closed }

// reportLost adds newly lost packets to the metrics counter (counters only grow, so
// packets that turn up late after being counted lost stay counted).
func (s *Session) reportLost() {
	if s.metrics == nil {
		return
	}
	s.mu.Lock()
	lost := s.recv.lost()
	delta := lost - s.lostCounted
	if delta > 0 {
		s.lostCounted = lost
	}
	s.mu.Unlock()
	if delta > 0 {
		s.metrics.lost.Add(float64(delta))
	}
}

// ---- receive path ----

func (s *Session) readLoop() { s.readDatagrams(s.conn, "rtp", s.handleDatagram) }

// readDatagrams reads conn until the session closes and hands each datagram to handle.
// handle is bound once per loop, so reading allocates nothing per packet.
func (s *Session) readDatagrams(conn *net.UDPConn, what string, handle func([]byte, netip.AddrPort, time.Time)) {
	defer s.wg.Done()
	buf := make([]byte, 1500)
	for {
		n, from, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			select {
			case <-s.closed:
				return
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			s.log.Debug(what+" read", "err", err)
			continue
		}
		handle(buf[:n], from, time.Now())
	}
}

// handleDatagram runs the receive pipeline for one datagram. It allocates nothing.
func (s *Session) handleDatagram(b []byte, from netip.AddrPort, now time.Time) {
	if len(b) < 12 || b[0]>>6 != 2 {
		s.drop(&s.malformed, reasonMalformed)
		return
	}
	if pt := b[1] & 0x7f; pt >= 72 && pt <= 76 {
		return // RTCP multiplexed on the RTP port (RFC 5761); not used yet
	}
	p := &s.rxPkt
	if err := p.Unmarshal(b); err != nil {
		s.drop(&s.malformed, reasonMalformed)
		return
	}
	eventPT := uint8(s.eventPT.Load())
	audio := Codec(p.PayloadType).valid()
	known := audio || p.PayloadType == eventPT || p.PayloadType == payloadTypeCN

	s.mu.Lock()
	switch {
	case s.latched.IsValid():
		if from != s.latched {
			s.foreign++
			s.mu.Unlock()
			s.countDrop(reasonForeign)
			return
		}
	case !known:
		s.unknownPT++ // do not latch on something we cannot recognise
		s.mu.Unlock()
		s.countDrop(reasonUnknownPT)
		return
	default:
		s.latched = from
		if s.log.Enabled(context.Background(), slog.LevelDebug) {
			s.log.Debug("rtp latched", "local", s.local, "remote", from, "sdp_remote", s.sdpRemote)
		}
	}
	s.rxPackets++
	s.rxBytes += uint64(len(p.Payload))
	s.lastRx = now
	arrival := int64(now.Sub(s.start)) * SampleRate / int64(time.Second)
	s.recv.update(p.SSRC, p.SequenceNumber, p.Timestamp, arrival)
	if !known {
		s.unknownPT++
	}
	s.mu.Unlock()
	if s.metrics != nil {
		s.metrics.rxPackets.Inc()
	}
	if !known {
		return
	}

	if h := s.rtpH.Load(); h != nil {
		if err := h.h.HandleRTP(p); err != nil {
			s.log.Debug("rtp handler", "err", err)
		}
	}
	switch {
	case audio:
		if h := s.pcmH.Load(); h != nil {
			n := Codec(p.PayloadType).Decode(s.pcmBuf, p.Payload)
			h.h.HandlePCM(s.pcmBuf[:n])
		}
	case p.PayloadType == eventPT:
		if err := s.dtmf.HandleRTP(p); err != nil {
			s.log.Debug("telephone-event", "err", err)
		}
	}
}

// errPaused is what sendLocked reports while SetSendPaused holds the stream.
var errPaused = errors.New("media: sending paused")

const payloadTypeCN = 13 // comfort noise (RFC 3389): part of the stream, not decoded

func (s *Session) drop(counter *uint64, reason int) {
	s.mu.Lock()
	*counter++
	s.mu.Unlock()
	s.countDrop(reason)
}

func (s *Session) countDrop(reason int) {
	if s.metrics != nil {
		s.metrics.dropped[reason].Inc()
	}
}

// ---- send path ----

// sendLocked writes one packet of our outgoing stream. Called with sendMu held.
func (s *Session) sendLocked(pt uint8, marker bool, seq uint16, ts uint32, payload []byte) error {
	s.mu.Lock()
	to := s.remoteLocked()
	s.mu.Unlock()
	if !to.IsValid() {
		return ErrNoRemote
	}
	if s.paused.Load() {
		return errPaused
	}
	h := rtp.Header{Version: 2, Marker: marker, PayloadType: pt, SequenceNumber: seq, Timestamp: ts, SSRC: s.ssrc}
	n, err := rtp.MarshalPacketTo(s.sendBuf, &h, payload)
	if err != nil {
		return err
	}
	if _, err := s.conn.WriteToUDPAddrPort(s.sendBuf[:n], to); err != nil {
		return err
	}
	s.txPackets++
	s.txBytes += uint64(len(payload))
	if s.metrics != nil {
		s.metrics.txPackets.Inc()
	}
	return nil
}

// sendOwnLocked sends the next packet of our own stream (not forwarded).
func (s *Session) sendOwnLocked(pt uint8, marker bool, ts uint32, payload []byte) error {
	// a forwarded stream that resumes after our own packets is anchored afresh after
	// them, or its old offsets would reuse sequence numbers we just sent
	s.fwd.active = false
	err := s.sendLocked(pt, marker || !s.talking, s.seq, ts, payload)
	if errors.Is(err, ErrNoRemote) || errors.Is(err, errPaused) {
		// nothing left: keep the sequence gapless; the next packet that leaves
		// starts a talkspurt (marker) and carries the real-time timestamp
		s.talking = false
		return nil
	}
	s.seq++
	s.talking = true
	return err
}

// WriteRTP sends p's payload on this leg with this leg's SSRC, sequence numbers and
// timestamps: the forwarding input of a bridge. G.711 payloads are relabelled (and
// transcoded PCMU<->PCMA by table if needed) to the session's codec; packets of a
// dynamic payload type with a 4-byte-multiple payload are taken as telephone events
// and relabelled to the session's event payload type; anything else is dropped.
// While Play or SendDTMF runs, forwarded packets are dropped so streams do not mix.
func (s *Session) WriteRTP(p *rtp.Packet) error {
	select {
	case <-s.closed:
		return ErrClosed
	default:
	}
	if s.busy.Load() || s.paused.Load() {
		return nil
	}
	codec := s.Codec()
	var pt uint8
	src := Codec(p.PayloadType)
	switch {
	case src.valid():
		pt = codec.PayloadType()
	case p.PayloadType >= 96 && len(p.Payload) > 0 && len(p.Payload)%eventPayloadSize == 0:
		pt = uint8(s.eventPT.Load())
	default:
		return nil
	}
	now := time.Since(s.start)
	s.lastForward.Store(int64(now))

	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	payload := p.Payload
	if src.valid() && src != codec {
		if len(s.fwdBuf) < len(payload) {
			s.fwdBuf = make([]byte, len(payload))
		}
		payload = s.fwdBuf[:transcode(s.fwdBuf, payload, src, codec)]
	}
	seq, ts, anchored := s.fwd.rewrite(p, now, s.seq, s.clockTS)
	if seqAfter(seq+1, s.seq) {
		s.seq = seq + 1
	}
	if h := s.sentPCM.Load(); h != nil && src.valid() {
		if cap(s.fwdPCM) < len(payload) {
			s.fwdPCM = make([]int16, len(payload))
		}
		frame := s.fwdPCM[:len(payload)]
		codec.Decode(frame, payload)
		h.h.HandlePCM(frame)
	}
	s.talking = true
	return s.sendLocked(pt, p.Marker || anchored, seq, ts, payload)
}

// forwarding reports whether packets were forwarded into the session recently, so the
// pacer should not add frames of its own.
func (s *Session) forwarding(now time.Duration) bool {
	last := s.lastForward.Load()
	return last != 0 && now-time.Duration(last) < 3*FrameDuration
}

type jobKind int

const (
	jobPlay jobKind = iota
	jobDTMF
)

// job is a Play or SendDTMF request run by the session's pacer.
type job struct {
	kind   jobKind
	ctx    context.Context
	src    PCMSource
	events []uint8
	done   chan error

	// DTMF progress
	digit    int
	phase    int // 0 tone, 1 end packets, 2 gap
	eventTS  uint32
	ticks    int // ticks spent in the current phase
	toneLen  int // ticks of tone
	gapTicks int
}

// Play sends src's audio, one frame per 20 ms, until src returns io.EOF (then Play
// returns nil), ctx is done (ctx.Err()), the session closes (ErrClosed) or src fails.
// Only one Play or SendDTMF runs at a time; another returns ErrBusy.
func (s *Session) Play(ctx context.Context, src PCMSource) error {
	if src == nil {
		return errors.New("media: Play needs a PCMSource; open a WAV with OpenWAV")
	}
	return s.run(ctx, &job{kind: jobPlay, ctx: ctx, src: src})
}

// SendDTMF sends the digits (0-9, *, #, A-D) as RFC 4733 telephone events, each
// lasting SessionConfig.DTMFDuration followed by SessionConfig.DTMFGap, and returns
// when all are sent. It fails like Play.
func (s *Session) SendDTMF(ctx context.Context, digits string) error {
	if digits == "" {
		return nil
	}
	events := make([]uint8, 0, len(digits))
	for i, d := range digits {
		ev, err := EventForDigit(d)
		if err != nil {
			return fmt.Errorf("digit %d of %q: %w", i+1, digits, err)
		}
		events = append(events, ev)
	}
	return s.run(ctx, &job{kind: jobDTMF, ctx: ctx, events: events})
}

func (s *Session) run(ctx context.Context, j *job) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	j.done = make(chan error, 1)
	s.jobMu.Lock()
	select {
	case <-s.closed:
		s.jobMu.Unlock()
		return ErrClosed
	default:
	}
	if s.busy.Load() {
		s.jobMu.Unlock()
		return ErrBusy
	}
	s.busy.Store(true)
	s.pending = j
	s.jobMu.Unlock()
	return <-j.done // the pacer or Close always answers
}

// maxCatchUp is how many frames a session sends at once to make up for slots its
// pacer reached late (a busy machine); older missed frames are skipped, their time
// still counted in the timestamps.
const maxCatchUp = 3

// paceTick is called by the session's pacer at its slot boundaries: it sends as many
// frames as wall time asks for since the session's epoch, so a late wake (or a
// skipped one) does not slow the stream down.
func (s *Session) paceTick(now time.Time) {
	s.tickMu.Lock()
	defer s.tickMu.Unlock()
	if s.detached {
		return
	}
	st := &s.snd
	if st.cur == nil {
		s.jobMu.Lock()
		j := s.pending
		s.pending = nil
		s.jobMu.Unlock()
		if j != nil {
			st.cur = j
			if j.kind == jobDTMF {
				j.toneLen = max(int(s.cfg.DTMFDuration/FrameDuration), 1)
				j.gapTicks = max(int(s.cfg.DTMFGap/FrameDuration), 1)
			}
		}
	}
	ps := &s.pace
	due := int64(now.Sub(ps.epoch)/FrameDuration) - ps.frames
	if due <= 0 {
		return
	}
	if due > maxCatchUp {
		skipped := due - maxCatchUp
		s.sendMu.Lock()
		s.clockTS += uint32(skipped) * FrameSamples
		s.sendMu.Unlock()
		ps.frames += skipped
		due = maxCatchUp
	}
	rtcpEvery := max(int64(s.cfg.RTCPInterval/FrameDuration), 1)
	for range due {
		ps.frames++
		if ps.frames%50 == 0 {
			s.reportLost()
		}
		if s.rtcpConn != nil && ps.frames%rtcpEvery == 0 {
			s.sendRTCP()
		}
		s.step(st, now)
	}
}

// sendState is the pacer's state of one session, guarded by tickMu.
type sendState struct {
	cur          *job
	frame        []int16
	enc          []byte
	silence      []byte // an encoded silent frame in silenceCodec, once silenceReady
	silenceCodec Codec
	silenceReady bool
}

// finish ends the running job. Called with tickMu held.
func (s *Session) finish(err error) {
	j := s.snd.cur
	s.snd.cur = nil
	s.busy.Store(false) // before answering, so the caller's next Play is not ErrBusy
	j.done <- err
}

// step sends the one packet due for this 20 ms frame.
func (s *Session) step(st *sendState, now time.Time) {
	if st.cur != nil {
		if err := st.cur.ctx.Err(); err != nil {
			s.finish(err)
		}
	}
	switch {
	case st.cur == nil:
		s.idleFrame(st, now)
	case st.cur.kind == jobDTMF:
		if s.tickDTMF(st.cur, st.frame, st.enc) {
			s.finish(nil)
		}
	default: // play
		clear(st.frame)
		n, err := st.cur.src.ReadPCM(st.frame)
		switch {
		case err == nil || errors.Is(err, io.EOF):
			if n > 0 || err == nil {
				clear(st.frame[n:])
				s.sendFrame(st.frame, st.enc)
			}
			if err != nil {
				s.finish(nil)
				if n == 0 {
					s.idleFrame(st, now)
				}
			}
		default:
			s.finish(fmt.Errorf("media: playback source: %w", err))
			s.idleFrame(st, now)
		}
	}
}

// idleFrame sends silence unless forwarded packets own the stream or silence is off.
func (s *Session) idleFrame(st *sendState, now time.Time) {
	if s.forwarding(now.Sub(s.start)) {
		s.sendMu.Lock()
		s.clockTS += FrameSamples
		s.sendMu.Unlock()
		return
	}
	if s.cfg.NoSilence {
		s.sendMu.Lock()
		s.clockTS += FrameSamples
		s.talking = false
		s.sendMu.Unlock()
		return
	}
	clear(st.frame)
	c := s.Codec()
	if !st.silenceReady || st.silenceCodec != c { // encode silence once per codec
		c.Encode(st.silence, st.frame)
		st.silenceCodec, st.silenceReady = c, true
	}
	s.sendEncoded(c, st.frame, st.silence)
}

// sendFrame encodes one PCM frame and sends it as the next packet of our stream.
func (s *Session) sendFrame(frame []int16, enc []byte) {
	c := s.Codec()
	c.Encode(enc, frame)
	s.sendEncoded(c, frame, enc)
}

// sendEncoded sends enc, frame encoded in c, as the next packet of our stream.
func (s *Session) sendEncoded(c Codec, frame []int16, enc []byte) {
	if h := s.sentPCM.Load(); h != nil {
		h.h.HandlePCM(frame)
	}
	s.sendMu.Lock()
	if err := s.sendOwnLocked(c.PayloadType(), false, s.clockTS, enc); err != nil && !errors.Is(err, ErrNoRemote) {
		s.log.Debug("rtp send", "err", err)
	}
	s.clockTS += FrameSamples
	s.sendMu.Unlock()
}

// tickDTMF sends the packet due at this tick of a DTMF job and reports whether the
// job is complete. RFC 4733: every packet of an event carries the event's start
// timestamp and the duration so far; the first has the marker bit; the end packet
// is sent three times.
func (s *Session) tickDTMF(j *job, frame []int16, enc []byte) (done bool) {
	pt := uint8(s.eventPT.Load())
	var buf [eventPayloadSize]byte
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	if j.phase == 0 && j.ticks == 0 {
		j.eventTS = s.clockTS
	}
	ev := TelephoneEvent{Event: j.events[j.digit], Volume: 10}
	switch j.phase {
	case 0: // tone: start and continuation packets
		j.ticks++
		ev.Duration = uint16(min(j.ticks*FrameSamples, 0xffff))
		_, _ = ev.MarshalTo(buf[:])
		if err := s.sendOwnLocked(pt, j.ticks == 1, j.eventTS, buf[:]); err != nil && !errors.Is(err, ErrNoRemote) {
			s.log.Debug("dtmf send", "err", err)
		}
		if j.ticks >= j.toneLen {
			j.phase, j.ticks = 1, 0
		}
	case 1: // end packet, three times, same timestamp and duration
		j.ticks++
		ev.End = true
		ev.Duration = uint16(min(j.toneLen*FrameSamples, 0xffff))
		_, _ = ev.MarshalTo(buf[:])
		if err := s.sendOwnLocked(pt, false, j.eventTS, buf[:]); err != nil && !errors.Is(err, ErrNoRemote) {
			s.log.Debug("dtmf send", "err", err)
		}
		if j.ticks >= 3 {
			j.phase, j.ticks = 2, 0
		}
	case 2: // gap: silence, then the next digit
		j.ticks++
		c := s.Codec()
		clear(frame)
		c.Encode(enc, frame)
		if err := s.sendOwnLocked(c.PayloadType(), false, s.clockTS, enc); err != nil && !errors.Is(err, ErrNoRemote) {
			s.log.Debug("rtp send", "err", err)
		}
		if j.ticks >= j.gapTicks {
			j.digit++
			j.phase, j.ticks = 0, 0
			if j.digit >= len(j.events) {
				done = true
			}
		}
	}
	s.clockTS += FrameSamples
	return done
}
