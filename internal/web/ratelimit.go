package web

import (
	"strings"
	"sync"
	"time"

	"nudge/internal/clock"
)

// Failed sign-ins allowed per address and user name within the window.
// Five guesses per quarter hour makes guessing a password hopeless while a
// person who mistypes a few times is not locked out for long.
const (
	loginFailures = 5
	loginWindow   = 15 * time.Minute
)

// limiterPruneAt is the number of tracked keys above which stale ones are
// dropped, so a flood of made-up names cannot grow memory without bound.
const limiterPruneAt = 10000

// loginLimiter counts failed sign-ins per key (address + user name) in a
// sliding window, in memory: it is a brake for one process, not an account
// lock-out, and it forgets on restart.
type loginLimiter struct {
	mu     sync.Mutex
	clock  clock.Clock
	max    int
	window time.Duration
	fails  map[string][]time.Time // oldest first, at most max
}

func newLoginLimiter(clk clock.Clock, max int, window time.Duration) *loginLimiter {
	return &loginLimiter{clock: clk, max: max, window: window, fails: map[string][]time.Time{}}
}

// limitKey is the limiter's key for a sign-in attempt.
func limitKey(ip, name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	if len(name) > 128 {
		name = name[:128]
	}
	return ip + "\x00" + name
}

// wait returns how long key must wait before trying again; zero means now.
func (l *loginLimiter) wait(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	fs := l.recent(key)
	if len(fs) < l.max {
		return 0
	}
	return fs[0].Add(l.window).Sub(l.clock.Now())
}

// fail records a failed attempt.
func (l *loginLimiter) fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fs := append(l.recent(key), l.clock.Now())
	if len(fs) > l.max {
		fs = fs[len(fs)-l.max:]
	}
	l.fails[key] = fs
	if len(l.fails) > limiterPruneAt {
		for k := range l.fails {
			l.recent(k)
		}
	}
}

// reset forgets key's failures, after a successful sign-in.
func (l *loginLimiter) reset(key string) {
	l.mu.Lock()
	delete(l.fails, key)
	l.mu.Unlock()
}

// recent drops key's failures older than the window and returns the rest.
// The caller holds l.mu.
func (l *loginLimiter) recent(key string) []time.Time {
	fs := l.fails[key]
	cutoff := l.clock.Now().Add(-l.window)
	i := 0
	for i < len(fs) && !fs[i].After(cutoff) {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(l.fails, key)
		return nil
	}
	l.fails[key] = fs
	return fs
}
