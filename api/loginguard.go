package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/outdial/outdial/store"
)

// loginGuard slows password guessing: after maxFailures failed logins for one username,
// or 4 x maxFailures from one remote address, within window, further attempts are
// refused until the oldest of those failures leaves the window. A success clears the
// username. The failures live in the store, so the limits hold across every node.
type loginGuard struct {
	st          store.LoginFailures
	maxFailures int
	window      time.Duration
}

func newLoginGuard(st store.LoginFailures) *loginGuard {
	return &loginGuard{st: st, maxFailures: 5, window: 15 * time.Minute}
}

// guardKey names a username or an address in the store: a hash, so that what an
// attacker types is never stored and every key has the same size.
func guardKey(kind, value string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + value))
	return hex.EncodeToString(sum[:16])
}

// blocked reports whether a login for user from addr must be refused at now, and when
// the caller may try again. A store error refuses (the caller reports it).
func (g *loginGuard) blocked(ctx context.Context, user, addr string, now time.Time) (bool, time.Time, error) {
	for _, k := range []struct {
		key   string
		limit int
	}{{guardKey("user", user), g.maxFailures}, {guardKey("addr", addr), 4 * g.maxFailures}} {
		ts, err := g.st.RecentLoginFailures(ctx, k.key, now.Add(-g.window), k.limit)
		if err != nil {
			return true, time.Time{}, err
		}
		if len(ts) >= k.limit {
			return true, ts[k.limit-1].Add(g.window), nil
		}
	}
	return false, time.Time{}, nil
}

// failed records a failed login.
func (g *loginGuard) failed(ctx context.Context, user, addr string, now time.Time) error {
	return g.st.RecordLoginFailure(ctx, []string{guardKey("user", user), guardKey("addr", addr)}, now, now.Add(-g.window))
}

// succeeded forgets the username's failures.
func (g *loginGuard) succeeded(ctx context.Context, user string) error {
	return g.st.ClearLoginFailures(ctx, guardKey("user", user))
}
