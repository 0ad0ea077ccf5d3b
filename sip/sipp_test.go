package sip_test

import (
	"context"
	"net"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/outdial/outdial/internal/sipptest"
	"github.com/outdial/outdial/sip"
)

// startSipp runs sipp with a scenario from testdata for calls calls, bounded by a
// timeout; sipp's exit status is the verdict (Wait).
func startSipp(t *testing.T, scenario string, calls int, extra ...string) *sipptest.Peer {
	t.Helper()
	sf, err := filepath.Abs(filepath.Join("testdata", scenario))
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-sf", sf, "-m", strconv.Itoa(calls), "-timeout", "30s", "-timeout_error"}, extra...)
	return sipptest.Start(t, sipptest.Options{Args: args, Timeout: 40 * time.Second})
}

func newTestClient(t *testing.T, cfg sip.Config) *sip.Client {
	t.Helper()
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	if cfg.OptionsInterval == 0 {
		cfg.OptionsInterval = -1
	}
	c, err := sip.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

var testRTP = netip.MustParseAddrPort("127.0.0.1:40000")

// checkSippDone fails the test unless sipp followed its scenario to the end and the
// client holds no call any more.
func checkSippDone(t *testing.T, peer *sipptest.Peer, c *sip.Client) {
	t.Helper()
	if err := peer.Wait(t); err != nil {
		t.Errorf("sipp: scenario not followed: %v\n%s", err, peer.Output())
	}
	if n := c.ActiveCalls(); n != 0 {
		t.Errorf("active calls after end = %d", n)
	}
}

// drive reads a call's events until it ends, hanging up when hangupOn happens.
func drive(t *testing.T, call *sip.Call, hangupOn sip.EventKind) []sip.Event {
	t.Helper()
	var evs []sip.Event
	for ev := range call.Events() {
		evs = append(evs, ev)
		if ev.Kind == hangupOn {
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				_ = call.Hangup(ctx)
			}()
		}
	}
	return evs
}

func kinds(evs []sip.Event) []sip.EventKind {
	out := make([]sip.EventKind, len(evs))
	for i, e := range evs {
		out[i] = e.Kind
	}
	return out
}

func TestSippScenarios(t *testing.T) {
	cases := []struct {
		name     string
		scenario string
		trunk    sip.Trunk
		maxRing  time.Duration
		hangupOn sip.EventKind
		outcome  sip.Outcome
		code     int
		hangupBy string
		events   []sip.EventKind // must appear, in this order
	}{
		{name: "answer", scenario: "uas_answer.xml", hangupOn: sip.EventAnswered, outcome: sip.OutcomeConnected, code: 200, hangupBy: "local",
			events: []sip.EventKind{sip.EventTrying, sip.EventRinging, sip.EventAnswered, sip.EventEnded}},
		{name: "busy", scenario: "uas_busy.xml", outcome: sip.OutcomeBusy, code: 486,
			events: []sip.EventKind{sip.EventTrying, sip.EventEnded}},
		{name: "decline", scenario: "uas_decline.xml", outcome: sip.OutcomeRejected, code: 603,
			events: []sip.EventKind{sip.EventRinging, sip.EventEnded}},
		{name: "ring until our CANCEL", scenario: "uas_ring_cancel.xml", maxRing: 400 * time.Millisecond, outcome: sip.OutcomeNoAnswer, code: 487,
			events: []sip.EventKind{sip.EventRinging, sip.EventEnded}},
		{name: "early media then answer", scenario: "uas_early_media.xml", hangupOn: sip.EventAnswered, outcome: sip.OutcomeConnected, code: 200, hangupBy: "local",
			events: []sip.EventKind{sip.EventEarlyMedia, sip.EventAnswered, sip.EventEnded}},
		{name: "far end BYE", scenario: "uas_far_bye.xml", outcome: sip.OutcomeConnected, code: 200, hangupBy: "remote",
			events: []sip.EventKind{sip.EventAnswered, sip.EventEnded}},
		{name: "401 then 200", scenario: "uas_auth.xml", trunk: sip.Trunk{Username: "trunkuser", Password: "s3cret"},
			hangupOn: sip.EventAnswered, outcome: sip.OutcomeConnected, code: 200, hangupBy: "local",
			events: []sip.EventKind{sip.EventAnswered, sip.EventEnded}},
		{name: "second 401 fails", scenario: "uas_auth_twice.xml", trunk: sip.Trunk{Username: "trunkuser", Password: "wrong"},
			outcome: sip.OutcomeFailed, code: 401, events: []sip.EventKind{sip.EventEnded}},
		{name: "200 crosses our CANCEL", scenario: "uas_cancel_crossing.xml", maxRing: 400 * time.Millisecond, outcome: sip.OutcomeNoAnswer, code: 487,
			events: []sip.EventKind{sip.EventRinging, sip.EventEnded}},
		{name: "re-INVITE hold and unhold", scenario: "uas_reinvite_hold.xml", outcome: sip.OutcomeConnected, code: 200, hangupBy: "remote",
			events: []sip.EventKind{sip.EventAnswered, sip.EventHold, sip.EventUnhold, sip.EventEnded}},
		{name: "session timer refresh", scenario: "uas_session_timer.xml", hangupOn: sip.EventRefreshed, outcome: sip.OutcomeConnected, code: 200, hangupBy: "local",
			events: []sip.EventKind{sip.EventAnswered, sip.EventRefreshed, sip.EventEnded}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			peer := startSipp(t, tc.scenario, 1)
			tr := tc.trunk
			tr.Name, tr.Address, tr.CallerID = "sipp", peer.Addr.String(), "+15550001111"
			c := newTestClient(t, sip.Config{Trunks: []sip.Trunk{tr}})
			call, err := c.Dial(context.Background(), sip.DialRequest{To: "+15551234567", RTP: testRTP, MaxRing: tc.maxRing, MaxDuration: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			evs := drive(t, call, tc.hangupOn)
			res := call.Result()
			if res.Outcome != tc.outcome || res.Code != tc.code || res.HangupBy != tc.hangupBy {
				t.Errorf("result = %s %d hangup_by=%q (%s), want %s %d hangup_by=%q", res.Outcome, res.Code, res.HangupBy, res.Reason, tc.outcome, tc.code, tc.hangupBy)
			}
			if got := kinds(evs); !subsequence(got, tc.events) {
				t.Errorf("events = %v, want in order %v", got, tc.events)
			}
			checkSippDone(t, peer, c)
		})
	}
}

// subsequence reports whether want appears in got in order (other events may sit between).
func subsequence(got, want []sip.EventKind) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}

