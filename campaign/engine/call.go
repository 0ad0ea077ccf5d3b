package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/flow"
	"github.com/outdial/outdial/media"
	"github.com/outdial/outdial/pacing"
	"github.com/outdial/outdial/sip"
	"github.com/outdial/outdial/store"
)

// job is what a call goroutine needs; it is a copy, never shared with the loop.
type job struct {
	key      uint64
	c        campaign.Campaign
	flow     *flow.Flow
	callerID string
	trunks   []string
	rec      store.CallRecord
	offer    Offer
	set      campaign.Settings
	cut      <-chan struct{} // the pacer asks to hang up while ringing
}

// callEnd is what a call goroutine reports to the loop.
type callEnd struct {
	outcome string
	// dialed: an INVITE left; requeue: the record goes back to the hopper (not dialed,
	// lease kept).
	dialed, requeue, human bool
	// cut: the pacer hung the call up unanswered after the minimum ring.
	cut                bool
	ring, detect, talk time.Duration
	wrap               time.Duration
	// notes are the agent's notes, for the attempt row.
	notes string
	// local names the local shortage (see localShortage) that refused the dial
	// before any INVITE left; the attempt was voided and the record requeued.
	local string
}

// DefaultSafeHarbour is spoken when a campaign has no safe-harbour message of its own.
const DefaultSafeHarbour = "Hello, this call was made on behalf of {{campaign}}. We are sorry, nobody is free to take your call right now. We will call you again. To stop our calls, press {{optOutDigit}}."

// runCall takes one record from the dial-time checks to the finished attempt. Store
// writes use ctx: when the engine is killed (ctx cancelled) they fail like after a
// crash, and the next start closes the attempt as Unknown.
func (e *Engine) runCall(ctx context.Context, j job) callEnd {
	var end callEnd
	log := e.log.With("campaign_id", j.c.ID, "record_id", j.rec.ID)
	number := j.rec.Phone
	if number == "" && len(j.rec.Phones) > 0 {
		number = j.rec.Phones[0]
	}
	now := e.cfg.Clock.Now()
	v := e.cfg.Service.CheckDial(ctx, j.c, j.rec, number, now)
	if !v.OK {
		rel := store.RecordRelease{RecordID: j.rec.ID, Node: e.cfg.Node, NextAttemptAt: v.Next, Skipped: !v.Final, Final: v.Final, Disposition: v.Outcome}
		if rel.NextAttemptAt.IsZero() {
			rel.NextAttemptAt = now.Add(time.Duration(j.c.Outreach.RetryMinutes) * time.Minute)
		}
		if err := e.cfg.Store.ReleaseRecord(ctx, rel); err != nil {
			log.Warn("releasing a record not dialed", "err", err)
		}
		log.Debug("not dialed", "number", number, "reason", v.Reason)
		end.outcome = v.Outcome
		return end
	}
	agentless := !j.c.Dialing.Mode.AgentMode()
	// The attempt starts now, after the dial-time checks: just before the INVITE.
	att, err := e.cfg.Store.BeginAttempt(ctx, store.AttemptStart{RecordID: j.rec.ID, Node: e.cfg.Node, Number: number, At: e.cfg.Clock.Now(),
		Agentless: agentless, MaxAgentless: j.set.MaxConcurrentCalls})
	if errors.Is(err, store.ErrCapacity) {
		// Other nodes hold the rest of the account's Max Concurrent Calls: wait, as
		// for a local shortage, and dial the record later.
		e.cfg.Metrics.LocalDialFailures.WithLabelValues(ReasonMaxConcurrentCalls).Inc()
		log.Debug("dial held: Max Concurrent Calls live across the nodes", "err", err)
		end.local, end.requeue = ReasonMaxConcurrentCalls, true
		return end
	}
	if err != nil {
		if ctx.Err() == nil {
			log.Warn("attempt not begun; not dialing", "err", err)
		}
		return end
	}
	log = log.With("attempt_id", att.ID)
	j.offer.AttemptID = att.ID
	end.dialed = true
	res := campaign.Result{AttemptID: att.ID}
	res.Outcome, res.Disposition, res.AgentID = e.place(ctx, j, number, att.ID, &end, log)
	if end.local != "" {
		// Nothing reached the network: the attempt is voided, not a dial outcome.
		err := e.cfg.Store.VoidAttempt(ctx, att.ID)
		if err == nil {
			e.cfg.Metrics.LocalDialFailures.WithLabelValues(end.local).Inc()
			log.Warn("dial refused for lack of a local resource; attempt voided, record requeued", "reason", end.local)
			end.dialed, end.requeue = false, true
			return end
		}
		if ctx.Err() != nil {
			return end
		}
		log.Error("voiding an attempt that never left; closing it as Failed", "err", err)
		end.local, res.Outcome = "", campaign.OutcomeFailed
	}
	res.At, res.Notes = e.cfg.Clock.Now(), end.notes
	end.outcome = res.Outcome
	if _, _, err := e.cfg.Service.Finish(ctx, j.c, res); err != nil && ctx.Err() == nil {
		log.Error("finishing attempt", "err", err)
	}
	return end
}

