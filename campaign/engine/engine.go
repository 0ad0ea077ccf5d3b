package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/flow"
	"github.com/outdial/outdial/pacing"
	"github.com/outdial/outdial/store"
)

// Config configures an Engine.
type Config struct {
	// Node names this engine in leases and attempts; one name per running node.
	Node    string
	Service *campaign.Service
	Store   Store
	Dialer  Dialer
	// Agents is the console hub; nil serves agentless campaigns only.
	Agents  Agents
	Clock   Clock
	Metrics *Metrics
	Logger  *slog.Logger
	// Tick is how often pacing is asked for orders besides events (default 100 ms).
	Tick time.Duration
	// Refresh is how often running campaigns and settings are reloaded (default 1 s).
	Refresh time.Duration
	// Scheduler is how often campaign.Service.Tick runs (schedules, completion);
	// default 2 s, negative: never (another node or test runs it).
	Scheduler time.Duration
	// LeaseTTL is how long leased records stay this node's, in Clock time (default 5 min).
	LeaseTTL time.Duration
	// Hopper is how many ready records are kept per instance beyond what pacing asks
	// for (default 20).
	Hopper int
	// Grace is how long an answered human waits for an agent before the safe-harbour
	// message (default pacing.DefaultGrace, 2 s).
	Grace time.Duration
	// WrapTimeout bounds the wait for an agent's disposition after a call (default 2 min).
	WrapTimeout time.Duration
	// OptOutWait is how long the safe-harbour message waits for the opt-out digit
	// (default 5 s).
	OptOutWait time.Duration
	// Caps are the node's trunk channel and CPS limits (zero: unlimited; the sip
	// client enforces per-trunk limits anyway). TrunkCaps derives them from the sip
	// client's trunks.
	Caps pacing.Caps
	// LocalRetry is how long new dials wait after one was refused for lack of a local
	// resource (RTP port, trunk channel); a call of this node ending lifts the wait
	// early, as it frees one. Default 1 s.
	LocalRetry time.Duration
	// Pacing tunes the pacer.
	Pacing pacing.Config
	// Pacer replaces the pacer built from Pacing (tests script one); nil means
	// pacing.New(Pacing).
	Pacer Pacer
}

// Pacer decides dial orders, preview offers and late-call hangups from snapshots.
type Pacer interface {
	Decide(s *pacing.Snapshot) (pacing.Decision, error)
}

var _ Pacer = (*pacing.Pacer)(nil)

// Engine is the dialing engine of one node. Build it with New, run it with Run.
type Engine struct {
	cfg  Config
	log  *slog.Logger
	ev   chan any
	quit chan struct{} // closed when the loop stops reading events
	done chan struct{} // closed when Run has returned
	wg   sync.WaitGroup

	// Everything below is owned by the Run goroutine.
	pacer     Pacer
	camps     map[int64]*camp
	agents    map[int64]*agent
	calls     map[uint64]*call
	waiting   []uint64
	previews  map[int64]*preview // by agent
	settings  campaign.Settings
	nextKey   uint64
	draining  bool
	lastLoad  time.Time
	lastTick  time.Time
	lastRenew time.Time // Clock time
	lastBeat  time.Time // last heartbeat written (store.NodeAlive), engine clock
	snap      pacing.Snapshot
	snapCalls []*call // the call behind each snap.Calls entry
	snapBuf   tickBuffers
	// elsewhere is the number of live agentless calls of the other nodes, read with
	// every load: the pacer aims at what is left of Max Concurrent Calls, so this node
	// does not order dials the store would refuse (BeginAttempt still holds the cap).
	elsewhere int
	// shortUntil holds new dials after a local shortage refused one (wall time).
	shortUntil time.Time
}

// tickBuffers are decide's working sets, kept from tick to tick.
type tickBuffers struct {
	camps   []*camp
	agents  []*agent
	byQueue map[int64][]int // queue -> snapshot indexes of the agent campaigns on it
}

