package api

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/outdial/outdial/store/sqlite"
)

func TestLoginGuardWindow(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "guard.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	g := newLoginGuard(st)
	blocked := func(user, addr string, at time.Time) (bool, time.Time) {
		t.Helper()
		no, until, err := g.blocked(ctx, user, addr, at)
		if err != nil {
			t.Fatal(err)
		}
		return no, until
	}
	fail := func(user, addr string, at time.Time) {
		t.Helper()
		if err := g.failed(ctx, user, addr, at); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	for i := 0; i < 5; i++ {
		if no, _ := blocked("ann", "10.0.0.1", t0.Add(time.Duration(i)*time.Minute)); no {
			t.Fatalf("blocked after %d failures", i)
		}
		fail("ann", "10.0.0.1", t0.Add(time.Duration(i)*time.Minute))
	}
	no, until := blocked("ann", "10.0.0.2", t0.Add(5*time.Minute))
	if !no || !until.Equal(t0.Add(15*time.Minute)) {
		t.Fatalf("blocked = %v until %v; want true until %v (the oldest failure leaving the window)", no, until, t0.Add(15*time.Minute))
	}
	if no, _ := blocked("ann", "10.0.0.2", t0.Add(15*time.Minute)); no {
		t.Fatal("still blocked after the oldest failure left the window")
	}
	// One address guessing many usernames is stopped too.
	for i := 0; i < 20; i++ {
		fail("user"+string(rune('a'+i)), "10.9.9.9", t0.Add(6*time.Minute))
	}
	if no, _ := blocked("fresh", "10.9.9.9", t0.Add(6*time.Minute)); !no {
		t.Fatal("an address with 20 failures is not blocked")
	}
	if err := g.succeeded(ctx, "ann"); err != nil {
		t.Fatal(err)
	}
	if no, _ := blocked("ann", "10.0.0.3", t0.Add(6*time.Minute)); no {
		t.Fatal("a success did not clear the username")
	}
}
