package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
	"github.com/zaf/g711"

	"github.com/outdial/outdial/media"
)

// This file is the agent's WebRTC audio leg: the browser sends an SDP offer in its
// audio message, the server answers with G.711 only (PCMU/PCMA, no transcoding: the
// payload of the customer's RTP goes to the browser as it came), and the peer
// connection stays up for the whole shift while calls are switched into it.

// WebRTCConfig configures WebRTCLegs.
type WebRTCConfig struct {
	// Codec is the audio codec sent to the browser: media.PCMU (default) or media.PCMA.
	// Use the codec of the trunks so that nothing is transcoded; a packet of the other
	// G.711 law is converted by table lookup.
	Codec media.Codec
	// IPs, when set, are the only local addresses offered as ICE host candidates.
	IPs []netip.Addr
	// PublicIPs replace the host candidates' addresses (1:1 NAT: the address agents
	// reach this server at).
	PublicIPs []string
	// PortMin and PortMax bound the UDP ports of the legs (0, 0: any ephemeral port).
	PortMin, PortMax uint16
	// Loopback offers 127.0.0.1 as a candidate too (agents on the same machine, tests).
	Loopback bool
	// RTP opens the legs of audio messages that carry "rtp" instead of "sdp" (plain RTP
	// clients such as test agents); nil refuses them.
	RTP LegOpener
	// Gather bounds ICE candidate gathering for one answer (default 5 s).
	Gather time.Duration
	Logger *slog.Logger
}

// WebRTCLegs opens agent legs as WebRTC peer connections. It is a LegOpener: the
// audio message is {"type":"audio","sdp":"<offer>"} and the answer {"sdp":"<answer>",
// "codec":"PCMU"}. No STUN or TURN server is used: candidates are the host's
// addresses (or PublicIPs), which is what agents on the contact-center network need.
type WebRTCLegs struct {
	cfg WebRTCConfig
	api *webrtc.API
	log *slog.Logger
}

var _ LegOpener = (*WebRTCLegs)(nil)

// telephoneEvent is the RFC 4733 codec offered to browsers for the DTMF pad.
var telephoneEvent = webrtc.RTPCodecCapability{MimeType: "audio/telephone-event", ClockRate: 8000, SDPFmtpLine: "0-16"}

// NewWebRTCLegs builds the WebRTC stack shared by every agent leg.
func NewWebRTCLegs(cfg WebRTCConfig) (*WebRTCLegs, error) {
	if cfg.Codec != media.PCMU && cfg.Codec != media.PCMA {
		return nil, fmt.Errorf("%w: codec %v; use media.PCMU or media.PCMA", ErrWebRTCConfig, cfg.Codec)
	}
	if cfg.Gather <= 0 {
		cfg.Gather = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	me := &webrtc.MediaEngine{}
	codecs := []webrtc.RTPCodecParameters{
		{RTPCodecCapability: codecCapability(cfg.Codec), PayloadType: webrtc.PayloadType(cfg.Codec.PayloadType())},
		{RTPCodecCapability: codecCapability(otherLaw(cfg.Codec)), PayloadType: webrtc.PayloadType(otherLaw(cfg.Codec).PayloadType())},
		{RTPCodecCapability: telephoneEvent, PayloadType: media.DefaultEventPT},
	}
	for _, c := range codecs {
		if err := me.RegisterCodec(c, webrtc.RTPCodecTypeAudio); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrWebRTCConfig, err)
		}
	}
	se := webrtc.SettingEngine{}
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6})
	se.SetIncludeLoopbackCandidate(cfg.Loopback)
	if cfg.PortMin != 0 || cfg.PortMax != 0 {
		if err := se.SetEphemeralUDPPortRange(cfg.PortMin, cfg.PortMax); err != nil {
			return nil, fmt.Errorf("%w: ports %d-%d: %v", ErrWebRTCConfig, cfg.PortMin, cfg.PortMax, err)
		}
	}
	if len(cfg.IPs) > 0 {
		ips := slices.Clone(cfg.IPs)
		se.SetIPFilter(func(ip net.IP) bool {
			a, ok := netip.AddrFromSlice(ip)
			return ok && slices.Contains(ips, a.Unmap()) || ok && cfg.Loopback && a.IsLoopback()
		})
	}
	if len(cfg.PublicIPs) > 0 {
		se.SetNAT1To1IPs(cfg.PublicIPs, webrtc.ICECandidateTypeHost)
	}
	api := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(se))
	return &WebRTCLegs{cfg: cfg, api: api, log: cfg.Logger}, nil
}

