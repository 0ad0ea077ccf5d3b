package voice

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/outdial/outdial/amd"
	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/campaign/engine"
	"github.com/outdial/outdial/media"
	"github.com/outdial/outdial/sip"
)

// Config configures a Dialer.
type Config struct {
	SIP   *sip.Client
	Ports *media.PortPool
	// Prompts plays recorded prompts and speaks text; nil speaks with ToneSpeech.
	Prompts *Prompts
	// AMD are the detector parameters (zero: the "default" preset); Timeouts, the
	// global Voice Machine Timeouts setting, are applied on top.
	AMD      *amd.Params
	Timeouts amd.Timeouts
	Media    *media.Metrics
	// Metrics counts the detector's reports (NewMetrics); nil counts nothing.
	Metrics *Metrics
	// Pacer paces the 20 ms sends of every call's RTP session; nil gives each session
	// its own goroutine. Share one per process.
	Pacer  *media.Pacer
	Logger *slog.Logger
}

// Dialer places calls for the engine.
type Dialer struct {
	cfg    Config
	params amd.Params
}

var _ engine.Dialer = (*Dialer)(nil)

// New checks cfg and returns a Dialer.
func New(cfg Config) (*Dialer, error) {
	if cfg.SIP == nil || cfg.Ports == nil {
		return nil, fmt.Errorf("%w: SIP and Ports are required", ErrConfig)
	}
	if cfg.Prompts == nil {
		cfg.Prompts = &Prompts{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	var p amd.Params
	if cfg.AMD != nil {
		p = *cfg.AMD
	} else {
		p, _ = amd.Preset(amd.PresetDefault)
	}
	p.FaxDetect, p.SITDetect = true, true
	if err := p.ApplyTimeouts(cfg.Timeouts); err != nil {
		return nil, fmt.Errorf("%w: voice machine timeouts: %v", ErrConfig, err)
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("%w: amd: %v", ErrConfig, err)
	}
	return &Dialer{cfg: cfg, params: p}, nil
}

// Dial places a call: an RTP port and session, then the INVITE.
func (d *Dialer) Dial(ctx context.Context, r engine.DialRequest) (engine.Call, error) {
	port, err := d.cfg.Ports.Allocate()
	if err != nil {
		return nil, err
	}
	sess, err := media.NewSession(port.RTP(), media.SessionConfig{Codec: media.PCMU, Metrics: d.cfg.Media, Pacer: d.cfg.Pacer})
	if err != nil {
		port.Close()
		return nil, err
	}
	c := &Call{d: d, port: port, sess: sess, answered: make(chan struct{}), done: make(chan struct{}),
		digits: make(chan rune, 64), decisions: make(chan amd.Decision, 4)}
	sess.OnDTMF(media.DTMFHandlerFunc(func(dg media.Digit) {
		select {
		case c.digits <- dg.Digit:
		default:
		}
	}))
	sc, err := d.cfg.SIP.Dial(ctx, sip.DialRequest{To: r.Number, CallerID: r.CallerID, Trunks: r.Trunks, MaxRing: r.MaxRing,
		RTP: port.Addr(), Headers: map[string]string{"X-Attempt-ID": fmt.Sprint(r.AttemptID)}})
	if err != nil {
		c.free()
		return nil, err
	}
	c.sc = sc
	c.amdOn, c.messageEnd = r.AMD, r.MessageEnd
	go c.watch()
	return c, nil
}

// Call is one call placed by a Dialer.
type Call struct {
	d          *Dialer
	sc         *sip.Call
	port       *media.Port
	sess       *media.Session
	answered   chan struct{}
	done       chan struct{}
	digits     chan rune
	decisions  chan amd.Decision
	amdOn      bool
	messageEnd bool
	once       sync.Once
	// earlySIT is the special information tone heard on early media, if any: the call
	// was cancelled and ends as SIT/Invalid Number.
	earlySIT atomic.Pointer[amd.ToneEvent]
	// Owned by Classify/MessageEnd (one caller at a time).
	ended  bool      // MACHINE_END already seen
	listen *listener // the detector's feed, set by Classify
}

var _ engine.Call = (*Call)(nil)

// watch follows the SIP events: media address, answer, hold, end.
func (c *Call) watch() {
	answered, early := false, false
	for ev := range c.sc.Events() {
		switch ev.Kind {
		case sip.EventEarlyMedia, sip.EventAnswered:
			if ev.Media != nil {
				c.setMedia(*ev.Media)
			}
			if ev.Kind == sip.EventEarlyMedia && !early && !answered {
				early = true
				c.listenEarly()
			}
			if ev.Kind == sip.EventAnswered && !answered {
				answered = true
				close(c.answered)
			}
		case sip.EventHold:
			c.sess.SetSendPaused(true)
		case sip.EventUnhold:
			c.sess.SetSendPaused(false)
		}
	}
	<-c.sc.Done()
	close(c.done)
}

// listenEarly listens to early media for the special information tones that precede a
// network announcement ("the number you have dialed is not in service"): such a call
// is cancelled at once and ends as SIT/Invalid Number, so the list can be cleaned,
// rather than ringing out as a No Answer to be retried. Classify replaces the handler
// once the call is answered.
func (c *Call) listenEarly() {
	td, err := amd.NewToneDetector(c.d.params)
	if err != nil {
		return
	}
	c.sess.OnPCM(media.PCMHandlerFunc(func(frame []int16) {
		ev, ok := td.Feed(frame)
		if !ok || ev.Kind != amd.ToneSIT || !c.earlySIT.CompareAndSwap(nil, &ev) {
			return
		}
		c.d.cfg.Metrics.observe(amd.Decision{Result: amd.SIT, Cause: amd.CauseTone, At: ev.End, Tone: ev})
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = c.sc.Hangup(ctx) // CANCEL while ringing
		}()
	}))
}

func (c *Call) setMedia(m sip.Media) {
	if codec, err := media.CodecForPayloadType(m.Codec().PayloadType); err == nil {
		_ = c.sess.SetCodec(codec)
	}
	if m.HasDTMF {
		_ = c.sess.SetEventPT(m.DTMF)
	}
	c.sess.SetRemote(m.Addr)
}

// Wait blocks until the answer or the end.
func (c *Call) Wait(ctx context.Context) (engine.Answer, error) {
	sit := func() (engine.Answer, bool) {
		if ev := c.earlySIT.Load(); ev != nil {
			return engine.Answer{Outcome: campaign.OutcomeInvalidNumber, Reason: "SIT on early media: " + ev.String()}, true
		}
		return engine.Answer{}, false
	}
	select {
	case <-c.answered:
		if a, ok := sit(); ok { // a 200 that crossed our CANCEL
			return a, nil
		}
		return engine.Answer{Answered: true}, nil
	case <-c.done:
		if a, ok := sit(); ok {
			return a, nil
		}
		select {
		case <-c.answered:
			return engine.Answer{Answered: true}, nil
		default:
		}
		res := c.sc.Result()
		return engine.Answer{Outcome: Outcome(res), Reason: fmt.Sprintf("%d %s", res.Code, res.Reason)}, nil
	case <-ctx.Done():
		select {
		case <-c.answered: // an answer that came with the cancel wins: it is a live call
			return engine.Answer{Answered: true}, nil
		default:
		}
		return engine.Answer{}, ctx.Err()
	}
}

// Outcome maps a SIP result to a campaign outcome.
func Outcome(r sip.Result) string {
	switch r.Outcome {
	case sip.OutcomeConnected:
		return campaign.OutcomeConnected
	case sip.OutcomeBusy:
		return campaign.OutcomeBusy
	case sip.OutcomeNoAnswer:
		return campaign.OutcomeNoAnswer
	}
	switch r.Code {
	case 404, 410, 484, 604:
		return campaign.OutcomeInvalidNumber
	}
	return campaign.OutcomeFailed
}

// listenTick is how often Classify and MessageEnd bring the detector's clock up to
// the wall clock.
const listenTick = 20 * time.Millisecond

// Classify feeds the answered audio to a detector until it classifies the call.
func (c *Call) Classify(ctx context.Context) (engine.Class, error) {
	p := c.d.params
	p.DetectMessageEnd = c.messageEnd
	det, err := amd.New(p)
	if err != nil {
		return engine.ClassUnsure, err
	}
	c.listen = newListener(det, time.Now(), c.decisions)
	c.sess.OnPCM(c.listen)
	// The listener keeps the detector's time with the wall clock; the limit is the
	// last guard should even that stall.
	limit := time.NewTimer(time.Duration(p.TotalAnalysisTime)*time.Millisecond + 2*time.Second)
	defer limit.Stop()
	tick := time.NewTicker(listenTick)
	defer tick.Stop()
	for {
		select {
		case now := <-tick.C:
			c.listen.catchUp(now)
		case dec := <-c.decisions:
			c.d.cfg.Metrics.observe(dec)
			if !c.messageEnd {
				c.sess.OnPCM(nil)
			}
			switch dec.Result {
			case amd.Human:
				c.sess.OnPCM(nil)
				return engine.ClassHuman, nil
			case amd.Machine:
				return engine.ClassMachine, nil
			case amd.MachineEnd:
				c.ended = true
				return engine.ClassMachine, nil
			case amd.Fax:
				return engine.ClassFax, nil
			case amd.SIT:
				return engine.ClassSIT, nil
			}
			c.sess.OnPCM(nil)
			return engine.ClassUnsure, nil
		case <-limit.C:
			c.sess.OnPCM(nil)
			c.d.cfg.Metrics.observe(amd.Decision{})
			return engine.ClassUnsure, nil
		case <-c.done:
			return engine.ClassUnsure, sip.ErrCallEnded
		case <-ctx.Done():
			return engine.ClassUnsure, ctx.Err()
		}
	}
}

// MessageEnd waits for the detector's MACHINE_END (beep, silence or tone timeout).
func (c *Call) MessageEnd(ctx context.Context) error {
	defer c.sess.OnPCM(nil)
	if c.ended {
		return nil
	}
	limit := time.NewTimer(time.Duration(c.d.params.ToneTimeout)*time.Millisecond + 2*time.Second)
	defer limit.Stop()
	tick := time.NewTicker(listenTick)
	defer tick.Stop()
	for {
		select {
		case now := <-tick.C:
			if c.listen != nil {
				c.listen.catchUp(now)
			}
		case dec := <-c.decisions:
			c.d.cfg.Metrics.observe(dec)
			if dec.Result == amd.MachineEnd {
				c.ended = true
				return nil
			}
		case <-limit.C:
			return nil // as the tone timeout would: leave the message anyway
		case <-c.done:
			return sip.ErrCallEnded
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// live returns a context that also ends with the call.
func (c *Call) live(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(c.sc.Context(), cancel)
	return ctx, func() { stop(); cancel() }
}

// Play plays a recorded prompt.
func (c *Call) Play(ctx context.Context, prompt string) error {
	w, err := c.d.cfg.Prompts.Prompt(prompt)
	if err != nil {
		return err
	}
	return c.play(ctx, w)
}

// Say speaks text.
func (c *Call) Say(ctx context.Context, text string) error {
	w, err := c.d.cfg.Prompts.Say(ctx, text)
	if err != nil {
		return err
	}
	return c.play(ctx, w)
}

func (c *Call) play(ctx context.Context, w *media.WAV) error {
	ctx, cancel := c.live(ctx)
	defer cancel()
	err := c.sess.Play(ctx, w.Source())
	if err != nil && c.sc.Context().Err() != nil {
		return sip.ErrCallEnded
	}
	return err
}

// Gather reads up to max digits (a '#' ends early) within timeout; digits pressed since
// the answer count.
func (c *Call) Gather(ctx context.Context, max int, timeout time.Duration) (string, error) {
	if max <= 0 {
		max = 1
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	var got []rune
	for len(got) < max {
		select {
		case d := <-c.digits:
			if d == '#' {
				return string(got), nil
			}
			got = append(got, d)
		case <-t.C:
			return string(got), nil
		case <-c.done:
			return string(got), sip.ErrCallEnded
		case <-ctx.Done():
			return string(got), ctx.Err()
		}
	}
	return string(got), nil
}

// Leg is the customer's audio.
func (c *Call) Leg() media.Endpoint { return c.sess }

// Done is closed when the call has ended.
func (c *Call) Done() <-chan struct{} { return c.done }

// CallID is the SIP Call-ID.
func (c *Call) CallID() string { return c.sc.Result().CallID }

// Hangup ends the call (CANCEL or BYE) and frees its media.
func (c *Call) Hangup(ctx context.Context) error {
	err := c.sc.Hangup(ctx)
	c.free()
	return err
}

func (c *Call) free() {
	c.once.Do(func() {
		c.sess.Close()
		c.port.Close()
	})
}
