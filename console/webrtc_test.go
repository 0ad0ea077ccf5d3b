package console_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"github.com/outdial/outdial/console"
	"github.com/outdial/outdial/media"
)

func loopbackLegs(t *testing.T, codec media.Codec) *console.WebRTCLegs {
	t.Helper()
	legs, err := console.NewWebRTCLegs(console.WebRTCConfig{Codec: codec, Loopback: true, IPs: []netip.Addr{netip.MustParseAddr("127.0.0.1")}})
	if err != nil {
		t.Fatal(err)
	}
	return legs
}

func TestWebRTCOfferRefused(t *testing.T) {
	legs := loopbackLegs(t, media.PCMU)
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("testdata", "offers", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	cases := []struct {
		name string
		msg  any
	}{
		{"no sdp", map[string]any{"type": "audio"}},
		{"not SDP", map[string]any{"type": "audio", "sdp": read("garbage.sdp")}},
		{"opus only", map[string]any{"type": "audio", "sdp": read("opus-only.sdp")}},
		{"video only", map[string]any{"type": "audio", "sdp": read("video-only.sdp")}},
		{"sdp not a string", map[string]any{"type": "audio", "sdp": 12}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw, _ := json.Marshal(c.msg)
			leg, _, err := legs.OpenLeg(context.Background(), 1, raw)
			if err == nil {
				leg.Close()
				t.Fatal("offer accepted")
			}
			if c.name != "sdp not a string" && !errors.Is(err, console.ErrOffer) {
				t.Errorf("error %v is not ErrOffer", err)
			}
		})
	}
}

func TestWebRTCConfigRefused(t *testing.T) {
	for _, c := range []console.WebRTCConfig{{Codec: media.Codec(9)}, {PortMin: 5000, PortMax: 4000}} {
		if _, err := console.NewWebRTCLegs(c); !errors.Is(err, console.ErrWebRTCConfig) {
			t.Errorf("%+v: error %v, want ErrWebRTCConfig", c, err)
		}
	}
}

// browserPeer is a pion peer connection standing in for the agent's browser.
type browserPeer struct {
	pc    *webrtc.PeerConnection
	mic   *webrtc.TrackLocalStaticRTP
	heard atomic.Int64
	pts   atomic.Int64 // payload type of the last packet heard, +1
	done  chan struct{}
}

func newBrowserPeer(t *testing.T, codecs []webrtc.RTPCodecParameters) *browserPeer {
	t.Helper()
	me := &webrtc.MediaEngine{}
	for _, c := range codecs {
		if err := me.RegisterCodec(c, webrtc.RTPCodecTypeAudio); err != nil {
			t.Fatal(err)
		}
	}
	se := webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(se)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	b := &browserPeer{pc: pc, done: make(chan struct{})}
	b.mic, err = webrtc.NewTrackLocalStaticRTP(codecs[0].RTPCodecCapability, "mic", "agent")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pc.AddTrack(b.mic); err != nil {
		t.Fatal(err)
	}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		go func() {
			for {
				p, _, err := tr.ReadRTP()
				if err != nil {
					return
				}
				b.pts.Store(int64(p.PayloadType) + 1)
				b.heard.Add(1)
			}
		}()
	})
	return b
}

func (b *browserPeer) offer(t *testing.T) string {
	t.Helper()
	o, err := b.pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	g := webrtc.GatheringCompletePromise(b.pc)
	if err := b.pc.SetLocalDescription(o); err != nil {
		t.Fatal(err)
	}
	<-g
	return b.pc.LocalDescription().SDP
}

var (
	pcmu  = webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000, Channels: 1}, PayloadType: 0}
	pcma  = webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMA, ClockRate: 8000, Channels: 1}, PayloadType: 8}
	opus  = webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, PayloadType: 111}
	event = webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: "audio/telephone-event", ClockRate: 8000}, PayloadType: 126}
)