func codecCapability(c media.Codec) webrtc.RTPCodecCapability {
	if c == media.PCMA {
		return webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMA, ClockRate: 8000, Channels: 1}
	}
	return webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000, Channels: 1}
}

func otherLaw(c media.Codec) media.Codec {
	if c == media.PCMA {
		return media.PCMU
	}
	return media.PCMA
}

type webrtcRequest struct {
	SDP string `json:"sdp"`
	RTP string `json:"rtp"`
}

// WebRTCAnswer is what the hub sends back in the audio message.
type WebRTCAnswer struct {
	SDP   string `json:"sdp"`
	Codec string `json:"codec"`
}

// OpenLeg implements LegOpener.
func (w *WebRTCLegs) OpenLeg(ctx context.Context, agentID int64, raw json.RawMessage) (AudioLeg, any, error) {
	var req webrtcRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		return nil, nil, fmt.Errorf("audio message: %v; send {\"type\":\"audio\",\"sdp\":\"<SDP offer>\"}", err)
	}
	if req.SDP == "" {
		if req.RTP != "" && w.cfg.RTP != nil {
			return w.cfg.RTP.OpenLeg(ctx, agentID, raw)
		}
		return nil, nil, fmt.Errorf("%w: the audio message has no sdp; send {\"type\":\"audio\",\"sdp\":\"<SDP offer from RTCPeerConnection.createOffer>\"}", ErrOffer)
	}
	if err := checkOffer(req.SDP); err != nil {
		return nil, nil, err
	}
	leg, answer, err := w.open(ctx, agentID, req.SDP)
	if err != nil {
		return nil, nil, err
	}
	return leg, answer, nil
}

// checkOffer refuses offers that cannot give a G.711 audio leg, naming the problem.
func checkOffer(s string) error {
	var d sdp.SessionDescription
	if err := d.UnmarshalString(s); err != nil {
		return fmt.Errorf("%w: field sdp is not a session description (%v)", ErrOffer, err)
	}
	for _, m := range d.MediaDescriptions {
		if m == nil || m.MediaName.Media != "audio" {
			continue
		}
		for _, f := range m.MediaName.Formats {
			if f == "0" || f == "8" {
				return nil
			}
		}
		for _, a := range m.Attributes {
			if a.Key == "rtpmap" {
				v := strings.ToUpper(a.Value)
				if strings.Contains(v, " PCMU/8000") || strings.Contains(v, " PCMA/8000") {
					return nil
				}
			}
		}
	}
	return fmt.Errorf("%w: the offer has no audio with PCMU or PCMA; add a microphone track (getUserMedia audio) before createOffer", ErrOffer)
}

func (w *WebRTCLegs) open(ctx context.Context, agentID int64, offer string) (*webrtcLeg, WebRTCAnswer, error) {
	pc, err := w.api.NewPeerConnection(webrtc.Configuration{}) // no ICE servers: host candidates only
	if err != nil {
		return nil, WebRTCAnswer{}, fmt.Errorf("webrtc leg: %w", err)
	}
	track, err := webrtc.NewTrackLocalStaticRTP(codecCapability(w.cfg.Codec), "customer", fmt.Sprintf("agent-%d", agentID))
	if err != nil {
		pc.Close()
		return nil, WebRTCAnswer{}, fmt.Errorf("webrtc leg: %w", err)
	}
	l := &webrtcLeg{pc: pc, track: track, codec: w.cfg.Codec, log: w.log.With("agent_id", agentID), done: make(chan struct{})}
	l.out = media.NewRestamper(track, uint32(agentID)|0x5eed0000)
	sender, err := pc.AddTrack(track)
	if err != nil {
		pc.Close()
		return nil, WebRTCAnswer{}, fmt.Errorf("webrtc leg: %w", err)
	}
	l.wg.Add(1)
	go l.drainRTCP(sender)
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		if tr.Kind() != webrtc.RTPCodecTypeAudio {
			return
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.closing {
			return
		}
		l.wg.Add(1)
		go l.receive(tr)
	})
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		l.log.Debug("agent webrtc leg", "state", s.String())
	})
	fail := func(err error) (*webrtcLeg, WebRTCAnswer, error) {
		l.Close()
		return nil, WebRTCAnswer{}, err
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return fail(fmt.Errorf("%w: %v", ErrOffer, err))
	}
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		return fail(fmt.Errorf("%w: %v", ErrOffer, err))
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(answer); err != nil {
		return fail(fmt.Errorf("webrtc leg: %w", err))
	}
	t := time.NewTimer(w.cfg.Gather)
	defer t.Stop()
	select {
	case <-gathered:
	case <-t.C: // answer with the candidates found so far
	case <-ctx.Done():
		return fail(ctx.Err())
	}
	return l, WebRTCAnswer{SDP: pc.LocalDescription().SDP, Codec: w.cfg.Codec.String()}, nil
}

