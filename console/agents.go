package console

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
	"github.com/pion/rtp"

	"github.com/outdial/outdial/campaign/engine"
	"github.com/outdial/outdial/media"
	"github.com/outdial/outdial/store"
)

// This file is the agent WebSocket hub: agents log in with their API token, open their
// audio leg once per shift, set themselves Available or Paused, and receive calls,
// preview offers and the end of each call; they hang up, mute, hold and send the
// disposition. The protocol is documented in docs/agent-protocol.md.

// AgentStore is what the hub reads: tokens, agent profiles and the names of the
// agents' queues.
type AgentStore interface {
	TokenByHash(ctx context.Context, hash []byte) (store.Token, store.User, error)
	AgentByUserID(ctx context.Context, userID int64) (store.Agent, error)
	QueueByID(ctx context.Context, id int64) (store.Queue, error)
}

// Router is the engine side the hub reports agents' wishes to (*engine.Engine).
type Router interface {
	AgentOnline(info engine.AgentInfo)
	AgentReady(id int64, ready bool)
	AgentOffline(id int64)
	PreviewAnswer(agentID, recordID int64, dial bool)
}

// AudioLeg is an agent's audio for the whole shift: a plain RTP session (RTPLegs) or,
// later, a WebRTC track. Calls are bridged into it.
type AudioLeg interface {
	media.Endpoint
	Close() error
}

// LegOpener opens an agent's audio leg from what the console sent in its audio message
// and returns what to answer (for RTP: our address).
type LegOpener interface {
	OpenLeg(ctx context.Context, agentID int64, req json.RawMessage) (AudioLeg, any, error)
}

// RTPLegs opens agent legs as plain RTP sessions from a port pool. The request is
// {"rtp": "ip:port"} (where the agent receives); the answer {"rtp": "ip:port"} (where
// it sends).
type RTPLegs struct {
	Ports   *media.PortPool
	Metrics *media.Metrics
	// Pacer paces the legs' sends; nil gives each leg its own goroutine.
	Pacer *media.Pacer
}

type rtpLegRequest struct {
	RTP string `json:"rtp"`
}

type rtpLeg struct {
	*media.Session
	port *media.Port
}

func (l rtpLeg) Close() error {
	err := l.Session.Close()
	l.port.Close()
	return err
}

// OpenLeg implements LegOpener.
func (p RTPLegs) OpenLeg(_ context.Context, _ int64, raw json.RawMessage) (AudioLeg, any, error) {
	var req rtpLegRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		return nil, nil, fmt.Errorf("audio message: %v; send {\"type\":\"audio\",\"rtp\":\"ip:port\"}", err)
	}
	remote, err := netip.ParseAddrPort(req.RTP)
	if err != nil {
		return nil, nil, fmt.Errorf("audio message, field rtp: %q is not ip:port", req.RTP)
	}
	port, err := p.Ports.Allocate()
	if err != nil {
		return nil, nil, err
	}
	sess, err := media.NewSession(port.RTP(), media.SessionConfig{Codec: media.PCMU, Remote: remote, Metrics: p.Metrics, Pacer: p.Pacer})
	if err != nil {
		port.Close()
		return nil, nil, err
	}
	local := port.Addr()
	if !local.Addr().IsValid() || local.Addr().IsUnspecified() {
		local = netip.AddrPortFrom(remote.Addr(), local.Port())
	}
	return rtpLeg{Session: sess, port: port}, rtpLegRequest{RTP: local.String()}, nil
}

// MaxNotes is the longest disposition note (in characters) the hub accepts.
const MaxNotes = 2000

// HubConfig configures a Hub.
type HubConfig struct {
	Store AgentStore
	Legs  LegOpener
	// Origins are the extra allowed Origin hosts (host or host:port) of browsers; the
	// server's own host is always allowed and a request without Origin (not a browser)
	// is accepted.
	Origins []string
	// Reconnect is how long a disconnected agent keeps its state and call (default 30 s).
	Reconnect time.Duration
	Logger    *slog.Logger
	Now       func() time.Time
}

