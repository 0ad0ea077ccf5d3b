package sip

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/google/uuid"
)

// DialRequest describes one outbound call.
type DialRequest struct {
	// To is the callee, the user part of the Request-URI: +15551234567.
	To string
	// CallerID is the user part of From and P-Asserted-Identity; default: the trunk's CallerID.
	CallerID string
	// CallerName is the display name in From (optional).
	CallerName string
	// Trunks names configured trunks in failover order; empty: all, in configured order.
	Trunks []string
	// MaxRing is how long we let it ring before CANCEL (default 30 s).
	MaxRing time.Duration
	// MaxDuration ends an answered call with BYE after this long (0: no limit).
	MaxDuration time.Duration
	// RTP is our RTP address, offered in the SDP (from the media port pool).
	RTP netip.AddrPort
	// Headers are extra INVITE headers, such as X-Attempt-ID.
	Headers map[string]string
}

func (r DialRequest) validate() error {
	var errs []error
	if !isUserPart(r.To) {
		errs = append(errs, fmt.Errorf("%w: field to: %q is not a dialable number; write it as +15551234567", ErrInvalidRequest, r.To))
	}
	if r.CallerID != "" && !isUserPart(r.CallerID) {
		errs = append(errs, fmt.Errorf("%w: field caller_id: %q is not a SIP user part; write it as +15551234567", ErrInvalidRequest, r.CallerID))
	}
	if strings.ContainsAny(r.CallerName, "\"\r\n\\") {
		errs = append(errs, fmt.Errorf("%w: field caller_name: may not contain quotes, backslashes or line breaks", ErrInvalidRequest))
	}
	if !r.RTP.IsValid() || r.RTP.Port() == 0 {
		errs = append(errs, fmt.Errorf("%w: field rtp: %v is not an address with a port; pass the RTP address from the media port pool", ErrInvalidRequest, r.RTP))
	}
	if r.MaxRing < 0 || r.MaxDuration < 0 {
		errs = append(errs, fmt.Errorf("%w: fields max_ring/max_duration may not be negative", ErrInvalidRequest))
	}
	for k, v := range r.Headers {
		if !isToken(k, "-_.") || strings.ContainsAny(v, "\r\n") {
			errs = append(errs, fmt.Errorf("%w: field headers: %q: names are tokens and values hold no line breaks", ErrInvalidRequest, k))
		}
	}
	return errors.Join(errs...)
}

// EventKind names a call event.
type EventKind string

// Call events, in the order they can happen.
const (
	EventTrying     EventKind = "trying"      // 100 from the trunk
	EventRinging    EventKind = "ringing"     // 180/181/182, or 183 without SDP
	EventEarlyMedia EventKind = "early_media" // 180/183 with SDP: Media says where it comes from
	EventFailover   EventKind = "failover"    // a trunk failed (5xx, silence, transport); the next is tried
	EventAnswered   EventKind = "answered"    // 200 OK, ACK sent; Media is the negotiated stream
	EventHold       EventKind = "hold"        // the peer put the call on hold (re-INVITE/UPDATE)
	EventUnhold     EventKind = "unhold"      // the peer took it off hold
	EventRefreshed  EventKind = "refreshed"   // we refreshed the session (RFC 4028)
	EventEnded      EventKind = "ended"       // final: Result says how
)

// Event is one step of a call.
type Event struct {
	Kind   EventKind `json:"event"`
	At     time.Time `json:"at"`
	Trunk  string    `json:"trunk,omitempty"`
	Code   int       `json:"code,omitempty"`
	Reason string    `json:"reason,omitempty"`
	Media  *Media    `json:"media,omitempty"`
	Result *Result   `json:"result,omitempty"`
}

// Call is one outbound call from Dial to its end. Read its events from Events until
// the channel closes after EventEnded; Done and Context also report the end.
type Call struct {
	client *Client
	req    DialRequest
	trunks []*trunkState

	events chan Event
	emitMu sync.Mutex
	ended  bool

	ctx     context.Context // done when the call ended
	end     context.CancelFunc
	hangup  context.Context // done when Hangup was called
	hangupF context.CancelFunc
	bye     chan struct{} // closed when the peer sent BYE
	byeOnce sync.Once
	refresh chan struct{} // a session refresh arrived from the peer

	mu         sync.Mutex
	sess       *sipgo.DialogClientSession
	remote     Media
	hasRemote  bool
	local      Media
	sdpID      uint64
	sdpVersion uint64
	onHold     bool
	result     Result
	remoteSeq  uint32    // CSeq of the peer's last in-dialog request; 0 before the first
	transport  Transport // of the answered trunk: our Contact in answers to target refreshes
}

