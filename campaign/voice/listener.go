package voice

import (
	"sync"
	"time"

	"github.com/outdial/outdial/amd"
	"github.com/outdial/outdial/media"
)

// gapSlack is how far the received audio may fall behind the wall clock (network
// jitter) before the missing time is taken as silence.
const gapSlack = 100 * time.Millisecond

// listener feeds one call's received audio to a detector and keeps the detector's
// clock with the wall clock: when the peer sends nothing (silence suppression without
// comfort noise, a stalled stream), the missing time is fed as a Gap, so a person who
// says "Hello?" and then waits is still heard to wait.
type listener struct {
	mu    sync.Mutex
	det   *amd.Detector
	start time.Time
	fed   int64 // samples fed, audio and gaps
	out   chan<- amd.Decision
}

var _ media.PCMHandler = (*listener)(nil)

func newListener(det *amd.Detector, start time.Time, out chan<- amd.Decision) *listener {
	return &listener{det: det, start: start, out: out}
}

// HandlePCM feeds received audio.
func (l *listener) HandlePCM(frame []int16) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.det.Done() {
		return
	}
	l.fed += int64(len(frame))
	if dec, ok := l.det.Feed(frame); ok {
		l.send(dec)
	}
}

// catchUp feeds the time the audio is behind now, less gapSlack, as gaps of 20 ms.
func (l *listener) catchUp(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	due := int64(now.Sub(l.start)-gapSlack) * amd.SampleRate / int64(time.Second)
	for due-l.fed >= amd.FrameSamples && !l.det.Done() {
		l.fed += amd.FrameSamples
		if dec, ok := l.det.Gap(amd.FrameSamples); ok {
			l.send(dec)
		}
	}
}

func (l *listener) send(dec amd.Decision) {
	select {
	case l.out <- dec:
	default:
	}
}