// Hub holds the agents' WebSocket connections. It implements engine.Agents.
type Hub struct {
	cfg    HubConfig
	log    *slog.Logger
	router atomic.Pointer[routerBox]
	up     websocket.Upgrader

	mu     sync.Mutex
	agents map[int64]*hubAgent
}

type routerBox struct{ r Router }

var _ engine.Agents = (*Hub)(nil)

// NewHub returns a hub; Attach the engine before serving.
func NewHub(cfg HubConfig) *Hub {
	if cfg.Reconnect == 0 {
		cfg.Reconnect = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	h := &Hub{cfg: cfg, log: cfg.Logger, agents: map[int64]*hubAgent{}}
	h.up = websocket.Upgrader{CheckOrigin: h.checkOrigin, ReadBufferSize: 4096, WriteBufferSize: 4096}
	return h
}

// Attach sets the engine the hub reports to.
func (h *Hub) Attach(r Router) { h.router.Store(&routerBox{r}) }

func (h *Hub) route() Router {
	if b := h.router.Load(); b != nil {
		return b.r
	}
	return nopRouter{}
}

type nopRouter struct{}

func (nopRouter) AgentOnline(engine.AgentInfo)     {}
func (nopRouter) AgentReady(int64, bool)           {}
func (nopRouter) AgentOffline(int64)               {}
func (nopRouter) PreviewAnswer(int64, int64, bool) {}

func (h *Hub) checkOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Host, r.Host) || slices.ContainsFunc(h.cfg.Origins, func(a string) bool { return strings.EqualFold(a, u.Host) })
}

// Messages of the protocol (docs/agent-protocol.md).
type clientMsg struct {
	Type        string          `json:"type"`
	Token       string          `json:"token,omitempty"`
	State       string          `json:"state,omitempty"`
	RecordID    int64           `json:"record_id,omitempty"`
	Action      string          `json:"action,omitempty"`
	On          bool            `json:"on,omitempty"`
	AttemptID   int64           `json:"attempt_id,omitempty"`
	Disposition string          `json:"disposition,omitempty"`
	Notes       string          `json:"notes,omitempty"`
	Raw         json.RawMessage `json:"-"`
}

// ServerMsg is what the hub sends an agent's console.
type ServerMsg struct {
	Type  string       `json:"type"`
	Agent *store.Agent `json:"agent,omitempty"`
	// Queues (welcome) are the agent's own queues with their names.
	Queues  []QueueName       `json:"queues,omitempty"`
	State   engine.AgentState `json:"state,omitempty"`
	Offer   *engine.Offer     `json:"offer,omitempty"`
	Audio   any               `json:"audio,omitempty"`
	Attempt int64             `json:"attempt_id,omitempty"`
	Muted   *bool             `json:"muted,omitempty"`
	Held    *bool             `json:"held,omitempty"`
	Message string            `json:"message,omitempty"`
}

// QueueName is one of the agent's queues, in the welcome message (agents may not read
// the queue list of the API).
type QueueName struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type hubAgent struct {
	id      int64
	profile store.Agent
	conn    *websocket.Conn
	out     chan ServerMsg // the writer of the current connection
	state   engine.AgentState
	leg     AudioLeg
	call    *agentCall
	preview *engine.Offer
	gone    *time.Timer
}

// ServeHTTP upgrades to WebSocket; the first message must be a login.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	conn, err := h.up.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader answered with the error
	}
	conn.SetReadLimit(64 << 10)
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var m clientMsg
	if err := conn.ReadJSON(&m); err != nil || m.Type != "login" {
		h.reject(conn, "the first message must be {\"type\":\"login\",\"token\":\"od_...\"} within 10 s")
		return
	}
	prof, err := h.authenticate(r.Context(), m.Token)
	if err != nil {
		h.reject(conn, err.Error())
		return
	}
	_ = conn.SetReadDeadline(time.Time{})
	a, out := h.attach(prof, h.queueNames(r.Context(), prof), conn)
	done := make(chan struct{})
	go h.writer(conn, out, done)
	h.read(r.Context(), a, conn)
	close(done)
	h.detach(a, conn)
}