// webrtcLeg is one agent's peer connection as a media.Endpoint.
type webrtcLeg struct {
	pc    *webrtc.PeerConnection
	track *webrtc.TrackLocalStaticRTP
	out   *media.Restamper
	codec media.Codec
	log   *slog.Logger

	handler atomic.Pointer[rtpHandlerBox]

	convMu sync.Mutex
	conv   rtp.Packet

	mu      sync.Mutex
	closing bool
	wg      sync.WaitGroup
	done    chan struct{}
	once    sync.Once

	received, sent atomic.Int64
}

type rtpHandlerBox struct{ h media.RTPHandler }

var _ AudioLeg = (*webrtcLeg)(nil)

// WriteRTP sends customer audio to the browser. G.711 of the leg's codec passes
// through; the other law is converted by table lookup; telephone events and anything
// else are not sent (the browser plays audio only).
func (l *webrtcLeg) WriteRTP(p *rtp.Packet) error {
	select {
	case <-l.done:
		return media.ErrClosed
	default:
	}
	switch {
	case p.PayloadType == l.codec.PayloadType():
		l.sent.Add(1)
		return l.out.WriteRTP(p)
	case p.PayloadType == otherLaw(l.codec).PayloadType():
		l.convMu.Lock()
		defer l.convMu.Unlock()
		l.conv.Header = p.Header
		l.conv.PayloadType = l.codec.PayloadType()
		l.conv.Payload = l.conv.Payload[:0]
		for _, b := range p.Payload {
			if l.codec == media.PCMU {
				l.conv.Payload = append(l.conv.Payload, g711.Alaw2UlawFrame(b))
			} else {
				l.conv.Payload = append(l.conv.Payload, g711.Ulaw2AlawFrame(b))
			}
		}
		l.sent.Add(1)
		return l.out.WriteRTP(&l.conv)
	}
	return nil
}

// OnRTP sets the handler of the browser's audio (nil drops it).
func (l *webrtcLeg) OnRTP(h media.RTPHandler) {
	if h == nil {
		l.handler.Store(nil)
		return
	}
	l.handler.Store(&rtpHandlerBox{h})
}

// receive reads the browser's microphone until the connection closes. Audio keeps its
// static payload type (0 or 8); telephone events are renumbered to DefaultEventPT.
func (l *webrtcLeg) receive(tr *webrtc.TrackRemote) {
	defer l.wg.Done()
	audioPT := uint8(tr.Codec().PayloadType)
	var eventPT uint8
	for _, t := range l.pc.GetTransceivers() {
		if r := t.Receiver(); r != nil {
			for _, c := range r.GetParameters().Codecs {
				if strings.EqualFold(c.MimeType, telephoneEvent.MimeType) {
					eventPT = uint8(c.PayloadType)
				}
			}
		}
	}
	for {
		p, _, err := tr.ReadRTP()
		if err != nil {
			return
		}
		switch {
		case p.PayloadType == 0 || p.PayloadType == 8:
		case p.PayloadType == audioPT && audioPT < 96:
		case eventPT != 0 && p.PayloadType == eventPT:
			p.PayloadType = media.DefaultEventPT
		default:
			continue
		}
		l.received.Add(1)
		if b := l.handler.Load(); b != nil {
			if err := b.h.HandleRTP(p); err != nil && !errors.Is(err, media.ErrClosed) {
				l.log.Debug("agent audio not forwarded", "err", err)
			}
		}
	}
}

// drainRTCP reads the browser's RTCP for the sender so the stack keeps flowing.
func (l *webrtcLeg) drainRTCP(s *webrtc.RTPSender) {
	defer l.wg.Done()
	buf := make([]byte, 1500)
	for {
		if _, _, err := s.Read(buf); err != nil {
			return
		}
	}
}

// Close ends the peer connection and waits for its readers.
func (l *webrtcLeg) Close() error {
	var err error
	l.once.Do(func() {
		l.mu.Lock()
		l.closing = true
		l.mu.Unlock()
		close(l.done)
		err = l.pc.Close()
		l.wg.Wait()
	})
	return err
}