type camp struct {
	c        campaign.Campaign
	snap     int // index in the last snapshot, -1 when not in it
	flow     *flow.Flow
	callerID string
	trunks   []string
	hopper   []store.CallRecord
	active   bool
	ledger   *pacing.Ledger
	est      *pacing.Estimator
	inFlight int
	leaseErr time.Time
}

type call struct {
	key      uint64
	camp     *camp
	rec      store.CallRecord
	stage    pacing.Stage
	since    time.Time
	reserved int64 // agent reserved for it, 0 none
	agent    int64 // agent connected, 0 none
	reply    chan int64
	// cut asks the call goroutine to hang up while still ringing (see ringCut).
	cut chan struct{}
}

type agent struct {
	snap      int   // index in the last snapshot
	serves    []int // the snapshot campaigns it serves (reused each tick)
	info      AgentInfo
	state     AgentState
	since     time.Time
	reserved  map[uint64]bool
	wantPause bool
}

type preview struct {
	camp *camp
	rec  store.CallRecord
}

// New checks cfg and returns an engine.
func New(cfg Config) (*Engine, error) {
	switch {
	case cfg.Node == "":
		return nil, fmt.Errorf("%w: Node is empty; name the node (e.g. the host name)", ErrConfig)
	case cfg.Service == nil || cfg.Store == nil || cfg.Dialer == nil:
		return nil, fmt.Errorf("%w: Service, Store and Dialer are required", ErrConfig)
	}
	if cfg.Clock == nil {
		cfg.Clock = SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(nil)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&cfg.Tick, 100*time.Millisecond)
	def(&cfg.Refresh, time.Second)
	def(&cfg.Scheduler, 2*time.Second)
	def(&cfg.LeaseTTL, 5*time.Minute)
	def(&cfg.Grace, pacing.DefaultGrace)
	def(&cfg.WrapTimeout, 2*time.Minute)
	def(&cfg.OptOutWait, 5*time.Second)
	def(&cfg.LocalRetry, time.Second)
	if cfg.Hopper <= 0 {
		cfg.Hopper = 20
	}
	pacer := cfg.Pacer
	if pacer == nil {
		pacer = pacing.New(cfg.Pacing)
	}
	return &Engine{cfg: cfg, log: cfg.Logger.With("node", cfg.Node), ev: make(chan any, 4096),
		quit: make(chan struct{}), done: make(chan struct{}),
		pacer: pacer, camps: map[int64]*camp{}, agents: map[int64]*agent{},
		calls: map[uint64]*call{}, previews: map[int64]*preview{}}, nil
}

// Events sent to the loop.
type (
	evAgentOnline struct{ info AgentInfo }
	evAgentReady  struct {
		id    int64
		ready bool
	}
	evAgentOffline struct{ id int64 }
	evPreview      struct {
		agent, record int64
		dial          bool
	}
	evStage struct {
		key   uint64
		stage pacing.Stage
	}
	evNeedAgent struct {
		key     uint64
		queueID int64
		reply   chan int64
	}
	evWithdraw struct{ key uint64 }
	evWrap     struct{ agent int64 }
	evEnded    struct {
		key uint64
		end callEnd
	}
	evDrain struct{}
)

// post hands an event to the loop; it is dropped once the loop has stopped.
func (e *Engine) post(ev any) {
	select {
	case e.ev <- ev:
	case <-e.quit:
	}
}

// AgentOnline tells the engine an agent logged in (state Paused until AgentReady).
func (e *Engine) AgentOnline(info AgentInfo) { e.post(evAgentOnline{info}) }

// AgentReady makes an agent Available (true) or Paused (false); a pause asked during a
// call takes effect after it.
func (e *Engine) AgentReady(id int64, ready bool) { e.post(evAgentReady{id, ready}) }

// AgentOffline removes an agent from routing.
func (e *Engine) AgentOffline(id int64) { e.post(evAgentOffline{id}) }

// PreviewAnswer is an agent's answer to a preview offer: dial the record, or skip it.
func (e *Engine) PreviewAnswer(agentID, recordID int64, dial bool) {
	e.post(evPreview{agentID, recordID, dial})
}