func (h *Hub) reject(conn *websocket.Conn, msg string) {
	_ = conn.SetWriteDeadline(time.Now().Add(time.Second))
	_ = conn.WriteJSON(ServerMsg{Type: "error", Message: msg})
	_ = conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "login refused"))
	conn.Close()
}

func (h *Hub) authenticate(ctx context.Context, token string) (store.Agent, error) {
	token = strings.TrimSpace(token)
	if !strings.HasPrefix(token, "od_") {
		return store.Agent{}, errors.New("login: token must be an outdial token (od_...) from POST /api/v1/auth/login")
	}
	sum := sha256.Sum256([]byte(token))
	tok, user, err := h.cfg.Store.TokenByHash(ctx, sum[:])
	if err != nil || subtle.ConstantTimeCompare(tok.Hash, sum[:]) != 1 {
		return store.Agent{}, errors.New("login: the token is not valid; sign in again")
	}
	if tok.ExpiresAt != nil && !h.cfg.Now().Before(*tok.ExpiresAt) {
		return store.Agent{}, errors.New("login: the token expired; sign in again")
	}
	if user.Disabled {
		return store.Agent{}, fmt.Errorf("login: user %s is disabled", user.Username)
	}
	a, err := h.cfg.Store.AgentByUserID(ctx, user.ID)
	if err != nil {
		return store.Agent{}, fmt.Errorf("login: user %s has no agent profile; an administrator creates one", user.Username)
	}
	return a, nil
}

// queueNames names the agent's queues; a queue that cannot be read keeps its number
// only (the console shows "#id").
func (h *Hub) queueNames(ctx context.Context, prof store.Agent) []QueueName {
	out := make([]QueueName, 0, len(prof.QueueIDs))
	for _, id := range prof.QueueIDs {
		q, err := h.cfg.Store.QueueByID(ctx, id)
		if err != nil {
			h.log.Warn("agent queue name", "agent_id", prof.ID, "queue_id", id, "err", err)
		}
		out = append(out, QueueName{ID: id, Name: q.Name})
	}
	return out
}

// attach binds a connection to the agent, keeping the state of a reconnecting agent.
func (h *Hub) attach(prof store.Agent, queues []QueueName, conn *websocket.Conn) (*hubAgent, chan ServerMsg) {
	h.mu.Lock()
	a := h.agents[prof.ID]
	fresh := a == nil
	if fresh {
		a = &hubAgent{id: prof.ID, state: engine.AgentPaused}
		h.agents[prof.ID] = a
	}
	if a.gone != nil {
		a.gone.Stop()
		a.gone = nil
	}
	if a.conn != nil { // a second tab or a stale connection: the newest wins
		a.conn.Close()
	}
	a.profile, a.conn = prof, conn
	a.out = make(chan ServerMsg, 64)
	out := a.out
	welcome := ServerMsg{Type: "welcome", Agent: &prof, Queues: queues, State: a.state}
	var again []ServerMsg
	if c := a.call; c != nil {
		o := c.offer
		again = append(again, ServerMsg{Type: "call", Offer: &o})
		if muted := c.muted.Load(); muted {
			again = append(again, ServerMsg{Type: "mute", Muted: &muted})
		}
		if held := c.held.Load(); held {
			again = append(again, ServerMsg{Type: "hold", Held: &held})
		}
		if c.ended.Load() {
			again = append(again, ServerMsg{Type: "ended", Attempt: o.AttemptID})
		}
	}
	if a.preview != nil {
		again = append(again, ServerMsg{Type: "preview", Offer: a.preview})
	}
	h.mu.Unlock()
	out <- welcome
	for _, m := range again {
		out <- m
	}
	if fresh {
		h.route().AgentOnline(engine.AgentInfo{ID: prof.ID, Name: prof.Name, Queues: prof.QueueIDs})
	}
	return a, out
}

