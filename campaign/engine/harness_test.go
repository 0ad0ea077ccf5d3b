package engine_test

import (
	"context"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/campaign/engine"
	"github.com/outdial/outdial/campaign/voice"
	"github.com/outdial/outdial/media"
	"github.com/outdial/outdial/sip"
	"github.com/outdial/outdial/sip/carrier"
	"github.com/outdial/outdial/store"
	"github.com/outdial/outdial/store/sqlite"
)

// fastClock runs speed times faster than the wall clock from base, so that retry
// periods of minutes pass in seconds while calls run in real time.
type fastClock struct {
	start time.Time
	base  time.Time
	speed float64
}

func newFastClock(base time.Time, speed float64) *fastClock {
	return &fastClock{start: time.Now(), base: base, speed: speed}
}

func (c *fastClock) Now() time.Time {
	return c.base.Add(time.Duration(float64(time.Since(c.start)) * c.speed))
}

// Synthetic call audio: a live "hello" then silence, and a machine greeting of two
// phrases that ends in a beep.
func speech(ms int, f0 float64) []int16 {
	n := ms * 8
	out := make([]int16, n)
	phase := 0.0
	for i := range n {
		t := float64(i) / 8000
		f := f0 * (1 + 0.15*math.Sin(2*math.Pi*0.7*t))
		phase += 2 * math.Pi * f / 8000
		env := 0.35 + 0.65*math.Abs(math.Sin(math.Pi*4*t))
		v := 0.0
		for h := 1; h <= 12; h++ {
			v += math.Sin(float64(h)*phase) / float64(h)
		}
		out[i] = int16(8000 * env * v / 2)
	}
	return out
}

func silence(ms int) []int16 { return make([]int16, ms*8) }

func tone(hz float64, ms int) []int16 {
	n := ms * 8
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(6000 * math.Sin(2*math.Pi*hz*float64(i)/8000))
	}
	return out
}

func noisy(s []int16) []int16 {
	x := uint32(7)
	for i := range s {
		x = x*1664525 + 1013904223
		s[i] += int16(int32(x>>16)%60 - 30)
	}
	return s
}

func writeWAV(t testing.TB, path string, parts ...[]int16) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	w, err := media.CreateWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	var all []int16
	for _, p := range parts {
		all = append(all, p...)
	}
	all = noisy(all)
	for i := 0; i+160 <= len(all); i += 160 {
		w.HandlePCM(all[i : i+160])
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// callAudio writes the carrier's audio folder.
func callAudio(t testing.TB) string {
	dir := t.TempDir()
	writeWAV(t, filepath.Join(dir, "human", "hello.wav"), silence(400), speech(500, 180), silence(9000))
	writeWAV(t, filepath.Join(dir, "machine", "greeting.wav"), silence(300), speech(1400, 120), silence(350), speech(2400, 120),
		silence(300), tone(1000, 400), silence(9000))
	return dir
}

// invites is the carrier's own log of the calls it received.
type invites struct {
	mu  sync.Mutex
	all []carrier.Report
}

func (l *invites) add(r carrier.Report) {
	l.mu.Lock()
	l.all = append(l.all, r)
	l.mu.Unlock()
}

func (l *invites) byNumber() map[string][]carrier.Report {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string][]carrier.Report{}
	for _, r := range l.all {
		out[r.To] = append(out[r.To], r)
	}
	for _, rs := range out {
		sort.Slice(rs, func(i, j int) bool { return rs[i].Plan.N < rs[j].Plan.N })
	}
	return out
}

func (l *invites) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.all)
}

// rig is a store, a simulated carrier, a SIP client and a voice dialer on loopback.
type rig struct {
	st      store.Store
	svc     *campaign.Service
	clock   engine.Clock
	log     *invites
	carrier *carrier.Server
	sip     *sip.Client
	ports   *media.PortPool
	dialer  *voice.Dialer
	reg     *prometheus.Registry
	metrics *engine.Metrics
	trunkID int64
	caller  int64
	// block is the first of the rig's 2,500 UDP ports: the carrier's RTP (1,000),
	// the dialer's (1,000) and the agents' (500). Tests that run in parallel use
	// different blocks, so that a port one test frees never carries another's audio.
	block uint16
}