// place dials and handles the call; it returns the outcome, disposition and agent.
func (e *Engine) place(ctx context.Context, j job, number string, attemptID int64, end *callEnd, log *slog.Logger) (string, string, *int64) {
	c := j.c
	voicemail := c.Messages.Voicemail != ""
	dialed := time.Now()
	call, err := e.cfg.Dialer.Dial(ctx, DialRequest{AttemptID: attemptID, Number: number, CallerID: j.callerID, Trunks: j.trunks,
		MaxRing: time.Duration(c.Outreach.MaxRingSeconds) * time.Second, AMD: c.Dialing.AMD, MessageEnd: c.Dialing.AMD && voicemail})
	if err != nil {
		if end.local = localShortage(err); end.local != "" {
			return "", "", nil
		}
		log.Warn("dial failed", "err", err)
		return campaign.OutcomeFailed, "", nil
	}
	ringing := time.Now() // the INVITE has left
	hangup := func() {
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		_ = call.Hangup(hctx)
		cancel()
	}
	defer hangup()
	ans, err := ringCut(ctx, call, j.cut, ringing)
	if errors.Is(err, errRingCut) {
		// CANCEL, then the final response: a 200 that crossed the CANCEL shows as
		// answered and goes the way of any answer (the SIP layer has ended it).
		hangup()
		ans, err = call.Wait(ctx)
		end.cut = err == nil && !ans.Answered
		if end.cut {
			log.Debug("late call cut by pacing", "rang", time.Since(ringing))
		}
	}
	end.ring = time.Since(dialed)
	if err != nil {
		return campaign.OutcomeFailed, "", nil
	}
	if !ans.Answered {
		return ans.Outcome, "", nil
	}
	answered := time.Now()
	ready := answered // when the call is ready for an agent: the answer, or the AMD decision
	if err := e.cfg.Store.MarkAttempt(ctx, attemptID, store.AttemptAnswered, e.cfg.Clock.Now()); err != nil && ctx.Err() == nil {
		log.Warn("marking answered", "err", err)
	}
	e.post(evStage{j.key, pacing.Detecting})
	class := ClassHuman
	if c.Dialing.AMD {
		class, err = call.Classify(ctx)
		if err != nil {
			return campaign.OutcomeConnected, "", nil // the call ended while listening
		}
		end.detect = time.Since(answered)
		ready = time.Now()
		log.Debug("amd", "class", class, "after", end.detect)
	}
	defer func() { end.talk = time.Since(answered) }()
	switch class {
	case ClassFax:
		return campaign.OutcomeFax, "", nil
	case ClassSIT:
		return campaign.OutcomeInvalidNumber, "", nil
	case ClassMachine:
		if voicemail {
			e.post(evStage{j.key, pacing.Flow})
			if err := call.MessageEnd(ctx); err == nil {
				_ = e.message(ctx, call, c.Messages.Voicemail, j)
			}
		}
		return campaign.OutcomeMachine, "", nil
	}
	end.human = true
	vars := flowVars(j, number)
	if !c.Dialing.Mode.AgentMode() {
		e.post(evStage{j.key, pacing.Flow})
		fc := &flowCall{Call: call, e: e, j: j, ctx: ctx, number: number, end: end}
		r, err := flow.Run(ctx, j.flow, fc, vars)
		if err != nil && !errors.Is(err, ErrNoAgent) && ctx.Err() == nil && !isEnded(call) {
			log.Warn("flow", "err", err)
		}
		if fc.agent != 0 {
			return campaign.OutcomeConnected, fc.disposition, &fc.agent
		}
		return campaign.OutcomeConnected, r.Disposition, nil
	}
	agentID, wrap, ok := e.toAgent(ctx, j, call, 0, ready, end)
	if !ok {
		e.safeHarbour(ctx, call, j, number)
		return campaign.OutcomeAbandoned, "", nil
	}
	return campaign.OutcomeConnected, wrap.Disposition, &agentID
}

// errRingCut ends the wait for an answer when the pacer cuts a late call.
var errRingCut = errors.New("engine: late unanswered call cut by pacing")