// detach starts the reconnect grace of an agent whose connection closed.
func (h *Hub) detach(a *hubAgent, conn *websocket.Conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if a.conn != conn {
		return // replaced by a newer connection
	}
	a.conn, a.out = nil, nil
	a.gone = time.AfterFunc(h.cfg.Reconnect, func() { h.drop(a) })
}

// drop logs out an agent who did not come back.
func (h *Hub) drop(a *hubAgent) {
	h.mu.Lock()
	if a.conn != nil || h.agents[a.id] != a {
		h.mu.Unlock()
		return
	}
	delete(h.agents, a.id)
	leg := a.leg
	call := a.call
	h.mu.Unlock()
	if call != nil {
		call.hangup()
	}
	if leg != nil {
		leg.Close()
	}
	h.route().AgentOffline(a.id)
}

func (h *Hub) writer(conn *websocket.Conn, out chan ServerMsg, done chan struct{}) {
	ping := time.NewTicker(20 * time.Second)
	defer ping.Stop()
	for {
		select {
		case m := <-out:
			_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
			if err := conn.WriteJSON(m); err != nil {
				conn.Close()
				return
			}
		case <-ping.C:
			_ = conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(5*time.Second))
		case <-done:
			return
		}
	}
}

// send queues a message for the agent's current connection, dropping it when the
// connection is gone or too slow (the state is sent again on reconnect).
func (h *Hub) send(a *hubAgent, m ServerMsg) {
	if a.out == nil {
		return
	}
	select {
	case a.out <- m:
	default:
		h.log.Warn("agent connection too slow; message dropped", "agent_id", a.id, "type", m.Type)
	}
}

func (h *Hub) read(ctx context.Context, a *hubAgent, conn *websocket.Conn) {
	for {
		_, b, err := conn.ReadMessage()
		if err != nil {
			return
		}
		var m clientMsg
		if err := json.Unmarshal(b, &m); err != nil {
			h.reply(a, conn, "message is not JSON: "+err.Error())
			continue
		}
		m.Raw = b
		if err := h.handle(ctx, a, m); err != nil {
			h.reply(a, conn, err.Error())
		}
	}
}

func (h *Hub) reply(a *hubAgent, conn *websocket.Conn, msg string) {
	h.mu.Lock()
	if a.conn == conn {
		h.send(a, ServerMsg{Type: "error", Message: msg})
	}
	h.mu.Unlock()
}