// Drain stops new dials and waits until the calls in progress have finished and Run has
// returned, or ctx ends.
func (e *Engine) Drain(ctx context.Context) error {
	e.post(evDrain{})
	select {
	case <-e.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Done is closed when Run has returned.
func (e *Engine) Done() <-chan struct{} { return e.done }

// Run closes the attempts this node left in flight (as Unknown) and then dials until
// ctx ends (abruptly: calls are hung up and nothing more is written, as in a crash) or
// Drain is called (gracefully).
func (e *Engine) Run(ctx context.Context) error {
	defer close(e.done)
	n, err := e.cfg.Service.CloseInFlightAsUnknown(ctx, e.cfg.Node)
	if err != nil {
		e.log.Error("closing in-flight attempts", "err", err)
	}
	if n > 0 {
		e.log.Warn("closed attempts left in flight by a previous run as Unknown", "count", n)
	}
	t := time.NewTicker(e.cfg.Tick)
	defer t.Stop()
	defer func() {
		close(e.quit)
		e.wg.Wait()
	}()
	e.heartbeat(ctx)
	e.load(ctx)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev := <-e.ev:
			e.handle(ctx, ev)
		case <-t.C:
			e.tick(ctx)
		}
		if e.draining && len(e.calls) == 0 {
			e.releaseAll(ctx)
			return nil
		}
	}
}

func (e *Engine) tick(ctx context.Context) {
	now := time.Now()
	if now.Sub(e.lastLoad) >= e.cfg.Refresh {
		e.load(ctx)
	}
	if e.cfg.Scheduler > 0 && now.Sub(e.lastTick) >= e.cfg.Scheduler {
		e.lastTick = now
		rep := e.cfg.Service.Tick(ctx, e.cfg.Clock.Now())
		for _, msg := range rep.Errors {
			e.log.Warn("scheduler", "err", msg)
		}
		if len(rep.Started)+len(rep.Completed) > 0 {
			e.load(ctx)
		}
	}
	e.heartbeat(ctx)
	e.renew(ctx)
	e.refill(ctx)
	e.decide(ctx)
}

// heartbeat tells the store this node is alive for a lease TTL, every third of it:
// the node's live agentless calls count against the account's Max Concurrent Calls on
// every node while it is, and stop counting a TTL after it dies.
func (e *Engine) heartbeat(ctx context.Context) {
	now := e.cfg.Clock.Now()
	if !e.lastBeat.IsZero() && now.Sub(e.lastBeat) < e.cfg.LeaseTTL/3 {
		return
	}
	if err := e.cfg.Store.NodeAlive(ctx, e.cfg.Node, now.Add(e.cfg.LeaseTTL)); err != nil {
		e.log.Warn("writing the node heartbeat", "err", err)
		return // tried again on the next tick
	}
	e.lastBeat = now
}

// renew extends the leases of the records this node holds and has not dialed yet
// (hoppers and preview offers) every third of the lease TTL, so that a record waiting
// for a free agent or an agent's decision stays this node's; a record whose lease is
// lost anyway (the store was unreachable for a TTL) leaves the hopper.
func (e *Engine) renew(ctx context.Context) {
	now := e.cfg.Clock.Now()
	if now.Sub(e.lastRenew) < e.cfg.LeaseTTL/3 {
		return
	}
	var ids []int64
	for _, cp := range e.camps {
		for _, r := range cp.hopper {
			ids = append(ids, r.ID)
		}
	}
	for _, p := range e.previews {
		ids = append(ids, p.rec.ID)
	}
	if len(ids) == 0 {
		e.lastRenew = now
		return
	}
	got, err := e.cfg.Store.RenewLeases(ctx, e.cfg.Node, ids, now.Add(e.cfg.LeaseTTL))
	if err != nil {
		e.log.Warn("renewing leases", "records", len(ids), "err", err)
		return // tried again on the next tick
	}
	e.lastRenew = now
	if len(got) == len(ids) {
		return
	}
	kept := make(map[int64]bool, len(got))
	for _, id := range got {
		kept[id] = true
	}
	lost := 0
	for _, cp := range e.camps {
		n := len(cp.hopper)
		cp.hopper = slices.DeleteFunc(cp.hopper, func(r store.CallRecord) bool { return !kept[r.ID] })
		lost += n - len(cp.hopper)
	}
	for id, p := range e.previews {
		if !kept[p.rec.ID] {
			lost++
			delete(e.previews, id)
			if a := e.agents[id]; a != nil && a.state == AgentSystemBusy && len(a.reserved) == 0 {
				e.agentFree(a) // its offer is withdrawn: a dial of it is ignored
			}
		}
	}
	e.log.Warn("leases lost; records dropped from the hopper", "count", lost)
}

