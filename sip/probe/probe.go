package probe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/outdial/outdial/media"
	"github.com/outdial/outdial/sip"
)

// ErrInvalidConfig marks a probe configuration that cannot run.
var ErrInvalidConfig = errors.New("probe: invalid config")

// Config says which calls to place.
type Config struct {
	// Trunk receives the calls.
	Trunk sip.Trunk
	// To is the number called; with Count > 1 the call number is appended unless
	// SameNumber is set (+1555010 -> +15550100, +15550101, ...). Default +1555010.
	To         string
	SameNumber bool
	// Count calls are placed (default 1), Concurrency at most at once (default 1), at
	// Rate calls per second at most (0: as fast as concurrency allows).
	Count       int
	Concurrency int
	Rate        float64
	// Duration is how long an answered call is held before we hang up (default 10 s).
	Duration time.Duration
	// MaxRing before we CANCEL (default 30 s).
	MaxRing time.Duration
	// Play, when set, is sent (looped) on every answered call; otherwise silence.
	Play *media.WAV
	// RecordDir, when set, receives one WAV per answered call with what we heard.
	RecordDir string
	// Listen is the local SIP address (default 127.0.0.1:0); RTP ports come from
	// RTPPorts (default 20000-29999) on the same IP.
	Listen   string
	RTPPorts [2]uint16
	// Events writes one JSON line per call event to the output (else only the summary).
	Events bool
	// SIPMetrics and MediaMetrics are optional.
	SIPMetrics   *sip.Metrics
	MediaMetrics *media.Metrics
}

// Summary is the final line: what happened to all calls.
type Summary struct {
	Type           string  `json:"type"` // "summary"
	Attempted      int     `json:"attempted"`
	Answered       int     `json:"answered"`
	Busy           int     `json:"busy"`
	NoAnswer       int     `json:"no_answer"`
	Failed         int     `json:"failed"`
	Rejected       int     `json:"rejected"`
	SetupP50MS     float64 `json:"setup_p50_ms"`
	SetupP95MS     float64 `json:"setup_p95_ms"`
	SetupP99MS     float64 `json:"setup_p99_ms"`
	CPS            float64 `json:"achieved_cps"` // calls started per second over the dialling period (at least 1 s)
	PeakConcurrent int     `json:"peak_concurrent"`
	RTPSent        uint64  `json:"rtp_sent"`
	RTPReceived    uint64  `json:"rtp_received"`
	RTPLost        int64   `json:"rtp_lost"`
	RTPExpected    uint64  `json:"rtp_expected"`
	LossPercent    float64 `json:"rtp_loss_percent"`
	ElapsedSeconds float64 `json:"elapsed_seconds"`
}

// EventLine is one call event as printed.
type EventLine struct {
	Type string `json:"type"` // "event"
	Call int    `json:"call"`
	sip.Event
	RTP *media.Stats `json:"rtp,omitempty"` // on "ended" of calls that had media
}