func (h *Hub) handle(ctx context.Context, a *hubAgent, m clientMsg) error {
	switch m.Type {
	case "audio":
		leg, answer, err := h.cfg.Legs.OpenLeg(ctx, a.id, m.Raw)
		if err != nil {
			return err
		}
		h.mu.Lock()
		old := a.leg
		a.leg = leg
		if a.call != nil { // a page reload during a call: the call moves to the new leg
			a.call.rebind(leg)
		}
		h.send(a, ServerMsg{Type: "audio", Audio: answer})
		h.mu.Unlock()
		if old != nil {
			old.Close()
		}
	case "state":
		switch engine.AgentState(m.State) {
		case engine.AgentAvailable:
			h.mu.Lock()
			ok := a.leg != nil
			h.mu.Unlock()
			if !ok {
				return ErrNoAudio
			}
			h.route().AgentReady(a.id, true)
		case engine.AgentPaused:
			h.route().AgentReady(a.id, false)
		default:
			return fmt.Errorf("state %q: an agent may set Available or Paused", m.State)
		}
	case "preview":
		if m.Action != "dial" && m.Action != "skip" {
			return fmt.Errorf("preview action %q: use dial or skip", m.Action)
		}
		h.mu.Lock()
		ok := a.preview != nil && a.preview.RecordID == m.RecordID
		noSkip := ok && m.Action == "skip" && a.preview.SkipsLeft <= 0
		if ok && !noSkip {
			a.preview = nil
		}
		h.mu.Unlock()
		if !ok {
			return fmt.Errorf("preview record %d is not offered to you", m.RecordID)
		}
		if noSkip {
			return fmt.Errorf("preview record %d: no skips left (the campaign's maximum); dial it", m.RecordID)
		}
		h.route().PreviewAnswer(a.id, m.RecordID, m.Action == "dial")
	case "hangup":
		h.mu.Lock()
		c := a.call
		h.mu.Unlock()
		if c == nil {
			return errors.New("hangup: no call")
		}
		c.hangup()
	case "mute", "hold":
		h.mu.Lock()
		c := a.call
		h.mu.Unlock()
		if c == nil {
			return fmt.Errorf("%s: no call", m.Type)
		}
		if c.ended.Load() {
			return fmt.Errorf("%s: the call has ended; choose a disposition", m.Type)
		}
		on := m.On
		if m.Type == "mute" {
			c.muted.Store(on)
			h.sendLocked(a, ServerMsg{Type: "mute", Muted: &on})
		} else {
			c.hold(on)
			h.sendLocked(a, ServerMsg{Type: "hold", Held: &on})
		}
	case "disposition":
		if n := utf8.RuneCountInString(m.Notes); n > MaxNotes {
			return fmt.Errorf("disposition notes: %d characters; at most %d are kept, shorten them", n, MaxNotes)
		}
		h.mu.Lock()
		c := a.call
		ok := c != nil && (m.AttemptID == 0 || m.AttemptID == c.offer.AttemptID)
		if ok && c.offer.Dispositions != nil && !slices.Contains(c.offer.Dispositions, m.Disposition) {
			h.mu.Unlock()
			return fmt.Errorf("disposition %q: choose one of %s", m.Disposition, strings.Join(c.offer.Dispositions, ", "))
		}
		if ok {
			a.call = nil
		}
		h.mu.Unlock()
		if !ok {
			return fmt.Errorf("disposition: no call %d to close", m.AttemptID)
		}
		c.wrap(engine.Wrap{Disposition: m.Disposition, Notes: m.Notes})
	case "ping":
		h.sendLocked(a, ServerMsg{Type: "pong"})
	default:
		return fmt.Errorf("unknown message type %q; see docs/agent-protocol.md", m.Type)
	}
	return nil
}

func (h *Hub) sendLocked(a *hubAgent, m ServerMsg) {
	h.mu.Lock()
	h.send(a, m)
	h.mu.Unlock()
}

// State implements engine.Agents.
func (h *Hub) State(agentID int64, s engine.AgentState) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if a := h.agents[agentID]; a != nil && a.state != s {
		a.state = s
		h.send(a, ServerMsg{Type: "state", State: s})
	}
}

// Preview implements engine.Agents.
func (h *Hub) Preview(agentID int64, o engine.Offer) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if a := h.agents[agentID]; a != nil {
		a.preview = &o
		h.send(a, ServerMsg{Type: "preview", Offer: &o})
	}
}

// Connect implements engine.Agents: the call is announced and its audio switched into
// the agent's open leg.
func (h *Hub) Connect(_ context.Context, agentID int64, o engine.Offer) (engine.AgentCall, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	a := h.agents[agentID]
	if a == nil {
		return nil, ErrAgentOffline
	}
	if a.leg == nil {
		return nil, ErrNoAudio
	}
	c := &agentCall{h: h, a: a, offer: o, hungUp: make(chan struct{}), disp: make(chan engine.Wrap, 1), holds: make(chan bool, 1)}
	c.leg.Store(&legRef{a.leg})
	a.call = c
	h.send(a, ServerMsg{Type: "call", Offer: &o})
	return c, nil
}

