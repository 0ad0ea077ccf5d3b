package engine_test

import (
	"context"
	"encoding/json"
	"math"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/outdial/outdial/api"
	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/campaign/engine"
	"github.com/outdial/outdial/campaign/voice"
	"github.com/outdial/outdial/media"
	"github.com/outdial/outdial/sip/carrier"
	"github.com/outdial/outdial/store"
)

// blockHold is the port block of TestHoldAudio (below the ephemeral range, apart from
// the other engine tests' blocks).
const blockHold = 6000

// agentToneHz is what the agent's microphone plays in TestHoldAudio.
const agentToneHz = 1000

// heard sorts the frames the dialer sends to the customer: the agent's tone, the hold
// chime, or neither (silence, the carrier's echo).
type heard struct {
	agent, hold, other atomic.Int64
}

func (h *heard) HandlePCM(f []int16) {
	var energy float64
	for _, s := range f {
		energy += float64(s) * float64(s)
	}
	energy /= float64(len(f))
	if energy < 200*200 { // quieter than the softest part of either sound we look for
		h.other.Add(1)
		return
	}
	a := goertzel(f, agentToneHz)
	c := max(goertzel(f, voice.HoldLowHz), goertzel(f, voice.HoldHighHz))
	switch {
	case a > 0.5*energy && a > 4*c:
		h.agent.Add(1)
	case c > 0.5*energy && c > 4*a:
		h.hold.Add(1)
	default:
		h.other.Add(1)
	}
}

// goertzel returns the power of frame at hz, scaled to compare with the frame's mean
// square: a sine at hz of amplitude A gives A²/2, which is its mean square.
func goertzel(frame []int16, hz float64) float64 {
	k := 2 * math.Cos(2*math.Pi*hz/media.SampleRate)
	var s1, s2 float64
	for _, x := range frame {
		s0 := float64(x) + k*s1 - s2
		s2, s1 = s1, s0
	}
	p := s1*s1 + s2*s2 - k*s1*s2
	n := float64(len(frame))
	return 2 * p / (n * n) // a sine of amplitude A gives A²/2, its mean square
}

// tappingDialer lets the test hear what the dialer sends to each customer.
type tappingDialer struct {
	engine.Dialer
	tap media.PCMHandler
}

func (d tappingDialer) Dial(ctx context.Context, r engine.DialRequest) (engine.Call, error) {
	c, err := d.Dialer.Dial(ctx, r)
	if err == nil {
		if s, ok := c.Leg().(*media.Session); ok {
			s.OnSentPCM(d.tap)
		}
	}
	return c, err
}

