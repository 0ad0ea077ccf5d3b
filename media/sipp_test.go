package media_test

import (
	"context"
	"sync"
	"testing"

	"github.com/outdial/outdial/internal/sipptest"
	"github.com/outdial/outdial/media"
)

// TestSippRTPEcho plays a prompt and DTMF to a real foreign RTP stack, sipp's RTP
// echo, and checks that what comes back from sipp's address is our own audio and
// digits: the session latches to sipp, decodes, and detects events from a peer that
// is not itself.
func TestSippRTPEcho(t *testing.T) {
	peer := sipptest.Start(t, sipptest.Options{Args: []string{"-sn", "uas", "-rtp_echo", "-timeout", "60s"}})
	checkGoroutines(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)

	echo := peer.Media
	s := newSession(t, media.SessionConfig{Codec: media.PCMU, NoSilence: true})
	s.SetRemote(echo)
	got := newPCMCollector()
	s.OnPCM(got)
	var (
		mu     sync.Mutex
		digits string
	)
	s.OnDTMF(media.DTMFHandlerFunc(func(d media.Digit) { mu.Lock(); digits += string(d.Digit); mu.Unlock() }))

	// sipp may still be starting: send until its echo comes back, bounded
	prompt := tone(25*media.FrameSamples, 500, 8000)
	want := g711RoundTrip(media.PCMU, prompt)
	for try := 0; indexOf(got.snapshot(), want) < 0; try++ {
		if try == 20 {
			t.Fatalf("no echo of the prompt from sipp at %v (stats %+v)", echo, s.Stats())
		}
		if err := s.Play(ctx, media.NewPCMReader(prompt)); err != nil {
			t.Fatal(err)
		}
		if try == 0 {
			waitFor(t, "sipp's echo", func() bool { return s.Stats().PacketsReceived > 0 || s.Stats().PacketsSent > 60 })
		}
	}
	if st := s.Stats(); st.Latched != echo {
		t.Errorf("latched to %v, want sipp's media port %v", st.Latched, echo)
	}
	if err := s.SendDTMF(ctx, "7*"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "echoed digits", func() bool { mu.Lock(); defer mu.Unlock(); return len(digits) >= 2 })
	mu.Lock()
	defer mu.Unlock()
	if digits != "7*" {
		t.Errorf("echoed digits %q, want %q", digits, "7*")
	}
}