// holds reports whether the record is already in a hopper, offered or in a call.
func (e *Engine) holds(id int64) bool {
	for _, cp := range e.camps {
		for _, r := range cp.hopper {
			if r.ID == id {
				return true
			}
		}
	}
	for _, p := range e.previews {
		if p.rec.ID == id {
			return true
		}
	}
	for _, c := range e.calls {
		if c.rec.ID == id {
			return true
		}
	}
	return false
}

// loadElsewhere reads how many agentless calls the other nodes have live, when this
// node runs an agentless campaign under a Max Concurrent Calls setting.
func (e *Engine) loadElsewhere(ctx context.Context) {
	need := false
	for _, cp := range e.camps {
		need = need || (cp.active && !cp.c.Dialing.Mode.AgentMode())
	}
	if !need || e.settings.MaxConcurrentCalls <= 0 {
		e.elsewhere = 0
		return
	}
	n, err := e.cfg.Store.LiveAgentlessElsewhere(ctx, e.cfg.Node, e.cfg.Clock.Now())
	if err != nil {
		e.log.Warn("counting other nodes' agentless calls", "err", err)
		return // keep the last count; BeginAttempt holds the cap anyway
	}
	e.elsewhere = n
}

// load reloads the running campaigns and the settings.
func (e *Engine) load(ctx context.Context) {
	e.lastLoad = time.Now()
	if set, err := e.cfg.Service.Settings(ctx); err == nil {
		e.settings = set
	} else {
		e.log.Warn("settings", "err", err)
	}
	list, err := e.cfg.Service.List(ctx, store.CampaignFilter{Statuses: []store.CampaignStatus{store.CampaignActive, store.CampaignRerun}})
	if err != nil {
		e.log.Warn("loading campaigns", "err", err)
		return
	}
	seen := map[int64]bool{}
	for _, c := range list {
		if c.InstanceID == nil {
			continue
		}
		seen[c.ID] = true
		cp := e.camps[c.ID]
		if cp != nil && cp.c.InstanceID != nil && *cp.c.InstanceID != *c.InstanceID {
			e.release(ctx, cp) // a new run: the old hopper belongs to an ended instance
		}
		if cp == nil {
			ring := time.Duration(c.Outreach.MaxRingSeconds) * time.Second
			if ring <= 0 {
				ring = campaign.DefaultRingSecond * time.Second
			}
			cp = &camp{snap: -1, est: pacing.NewEstimator(pacing.LognormalMeanCV(8, 0.5), pacing.LognormalMeanCV(60, 1), ring)}
			loc, _ := time.LoadLocation(c.Outreach.Timings.TimeZone)
			cp.ledger = pacing.NewLedger(loc)
			e.camps[c.ID] = cp
		}
		cp.c = c
		if err := e.resolve(ctx, cp); err != nil {
			if cp.active {
				e.log.Error("campaign cannot dial", "campaign_id", c.ID, "err", err)
			}
			cp.active = false
			e.release(ctx, cp)
			continue
		}
		cp.active = !e.draining
	}
	e.loadElsewhere(ctx)
	for id, cp := range e.camps {
		if !seen[id] {
			cp.active = false
			e.release(ctx, cp)
			if cp.inFlight == 0 {
				delete(e.camps, id)
			}
		}
	}
}