// takeRemoteCSeq accepts an in-dialog request whose CSeq is above the last one seen
// (RFC 3261 12.2.2; the first sets the baseline, which is the peer's own numbering).
func (call *Call) takeRemoteCSeq(req *sip.Request) bool {
	cs := req.CSeq()
	if cs == nil {
		return false
	}
	call.mu.Lock()
	defer call.mu.Unlock()
	if call.remoteSeq != 0 && cs.SeqNo <= call.remoteSeq {
		return false
	}
	call.remoteSeq = cs.SeqNo
	return true
}

// Dial places a call. It returns once a trunk with a free channel was chosen; the call
// then proceeds in the background (CPS wait, INVITE, failover, answer) and reports on
// Events. Cancelling ctx before the answer cancels the call (CANCEL); after the answer
// ctx has no effect: end the call with Hangup or MaxDuration.
func (c *Client) Dial(ctx context.Context, req DialRequest) (*Call, error) {
	if c.closed.Load() {
		return nil, ErrClosed
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	cands, err := c.candidates(req.Trunks)
	if err != nil {
		return nil, err
	}
	if req.MaxRing == 0 {
		req.MaxRing = 30 * time.Second
	}
	first := pickTrunk(cands, 0)
	if first < 0 {
		return nil, fmt.Errorf("%w: trunks %v are down or at max_channels", ErrNoCapacity, namesOf(cands))
	}
	call := &Call{
		client: c, req: req, trunks: cands,
		events:  make(chan Event, 64),
		bye:     make(chan struct{}),
		refresh: make(chan struct{}, 1),
		sdpID:   rand.Uint64() >> 2,
	}
	call.ctx, call.end = context.WithCancel(context.Background())
	call.hangup, call.hangupF = context.WithCancel(context.Background())
	c.metrics.callStarted()
	c.wg.Add(1)
	go call.run(ctx, first)
	return call, nil
}

// pickTrunk returns the index of the first trunk from start on that is up and took a
// channel, or, when all are down, the first that took a channel; -1 when none did.
func pickTrunk(ts []*trunkState, start int) int {
	for pass := 0; pass < 2; pass++ {
		for i := start; i < len(ts); i++ {
			if pass == 0 && !ts[i].up.Load() {
				continue
			}
			if ts[i].acquire() {
				return i
			}
		}
	}
	return -1
}

func namesOf(ts []*trunkState) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return out
}

// Events returns the call's events; the channel closes after EventEnded. Events are
// dropped, never blocking the call, if nobody reads (except the last, EventEnded).
func (call *Call) Events() <-chan Event { return call.events }

// Context is cancelled when the call has ended.
func (call *Call) Context() context.Context { return call.ctx }

// Done is closed when the call has ended.
func (call *Call) Done() <-chan struct{} { return call.ctx.Done() }

// Result is how the call ended; complete once Done is closed.
func (call *Call) Result() Result {
	call.mu.Lock()
	defer call.mu.Unlock()
	return call.result
}

// Remote returns the peer's current media (after early media or answer).
func (call *Call) Remote() (Media, bool) {
	call.mu.Lock()
	defer call.mu.Unlock()
	return call.remote, call.hasRemote
}

