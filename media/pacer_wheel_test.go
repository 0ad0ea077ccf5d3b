package media

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"
)

// newManualPacer returns a Pacer whose workers start no goroutine: the test drives
// them with advance and a clock of its own.
func newManualPacer(workers int, epoch time.Time) *Pacer {
	p := &Pacer{workers: make([]*pacerWorker, workers)}
	for i := range p.workers {
		w := newPacerWorker(epoch)
		w.manual = true
		p.workers[i] = w
	}
	return p
}

func loopbackSession(t *testing.T, cfg SessionConfig) *Session {
	t.Helper()
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSession(conn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func (w *pacerWorker) slotSizes() (sizes [pacerSlots]int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := range w.slots {
		sizes[i] = len(w.slots[i])
	}
	return sizes
}

func sentBy(ss []*Session) (n uint64) {
	for _, s := range ss {
		n += s.Stats().PacketsSent
	}
	return n
}

// TestPacerWheel drives the wheel with a simulated clock in 1 ms steps: every session
// sends exactly 50 packets per second, the sessions are spread evenly over workers
// and slots, and no slot boundary sends more than one slot's sessions.
func TestPacerWheel(t *testing.T) {
	for _, tc := range []struct{ pairs, workers int }{
		{1, 1}, {4, 1}, {5, 2}, {50, 2}, {60, 3},
	} {
		t.Run(fmt.Sprintf("pairs=%d/workers=%d", tc.pairs, tc.workers), func(t *testing.T) {
			p := newManualPacer(tc.workers, time.Now())
			var senders, receivers []*Session
			for range tc.pairs {
				a := loopbackSession(t, SessionConfig{Pacer: p})
				b := loopbackSession(t, SessionConfig{Pacer: p, Codec: PCMA})
				a.SetRemote(b.LocalAddr())
				b.SetRemote(a.LocalAddr())
				senders = append(senders, a, b)
				receivers = append(receivers, b, a)
			}
			total := 2 * tc.pairs
			for i, w := range p.workers {
				sizes := w.slotSizes()
				lo, hi, n := sizes[0], sizes[0], 0
				for _, v := range sizes {
					lo, hi, n = min(lo, v), max(hi, v), n+v
				}
				if hi-lo > 1 {
					t.Errorf("worker %d slots %v: want sessions spread evenly", i, sizes)
				}
				if want := total / tc.workers; n < want || n > want+1 {
					t.Errorf("worker %d has %d sessions of %d over %d workers", i, n, total, tc.workers)
				}
			}

			clock := time.Now()
			for _, w := range p.workers { // catch up with the time setting up took
				w.advance(clock)
			}
			tick := func() {
				clock = clock.Add(time.Millisecond)
				for i, w := range p.workers {
					hi := 0
					for _, v := range w.slotSizes() {
						hi = max(hi, v)
					}
					before := sentBy(senders)
					if _, ok := w.advance(clock); !ok {
						t.Fatalf("worker %d stopped with sessions on its wheel", i)
					}
					if burst := sentBy(senders) - before; burst > uint64(hi) {
						t.Fatalf("worker %d sent %d packets at one boundary; a slot holds at most %d", i, burst, hi)
					}
				}
			}
			for range 100 {
				tick()
			}
			start := make([]uint64, total)
			for i, s := range senders {
				start[i] = s.Stats().PacketsSent
			}
			for range 1000 {
				tick()
			}
			for i, s := range senders {
				if got := s.Stats().PacketsSent - start[i]; got != 50 {
					t.Errorf("session %d sent %d packets in one simulated second, want 50", i, got)
				}
			}
			// every packet arrives, in sequence
			deadline := time.Now().Add(10 * time.Second)
			for i, r := range receivers {
				want := senders[i].Stats().PacketsSent
				for r.Stats().PacketsReceived < want && time.Now().Before(deadline) {
					time.Sleep(time.Millisecond)
				}
				if st := r.Stats(); st.PacketsReceived != want || st.Lost != 0 {
					t.Errorf("receiver %d: %d packets, %d lost; peer sent %d", i, st.PacketsReceived, st.Lost, want)
				}
			}
			for _, s := range senders {
				_ = s.Close()
			}
			for i, w := range p.workers {
				if _, ok := w.advance(clock); ok {
					t.Errorf("worker %d still running with every session closed", i)
				}
			}
		})
	}
}

// TestSendPathAllocatesNothing sends silence, a prompt and digits through the wheel
// and counts allocations per 20 ms frame.
func TestSendPathAllocatesNothing(t *testing.T) {
	p := newManualPacer(1, time.Now())
	w := p.workers[0]
	a := loopbackSession(t, SessionConfig{Pacer: p})
	b := loopbackSession(t, SessionConfig{Pacer: p, NoSilence: true})
	a.SetRemote(b.LocalAddr())
	clock := time.Now()
	frame := func() {
		clock = clock.Add(FrameDuration)
		w.advance(clock)
	}
	frame()
	for _, tc := range []struct {
		name string
		job  *job
	}{
		{"silence", nil},
		{"prompt", &job{kind: jobPlay, ctx: context.Background(), src: NewPCMReader(make([]int16, 1000*FrameSamples))}},
		{"dtmf", &job{kind: jobDTMF, ctx: context.Background(), events: []uint8{1, 2, 3, 4, 5, 6, 7, 8, 9}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.job != nil {
				tc.job.done = make(chan error, 1)
				a.jobMu.Lock()
				a.busy.Store(true)
				a.pending = tc.job
				a.jobMu.Unlock()
				frame() // picks the job up
			}
			before := a.Stats().PacketsSent
			if allocs := testing.AllocsPerRun(50, frame); allocs != 0 {
				t.Errorf("%.1f allocations per frame, want 0", allocs)
			}
			if sent := a.Stats().PacketsSent - before; sent < 50 {
				t.Errorf("sent %d packets in 51 frames", sent)
			}
		})
	}
}

// TestPacerSlotAlignment checks the frame clock a new session gets: its epoch is a
// boundary of its own slot at or before the time it joined, less than a frame ago.
func TestPacerSlotAlignment(t *testing.T) {
	epoch := time.Unix(1000, 0)
	for _, tc := range []struct {
		name string
		at   time.Duration // since the wheel's epoch
		fill int           // sessions already in slots 0..fill-1
		slot int
		want time.Duration // the new session's epoch, since the wheel's
	}{
		{"start, slot 0", 0, 0, 0, 0},
		{"mid frame, slot 0", 13 * time.Millisecond, 0, 0, 0},
		{"slot 1 not reached yet this frame", 3 * time.Millisecond, 1, 1, -15 * time.Millisecond},
		{"slot 2 reached", 12 * time.Millisecond, 2, 2, 10 * time.Millisecond},
		{"later frame, slot 3", 77 * time.Millisecond, 3, 3, 75 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newPacerWorker(epoch)
			w.manual = true
			for i := range tc.fill {
				w.slots[i] = []*Session{{}}
			}
			s := &Session{}
			w.add(s, epoch.Add(tc.at))
			if s.pace.slot != tc.slot {
				t.Errorf("slot %d, want %d", s.pace.slot, tc.slot)
			}
			if got := s.pace.epoch.Sub(epoch); got != tc.want {
				t.Errorf("epoch %v, want %v", got, tc.want)
			}
		})
	}
}