// TestWebRTCLegAudioBothWays connects a pion "browser" to a leg and checks that the
// customer's G.711 reaches it (payload unchanged, or converted from the other law)
// and that the microphone's packets reach the call.
func TestWebRTCLegAudioBothWays(t *testing.T) {
	cases := []struct {
		name       string
		leg        media.Codec
		browser    []webrtc.RTPCodecParameters
		customerPT uint8
		wantPT     uint8
	}{
		{"PCMU through", media.PCMU, []webrtc.RTPCodecParameters{pcmu, pcma, event}, 0, 0},
		{"PCMA customer to PCMU leg", media.PCMU, []webrtc.RTPCodecParameters{pcmu, pcma, event}, 8, 0},
		{"PCMA through", media.PCMA, []webrtc.RTPCodecParameters{pcma, pcmu, event}, 8, 8},
		{"opus first in the offer", media.PCMU, []webrtc.RTPCodecParameters{pcmu, opus, event}, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			legs := loopbackLegs(t, c.leg)
			b := newBrowserPeer(t, c.browser)
			defer b.pc.Close()
			raw, _ := json.Marshal(map[string]any{"type": "audio", "sdp": b.offer(t)})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			leg, ans, err := legs.OpenLeg(ctx, 7, raw)
			if err != nil {
				t.Fatal(err)
			}
			defer leg.Close()
			answer := ans.(console.WebRTCAnswer)
			if answer.Codec != c.leg.String() {
				t.Errorf("answer codec %q, want %q", answer.Codec, c.leg)
			}
			if err := b.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer.SDP}); err != nil {
				t.Fatal(err)
			}
			var audio atomic.Int64
			leg.OnRTP(media.RTPHandlerFunc(func(p *rtp.Packet) error {
				switch {
				case p.PayloadType == 0 || p.PayloadType == 8:
					audio.Add(1)
				default:
					t.Errorf("browser packet with payload type %d reached the call", p.PayloadType)
				}
				return nil
			}))
			payload := make([]byte, 160)
			for i := range payload {
				payload[i] = 0x55
			}
			// Up to 10 s: customer audio to the browser and microphone audio to the
			// customer, until both sides have heard some. (DTMF events from a real
			// browser are checked by the browser test.)
			for i := 0; i < 500 && (b.heard.Load() < 10 || audio.Load() < 10); i++ {
				cp := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: c.customerPT, SequenceNumber: uint16(1000 + i), Timestamp: uint32(160 * i), SSRC: 42}, Payload: payload}
				if err := leg.WriteRTP(cp); err != nil {
					t.Fatal(err)
				}
				mp := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: uint8(c.browser[0].PayloadType), SequenceNumber: uint16(i), Timestamp: uint32(160 * i), SSRC: 9}, Payload: payload}
				_ = b.mic.WriteRTP(mp)
				time.Sleep(20 * time.Millisecond)
			}
			if b.heard.Load() < 10 || audio.Load() < 10 {
				t.Fatalf("browser heard %d packets, the call heard %d audio packets", b.heard.Load(), audio.Load())
			}
			if got := uint8(b.pts.Load() - 1); got != c.wantPT {
				t.Errorf("browser heard payload type %d, want %d", got, c.wantPT)
			}
			if err := leg.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
			if err := leg.WriteRTP(&rtp.Packet{Header: rtp.Header{PayloadType: 0}, Payload: payload}); !errors.Is(err, media.ErrClosed) {
				t.Errorf("write after close: %v, want media.ErrClosed", err)
			}
		})
	}
}

// TestWebRTCAnnouncedAddress: the answer announces the configured public address (1:1
// NAT) on a port of the configured range (config webrtc.public_ips, port_min..max).
func TestWebRTCAnnouncedAddress(t *testing.T) {
	const lo, hi = 50700, 50709
	legs, err := console.NewWebRTCLegs(console.WebRTCConfig{Codec: media.PCMU, Loopback: true, IPs: []netip.Addr{netip.MustParseAddr("127.0.0.1")},
		PublicIPs: []string{"203.0.113.10"}, PortMin: lo, PortMax: hi})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowserPeer(t, []webrtc.RTPCodecParameters{pcmu, event})
	defer b.pc.Close()
	raw, _ := json.Marshal(map[string]string{"sdp": b.offer(t)})
	leg, answer, err := legs.OpenLeg(context.Background(), 1, raw)
	if err != nil {
		t.Fatal(err)
	}
	defer leg.Close()
	var d sdp.SessionDescription
	if err := d.UnmarshalString(answer.(console.WebRTCAnswer).SDP); err != nil {
		t.Fatal(err)
	}
	var cands []string
	for _, m := range d.MediaDescriptions {
		for _, a := range m.Attributes {
			if a.Key == "candidate" {
				cands = append(cands, a.Value)
			}
		}
	}
	if len(cands) == 0 {
		t.Fatal("the answer has no candidate")
	}
	for _, c := range cands {
		// foundation component transport priority address port typ host ...
		f := strings.Fields(c)
		if len(f) < 8 {
			t.Fatalf("candidate %q", c)
		}
		port, _ := strconv.Atoi(f[5])
		if f[4] != "203.0.113.10" || port < lo || port > hi {
			t.Errorf("candidate %q: want 203.0.113.10 on a port in %d..%d", c, lo, hi)
		}
	}
}