// Hangup ends the call: CANCEL while ringing, BYE once answered. It waits until the call
// has ended or ctx is done.
func (call *Call) Hangup(ctx context.Context) error {
	call.hangupF()
	select {
	case <-call.ctx.Done():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (call *Call) emit(ev Event) {
	call.emitMu.Lock()
	defer call.emitMu.Unlock()
	if call.ended {
		return
	}
	if ev.At.IsZero() {
		ev.At = time.Now()
	}
	if ev.Kind == EventEnded {
		call.ended = true
		select {
		case call.events <- ev:
		default: // make room: we are the only sender
			select {
			case <-call.events:
			default:
			}
			call.events <- ev
		}
		close(call.events)
		return
	}
	select {
	case call.events <- ev:
	default:
	}
}

// Errors that stop the ring phase; they are context causes, never returned to users.
var (
	errRingTimeout     = errors.New("ring timeout")
	errCallerCancel    = errors.New("cancelled by caller")
	errHangup          = errors.New("hung up by caller")
	errClientClosed    = errors.New("client closed")
	errSecondChallenge = errors.New("second authentication challenge")
)

// attempt is what one trunk did with our INVITE.
type attempt struct {
	answered bool
	failover bool
	code     int
	reason   string
}

func (call *Call) run(dialCtx context.Context, idx int) {
	c := call.client
	defer c.wg.Done()
	res := Result{}
	var last attempt
	for idx >= 0 && idx < len(call.trunks) {
		ts := call.trunks[idx]
		res.Attempts++
		res.Trunk = ts.Name
		last = call.attempt(dialCtx, ts, &res)
		if last.answered {
			call.talk(ts, &res)
			ts.release()
			break
		}
		ts.release()
		if !last.failover {
			break
		}
		next := pickTrunk(call.trunks, idx+1)
		if next < 0 {
			break
		}
		call.emit(Event{Kind: EventFailover, Trunk: ts.Name, Code: last.code, Reason: last.reason})
		idx = next
	}
	if !last.answered {
		res.Outcome = OutcomeForStatus(last.code)
		if last.code == 0 {
			res.Outcome = OutcomeFailed
		}
		if last.failover && last.code == 0 {
			res.Code = 0
		}
		res.Code, res.Reason = last.code, last.reason
	}
	res.Ended = time.Now()
	call.mu.Lock()
	call.result = res
	call.mu.Unlock()
	c.metrics.callEnded(res)
	call.emit(Event{Kind: EventEnded, Trunk: res.Trunk, Code: res.Code, Reason: res.Reason, Result: &res})
	call.end()
}

// attempt sends the INVITE to one trunk and waits for its final answer.
func (call *Call) attempt(dialCtx context.Context, ts *trunkState, res *Result) attempt {
	c := call.client
	if ts.limiter != nil {
		wctx, stop := mergeCancel(dialCtx, call.hangup)
		err := ts.limiter.Wait(wctx)
		stop()
		if err != nil {
			return attempt{reason: "cancelled before INVITE: " + err.Error()}
		}
	}
	if call.hangup.Err() != nil || dialCtx.Err() != nil {
		return attempt{reason: "cancelled before INVITE"}
	}
	req, callID := call.buildInvite(ts)
	res.CallID = callID
	ringCtx, cancelRing := context.WithCancelCause(context.Background())
	defer cancelRing(nil)
	stops := []func() bool{
		context.AfterFunc(dialCtx, func() { cancelRing(errCallerCancel) }),
		context.AfterFunc(call.hangup, func() { cancelRing(errHangup) }),
		context.AfterFunc(c.ctx, func() { cancelRing(errClientClosed) }),
	}
	defer func() {
		for _, s := range stops {
			s()
		}
	}()

	if res.Invited.IsZero() {
		res.Invited = time.Now()
	}
	c.metrics.request("INVITE", "out")
	sess, err := c.duas[ts.transport()].WriteInvite(ringCtx, req)
	if err != nil {
		return attempt{failover: true, reason: "transport: " + err.Error()}
	}
	defer sess.Close()
	ringTimer := time.AfterFunc(call.req.MaxRing, func() { cancelRing(errRingTimeout) })
	defer ringTimer.Stop()
	silence := time.AfterFunc(c.cfg.InviteTimeout, func() { cancelRing(sipgo.WaitAnswerForceCancelErr) })
	defer silence.Stop()

	challenges := 0
	var challengeCode int
	// sipgo may pass up responses that arrived together out of order; a 100 that comes
	// after a 180 or 183 says nothing new and must not move the call back to trying.
	progressed := false
	err = sess.WaitAnswer(ringCtx, sipgo.AnswerOptions{
		Username: ts.Username, Password: ts.Password,
		OnResponse: func(r *sip.Response) error {
			silence.Stop()
			switch code := r.StatusCode; {
			case code == 100:
				if !progressed {
					call.emit(Event{Kind: EventTrying, Trunk: ts.Name, Code: code, Reason: r.Reason})
				}
			case code > 100 && code < 200:
				progressed = true
				if m, err := ParseMedia(r.Body()); err == nil {
					call.setRemote(m)
					call.emit(Event{Kind: EventEarlyMedia, Trunk: ts.Name, Code: code, Reason: r.Reason, Media: &m})
				} else {
					call.emit(Event{Kind: EventRinging, Trunk: ts.Name, Code: code, Reason: r.Reason})
				}
			case code == 401 || code == 407:
				challenges++
				challengeCode = code
				if challenges > 1 {
					return errSecondChallenge
				}
				if ts.Password != "" {
					c.metrics.request("INVITE", "out")
				}
			}
			return nil
		},
	})

	var dr *sipgo.ErrDialogResponse
	switch {
	case err == nil:
		return call.answered(ts, sess, res)
	case errors.Is(err, errSecondChallenge):
		return attempt{code: challengeCode, reason: "authentication failed: challenged again after answering the challenge"}
	case errors.As(err, &dr):
		return attempt{code: dr.Res.StatusCode, reason: dr.Res.Reason, failover: failsOver(dr.Res.StatusCode)}
	case ringCtx.Err() != nil:
		cause := context.Cause(ringCtx)
		if cause == sipgo.WaitAnswerForceCancelErr {
			return attempt{failover: true, reason: fmt.Sprintf("no response within %v", c.cfg.InviteTimeout)}
		}
		return call.cancelled(ts, sess, cause)
	default:
		return attempt{failover: true, reason: err.Error()}
	}
}

// cancelled settles an INVITE we CANCELled. A 200 OK that crossed our CANCEL is
// ACKed and at once ended with BYE, so nobody is left holding a silent call.
func (call *Call) cancelled(ts *trunkState, sess *sipgo.DialogClientSession, cause error) attempt {
	c := call.client
	c.metrics.request("CANCEL", "out")
	reason := cause.Error()
	r := sess.InviteResponse
	switch {
	case r != nil && r.IsSuccess():
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c.metrics.request("ACK", "out")
		if err := sess.Ack(ctx); err == nil {
			c.metrics.request("BYE", "out")
			_ = sess.Bye(ctx)
		}
		return attempt{code: 487, reason: reason + "; 200 OK crossed the CANCEL and was ended with BYE"}
	case r != nil && r.StatusCode >= 300 && r.StatusCode != 487:
		return attempt{code: r.StatusCode, reason: r.Reason, failover: failsOver(r.StatusCode)}
	}
	if cause == errClientClosed {
		return attempt{reason: reason}
	}
	return attempt{code: 487, reason: reason}
}

func (call *Call) buildInvite(ts *trunkState) (*sip.Request, string) {
	c := call.client
	callerID := call.req.CallerID
	if callerID == "" {
		callerID = ts.CallerID
	}
	if callerID == "" {
		callerID = "anonymous"
	}
	domain := ts.fromDomain()
	uri := sip.Uri{Scheme: "sip", User: call.req.To, Host: ts.host(), Port: ts.port()}
	if t := ts.transport(); t != TransportUDP {
		uri.UriParams = sip.NewParams()
		uri.UriParams.Add("transport", string(t))
	}
	req := sip.NewRequest(sip.INVITE, uri)
	req.SetTransport(strings.ToUpper(string(ts.transport())))
	req.AppendHeader(&sip.FromHeader{DisplayName: call.req.CallerName, Address: sip.Uri{Scheme: "sip", User: callerID, Host: domain}, Params: tagParams()})
	req.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: call.req.To, Host: domain}})
	callID := uuid.NewString()
	cid := sip.CallIDHeader(callID)
	req.AppendHeader(&cid)
	contact := c.contact(ts.transport())
	req.AppendHeader(&contact)
	req.AppendHeader(sip.NewHeader("P-Asserted-Identity", "<sip:"+callerID+"@"+domain+">"))
	req.AppendHeader(sip.NewHeader("Allow", allowHeader))
	req.AppendHeader(sip.NewHeader("Supported", "timer"))
	if se := c.cfg.SessionExpires; se > 0 {
		req.AppendHeader(sip.NewHeader("Session-Expires", strconv.Itoa(int(se.Seconds()))))
		req.AppendHeader(sip.NewHeader("Min-SE", "90"))
	}
	req.AppendHeader(sip.NewHeader("User-Agent", c.cfg.UserAgent))
	for k, v := range call.req.Headers {
		req.AppendHeader(sip.NewHeader(k, v))
	}
	call.mu.Lock()
	call.local = NewOffer(call.req.RTP, ts.codecs())
	call.sdpVersion++
	body := call.local.Marshal(call.sdpID, call.sdpVersion)
	call.mu.Unlock()
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(body)
	c.pinLocal(req, ts)
	return req, callID
}

