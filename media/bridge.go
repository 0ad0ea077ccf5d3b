package media

import "sync"

// Bridge forwards RTP both ways between a and b without decoding: what a receives is
// written to b and what b receives is written to a. Each writer restamps the packets
// into its own outgoing stream (Session.WriteRTP does). It replaces the legs' RTP
// handlers; decoded-audio consumers set with OnPCM keep running. The returned
// function undoes the bridge (idempotent).
func Bridge(a, b Endpoint) (unbridge func()) {
	a.OnRTP(ForwardTo(b))
	b.OnRTP(ForwardTo(a))
	var once sync.Once
	return func() {
		once.Do(func() {
			a.OnRTP(nil)
			b.OnRTP(nil)
		})
	}
}

// Mixer sums two directions of a call into one PCM stream for recording. Feed the
// received audio to In() and the sent audio to Out() (Session.OnPCM and
// Session.OnSentPCM); mixed frames go to the next handler. Frames are paired in
// arrival order; when one side has been silent for several frames the other side is
// passed on alone, so a one-way call still records. Safe for concurrent use.
type Mixer struct {
	mu    sync.Mutex
	next  PCMHandler
	sides [2]mixQueue
	out   []int16
}

// mixBacklog is how many frames one side may queue before it is mixed alone.
const mixBacklog = 5

type mixQueue struct {
	frames [mixBacklog + 1][]int16
	n      int
}

// NewMixer returns a mixer writing to next.
func NewMixer(next PCMHandler) *Mixer {
	m := &Mixer{next: next, out: make([]int16, FrameSamples)}
	for i := range m.sides {
		for j := range m.sides[i].frames {
			m.sides[i].frames[j] = make([]int16, 0, FrameSamples)
		}
	}
	return m
}

// In returns the handler for the first direction (normally what the peer sends us).
func (m *Mixer) In() PCMHandler { return mixerSide{m, 0} }

// Out returns the handler for the second direction (what we send).
func (m *Mixer) Out() PCMHandler { return mixerSide{m, 1} }

type mixerSide struct {
	m    *Mixer
	side int
}

func (s mixerSide) HandlePCM(frame []int16) { s.m.push(s.side, frame) }

func (m *Mixer) push(side int, frame []int16) {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := &m.sides[side]
	q.frames[q.n] = append(q.frames[q.n][:0], frame...)
	q.n++
	other := &m.sides[1-side]
	for q.n > 0 && (other.n > 0 || q.n > mixBacklog) {
		a := m.pop(q)
		var b []int16
		if other.n > 0 {
			b = m.pop(other)
		}
		n := max(len(a), len(b))
		if cap(m.out) < n {
			m.out = make([]int16, n)
		}
		out := m.out[:n]
		for i := range out {
			var v int32
			if i < len(a) {
				v += int32(a[i])
			}
			if i < len(b) {
				v += int32(b[i])
			}
			out[i] = int16(min(max(v, -32768), 32767))
		}
		if m.next != nil {
			m.next.HandlePCM(out)
		}
	}
}

// pop removes the oldest frame of q. The returned slice stays valid until the next push.
func (m *Mixer) pop(q *mixQueue) []int16 {
	f := q.frames[0]
	copy(q.frames[:], q.frames[1:q.n])
	q.frames[q.n-1] = f // recycle the buffer at the end
	q.n--
	// f is now at index q.n (free slot); it is only overwritten by a later push
	return f
}
