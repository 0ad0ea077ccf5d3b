package api

import (
	"sync"
	"time"
)

// loginGuard slows password guessing: after maxFailures failed logins for one username,
// or 4 x maxFailures from one remote address, within window, further attempts are
// refused until the oldest failure leaves the window. A success clears the username.
// It lives in memory per node and keeps at most maxKeys keys.
type loginGuard struct {
	mu          sync.Mutex
	failures    map[string][]time.Time
	maxFailures int
	window      time.Duration
	maxKeys     int
}

func newLoginGuard() *loginGuard {
	return &loginGuard{failures: map[string][]time.Time{}, maxFailures: 5, window: 15 * time.Minute, maxKeys: 100_000}
}

// blocked reports whether a login for user from addr must be refused at now, and when
// the caller may try again.
func (g *loginGuard) blocked(user, addr string, now time.Time) (bool, time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, k := range []struct {
		key   string
		limit int
	}{{"u:" + user, g.maxFailures}, {"a:" + addr, 4 * g.maxFailures}} {
		ts := g.recent(k.key, now)
		if len(ts) >= k.limit {
			return true, ts[len(ts)-k.limit].Add(g.window)
		}
	}
	return false, time.Time{}
}

// failed records a failed login.
func (g *loginGuard) failed(user, addr string, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.failures) >= g.maxKeys {
		for k := range g.failures {
			if len(g.recent(k, now)) == 0 {
				delete(g.failures, k)
			}
		}
		if len(g.failures) >= g.maxKeys {
			g.failures = map[string][]time.Time{} // under a flood, forget rather than grow
		}
	}
	for _, k := range []string{"u:" + user, "a:" + addr} {
		g.failures[k] = append(g.recent(k, now), now)
	}
}

// succeeded forgets the username's failures.
func (g *loginGuard) succeeded(user string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.failures, "u:"+user)
}

// recent returns key's failures inside the window ending at now (caller holds mu).
func (g *loginGuard) recent(key string, now time.Time) []time.Time {
	ts := g.failures[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= g.window {
		i++
	}
	if i == len(ts) {
		delete(g.failures, key)
		return nil
	}
	ts = ts[i:]
	g.failures[key] = ts
	return ts
}