func (call *Call) setRemote(m Media) {
	call.mu.Lock()
	call.remote, call.hasRemote = m, true
	call.mu.Unlock()
}

// answered ACKs the 200 OK and checks the answer SDP.
func (call *Call) answered(ts *trunkState, sess *sipgo.DialogClientSession, res *Result) attempt {
	c := call.client
	res.Answered = time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c.metrics.request("ACK", "out")
	if err := sess.Ack(ctx); err != nil {
		return attempt{reason: "sending ACK: " + err.Error()}
	}
	r := sess.InviteResponse
	m, err := ParseMedia(r.Body())
	if err != nil {
		c.metrics.request("BYE", "out")
		_ = sess.Bye(ctx)
		res.Answered = time.Time{}
		return attempt{code: 488, reason: "answer SDP unusable: " + err.Error()}
	}
	call.mu.Lock()
	call.sess = sess
	call.transport = ts.transport()
	call.remote, call.hasRemote = m, true
	// From now on we speak the negotiated codec only.
	call.local.Codecs = []Codec{m.Codec()}
	call.mu.Unlock()
	res.Code, res.Reason, res.Outcome = r.StatusCode, r.Reason, OutcomeConnected
	return attempt{answered: true, code: r.StatusCode, reason: r.Reason}
}

// talk holds an answered call until either side ends it.
func (call *Call) talk(ts *trunkState, res *Result) {
	c := call.client
	call.mu.Lock()
	sess := call.sess
	m := call.remote
	call.mu.Unlock()
	c.addCall(sess.ID, call)
	defer c.removeCall(sess.ID)
	call.emit(Event{Kind: EventAnswered, Trunk: ts.Name, Code: res.Code, Reason: res.Reason, Media: &m})

	var maxDur <-chan time.Time
	if call.req.MaxDuration > 0 {
		t := time.NewTimer(call.req.MaxDuration)
		defer t.Stop()
		maxDur = t.C
	}
	// RFC 4028: refresh when we are the refresher, watch for expiry when the peer is.
	var refreshC, expireC <-chan time.Time
	var interval time.Duration
	var weRefresh bool
	if v := sess.InviteResponse.GetHeader("Session-Expires"); v != nil {
		if d, refresher, ok := sessionExpires(v.Value()); ok {
			interval, weRefresh = d, refresher != "uas"
		}
	}
	var refreshT, expireT *time.Timer
	if interval > 0 {
		if weRefresh {
			refreshT = time.NewTimer(interval / 2)
			defer refreshT.Stop()
			refreshC = refreshT.C
		} else {
			expireT = time.NewTimer(expiryWait(interval))
			defer expireT.Stop()
			expireC = expireT.C
		}
	}
	peerUpdate := hasToken(sess.InviteResponse, "Allow", "UPDATE")

	by, why := "local", "hangup"
	for done := false; !done; {
		select {
		case <-call.bye:
			by, why, done = "remote", "bye", true
		case <-call.hangup.Done():
			done = true
		case <-maxDur:
			why, done = "max duration", true
		case <-c.ctx.Done():
			why, done = "client closed", true
		case <-refreshC:
			if err := call.sendRefresh(sess, interval, peerUpdate); err != nil {
				why, done = "session refresh failed: "+err.Error(), true
			} else {
				call.emit(Event{Kind: EventRefreshed, Trunk: ts.Name})
				refreshT.Reset(interval / 2)
			}
		case <-call.refresh:
			if expireT != nil {
				expireT.Reset(expiryWait(interval))
			}
		case <-expireC:
			why, done = "session expired", true
		}
	}
	if by == "local" {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c.metrics.request("BYE", "out")
		_ = sess.Bye(ctx)
		cancel()
	}
	res.HangupBy, res.HangupReason = by, why
}