// resolve finds what dialing a campaign needs: caller ID, trunk, flow.
func (e *Engine) resolve(ctx context.Context, cp *camp) error {
	c := cp.c
	if c.Outreach.CallerID == nil {
		return fmt.Errorf("no caller ID")
	}
	pn, err := e.cfg.Store.PhoneNumberByID(ctx, *c.Outreach.CallerID)
	if err != nil {
		return fmt.Errorf("caller ID %d: %w", *c.Outreach.CallerID, err)
	}
	cp.callerID, cp.trunks = pn.Number, nil
	if pn.TrunkID != nil {
		if t, err := e.cfg.Store.TrunkByID(ctx, *pn.TrunkID); err == nil {
			cp.trunks = []string{t.Name}
		}
	}
	if !c.Dialing.Mode.AgentMode() {
		if c.Dialing.FlowID == nil {
			return fmt.Errorf("no start flow")
		}
		sf, err := e.cfg.Store.FlowByID(ctx, *c.Dialing.FlowID)
		if err != nil {
			return fmt.Errorf("flow %d: %w", *c.Dialing.FlowID, err)
		}
		if cp.flow, err = flow.Parse(sf.Document); err != nil {
			return fmt.Errorf("flow %d: %w", *c.Dialing.FlowID, err)
		}
	}
	return nil
}

// refill leases records into the hoppers of active campaigns.
func (e *Engine) refill(ctx context.Context) {
	now := e.cfg.Clock.Now()
	for _, cp := range e.camps {
		if !cp.active || len(cp.hopper) >= e.cfg.Hopper/2 || time.Since(cp.leaseErr) < time.Second {
			continue
		}
		want := e.cfg.Hopper + e.need(cp) - len(cp.hopper)
		recs, err := e.cfg.Store.LeaseRecords(ctx, store.LeaseRequest{InstanceID: *cp.c.InstanceID, Node: e.cfg.Node, Limit: want, Now: now, TTL: e.cfg.LeaseTTL})
		if err != nil {
			cp.leaseErr = time.Now()
			e.log.Warn("leasing records", "campaign_id", cp.c.ID, "err", err)
			continue
		}
		for _, rec := range recs {
			// An expired lease of a record still held here comes back from the store:
			// never hold one record twice.
			if !e.holds(rec.ID) {
				cp.hopper = append(cp.hopper, rec)
			}
		}
	}
}

// need estimates the records a campaign may dial at once.
func (e *Engine) need(cp *camp) int {
	if cp.c.Dialing.Mode.AgentMode() {
		n := 0
		for _, a := range e.agents {
			if slices.Contains(a.info.Queues, queueOf(cp)) {
				n++
			}
		}
		return n * 3
	}
	return max(e.settings.MaxConcurrentCalls, 1)
}

func queueOf(cp *camp) int64 {
	if cp.c.Dialing.QueueID == nil {
		return 0
	}
	return *cp.c.Dialing.QueueID
}

// release gives a campaign's hopper back to the store.
func (e *Engine) release(ctx context.Context, cp *camp) {
	for _, r := range cp.hopper {
		e.releaseRecord(ctx, r)
	}
	cp.hopper = nil
	for id, p := range e.previews {
		if p.camp == cp {
			delete(e.previews, id)
			e.releaseRecord(ctx, p.rec)
			if a := e.agents[id]; a != nil && a.state == AgentSystemBusy {
				e.setAgent(a, AgentAvailable)
			}
		}
	}
}

func (e *Engine) releaseRecord(ctx context.Context, r store.CallRecord) {
	err := e.cfg.Store.ReleaseRecord(ctx, store.RecordRelease{RecordID: r.ID, Node: e.cfg.Node, NextAttemptAt: r.NextAttemptAt})
	if err != nil && !errors.Is(err, store.ErrConflict) {
		e.log.Warn("releasing record", "record_id", r.ID, "err", err)
	}
}

func (e *Engine) releaseAll(ctx context.Context) {
	for _, cp := range e.camps {
		e.release(ctx, cp)
	}
}