// Run places the calls, writing JSON lines to out, and returns the summary (also
// printed last). It returns early, with the summary so far, when ctx is done.
func Run(ctx context.Context, cfg Config, out io.Writer) (Summary, error) {
	if err := cfg.defaults(); err != nil {
		return Summary{}, err
	}
	listen, err := netip.ParseAddrPort(cfg.Listen)
	if err != nil {
		return Summary{}, fmt.Errorf("%w: field listen: %q is not ip:port", ErrInvalidConfig, cfg.Listen)
	}
	pool, err := media.NewPortPool(media.PortPoolConfig{IP: listen.Addr(), Min: cfg.RTPPorts[0], Max: cfg.RTPPorts[1]})
	if err != nil {
		return Summary{}, fmt.Errorf("%w: field rtp_ports: %v", ErrInvalidConfig, err)
	}
	client, err := sip.NewClient(sip.Config{Listen: cfg.Listen, Trunks: []sip.Trunk{cfg.Trunk}, OptionsInterval: -1, Metrics: cfg.SIPMetrics})
	if err != nil {
		return Summary{}, err
	}
	defer client.Close()

	r := &runner{cfg: cfg, client: client, pool: pool, pacer: media.NewPacer(0), enc: json.NewEncoder(out)}
	sem := make(chan struct{}, cfg.Concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	var first, last time.Time
	for i := 0; i < cfg.Count; i++ {
		if cfg.Rate > 0 { // pace by absolute schedule so timer slop does not add up
			due := start.Add(time.Duration(float64(i) / cfg.Rate * float64(time.Second)))
			if d := time.Until(due); d > 0 {
				t := time.NewTimer(d)
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
				}
			}
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		now := time.Now()
		if first.IsZero() {
			first = now
		}
		last = now
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			defer func() { <-sem }()
			r.call(ctx, n)
		}(i)
	}
	wg.Wait()
	s := r.summary()
	s.ElapsedSeconds = time.Since(start).Seconds()
	if s.Attempted > 0 { // calls started per second over the dialling period, at least 1 s
		s.CPS = float64(s.Attempted) / max(last.Sub(first).Seconds(), 1)
	}
	r.write(s)
	return s, ctx.Err()
}

func (cfg *Config) defaults() error {
	if err := cfg.Trunk.Validate(); err != nil {
		return err
	}
	if cfg.To == "" {
		cfg.To = "+1555010"
	}
	if cfg.Count <= 0 {
		cfg.Count = 1
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 1
	}
	if cfg.Duration <= 0 {
		cfg.Duration = 10 * time.Second
	}
	if cfg.MaxRing <= 0 {
		cfg.MaxRing = 30 * time.Second
	}
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	if cfg.RTPPorts == [2]uint16{} {
		cfg.RTPPorts = [2]uint16{20000, 29999}
	}
	if cfg.Rate < 0 {
		return fmt.Errorf("%w: field rate: %g is negative", ErrInvalidConfig, cfg.Rate)
	}
	return nil
}

type runner struct {
	cfg    Config
	client *sip.Client
	pool   *media.PortPool
	pacer  *media.Pacer // shared by every call's media session
	mu     sync.Mutex
	enc    *json.Encoder
	res    []sip.Result
	stats  []media.Stats
	active int
	peak   int
}

func (r *runner) write(v any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	_ = r.enc.Encode(v)
}

func (r *runner) call(ctx context.Context, n int) {
	to := r.cfg.To
	if r.cfg.Count > 1 && !r.cfg.SameNumber {
		to += strconv.Itoa(n)
	}
	r.mu.Lock()
	r.active++
	r.peak = max(r.peak, r.active)
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.active--
		r.mu.Unlock()
	}()
	fail := func(reason string) {
		res := sip.Result{Outcome: sip.OutcomeFailed, Reason: reason, Invited: time.Now(), Ended: time.Now()}
		r.mu.Lock()
		r.res = append(r.res, res)
		r.mu.Unlock()
		if r.cfg.Events {
			r.write(EventLine{Type: "event", Call: n, Event: sip.Event{Kind: sip.EventEnded, At: res.Ended, Reason: reason, Result: &res}})
		}
	}
	port, err := r.pool.Allocate()
	if err != nil {
		fail("rtp port: " + err.Error())
		return
	}
	defer port.Close()
	call, err := r.client.Dial(ctx, sip.DialRequest{To: to, RTP: port.Addr(), MaxRing: r.cfg.MaxRing})
	if err != nil {
		fail(err.Error())
		return
	}
	var sess *media.Session
	var rec *media.WAVWriter
	talkCtx, stopTalk := context.WithCancel(context.Background())
	defer stopTalk()
	for ev := range call.Events() {
		line := EventLine{Type: "event", Call: n, Event: ev}
		switch ev.Kind {
		case sip.EventEarlyMedia, sip.EventAnswered:
			if sess == nil {
				sess, err = r.session(port, ev.Media)
				if err != nil {
					go func() { _ = call.Hangup(context.Background()) }()
					break
				}
			} else {
				sess.SetRemote(ev.Media.Addr)
			}
			if ev.Kind == sip.EventAnswered {
				rec = r.startTalk(talkCtx, n, call, sess)
			}
		case sip.EventHold, sip.EventUnhold:
			if sess != nil {
				sess.SetSendPaused(ev.Kind == sip.EventHold)
			}
		case sip.EventEnded:
			stopTalk()
			if sess != nil {
				st := sess.Stats()
				line.RTP = &st
				sess.Close()
				r.mu.Lock()
				r.stats = append(r.stats, st)
				r.mu.Unlock()
			}
			if rec != nil {
				_ = rec.Close()
			}
			r.mu.Lock()
			r.res = append(r.res, *ev.Result)
			r.mu.Unlock()
		}
		if r.cfg.Events {
			r.write(line)
		}
	}
}

