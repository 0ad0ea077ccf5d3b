package enginetest

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
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

// Options configure a Rig. Zero values give a fresh SQLite store, the wall clock, a
// simulated carrier and the port ranges below.
type Options struct {
	// Store to use (the test's API server's, say); nil opens a fresh SQLite store.
	Store    store.Store
	Scenario carrier.Scenario
	Clock    engine.Clock
	// Address (ip:port) of a far end of the test's own (sipp, say): the trunk points
	// there and no simulated carrier is started (Rig.Carrier is nil, Scenario and
	// CarrierPorts are unused and Reports stays empty). Empty starts the carrier.
	Address string
	// CarrierPorts and DialerPorts are the RTP port ranges of the two sides (default
	// 42000-45999 and 46000-49999). Tests that run in parallel need distinct ranges.
	CarrierPorts, DialerPorts [2]uint16
	// Hopper is the records each engine of the rig leases ahead (default 40).
	Hopper int
}

// Rig is a store, a simulated carrier, a SIP client and a voice dialer on 127.0.0.1.
type Rig struct {
	Store   store.Store
	Service *campaign.Service
	Clock   engine.Clock
	// Carrier is the simulated carrier; nil when Options.Address names the far end.
	Carrier  *carrier.Server
	SIP      *sip.Client
	Ports    *media.PortPool
	Dialer   *voice.Dialer
	Registry *prometheus.Registry
	Metrics  *engine.Metrics
	// TrunkID is the stored trunk to the carrier; CallerID the outbound phone number.
	TrunkID, CallerID int64
	// Reports are the carrier's reports of the calls it received.
	Reports *Reports
	hopper  int
}

// New builds a Rig; everything closes when t ends.
func New(t testing.TB, o Options) *Rig {
	t.Helper()
	ctx := context.Background()
	if o.Clock == nil {
		o.Clock = engine.SystemClock{}
	}
	if o.CarrierPorts == [2]uint16{} {
		o.CarrierPorts = [2]uint16{42000, 45999}
	}
	if o.DialerPorts == [2]uint16{} {
		o.DialerPorts = [2]uint16{46000, 49999}
	}
	if o.Hopper <= 0 {
		o.Hopper = 40
	}
	r := &Rig{Store: o.Store, Clock: o.Clock, Reports: &Reports{}, Registry: prometheus.NewRegistry(), hopper: o.Hopper}
	var err error
	if r.Store == nil {
		if r.Store, err = sqlite.Open(ctx, filepath.Join(t.TempDir(), "engine.db")); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Store.Close() })
	}
	r.Service = campaign.NewService(r.Store, campaign.Options{Now: o.Clock.Now})
	address := o.Address
	if address == "" {
		if r.Carrier, err = carrier.New(carrier.Config{Listen: "127.0.0.1:0", Scenario: o.Scenario, Seed: 7, Audio: CallAudio(t),
			RTPPorts: o.CarrierPorts, Report: r.Reports.add}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Carrier.Close() })
		address = r.Carrier.Addr().String()
	}
	trunk := sip.Trunk{Name: "sim", Address: address, MaxCPS: 200}
	if r.SIP, err = sip.NewClient(sip.Config{Listen: "127.0.0.1:0", Trunks: []sip.Trunk{trunk}, OptionsInterval: -1}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.SIP.Close() })
	if r.Ports, err = media.NewPortPool(media.PortPoolConfig{IP: netip.MustParseAddr("127.0.0.1"), Min: o.DialerPorts[0], Max: o.DialerPorts[1]}); err != nil {
		t.Fatal(err)
	}
	if r.Dialer, err = voice.New(voice.Config{SIP: r.SIP, Ports: r.Ports, Prompts: &voice.Prompts{TTS: voice.ToneSpeech{WordMS: 60}}}); err != nil {
		t.Fatal(err)
	}
	r.Metrics = engine.NewMetrics(r.Registry)
	tr, err := r.Store.CreateTrunk(ctx, store.Trunk{Name: "sim", Address: trunk.Address, Transport: "udp", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	r.TrunkID = tr.ID
	pn, err := r.Store.CreatePhoneNumber(ctx, store.PhoneNumber{Number: "+14155550100", Direction: store.DirectionOutbound, TrunkID: &tr.ID})
	if err != nil {
		t.Fatal(err)
	}
	r.CallerID = pn.ID
	return r
}

// Engine returns an engine on the rig, tuned for tests (fast refresh, no scheduler);
// each edit changes the configuration before the engine is built.
func (r *Rig) Engine(t testing.TB, node string, agents engine.Agents, edit ...func(*engine.Config)) *engine.Engine {
	t.Helper()
	cfg := engine.Config{Node: node, Service: r.Service, Store: r.Store, Dialer: r.Dialer, Agents: agents,
		Clock: r.Clock, Metrics: r.Metrics, Refresh: 200 * time.Millisecond, Scheduler: -1, Hopper: r.hopper,
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

// Reports is the carrier's log of the calls it received. Safe for concurrent use.
type Reports struct {
	mu  sync.Mutex
	all []carrier.Report
}

func (l *Reports) add(r carrier.Report) {
	l.mu.Lock()
	l.all = append(l.all, r)
	l.mu.Unlock()
}

// All returns a copy of the reports so far.
func (l *Reports) All() []carrier.Report {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]carrier.Report(nil), l.all...)
}

// Count returns how many calls the carrier received so far.
func (l *Reports) Count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.all)
}

// ByNumber returns the reports so far by called number, each number's in the order
// of the carrier's plans (Plan.N).
func (l *Reports) ByNumber() map[string][]carrier.Report {
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

// CallAudio writes the carrier's audio folder with its built-in clips: a live "hello"
// then silence (human), and a two-phrase greeting ending in a beep (machine).
func CallAudio(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	WriteWAV(t, filepath.Join(dir, "human", "hello.wav"), carrier.BuiltinHuman())
	WriteWAV(t, filepath.Join(dir, "machine", "greeting.wav"), carrier.BuiltinMachine())
	return dir
}

// WriteWAV writes the parts as an 8 kHz PCM16 WAV file.
func WriteWAV(t testing.TB, path string, parts ...[]int16) {
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
	for i := 0; i+160 <= len(all); i += 160 {
		w.HandlePCM(all[i : i+160])
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// Clock runs Speed times faster than the wall clock from Base, so that retry periods
// of minutes pass in seconds while calls run in real time. Speed 1 is a wall clock
// fixed to a known day and hour (inside contactable hours, whatever the real time).
type Clock struct {
	start time.Time
	Base  time.Time
	Speed float64
}

// NewClock starts a Clock now.
func NewClock(base time.Time, speed float64) *Clock {
	return &Clock{start: time.Now(), Base: base, Speed: speed}
}

// Now implements engine.Clock.
func (c *Clock) Now() time.Time {
	return c.Base.Add(time.Duration(float64(time.Since(c.start)) * c.Speed))
}

var _ engine.Clock = (*Clock)(nil)
