package sip_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial/sip"
)

// TestSippProxyAuth: sipp challenges our INVITE with 407 Proxy-Authenticate. Its
// scenarios require the re-sent INVITE to carry a well-formed Proxy-Authorization
// (Digest, our username, the challenge's realm and nonce, a 32-hex response);
// uas_proxy_auth_twice.xml challenges again and fails the run on a third INVITE.
// sipp 3.6.1's verifyauth reads only the Authorization header, so the test checks the
// digest itself (RFC 2617, qop=auth) in the INVITEs sipp logged as received, against
// the password sipp's side knows (s3cret).
func TestSippProxyAuth(t *testing.T) {
	cases := []struct {
		name     string
		scenario string
		password string
		digestOK bool // the authorized INVITE's digest verifies for s3cret
		hangupOn sip.EventKind
		outcome  sip.Outcome
		code     int
		hangupBy string
		reason   string // substring of Result.Reason
	}{
		{name: "407 then 200", scenario: "uas_proxy_auth.xml", password: "s3cret", digestOK: true,
			hangupOn: sip.EventAnswered, outcome: sip.OutcomeConnected, code: 200, hangupBy: "local"},
		{name: "wrong password: digest does not verify", scenario: "uas_proxy_auth.xml", password: "wrong",
			hangupOn: sip.EventAnswered, outcome: sip.OutcomeConnected, code: 200, hangupBy: "local"},
		{name: "second 407 fails", scenario: "uas_proxy_auth_twice.xml", password: "s3cret", digestOK: true,
			outcome: sip.OutcomeFailed, code: 407, reason: "authentication failed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			peer := startSipp(t, tc.scenario, 1)
			c := newTestClient(t, sip.Config{Trunks: []sip.Trunk{{Name: "sipp", Address: peer.Addr.String(),
				CallerID: "+15550001111", Username: "trunkuser", Password: tc.password}}})
			call, err := c.Dial(context.Background(), sip.DialRequest{To: "+15551234567", RTP: testRTP, MaxDuration: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			evs := drive(t, call, tc.hangupOn)
			res := call.Result()
			if res.Outcome != tc.outcome || res.Code != tc.code || res.HangupBy != tc.hangupBy || !strings.Contains(res.Reason, tc.reason) {
				t.Errorf("result = %s %d hangup_by=%q (%s), want %s %d hangup_by=%q (reason with %q)",
					res.Outcome, res.Code, res.HangupBy, res.Reason, tc.outcome, tc.code, tc.hangupBy, tc.reason)
			}
			if res.Attempts != 1 {
				t.Errorf("attempts = %d, want 1 (a challenge is not a failover)", res.Attempts)
			}
			if got := kinds(evs); len(got) == 0 || got[len(got)-1] != sip.EventEnded {
				t.Errorf("events = %v, want them to end with %s", got, sip.EventEnded)
			}
			checkSippDone(t, peer, c)

			invites := receivedInvites(t, peer.MsgLog)
			if len(invites) != 2 {
				t.Fatalf("sipp received %d INVITEs, want 2 (the first, then one with credentials)", len(invites))
			}
			if h := invites[0].header("Proxy-Authorization"); h != "" {
				t.Errorf("first INVITE already carries Proxy-Authorization: %s", h)
			}
			if h := invites[1].header("Authorization"); h != "" {
				t.Errorf("authorized INVITE carries Authorization (a 401 answer) instead of Proxy-Authorization: %s", h)
			}
			h := invites[1].header("Proxy-Authorization")
			if h == "" {
				t.Fatal("second INVITE has no Proxy-Authorization")
			}
			ok, why := verifyDigest(h, "INVITE", invites[1].start[1], "trunkuser", "s3cret")
			t.Logf("digest check: %s", why)
			if ok != tc.digestOK {
				t.Errorf("digest verifies = %v (%s), want %v; header: %s", ok, why, tc.digestOK, h)
			}
		})
	}
}

// sippMessage is a message sipp logged as received: its start line and headers.
type sippMessage struct {
	start   []string // "INVITE", uri, "SIP/2.0" or "SIP/2.0", code, reason...
	headers []string // "Name: value"
}

// method is the request's method, or "" for a response.
func (m sippMessage) method() string {
	if m.start[0] == "SIP/2.0" {
		return ""
	}
	return m.start[0]
}

func (m sippMessage) header(name string) string {
	for _, h := range m.headers {
		if k, v, ok := strings.Cut(h, ":"); ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// receivedMessages reads sipp's -message_file and returns what sipp received, in order
// (including messages it did not expect).
func receivedMessages(t *testing.T, path string) []sippMessage {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.ReplaceAll(string(b), "\r", ""), "\n")
	var out []sippMessage
	for i := 0; i < len(lines); i++ {
		// "UDP message received [n] bytes :" or "Unexpected UDP message received:",
		// blank lines, the message.
		if !strings.Contains(lines[i], "message received") {
			continue
		}
		for i++; i < len(lines) && lines[i] == ""; i++ {
		}
		if i >= len(lines) {
			break
		}
		m := sippMessage{start: strings.Fields(lines[i])}
		if len(m.start) < 2 {
			continue
		}
		for i++; i < len(lines) && lines[i] != ""; i++ {
			m.headers = append(m.headers, lines[i])
		}
		out = append(out, m)
	}
	return out
}

// receivedInvites returns the INVITEs among sipp's received messages.
func receivedInvites(t *testing.T, path string) []sippMessage {
	t.Helper()
	var out []sippMessage
	for _, m := range receivedMessages(t, path) {
		if m.method() == "INVITE" {
			out = append(out, m)
		}
	}
	return out
}

// verifyDigest checks a Digest credentials value (RFC 2617, MD5, qop=auth or none) as
// a server would: the uri matches the request's, and the response matches the one
// computed from the password. It returns why when it does not verify.
func verifyDigest(value, method, uri, username, password string) (bool, string) {
	rest, ok := strings.CutPrefix(value, "Digest ")
	if !ok {
		return false, "not Digest"
	}
	p := map[string]string{}
	for _, kv := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		p[strings.ToLower(k)] = strings.Trim(v, `"`)
	}
	switch {
	case p["username"] != username:
		return false, "username " + p["username"]
	case p["uri"] != uri:
		return false, "uri " + p["uri"] + " is not the Request-URI " + uri
	case p["algorithm"] != "" && !strings.EqualFold(p["algorithm"], "MD5"):
		return false, "algorithm " + p["algorithm"]
	}
	h := func(s string) string { sum := md5.Sum([]byte(s)); return hex.EncodeToString(sum[:]) }
	ha1 := h(username + ":" + p["realm"] + ":" + password)
	ha2 := h(method + ":" + uri)
	want := h(ha1 + ":" + p["nonce"] + ":" + ha2)
	if p["qop"] != "" {
		if p["qop"] != "auth" || p["nc"] == "" || p["cnonce"] == "" {
			return false, "qop " + p["qop"] + " without nc/cnonce"
		}
		want = h(ha1 + ":" + p["nonce"] + ":" + p["nc"] + ":" + p["cnonce"] + ":" + p["qop"] + ":" + ha2)
	}
	if p["response"] != want {
		return false, "response " + p["response"] + ", want " + want
	}
	return true, "verifies"
}

// TestSippTCP: a trunk with transport tcp against sipp on TCP (-t t1: one connection,
// opened by us), with and without a TCP listener of our own. uas_tcp_answer.xml
// requires TCP in the Via of our INVITE, ACK and BYE and transport=tcp in the INVITE's
// Request-URI and Contact; uas_far_bye.xml sends its BYE back over the connection;
// uas_reinvite_hold.xml and uas_session_timer.xml exercise target refreshes both ways.
// Every message sipp received must say TCP: Via, a Contact with transport=tcp whose
// port is the Via's, and with listen_tcp that port must be held by a TCP listener.
func TestSippTCP(t *testing.T) {
	answered := []sip.EventKind{sip.EventTrying, sip.EventRinging, sip.EventAnswered, sip.EventEnded}
	cases := []struct {
		name      string
		scenario  string
		listenTCP bool
		hangupOn  sip.EventKind
		hangupBy  string
		events    []sip.EventKind
	}{
		{name: "answer, our BYE", scenario: "uas_tcp_answer.xml", hangupOn: sip.EventAnswered, hangupBy: "local", events: answered},
		{name: "answer, our BYE, with listen_tcp", scenario: "uas_tcp_answer.xml", listenTCP: true, hangupOn: sip.EventAnswered, hangupBy: "local", events: answered},
		{name: "answer, far-end BYE", scenario: "uas_far_bye.xml", hangupBy: "remote",
			events: []sip.EventKind{sip.EventAnswered, sip.EventEnded}},
		{name: "re-INVITE hold and unhold, with listen_tcp", scenario: "uas_reinvite_hold.xml", listenTCP: true, hangupBy: "remote",
			events: []sip.EventKind{sip.EventAnswered, sip.EventHold, sip.EventUnhold, sip.EventEnded}},
		{name: "session timer refresh, with listen_tcp", scenario: "uas_session_timer.xml", listenTCP: true, hangupOn: sip.EventRefreshed, hangupBy: "local",
			events: []sip.EventKind{sip.EventAnswered, sip.EventRefreshed, sip.EventEnded}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			peer := startSipp(t, tc.scenario, 1, "-t", "t1")
			cfg := sip.Config{Trunks: []sip.Trunk{{Name: "sipp", Address: peer.Addr.String(), Transport: sip.TransportTCP, CallerID: "+15550001111"}}}
			if tc.listenTCP {
				cfg.ListenTCP = "127.0.0.1:0"
			}
			c := newTestClient(t, cfg)
			call, err := c.Dial(context.Background(), sip.DialRequest{To: "+15551234567", RTP: testRTP, MaxDuration: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			evs := drive(t, call, tc.hangupOn)
			res := call.Result()
			if res.Outcome != sip.OutcomeConnected || res.Code != 200 || res.HangupBy != tc.hangupBy {
				t.Errorf("result = %s %d hangup_by=%q (%s), want connected 200 hangup_by=%q", res.Outcome, res.Code, res.HangupBy, res.Reason, tc.hangupBy)
			}
			if got := kinds(evs); !subsequence(got, tc.events) {
				t.Errorf("events = %v, want in order %v", got, tc.events)
			}
			checkSippDone(t, peer, c)

			msgs := receivedMessages(t, peer.MsgLog)
			if len(msgs) == 0 {
				t.Fatal("sipp logged no message received")
			}
			for _, m := range msgs {
				what := strings.Join(m.start, " ")
				ct := m.header("Contact")
				if ct != "" && !strings.Contains(ct, ";transport=tcp") {
					t.Errorf("%s: Contact %q lacks transport=tcp: the peer would retarget the dialog to UDP", what, ct)
				}
				if m.method() == "" {
					continue
				}
				via := m.header("Via")
				if !strings.HasPrefix(via, "SIP/2.0/TCP ") {
					t.Errorf("%s: Via %q is not TCP", what, via)
				}
				if ct == "" {
					continue
				}
				if vp, cp := viaSentBy(via), contactHostPort(ct); vp != cp {
					t.Errorf("%s: Via sent-by %s is not the Contact's %s", what, vp, cp)
				}
				// Bind rather than connect: a connection would leave a TIME_WAIT socket on an
				// ephemeral port that a parallel test may have just picked for its sipp.
				if tc.listenTCP && !tcpPortHeld(contactHostPort(ct)) {
					t.Errorf("%s: nothing listens on TCP at the Contact %s", what, ct)
				}
			}
		})
	}
}

// tcpPortHeld reports whether a TCP listener already holds hostport (ours, while the
// client is open).
func tcpPortHeld(hostport string) bool {
	l, err := net.Listen("tcp", hostport)
	if err != nil {
		return true
	}
	l.Close()
	return false
}

// viaSentBy returns host:port of a Via value "SIP/2.0/TCP 127.0.0.1:5060;branch=...".
func viaSentBy(via string) string {
	f := strings.Fields(via)
	if len(f) < 2 {
		return ""
	}
	hp, _, _ := strings.Cut(f[1], ";")
	return hp
}

// contactHostPort returns host:port of a Contact value "<sip:user@127.0.0.1:5060;transport=tcp>".
func contactHostPort(ct string) string {
	ct = strings.Trim(ct, "<>")
	ct = strings.TrimPrefix(ct, "sip:")
	if _, after, ok := strings.Cut(ct, "@"); ok {
		ct = after
	}
	hp, _, _ := strings.Cut(ct, ";")
	hp, _, _ = strings.Cut(hp, ">")
	return hp
}