// expiryWait is when a session we do not refresh counts as expired (RFC 4028 §10):
// the interval minus the lesser of 32 s and a third of it.
func expiryWait(d time.Duration) time.Duration {
	return d - min(32*time.Second, d/3)
}

// sendRefresh refreshes the session with UPDATE (if the peer allows it) or re-INVITE.
func (call *Call) sendRefresh(sess *sipgo.DialogClientSession, interval time.Duration, update bool) error {
	c := call.client
	target := sess.InviteRequest.Recipient
	if ct := sess.InviteResponse.Contact(); ct != nil {
		target = ct.Address
	}
	method := sip.INVITE
	if update {
		method = sip.UPDATE
	}
	req := sip.NewRequest(method, *target.Clone())
	req.AppendHeader(sip.NewHeader("Session-Expires", strconv.Itoa(int(interval.Seconds()))+";refresher=uac"))
	req.AppendHeader(sip.NewHeader("Supported", "timer"))
	if method == sip.INVITE {
		call.mu.Lock()
		body := call.local.Marshal(call.sdpID, call.sdpVersion)
		call.mu.Unlock()
		req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
		req.SetBody(body)
	}
	req.Laddr = sess.InviteRequest.Laddr
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c.metrics.request(method.String(), "out")
	r, err := sess.Do(ctx, req)
	if err != nil {
		return err
	}
	if method == sip.INVITE && r.IsSuccess() {
		ack := sip.NewRequest(sip.ACK, *target.Clone())
		ack.Laddr = req.Laddr
		c.metrics.request("ACK", "out")
		_ = sess.WriteRequest(ack)
	}
	if !r.IsSuccess() {
		return fmt.Errorf("%d %s", r.StatusCode, r.Reason)
	}
	return nil
}

