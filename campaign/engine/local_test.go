package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/campaign/engine"
	"github.com/outdial/outdial/lists"
	"github.com/outdial/outdial/media"
	"github.com/outdial/outdial/sip"
	"github.com/outdial/outdial/store"
	"github.com/outdial/outdial/store/sqlite"
)

// refusingDialer refuses its first refusals dials with err (as the voice dialer does
// when no RTP port or trunk channel is free: before any INVITE), then places calls
// that end Busy at once.
type refusingDialer struct {
	err error

	mu       sync.Mutex
	refusals int
	refused  []int64          // attempt ids of the refused dials
	placed   map[string]int   // number -> dials placed
	attempts map[int64]string // attempt id of each placed dial -> number
}

func (d *refusingDialer) Dial(ctx context.Context, r engine.DialRequest) (engine.Call, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.refused) < d.refusals {
		d.refused = append(d.refused, r.AttemptID)
		return nil, fmt.Errorf("voice: dialing %s: %w", r.Number, d.err)
	}
	d.placed[r.Number]++
	d.attempts[r.AttemptID] = r.Number
	return busyCall{done: closed()}, nil
}

func closed() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}

// busyCall is a call the far end busied: nothing else is ever asked of it.
type busyCall struct{ done chan struct{} }

var errBusyCall = errors.New("busy call: not answered")

func (c busyCall) Wait(context.Context) (engine.Answer, error) {
	return engine.Answer{Outcome: campaign.OutcomeBusy, Reason: "486 Busy Here"}, nil
}
func (busyCall) Classify(context.Context) (engine.Class, error) { return 0, errBusyCall }
func (busyCall) MessageEnd(context.Context) error               { return errBusyCall }
func (busyCall) Play(context.Context, string) error             { return errBusyCall }
func (busyCall) Say(context.Context, string) error              { return errBusyCall }
func (busyCall) Gather(context.Context, int, time.Duration) (string, error) {
	return "", errBusyCall
}
func (busyCall) Hold(context.Context) error   { return errBusyCall }
func (busyCall) Leg() media.Endpoint          { return nil }
func (c busyCall) Done() <-chan struct{}      { return c.done }
func (busyCall) CallID() string               { return "" }
func (busyCall) Hangup(context.Context) error { return nil }

var _ engine.Dialer = (*refusingDialer)(nil)

// TestLocalShortageIsNotAnAttempt: dials refused before any INVITE left (every trunk at
// its channel limit, no free RTP port) are voided, not Failed: they use up no
// attempt, count as no dial outcome, and every record is still dialed exactly once.
func TestLocalShortageIsNotAnAttempt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, reason string
		err          error
		records      int
		refusals     int
	}{
		{"trunks at max_channels", engine.ReasonTrunkCapacity, fmt.Errorf("%w: trunks [sim] are down or at max_channels", sip.ErrNoCapacity), 12, 7},
		{"RTP ports exhausted", engine.ReasonRTPPorts, fmt.Errorf("%w (4 ports in 40000-40003)", media.ErrPoolExhausted), 12, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "engine.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			clock := mondayMorning()
			svc := campaign.NewService(st, campaign.Options{Now: clock.Now})
			inst := localCampaign(t, st, svc, tc.records)
			d := &refusingDialer{err: tc.err, refusals: tc.refusals, placed: map[string]int{}, attempts: map[int64]string{}}
			reg := prometheus.NewRegistry()
			m := engine.NewMetrics(reg)
			e, err := engine.New(engine.Config{Node: "node-a", Service: svc, Store: st, Dialer: d, Clock: clock, Metrics: m,
				Refresh: 200 * time.Millisecond, Scheduler: -1, LocalRetry: 20 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			runCtx, stop := context.WithCancel(ctx)
			defer stop()
			go e.Run(runCtx)
			var recs []store.CallRecord
			waitFor(t, 600, "every record done", func() bool {
				recs, _, err = st.Executions(ctx, store.ExecutionFilter{InstanceID: inst, Limit: 1000})
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range recs {
					if r.State != store.RecordDone {
						return false
					}
				}
				return len(recs) == tc.records
			})
			if err := e.Drain(ctx); err != nil {
				t.Fatal(err)
			}

			d.mu.Lock()
			defer d.mu.Unlock()
			if len(d.refused) != tc.refusals {
				t.Fatalf("%d dials refused, want %d", len(d.refused), tc.refusals)
			}
			for _, id := range d.refused {
				if a, err := st.AttemptByID(ctx, id); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("refused dial's attempt %d still stored: %+v, %v", id, a, err)
				}
			}
			for _, r := range recs {
				atts, err := st.RecordAttempts(ctx, r.ID)
				if err != nil {
					t.Fatal(err)
				}
				if d.placed[r.Phone] != 1 || r.Attempts != 1 || len(atts) != 1 || r.Disposition != campaign.OutcomeBusy {
					t.Errorf("record %s: placed %d times, attempts %d, %d attempt rows, disposition %q; want 1, 1, 1, Busy",
						r.Phone, d.placed[r.Phone], r.Attempts, len(atts), r.Disposition)
					continue
				}
				if a := atts[0]; a.Seq != 1 || a.Outcome != campaign.OutcomeBusy || d.attempts[a.ID] != r.Phone {
					t.Errorf("record %s: attempt %+v; want seq 1, Busy, the dial placed", r.Phone, a)
				}
			}
			stats, err := st.InstanceStats(ctx, inst)
			if err != nil {
				t.Fatal(err)
			}
			if stats.Attempts != int64(tc.records) || stats.Dialed != int64(tc.records) {
				t.Errorf("stats: %d attempts, %d dialed; want %d each", stats.Attempts, stats.Dialed, tc.records)
			}
			for _, o := range stats.Outcomes {
				if o.Name == campaign.OutcomeFailed {
					t.Errorf("%d attempts Failed", o.Count)
				}
			}
			if got := testutil.ToFloat64(m.LocalDialFailures.WithLabelValues(tc.reason)); got != float64(tc.refusals) {
				t.Errorf("outdial_engine_local_dial_failures_total{reason=%q} = %v, want %d", tc.reason, got, tc.refusals)
			}
			if got := testutil.ToFloat64(m.Dials.WithLabelValues("local", campaign.OutcomeBusy)); got != float64(tc.records) {
				t.Errorf("dials Busy = %v, want %d", got, tc.records)
			}
			if n := testutil.CollectAndCount(m.Dials); n != 1 {
				t.Errorf("outdial_campaign_dials_total has %d series, want Busy only", n)
			}
			t.Logf("%d records, %d dials refused (%s) and voided, %d placed", tc.records, len(d.refused), tc.reason, len(d.attempts))
		})
	}
}