func (e *Engine) handle(ctx context.Context, ev any) {
	switch ev := ev.(type) {
	case evAgentOnline:
		a := e.agents[ev.info.ID]
		if a == nil {
			a = &agent{state: AgentPaused, since: time.Now(), reserved: map[uint64]bool{}}
			e.agents[ev.info.ID] = a
		}
		a.info = ev.info
		e.setAgent(a, a.state)
	case evAgentReady:
		a := e.agents[ev.id]
		if a == nil {
			return
		}
		a.wantPause = !ev.ready
		switch {
		case a.state == AgentPaused && ev.ready:
			e.setAgent(a, AgentAvailable)
		case a.state == AgentAvailable && !ev.ready:
			e.setAgent(a, AgentPaused)
		}
		e.decide(ctx)
	case evAgentOffline:
		if a := e.agents[ev.id]; a != nil {
			for k := range a.reserved {
				if c := e.calls[k]; c != nil && c.reserved == ev.id {
					c.reserved = 0
				}
			}
			if p := e.previews[ev.id]; p != nil {
				delete(e.previews, ev.id)
				p.camp.hopper = append(p.camp.hopper, p.rec)
			}
			delete(e.agents, ev.id)
			e.countAgents()
		}
	case evPreview:
		e.previewAnswer(ctx, ev)
	case evStage:
		if c := e.calls[ev.key]; c != nil {
			c.stage, c.since = ev.stage, time.Now()
		}
	case evNeedAgent:
		c := e.calls[ev.key]
		if c == nil {
			ev.reply <- 0
			return
		}
		c.stage, c.since, c.reply = pacing.Waiting, time.Now(), ev.reply
		if ev.queueID != 0 && ev.queueID != queueOf(c.camp) {
			c.reserved = 0 // a flow transferring to another queue
		}
		if !e.route(c, ev.queueID) {
			e.waiting = append(e.waiting, c.key)
		}
	case evWithdraw:
		if c := e.calls[ev.key]; c != nil && c.reply != nil {
			e.waiting = slices.DeleteFunc(e.waiting, func(k uint64) bool { return k == ev.key })
			c.reply <- 0
			c.reply = nil
			c.stage = pacing.Flow
		}
	case evWrap:
		if a := e.agents[ev.agent]; a != nil && a.state == AgentBusy {
			e.setAgent(a, AgentWrapUp)
		}
	case evEnded:
		e.ended(ctx, ev.key, ev.end)
		e.decide(ctx)
	case evDrain:
		e.draining = true
		for _, cp := range e.camps {
			cp.active = false
		}
		e.releaseAll(ctx)
	}
}

// route gives a waiting call an agent: the one reserved for it, else the longest
// available agent of the queue. It reports whether it did.
func (e *Engine) route(c *call, queueID int64) bool {
	if queueID == 0 {
		queueID = queueOf(c.camp)
	}
	if a := e.agents[c.reserved]; a != nil && a.state == AgentSystemBusy && a.reserved[c.key] {
		e.connect(c, a)
		return true
	}
	var best *agent
	for _, a := range e.agents {
		if a.state == AgentAvailable && slices.Contains(a.info.Queues, queueID) && (best == nil || a.since.Before(best.since)) {
			best = a
		}
	}
	if best == nil {
		best = e.reservedIdle(queueID)
	}
	if best == nil {
		return false
	}
	e.connect(c, best)
	return true
}

// reservedIdle returns the agent of the queue, reserved the longest, whose reserved
// calls are all still ringing: a person who has answered must not wait for an agent
// kept for calls that may never answer (power and progressive: most do not). Those
// calls lose the reservation and, should they answer, take the next free agent.
func (e *Engine) reservedIdle(queueID int64) *agent {
	var best *agent
	for _, a := range e.agents {
		if a.state != AgentSystemBusy || len(a.reserved) == 0 || e.previews[a.info.ID] != nil || !slices.Contains(a.info.Queues, queueID) {
			continue
		}
		idle := true
		for k := range a.reserved {
			if o := e.calls[k]; o != nil && o.stage != pacing.Ringing {
				idle = false
				break
			}
		}
		if idle && (best == nil || a.since.Before(best.since)) {
			best = a
		}
	}
	return best
}

func (e *Engine) connect(c *call, a *agent) {
	for k := range a.reserved { // the other calls of a power reservation lose it
		if o := e.calls[k]; o != nil && o.reserved == a.info.ID {
			o.reserved = 0
		}
	}
	clear(a.reserved)
	c.agent = a.info.ID
	e.setAgent(a, AgentBusy)
	c.reply <- a.info.ID
	c.reply = nil
}