// onBye handles the peer's BYE.
func (call *Call) onBye(req *sip.Request, tx sip.ServerTransaction) {
	call.mu.Lock()
	sess := call.sess
	call.mu.Unlock()
	if err := sess.ReadBye(req, tx); err != nil {
		call.client.log.Debug("sip: answering BYE", "err", err)
	} else {
		call.client.metrics.response(200, "out")
	}
	call.byeOnce.Do(func() { close(call.bye) })
}

// onReinvite answers an in-dialog re-INVITE or UPDATE: a session refresh, a new offer
// (hold/unhold), or both.
func (call *Call) onReinvite(req *sip.Request, tx sip.ServerTransaction) {
	c := call.client
	if !call.takeRemoteCSeq(req) {
		c.respond(tx, req, 500, "Server Internal Error", nil, sip.NewHeader("Retry-After", "1"))
		return
	}
	var hdrs []sip.Header
	if v := req.GetHeader("Session-Expires"); v != nil {
		if d, refresher, ok := sessionExpires(v.Value()); ok {
			if refresher == "" {
				refresher = "uac" // the sender of this request refreshes
			}
			hdrs = append(hdrs, sip.NewHeader("Session-Expires", strconv.Itoa(int(d.Seconds()))+";refresher="+refresher), sip.NewHeader("Require", "timer"))
		}
	}
	call.mu.Lock()
	contact := c.contact(call.transport)
	call.mu.Unlock()
	hdrs = append(hdrs, &contact)
	select {
	case call.refresh <- struct{}{}:
	default:
	}
	body := req.Body()
	if len(body) == 0 {
		if req.Method == sip.INVITE { // offer-less re-INVITE: we offer in the 200
			call.mu.Lock()
			b := call.local.Marshal(call.sdpID, call.sdpVersion)
			call.mu.Unlock()
			hdrs = append(hdrs, sip.NewHeader("Content-Type", "application/sdp"))
			c.respond(tx, req, 200, "OK", b, hdrs...)
			return
		}
		c.respond(tx, req, 200, "OK", nil, hdrs...)
		return
	}
	offer, err := ParseMedia(body)
	if err != nil {
		c.respond(tx, req, 488, "Not Acceptable Here", nil)
		return
	}
	call.mu.Lock()
	supported := append([]Codec{call.local.Codec()}, PCMU, PCMA)
	ans, err := Answer(offer, call.local.Addr, supported)
	if err == nil {
		call.sdpVersion++
		call.local = ans
		call.remote = offer
	}
	b := ans.Marshal(call.sdpID, call.sdpVersion)
	wasHeld := call.onHold
	call.onHold = offer.OnHold()
	nowHeld := call.onHold
	call.mu.Unlock()
	if err != nil {
		c.respond(tx, req, 488, "Not Acceptable Here", nil)
		return
	}
	hdrs = append(hdrs, sip.NewHeader("Content-Type", "application/sdp"))
	c.respond(tx, req, 200, "OK", b, hdrs...)
	switch {
	case nowHeld && !wasHeld:
		call.emit(Event{Kind: EventHold, Media: &offer})
	case !nowHeld && wasHeld:
		call.emit(Event{Kind: EventUnhold, Media: &offer})
	}
}

func hasToken(m *sip.Response, header, token string) bool {
	for _, h := range m.GetHeaders(header) {
		for _, t := range strings.Split(h.Value(), ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// mergeCancel returns a context done when a or b is done.
func mergeCancel(a, b context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancel(a)
	stop := context.AfterFunc(b, cancel)
	return ctx, func() { stop(); cancel() }
}