// ringCut waits for the call's answer or end like call.Wait, and hangs up an
// unanswered call when the pacer asks (cut), but only once it has rung
// pacing.DefaultMinRing since ringing: the US and UK minimum before an unanswered
// call may be dropped, checked here again whatever the pacer says. It then returns
// errRingCut; the caller sends the CANCEL.
func ringCut(ctx context.Context, call Call, cut <-chan struct{}, ringing time.Time) (Answer, error) {
	wctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	watch := make(chan struct{})
	go func() {
		defer close(watch)
		for {
			select {
			case <-cut:
				if time.Since(ringing) >= pacing.DefaultMinRing {
					stop(errRingCut)
					return
				}
			case <-wctx.Done():
				return
			}
		}
	}()
	ans, err := call.Wait(wctx)
	stop(nil)
	<-watch
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(wctx), errRingCut) {
		return Answer{}, errRingCut
	}
	return ans, err
}

// Reasons of outdial_engine_local_dial_failures_total.
const (
	ReasonRTPPorts      = "rtp_ports"
	ReasonTrunkCapacity = "trunk_capacity"
	// ReasonMaxConcurrentCalls: the account's Max Concurrent Calls were live across
	// the nodes (store.ErrCapacity).
	ReasonMaxConcurrentCalls = "max_concurrent_calls"
)

// localShortage names the local resource whose lack made a dial fail before any
// INVITE left (no free RTP port, every trunk at its channel limit or down), or "".
func localShortage(err error) string {
	switch {
	case errors.Is(err, media.ErrPoolExhausted):
		return ReasonRTPPorts
	case errors.Is(err, sip.ErrNoCapacity):
		return ReasonTrunkCapacity
	}
	return ""
}

func isEnded(c Call) bool {
	select {
	case <-c.Done():
		return true
	default:
		return false
	}
}

// flowVars are the contact fields a flow sees (campaignUserInfo).
func flowVars(j job, number string) map[string]string {
	v := make(map[string]string, len(j.rec.Fields)+6)
	for k, x := range j.rec.Fields {
		v[k] = x
	}
	v["firstName"], v["lastName"], v["phoneNumber"], v["campaign"] = j.rec.FirstName, j.rec.LastName, number, j.c.Name
	return v
}

// message plays a campaign message: a recorded prompt of that name, else the text.
func (e *Engine) message(ctx context.Context, call Call, msg string, j job) error {
	err := call.Play(ctx, msg)
	if errors.Is(err, ErrNoPrompt) {
		digit := j.c.Messages.OptOutDigit
		if digit == "" {
			digit = "9"
		}
		err = call.Say(ctx, flow.Render(msg, map[string]string{"campaign": j.c.Name, "optOutDigit": digit,
			"firstName": j.rec.FirstName, "lastName": j.rec.LastName}))
	}
	return err
}

// safeHarbour plays the identification and opt-out message to a human no agent took;
// the opt-out digit puts the number on the campaign's DNC list.
func (e *Engine) safeHarbour(ctx context.Context, call Call, j job, number string) {
	e.post(evStage{j.key, pacing.Flow})
	msg := j.c.Messages.SafeHarbour
	if msg == "" {
		msg = DefaultSafeHarbour
	}
	if err := e.message(ctx, call, msg, j); err != nil {
		return
	}
	digit := j.c.Messages.OptOutDigit
	if digit == "" {
		digit = "9"
	}
	got, err := call.Gather(ctx, 1, e.cfg.OptOutWait)
	if err != nil || got != digit {
		return
	}
	if err := e.cfg.Service.AddToDNC(ctx, j.c, number, "safe-harbour opt-out"); err != nil && ctx.Err() == nil {
		e.log.Error("opt-out to DNC", "number", number, "err", err)
	}
}