// agentFree is called when an agent's reservation or call is over.
func (e *Engine) agentFree(a *agent) {
	if a.wantPause {
		e.setAgent(a, AgentPaused)
		return
	}
	e.setAgent(a, AgentAvailable)
	e.serveWaiting()
}

// serveWaiting routes waiting calls to agents who became free.
func (e *Engine) serveWaiting() {
	e.waiting = slices.DeleteFunc(e.waiting, func(k uint64) bool {
		c := e.calls[k]
		return c == nil || c.reply == nil || e.route(c, 0)
	})
}

func (e *Engine) setAgent(a *agent, s AgentState) {
	if a.state != s {
		a.since = time.Now()
	}
	a.state = s
	if e.cfg.Agents != nil {
		e.cfg.Agents.State(a.info.ID, s)
	}
	e.countAgents()
}

func (e *Engine) countAgents() {
	counts := map[AgentState]int{}
	for _, a := range e.agents {
		counts[a.state]++
	}
	for _, s := range AgentStates() {
		e.cfg.Metrics.Agents.WithLabelValues(string(s)).Set(float64(counts[s]))
	}
}

// ended books a finished call.
func (e *Engine) ended(ctx context.Context, key uint64, end callEnd) {
	c := e.calls[key]
	if c == nil {
		return
	}
	delete(e.calls, key)
	e.cfg.Metrics.InFlight.Set(float64(len(e.calls)))
	cp := c.camp
	cp.inFlight--
	if end.outcome != "" {
		e.cfg.Metrics.Dials.WithLabelValues(cp.c.Name, end.outcome).Inc()
	}
	if end.dialed {
		switch {
		case end.human:
			cp.est.Outcome(pacing.Human, end.ring)
		case end.outcome == campaign.OutcomeMachine:
			cp.est.Outcome(pacing.Machine, end.ring)
		case end.outcome == campaign.OutcomeBusy || end.outcome == campaign.OutcomeFailed || end.outcome == campaign.OutcomeInvalidNumber:
			cp.est.Outcome(pacing.Busy, end.ring)
		case end.cut:
			cp.est.Cut(end.ring)
			e.cfg.Metrics.RingCuts.WithLabelValues(cp.c.Name).Inc()
		case end.outcome == campaign.OutcomeNoAnswer:
			cp.est.Outcome(pacing.NoAnswer, end.ring)
		}
		if end.detect > 0 {
			cp.est.Detect(end.detect)
		}
		if end.talk > 0 {
			cp.est.Talk(end.talk)
		}
	}
	if end.human && cp.c.Dialing.Mode.AgentMode() {
		now := e.cfg.Clock.Now()
		cp.ledger.Live(now)
		if end.outcome == campaign.OutcomeAbandoned {
			cp.ledger.Abandon(now)
		}
		var st pacing.Stats
		cp.ledger.Fill(now, &st)
		if st.Day.LiveAnswers > 0 {
			e.cfg.Metrics.AbandonRatio.WithLabelValues(cp.c.Name).Set(st.Day.Rate())
		}
	}
	switch {
	case end.local != "":
		e.shortUntil = time.Now().Add(e.cfg.LocalRetry)
	case end.dialed:
		e.shortUntil = time.Time{} // a call ended: a port and a channel are free again
	}
	if end.requeue {
		if cp.active {
			cp.hopper = append(cp.hopper, c.rec)
		} else {
			e.releaseRecord(ctx, c.rec)
		}
	}
	if a := e.agents[c.reserved]; a != nil && a.reserved[key] {
		delete(a.reserved, key)
		if len(a.reserved) == 0 && a.state == AgentSystemBusy {
			e.agentFree(a)
		}
	}
	if a := e.agents[c.agent]; a != nil && (a.state == AgentBusy || a.state == AgentWrapUp) {
		if end.wrap > 0 {
			cp.est.Wrap(end.wrap)
		}
		e.agentFree(a)
	}
}