func TestSippEarlyMediaAddress(t *testing.T) {
	t.Parallel()
	peer := startSipp(t, "uas_early_media.xml", 1)
	c := newTestClient(t, sip.Config{Trunks: []sip.Trunk{{Name: "sipp", Address: peer.Addr.String()}}})
	call, err := c.Dial(context.Background(), sip.DialRequest{To: "100", RTP: testRTP})
	if err != nil {
		t.Fatal(err)
	}
	evs := drive(t, call, sip.EventAnswered)
	i := slices.IndexFunc(evs, func(e sip.Event) bool { return e.Kind == sip.EventEarlyMedia })
	if i < 0 || evs[i].Media == nil {
		t.Fatalf("no early media event in %v", kinds(evs))
	}
	if got := evs[i].Media.Addr; got != peer.Media {
		t.Errorf("early media from %v, want sipp media address %v", got, peer.Media)
	}
	if got := evs[i].Media.Codec(); got != sip.PCMU {
		t.Errorf("early media codec %v, want PCMU", got)
	}
	if err := peer.Wait(t); err != nil {
		t.Error(err)
	}
}

func TestSippFailover(t *testing.T) {
	t.Run("503 then answer on the second trunk", func(t *testing.T) {
		t.Parallel()
		bad := startSipp(t, "uas_unavailable.xml", 1)
		good := startSipp(t, "uas_answer.xml", 1)
		c := newTestClient(t, sip.Config{Trunks: []sip.Trunk{{Name: "a", Address: bad.Addr.String()}, {Name: "b", Address: good.Addr.String()}}})
		call, err := c.Dial(context.Background(), sip.DialRequest{To: "+15551234567", RTP: testRTP, Trunks: []string{"a", "b"}})
		if err != nil {
			t.Fatal(err)
		}
		evs := drive(t, call, sip.EventAnswered)
		res := call.Result()
		if res.Outcome != sip.OutcomeConnected || res.Trunk != "b" || res.Attempts != 2 {
			t.Errorf("result = %+v, want connected on trunk b after 2 attempts", res)
		}
		if !subsequence(kinds(evs), []sip.EventKind{sip.EventFailover, sip.EventAnswered, sip.EventEnded}) {
			t.Errorf("events = %v", kinds(evs))
		}
		for _, p := range []*sipptest.Peer{bad, good} {
			if err := p.Wait(t); err != nil {
				t.Errorf("sipp: %v", err)
			}
		}
	})
	t.Run("silent trunk then answer", func(t *testing.T) {
		t.Parallel()
		silent, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer silent.Close()
		good := startSipp(t, "uas_answer.xml", 1)
		c := newTestClient(t, sip.Config{InviteTimeout: 300 * time.Millisecond,
			Trunks: []sip.Trunk{{Name: "a", Address: silent.LocalAddr().String()}, {Name: "b", Address: good.Addr.String()}}})
		call, err := c.Dial(context.Background(), sip.DialRequest{To: "+15551234567", RTP: testRTP})
		if err != nil {
			t.Fatal(err)
		}
		drive(t, call, sip.EventAnswered)
		if res := call.Result(); res.Outcome != sip.OutcomeConnected || res.Trunk != "b" {
			t.Errorf("result = %+v, want connected on trunk b", res)
		}
		if err := good.Wait(t); err != nil {
			t.Errorf("sipp: %v", err)
		}
	})
	t.Run("busy is final: no second trunk", func(t *testing.T) {
		t.Parallel()
		busy := startSipp(t, "uas_busy.xml", 1)
		spare, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer spare.Close()
		c := newTestClient(t, sip.Config{Trunks: []sip.Trunk{{Name: "a", Address: busy.Addr.String()}, {Name: "b", Address: spare.LocalAddr().String()}}})
		call, err := c.Dial(context.Background(), sip.DialRequest{To: "+15551234567", RTP: testRTP})
		if err != nil {
			t.Fatal(err)
		}
		drive(t, call, "")
		if res := call.Result(); res.Outcome != sip.OutcomeBusy || res.Attempts != 1 || res.Trunk != "a" {
			t.Errorf("result = %+v, want busy after 1 attempt on trunk a", res)
		}
		if err := busy.Wait(t); err != nil {
			t.Errorf("sipp: %v", err)
		}
	})
}
