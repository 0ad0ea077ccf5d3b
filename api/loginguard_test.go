package api

import (
	"testing"
	"time"
)

func TestLoginGuardWindow(t *testing.T) {
	g := newLoginGuard()
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	for i := 0; i < 5; i++ {
		if no, _ := g.blocked("ann", "10.0.0.1", t0); no {
			t.Fatalf("blocked after %d failures", i)
		}
		g.failed("ann", "10.0.0.1", t0.Add(time.Duration(i)*time.Minute))
	}
	no, until := g.blocked("ann", "10.0.0.2", t0.Add(5*time.Minute))
	if !no || !until.Equal(t0.Add(15*time.Minute)) {
		t.Fatalf("blocked = %v until %v; want true until %v (the oldest failure leaving the window)", no, until, t0.Add(15*time.Minute))
	}
	if no, _ := g.blocked("ann", "10.0.0.2", t0.Add(15*time.Minute)); no {
		t.Fatal("still blocked after the oldest failure left the window")
	}
	// One address guessing many usernames is stopped too.
	for i := 0; i < 20; i++ {
		g.failed("user"+string(rune('a'+i)), "10.9.9.9", t0)
	}
	if no, _ := g.blocked("fresh", "10.9.9.9", t0); !no {
		t.Fatal("an address with 20 failures is not blocked")
	}
	g.succeeded("ann")
	if no, _ := g.blocked("ann", "10.0.0.3", t0.Add(6*time.Minute)); no {
		t.Fatal("a success did not clear the username")
	}
}
