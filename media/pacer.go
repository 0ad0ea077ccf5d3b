package media

import (
	"runtime"
	"sync"
	"time"
)

// Pacer sends the outgoing 20 ms frames of many sessions from a few goroutines
// instead of one timer goroutine per session. Give the same Pacer to every session
// of a process (SessionConfig.Pacer); a session without one gets a Pacer of its own,
// which costs one goroutine and one timer per session.
//
// Each of the Pacer's workers owns a wheel of sessions split into slots a quarter of
// a frame apart, so the sends of a thousand sessions are spread over the 20 ms
// instead of leaving in one burst. A new session goes to the least loaded worker and
// slot. A worker wakes at each boundary of a slot that has sessions and sends each of
// them the frames wall time asks for (catching up like a late timer tick would).
//
// A Pacer runs goroutines only while sessions use it: it needs no Close, and a Pacer
// whose sessions are all closed holds no goroutine. It is safe for concurrent use.
// The zero value is a Pacer with one worker per CPU, like NewPacer(0).
type Pacer struct {
	init    sync.Once
	size    int
	workers []*pacerWorker
}

// pacerSlots is how many send slots a frame time is split into.
const pacerSlots = 4

// slotDuration is the time between two slots of a wheel.
const slotDuration = FrameDuration / pacerSlots

// NewPacer returns a Pacer with the given number of send goroutines; 0 or less means
// one per CPU the Go scheduler uses (runtime.GOMAXPROCS).
func NewPacer(workers int) *Pacer {
	return &Pacer{size: workers}
}

func (p *Pacer) start() {
	if p.workers != nil {
		return // built by a test
	}
	n := p.size
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	p.workers = make([]*pacerWorker, n)
	epoch := time.Now()
	for i := range p.workers {
		p.workers[i] = newPacerWorker(epoch)
	}
}

// add puts s on the least loaded worker.
func (p *Pacer) add(s *Session) {
	p.init.Do(p.start)
	best, load := p.workers[0], -1
	for _, w := range p.workers {
		w.mu.Lock()
		n := w.n
		w.mu.Unlock()
		if load < 0 || n < load {
			best, load = w, n
		}
	}
	best.add(s, time.Now())
}

// paceState is a session's place on a wheel and its frame clock. Guarded by
// Session.tickMu once the session is on a wheel.
type paceState struct {
	worker *pacerWorker
	slot   int
	epoch  time.Time // a boundary of the session's slot: frame n is due at epoch + n*20ms
	frames int64     // frames accounted for since epoch (sent or skipped)
}

// pacerWorker is one send goroutine and its wheel of sessions.
type pacerWorker struct {
	epoch time.Time // slot boundary k is at epoch + k*slotDuration; slot k%pacerSlots
	wake  chan struct{}

	mu      sync.Mutex
	slots   [pacerSlots][]*Session
	n       int  // sessions on the wheel
	running bool // the goroutine runs (or is about to)
	manual  bool // tests drive the wheel with advance; no goroutine is started
	done    int64
	batch   []*Session // the goroutine's scratch copy of the slots it is sending
}

func newPacerWorker(epoch time.Time) *pacerWorker {
	return &pacerWorker{epoch: epoch, wake: make(chan struct{}, 1)}
}

// boundary returns the index of the last slot boundary at or before t.
func (w *pacerWorker) boundary(t time.Time) int64 {
	d := t.Sub(w.epoch)
	if d < 0 {
		return -1
	}
	return int64(d / slotDuration)
}

// at returns the time of slot boundary k.
func (w *pacerWorker) at(k int64) time.Time {
	return w.epoch.Add(time.Duration(k) * slotDuration)
}

// add puts s in the least loaded slot. Its first frame is due one frame time after
// the slot's last boundary, so within 20 ms.
func (w *pacerWorker) add(s *Session, now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	slot := 0
	for i := range w.slots {
		if len(w.slots[i]) < len(w.slots[slot]) {
			slot = i
		}
	}
	k := w.boundary(now)
	k -= ((k-int64(slot))%pacerSlots + pacerSlots) % pacerSlots // last boundary of slot
	s.pace = paceState{worker: w, slot: slot, epoch: w.at(k)}
	w.slots[slot] = append(w.slots[slot], s)
	w.n++
	switch {
	case w.manual:
	case !w.running:
		w.running = true
		w.done = w.boundary(now)
		go w.run()
	default:
		w.poke()
	}
}

// remove takes s off the wheel. The goroutine may still be sending s's frame of the
// current slot; Session.Close waits for that with tickMu.
func (w *pacerWorker) remove(s *Session) {
	w.mu.Lock()
	defer w.mu.Unlock()
	sl := w.slots[s.pace.slot]
	for i, x := range sl {
		if x == s {
			last := len(sl) - 1
			sl[i] = sl[last]
			sl[last] = nil
			w.slots[s.pace.slot] = sl[:last]
			w.n--
			break
		}
	}
	if w.n == 0 {
		w.poke() // let the goroutine exit now rather than at its next wake
	}
}

func (w *pacerWorker) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// run is the worker goroutine: it exits when the wheel is empty.
func (w *pacerWorker) run() {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		next, ok := w.advance(time.Now())
		if !ok {
			return
		}
		timer.Reset(time.Until(next))
		select {
		case <-timer.C:
		case <-w.wake:
		}
	}
}

// advance sends the frames of every slot whose boundary passed since the last call
// (each slot at most once per call) and returns when the next slot with sessions is
// due. It reports false, and marks the worker stopped, once the wheel is empty.
func (w *pacerWorker) advance(now time.Time) (next time.Time, ok bool) {
	w.mu.Lock()
	if w.n == 0 {
		w.running = false
		w.mu.Unlock()
		return time.Time{}, false
	}
	cur := w.boundary(now)
	batch := w.batch[:0]
	if cur > w.done {
		for k := max(w.done+1, cur-pacerSlots+1); k <= cur; k++ {
			batch = append(batch, w.slots[k%pacerSlots]...)
		}
		w.done = cur
	}
	w.mu.Unlock()

	for _, s := range batch {
		s.paceTick(now)
	}
	clear(batch) // hold no closed session
	w.batch = batch

	w.mu.Lock()
	defer w.mu.Unlock()
	if w.n == 0 {
		w.running = false
		return time.Time{}, false
	}
	k := w.done + 1
	for range pacerSlots {
		if len(w.slots[k%pacerSlots]) > 0 {
			break
		}
		k++
	}
	return w.at(k), true
}