// localCampaign stores n New York contacts and runs an agentless campaign of one
// attempt per record on them; it returns the instance.
func localCampaign(t *testing.T, st store.Store, svc *campaign.Service, n int) int64 {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	b.WriteString("phone,first\n")
	for i := range n {
		fmt.Fprintf(&b, "+1212555%04d,First%d\n", 2000+i, i)
	}
	l, _, err := lists.New(st, lists.Options{}).CreateContactList(ctx, lists.NewList{Name: "local"}, strings.NewReader(b.String()),
		lists.ImportOptions{Mapping: lists.Mapping{Phones: []string{"phone"}, FirstName: "first"}})
	if err != nil {
		t.Fatal(err)
	}
	dl, err := st.CreateList(ctx, store.List{Kind: store.ListDNC, Name: "local dnc", Status: store.ListValidated})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := st.CreateTrunk(ctx, store.Trunk{Name: "sim", Address: "127.0.0.1:5060", Transport: "udp", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	pn, err := st.CreatePhoneNumber(ctx, store.PhoneNumber{Number: "+14155550100", Direction: store.DirectionOutbound, TrunkID: &tr.ID})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join("testdata", "survey.json"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := st.CreateFlow(ctx, store.StoredFlow{Name: "survey", Document: doc})
	if err != nil {
		t.Fatal(err)
	}
	set := campaign.DefaultSettings()
	set.MaxConcurrentCalls = 4
	js, _ := json.Marshal(set)
	if err := st.PutSetting(ctx, campaign.SettingsKey, js); err != nil {
		t.Fatal(err)
	}
	c, err := svc.Create(ctx, campaign.Definition{Name: "local", ListIDs: []int64{l.ID},
		Dialing:  campaign.Dialing{Mode: campaign.ModeAgentless, FlowID: &f.ID},
		Contacts: campaign.Choose{DNCListID: dl.ID},
		Outreach: campaign.Outreach{CallerID: &pn.ID, MaxAttempts: 1, RetryMinutes: 1, MaxRingSeconds: 10,
			Timings: campaign.Timings{TimeZone: "America/New_York", Windows: []campaign.Window{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Start: "09:00", End: "18:00"}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if c, err = svc.Act(ctx, c.ID, campaign.ActionPlay); err != nil {
		t.Fatal(err)
	}
	return *c.InstanceID
}
