package media_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/outdial/outdial/media"
)

// waitReceived waits (bounded) until s has received at least n packets.
func waitReceived(t *testing.T, s *media.Session, n uint64) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for s.Stats().PacketsReceived < n {
		if time.Now().After(deadline) {
			t.Fatalf("session %v received %d packets, want %d", s.LocalAddr(), s.Stats().PacketsReceived, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestSharedPacerChurn adds and closes call legs on one shared Pacer while it runs:
// every live leg keeps streaming in sequence, Play and SendDTMF work through it, and
// once every session is closed no goroutine is left.
func TestSharedPacerChurn(t *testing.T) {
	checkGoroutines(t)
	pacer := media.NewPacer(2)
	type pair struct{ a, b *media.Session }
	newCall := func() pair {
		a, b := newPair(t, media.SessionConfig{Pacer: pacer}, media.SessionConfig{Pacer: pacer, Codec: media.PCMA})
		return pair{a, b}
	}
	var live []pair
	for range 6 {
		live = append(live, newCall())
	}
	for round := range 8 {
		// hang up the oldest call, place a new one, and check every call still flows
		old := live[0]
		live = append(live[1:], newCall())
		if err := old.a.Close(); err != nil {
			t.Fatalf("round %d: close: %v", round, err)
		}
		if err := old.b.Close(); err != nil {
			t.Fatalf("round %d: close: %v", round, err)
		}
		for _, c := range live {
			waitReceived(t, c.a, c.a.Stats().PacketsReceived+3)
			waitReceived(t, c.b, c.b.Stats().PacketsReceived+3)
		}
	}
	for i, c := range live {
		for _, s := range []*media.Session{c.a, c.b} {
			if st := s.Stats(); st.Lost != 0 || st.Duplicates != 0 || st.OutOfOrder != 0 {
				t.Errorf("call %d %v: lost %d, duplicates %d, out of order %d", i, s.LocalAddr(), st.Lost, st.Duplicates, st.OutOfOrder)
			}
		}
	}

	// prompts and digits go through the shared pacer like silence does
	c := live[0]
	digits := make(chan rune, 4)
	c.b.OnDTMF(media.DTMFHandlerFunc(func(d media.Digit) { digits <- d.Digit }))
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := c.a.Play(ctx, media.NewPCMReader(tone(5*media.FrameSamples, 440, 8000))); err != nil {
		t.Fatalf("Play: %v", err)
	}
	if err := c.a.SendDTMF(ctx, "7"); err != nil {
		t.Fatalf("SendDTMF: %v", err)
	}
	select {
	case d := <-digits:
		if d != '7' {
			t.Errorf("peer heard digit %q, want '7'", d)
		}
	case <-ctx.Done():
		t.Fatal("peer heard no digit")
	}

	// Close ends a Play in progress on a shared pacer too
	errc := make(chan error, 1)
	go func() {
		errc <- c.a.Play(context.Background(), media.NewPCMReader(make([]int16, 1000*media.FrameSamples)))
	}()
	waitReceived(t, c.b, c.b.Stats().PacketsReceived+2)
	_ = c.a.Close()
	if err := <-errc; !errors.Is(err, media.ErrClosed) {
		t.Errorf("Play on Close: %v, want ErrClosed", err)
	}
	for _, c := range live {
		_ = c.a.Close()
		_ = c.b.Close()
	}
}