func (r *runner) session(port *media.Port, m *sip.Media) (*media.Session, error) {
	codec, err := media.CodecForPayloadType(m.Codec().PayloadType)
	if err != nil {
		codec = media.PCMU
	}
	cfg := media.SessionConfig{Codec: codec, Remote: m.Addr, Metrics: r.cfg.MediaMetrics, Pacer: r.pacer}
	if m.HasDTMF {
		cfg.EventPT = m.DTMF
	}
	return media.NewSession(port.RTP(), cfg)
}

// startTalk plays the prompt (looped) and records, and hangs up after Duration.
func (r *runner) startTalk(ctx context.Context, n int, call *sip.Call, sess *media.Session) *media.WAVWriter {
	var rec *media.WAVWriter
	if r.cfg.RecordDir != "" {
		w, err := media.CreateWAV(filepath.Join(r.cfg.RecordDir, fmt.Sprintf("call-%05d.wav", n)))
		if err == nil {
			rec = w
			sess.OnPCM(w)
		}
	}
	if r.cfg.Play != nil {
		go func() {
			for ctx.Err() == nil {
				if err := sess.Play(ctx, r.cfg.Play.Source()); err != nil {
					return
				}
			}
		}()
	}
	go func() {
		t := time.NewTimer(r.cfg.Duration)
		defer t.Stop()
		select {
		case <-t.C:
			hctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			_ = call.Hangup(hctx)
			cancel()
		case <-ctx.Done():
		}
	}()
	return rec
}

func (r *runner) summary() Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Summary{Type: "summary", Attempted: len(r.res), PeakConcurrent: r.peak}
	var setups []time.Duration
	for _, res := range r.res {
		switch res.Outcome {
		case sip.OutcomeConnected:
			s.Answered++
			setups = append(setups, res.SetupTime())
		case sip.OutcomeBusy:
			s.Busy++
		case sip.OutcomeNoAnswer:
			s.NoAnswer++
		case sip.OutcomeRejected:
			s.Rejected++
		default:
			s.Failed++
		}
	}
	sort.Slice(setups, func(i, j int) bool { return setups[i] < setups[j] })
	s.SetupP50MS, s.SetupP95MS, s.SetupP99MS = pct(setups, 50), pct(setups, 95), pct(setups, 99)
	for _, st := range r.stats {
		s.RTPSent += st.PacketsSent
		s.RTPReceived += st.PacketsReceived
		s.RTPLost += st.Lost
		s.RTPExpected += st.Expected
	}
	if s.RTPExpected > 0 {
		s.LossPercent = 100 * float64(s.RTPLost) / float64(s.RTPExpected)
	}
	return s
}

// pct is the nearest-rank percentile in milliseconds of sorted durations.
func pct(sorted []time.Duration, p int) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := (p*len(sorted)+99)/100 - 1
	i = min(max(i, 0), len(sorted)-1)
	return float64(sorted[i].Microseconds()) / 1000
}