// toAgent asks the loop for an agent of the queue (0: the campaign's) and, when one
// takes the call within the grace, bridges the audio until either side hangs up and
// waits for the agent's disposition. ok is false when no agent came.
//
// readyAt is when the call became ready for an agent (the answer, the AMD decision, or
// the flow's transfer): outdial_answer_to_agent_seconds runs from it to the bridge, so
// it includes any wait for a free agent.
func (e *Engine) toAgent(ctx context.Context, j job, call Call, queueID int64, readyAt time.Time, end *callEnd) (int64, Wrap, bool) {
	reply := make(chan int64, 1)
	e.post(evNeedAgent{key: j.key, queueID: queueID, reply: reply})
	grace := time.NewTimer(max(e.cfg.Grace-time.Since(readyAt), 0)) // the grace runs from the answer
	defer grace.Stop()
	var id int64
	select {
	case id = <-reply:
	case <-grace.C:
	case <-call.Done():
	case <-ctx.Done():
		return 0, Wrap{}, false
	case <-e.quit:
		return 0, Wrap{}, false
	}
	if id == 0 {
		e.post(evWithdraw{j.key})
		select { // the loop answers once: 0, or the agent it gave just before
		case id = <-reply:
		case <-e.quit:
			return 0, Wrap{}, false
		}
	}
	if id == 0 {
		return 0, Wrap{}, false
	}
	if e.cfg.Agents == nil || isEnded(call) {
		return id, Wrap{}, true // the customer left as the agent came: the agent is freed by evEnded
	}
	ac, err := e.cfg.Agents.Connect(ctx, id, j.offer)
	if err != nil {
		e.log.Warn("agent connect", "agent_id", id, "err", err)
		return id, Wrap{Disposition: campaign.DispositionSystemGenerated}, true
	}
	unbridge := media.Bridge(call.Leg(), ac.Leg())
	e.cfg.Metrics.AnswerToAgent.Observe(time.Since(readyAt).Seconds())
	talk := time.Now()
	e.talk(ctx, call, ac)
	unbridge()
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	_ = call.Hangup(hctx)
	cancel()
	ac.Ended()
	e.post(evWrap{id})
	_ = talk
	wrapStart := time.Now()
	wctx, cancel := context.WithTimeout(ctx, e.cfg.WrapTimeout)
	w, err := ac.Disposition(wctx)
	cancel()
	end.wrap = time.Since(wrapStart)
	if err != nil || w.Disposition == "" {
		w.Disposition = campaign.DispositionSystemGenerated
	}
	end.notes = w.Notes
	return id, w, true
}

// talk waits until either side hangs up. While the agent holds the call the customer
// hears hold audio (Call.Hold, stopped on resume); the agent's leg filters the audio
// both ways itself.
func (e *Engine) talk(ctx context.Context, call Call, ac AgentCall) {
	var stopHold func()
	defer func() {
		if stopHold != nil {
			stopHold()
		}
	}()
	for {
		select {
		case <-call.Done():
			return
		case <-ac.HungUp():
			return
		case <-ctx.Done():
			return
		case on := <-ac.Held():
			switch {
			case on && stopHold == nil:
				hctx, cancel := context.WithCancel(ctx)
				done := make(chan struct{})
				go func() {
					defer close(done)
					if err := call.Hold(hctx); err != nil && hctx.Err() == nil && !isEnded(call) {
						e.log.Warn("hold audio", "err", err)
					}
				}()
				stopHold = func() { cancel(); <-done }
			case !on && stopHold != nil:
				stopHold()
				stopHold = nil
			}
		}
	}
}

// flowCall is the flow's view of a live call: the Dialer's call plus transfer to a
// queue and add-to-DNC, which need the engine.
type flowCall struct {
	Call
	e           *Engine
	j           job
	ctx         context.Context
	number      string
	end         *callEnd
	agent       int64
	disposition string
}

var (
	_ flow.Call     = (*flowCall)(nil)
	_ flow.DNCAdder = (*flowCall)(nil)
)

func (f *flowCall) Play(ctx context.Context, prompt string) error {
	err := f.Call.Play(ctx, prompt)
	if errors.Is(err, ErrNoPrompt) { // a missing prompt must not end the flow: say its name's text
		return f.Call.Say(ctx, strings.ReplaceAll(prompt, "_", " "))
	}
	return err
}

// Transfer hands the call to an agent of the named queue.
func (f *flowCall) Transfer(ctx context.Context, queue string) error {
	qs, err := f.e.cfg.Store.ListQueues(ctx)
	if err != nil {
		return err
	}
	var qid int64
	for _, q := range qs {
		if strings.EqualFold(q.Name, queue) {
			qid = q.ID
		}
	}
	if qid == 0 {
		return fmt.Errorf("engine: transfer to queue %q: no such queue; create it or fix the flow", queue)
	}
	id, w, ok := f.e.toAgent(ctx, f.j, f.Call, qid, time.Now(), f.end)
	if !ok {
		f.e.safeHarbour(ctx, f.Call, f.j, f.number)
		return fmt.Errorf("%w in queue %q", ErrNoAgent, queue)
	}
	f.agent, f.disposition = id, w.Disposition
	return nil
}

// AddToDNC puts the called number on the campaign's DNC list.
func (f *flowCall) AddToDNC(ctx context.Context) error {
	return f.e.cfg.Service.AddToDNC(ctx, f.j.c, f.number, "flow "+f.j.c.Name)
}