// TestHoldAudio: an agent talks (a 1 kHz tone) to a customer of a progressive
// campaign, holds and resumes the call over the WebSocket. While held the customer
// hears the hold chime and nothing of the agent; after
// resuming the customer hears the agent again. (What the agent hears on hold is
// tested with the hub alone: console.TestHubHold.) The agent's notes reach the attempt.
func TestHoldAudio(t *testing.T) {
	t.Parallel()
	tap := &heard{}
	w := newAgentWorld(t, "agents.yaml", blockHold, func(c *engine.Config) { c.Dialer = tappingDialer{c.Dialer, tap} })
	ctx := context.Background()

	u, err := w.Store.CreateUser(ctx, store.User{Username: "holder", DisplayName: "Holder", Role: store.RoleAgent, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Store.CreateAgent(ctx, store.Agent{UserID: u.ID, Name: u.DisplayName, QueueIDs: []int64{w.q.ID}}); err != nil {
		t.Fatal(err)
	}
	tok, _, err := api.CreateToken(ctx, w.Store, u.ID, "console", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(w.srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	expect := func(typ string) map[string]any {
		t.Helper()
		_ = ws.SetReadDeadline(time.Now().Add(15 * time.Second))
		for range 50 {
			var m map[string]any
			if err := ws.ReadJSON(&m); err != nil {
				t.Fatalf("waiting for %s: %v", typ, err)
			}
			if m["type"] == "error" {
				t.Fatalf("hub error while waiting for %s: %v", typ, m["message"])
			}
			if m["type"] == typ {
				return m
			}
		}
		t.Fatalf("no %s message", typ)
		return nil
	}
	send := func(m map[string]any) {
		t.Helper()
		if err := ws.WriteJSON(m); err != nil {
			t.Fatal(err)
		}
	}

	// The agent's leg: plain RTP on loopback, playing a tone; it counts what it hears.
	port, err := w.ports.Allocate()
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	sess, err := media.NewSession(port.RTP(), media.SessionConfig{Codec: media.PCMU})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	send(map[string]any{"type": "login", "token": tok})
	expect("welcome")
	send(map[string]any{"type": "audio", "rtp": port.Addr().String()})
	var leg struct{ RTP string }
	b, _ := json.Marshal(expect("audio")["audio"])
	_ = json.Unmarshal(b, &leg)
	remote, err := netip.ParseAddrPort(leg.RTP)
	if err != nil {
		t.Fatalf("audio answer %q", leg.RTP)
	}
	sess.SetRemote(remote)
	micCtx, stopMic := context.WithCancel(ctx)
	defer stopMic()
	go sess.Play(micCtx, media.NewPCMReader(carrier.Tone(agentToneHz, 60_000)))
	send(map[string]any{"type": "state", "state": "Available"})

	c := w.startCampaign(t, campaign.ModeProgressive, 1)
	call := expect("call")
	attempt := call["offer"].(map[string]any)["attempt_id"]

	// Talking: the customer hears the agent.
	waitFor(t, 200, "the customer hearing the agent", func() bool { return tap.agent.Load() > 10 })
	if n := tap.hold.Load(); n != 0 {
		t.Errorf("before hold the customer heard %d frames of the hold chime", n)
	}

	// Hold: once the chime starts, nothing of the agent reaches the customer.
	send(map[string]any{"type": "hold", "on": true})
	if m := expect("hold"); m["held"] != true {
		t.Fatalf("hold answer %v", m)
	}
	waitFor(t, 200, "the hold chime", func() bool { return tap.hold.Load() > 0 })
	agentAtHold := tap.agent.Load()
	// One cycle has two 300 ms notes (30 frames at most): more means it repeats.
	waitFor(t, 200, "the hold chime repeating", func() bool { return tap.hold.Load() > 2*300/20 })
	if n := tap.agent.Load() - agentAtHold; n != 0 {
		t.Errorf("on hold the customer heard %d frames of the agent", n)
	}

	// Resume: the chime stops, the customer hears the agent again.
	send(map[string]any{"type": "hold", "on": false})
	if m := expect("hold"); m["held"] != false {
		t.Fatalf("resume answer %v", m)
	}
	agentAtResume := tap.agent.Load()
	waitFor(t, 200, "the customer hearing the agent after resume", func() bool { return tap.agent.Load() > agentAtResume+10 })
	holdAfter := tap.hold.Load()
	waitFor(t, 200, "more of the agent", func() bool { return tap.agent.Load() > agentAtResume+30 })
	if n := tap.hold.Load() - holdAfter; n != 0 {
		t.Errorf("after resume the customer still heard %d frames of the hold chime", n)
	}

	send(map[string]any{"type": "hangup"})
	expect("ended")
	send(map[string]any{"type": "disposition", "attempt_id": attempt, "disposition": campaign.DispositionResolved, "notes": "held once"})
	w.waitDone(t, *c.InstanceID, 1)
	a, err := w.Store.AttemptByID(ctx, int64(attempt.(float64)))
	if err != nil {
		t.Fatal(err)
	}
	if a.Outcome != campaign.OutcomeConnected || a.Disposition != campaign.DispositionResolved || a.Notes != "held once" {
		t.Errorf("attempt %+v", a)
	}
	t.Logf("customer heard: agent %d frames, hold chime %d frames, other %d", tap.agent.Load(), tap.hold.Load(), tap.other.Load())
}
