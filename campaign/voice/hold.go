package voice

import (
	"context"
	"errors"
	"math"

	"github.com/outdial/outdial/campaign/engine"
	"github.com/outdial/outdial/media"
	"github.com/outdial/outdial/sip"
)

// HoldPrompt is the name of the recorded prompt a customer on hold hears
// (Prompts.Dir/hold.wav, played over and over); without one the customer hears
// HoldTone.
const HoldPrompt = "hold"

// Hold tone: a soft two-note chime, then silence, repeated every HoldCycleMS.
const (
	// HoldLowHz and HoldHighHz are the chime's notes.
	HoldLowHz, HoldHighHz = 440.0, 554.37
	// HoldCycleMS is the length of one repetition of the pattern.
	HoldCycleMS = 2000
	holdNoteMS  = 300
	holdGapMS   = 100
	holdLevel   = 2500 // peak sample value: about -22 dBFS, soft next to speech
)

// HoldTone returns one cycle of the generated hold audio (8 kHz): a 440 Hz note, a
// short gap, a 554 Hz note, each with a smooth rise and fall, then silence up to
// HoldCycleMS.
func HoldTone() []int16 {
	out := make([]int16, HoldCycleMS*media.SampleRate/1000)
	note := func(at int, hz float64) {
		n := holdNoteMS * media.SampleRate / 1000
		for i := range n {
			env := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n)) // raised cosine: no clicks
			out[at+i] = int16(holdLevel * env * math.Sin(2*math.Pi*hz*float64(i)/media.SampleRate))
		}
	}
	note(0, HoldLowHz)
	note((holdNoteMS+holdGapMS)*media.SampleRate/1000, HoldHighHz)
	return out
}

// Hold returns the audio of one hold cycle: the recorded prompt HoldPrompt when the
// prompt folder has one, else HoldTone. A hold.wav that cannot be used is an error
// (with HoldTone, so the customer still hears something).
func (p *Prompts) Hold() (*media.WAV, error) {
	tone := &media.WAV{Samples: HoldTone()}
	w, err := p.Prompt(HoldPrompt)
	switch {
	case errors.Is(err, engine.ErrNoPrompt):
		return tone, nil
	case err != nil:
		return tone, err
	case len(w.Samples) == 0:
		return tone, errors.New("voice: prompt hold.wav holds no audio; record some or remove it to use the hold tone")
	}
	return w, nil
}

// loop is a PCMSource that plays samples over and over; it never ends by itself.
type loop struct {
	samples []int16
	pos     int
}

var _ media.PCMSource = (*loop)(nil)

func (l *loop) ReadPCM(frame []int16) (int, error) {
	n := 0
	for n < len(frame) {
		c := copy(frame[n:], l.samples[l.pos:])
		n += c
		l.pos = (l.pos + c) % len(l.samples)
	}
	return n, nil
}

// Hold plays the hold audio (Prompts.Hold) to the customer over and over until ctx is
// done (nil) or the call ends (sip.ErrCallEnded). What the agent's leg forwards is
// dropped meanwhile (media.Session plays one stream at a time).
func (c *Call) Hold(ctx context.Context) error {
	w, err := c.d.cfg.Prompts.Hold()
	if err != nil {
		c.d.cfg.Logger.Warn("hold audio: using the hold tone", "err", err)
	}
	pctx, cancel := c.live(ctx)
	defer cancel()
	err = c.sess.Play(pctx, &loop{samples: w.Samples})
	switch {
	case c.sc.Context().Err() != nil:
		return sip.ErrCallEnded
	case ctx.Err() != nil:
		return nil
	}
	return err
}