// agentCall is one call on an agent's leg.
type agentCall struct {
	h      *Hub
	a      *hubAgent
	offer  engine.Offer
	hungUp chan struct{}
	once   sync.Once
	disp   chan engine.Wrap
	holds  chan bool // the latest hold change the engine has not read yet
	ended  atomic.Bool
	muted  atomic.Bool // agent's audio not sent to the customer
	held   atomic.Bool // neither way; the engine plays hold audio to the customer
	leg    atomic.Pointer[legRef]

	mu         sync.Mutex       // orders hold changes, and leg changes against OnRTP
	toCustomer media.RTPHandler // what the bridge set with OnRTP: agent -> customer
}

type legRef struct{ AudioLeg }

var _ engine.AgentCall = (*agentCall)(nil)

func (c *agentCall) Leg() media.Endpoint { return callLeg{c} }

func (c *agentCall) HungUp() <-chan struct{} { return c.hungUp }

func (c *agentCall) Held() <-chan bool { return c.holds }

func (c *agentCall) hangup() { c.once.Do(func() { close(c.hungUp) }) }

// hold records the agent's hold and tells the engine, replacing a change it has not
// read yet (only the latest counts).
func (c *agentCall) hold(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.held.Store(on)
	select {
	case <-c.holds:
	default:
	}
	c.holds <- on
}

// rebind moves the call to a new leg of the agent (a page reload opened one): the
// customer's audio goes there and the new leg's audio goes to the customer.
func (c *agentCall) rebind(leg AudioLeg) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.leg.Swap(&legRef{leg})
	if old != nil && old.AudioLeg != leg {
		old.OnRTP(nil)
	}
	leg.OnRTP(c.filter(c.toCustomer))
}

// filter wraps the bridge's agent -> customer handler with mute and hold.
func (c *agentCall) filter(h media.RTPHandler) media.RTPHandler {
	if h == nil {
		return nil
	}
	return media.RTPHandlerFunc(func(p *rtp.Packet) error {
		if c.muted.Load() || c.held.Load() {
			return nil
		}
		return h.HandleRTP(p)
	})
}

func (c *agentCall) Ended() {
	c.ended.Store(true)
	c.h.sendLocked(c.a, ServerMsg{Type: "ended", Attempt: c.offer.AttemptID})
}

func (c *agentCall) wrap(w engine.Wrap) {
	select {
	case c.disp <- w:
	default:
	}
}

func (c *agentCall) Disposition(ctx context.Context) (engine.Wrap, error) {
	select {
	case w := <-c.disp:
		return w, nil
	case <-ctx.Done():
		c.h.mu.Lock()
		if c.a.call == c {
			c.a.call = nil
		}
		c.h.mu.Unlock()
		return engine.Wrap{}, ctx.Err()
	}
}

// callLeg is the agent's leg as one call sees it: the agent's current leg (it changes
// when a reloaded page opens a new one), with mute and hold filtering the audio.
type callLeg struct{ c *agentCall }

func (l callLeg) WriteRTP(p *rtp.Packet) error { // customer -> agent
	if l.c.held.Load() {
		return nil
	}
	return l.c.leg.Load().WriteRTP(p)
}

func (l callLeg) OnRTP(h media.RTPHandler) { // agent -> customer
	l.c.mu.Lock()
	defer l.c.mu.Unlock()
	l.c.toCustomer = h
	l.c.leg.Load().OnRTP(l.c.filter(h))
}

// Close disconnects every agent and closes their audio legs. It does not tell the
// engine (which stops with the server).
func (h *Hub) Close() error {
	type closing struct {
		conn *websocket.Conn
		leg  AudioLeg
	}
	var cs []closing
	h.mu.Lock()
	for _, a := range h.agents {
		if a.gone != nil {
			a.gone.Stop()
			a.gone = nil
		}
		cs = append(cs, closing{a.conn, a.leg})
	}
	h.agents = map[int64]*hubAgent{}
	h.mu.Unlock()
	for _, c := range cs {
		if c.conn != nil {
			c.conn.Close()
		}
		if c.leg != nil {
			c.leg.Close()
		}
	}
	return nil
}