// Port blocks of the tests, one each (below the ephemeral range).
const (
	blockAgentless   = 10000
	blockCrash       = 12500
	blockProgressive = 15000
	blockPower       = 17500
	blockSipp        = 20000
	blockPreview     = 22500
	blockPredictive  = 25000
	blockLease       = 27500
)

// newRig starts the simulated carrier with a scenario from testdata and a rig whose
// trunk points at it.
func newRig(t *testing.T, scenario string, clock engine.Clock, block uint16) *rig {
	t.Helper()
	sc, err := carrier.LoadScenario(filepath.Join("testdata", scenario))
	if err != nil {
		t.Fatal(err)
	}
	log := &invites{}
	cr, err := carrier.New(carrier.Config{Listen: "127.0.0.1:0", Scenario: sc, Seed: 7, Audio: callAudio(t),
		RTPPorts: [2]uint16{block, block + 999}, Report: log.add})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cr.Close() })
	r := newRigTo(t, cr.Addr().String(), clock, block)
	r.carrier, r.log = cr, log
	return r
}

// newRigTo returns a rig whose trunk points at the far end address (ip:port).
func newRigTo(t *testing.T, address string, clock engine.Clock, block uint16) *rig {
	t.Helper()
	ctx := context.Background()
	r := &rig{clock: clock, log: &invites{}, reg: prometheus.NewRegistry(), block: block}
	var err error
	if r.st, err = sqlite.Open(ctx, filepath.Join(t.TempDir(), "e.db")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.st.Close() })
	r.svc = campaign.NewService(r.st, campaign.Options{Now: clock.Now})
	trunk := sip.Trunk{Name: "sim", Address: address, MaxCPS: 200}
	if r.sip, err = sip.NewClient(sip.Config{Listen: "127.0.0.1:0", Trunks: []sip.Trunk{trunk}, OptionsInterval: -1}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.sip.Close() })
	if r.ports, err = media.NewPortPool(media.PortPoolConfig{IP: netip.MustParseAddr("127.0.0.1"), Min: block + 1000, Max: block + 1999}); err != nil {
		t.Fatal(err)
	}
	if r.dialer, err = voice.New(voice.Config{SIP: r.sip, Ports: r.ports, Prompts: &voice.Prompts{TTS: voice.ToneSpeech{WordMS: 60}}}); err != nil {
		t.Fatal(err)
	}
	r.metrics = engine.NewMetrics(r.reg)
	tr, err := r.st.CreateTrunk(ctx, store.Trunk{Name: "sim", Address: trunk.Address, Transport: "udp", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	r.trunkID = tr.ID
	pn, err := r.st.CreatePhoneNumber(ctx, store.PhoneNumber{Number: "+14155550100", Direction: store.DirectionOutbound, TrunkID: &tr.ID})
	if err != nil {
		t.Fatal(err)
	}
	r.caller = pn.ID
	return r
}

// agentPorts is the rig's port pool for Go agents' audio legs.
func (r *rig) agentPorts(t *testing.T) *media.PortPool {
	t.Helper()
	p, err := media.NewPortPool(media.PortPoolConfig{IP: netip.MustParseAddr("127.0.0.1"), Min: r.block + 2000, Max: r.block + 2499})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (r *rig) engine(t *testing.T, node string, agents engine.Agents, edit ...func(*engine.Config)) *engine.Engine {
	t.Helper()
	cfg := engine.Config{Node: node, Service: r.svc, Store: r.st, Dialer: r.dialer, Agents: agents,
		Clock: r.clock, Metrics: r.metrics, Refresh: 200 * time.Millisecond, Scheduler: -1, Hopper: 40,
		LeaseTTL: 2 * time.Minute, OptOutWait: 500 * time.Millisecond}
	for _, f := range edit {
		f(&cfg)
	}
	e, err := engine.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// waitFor polls cond every 50 ms, at most n times.
func waitFor(t *testing.T, n int, what string, cond func() bool) {
	t.Helper()
	for range n {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("gave up waiting for %s", what)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
