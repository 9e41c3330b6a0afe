package web

import (
	"fmt"
	"testing"
	"time"

	"nudge/internal/clock"
)

func TestLoginLimiter(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC))
	l := newLoginLimiter(clk, 3, 10*time.Minute)
	k := limitKey("10.0.0.1", " Ops ")
	if k != limitKey("10.0.0.1", "ops") {
		t.Errorf("names differing in case and spaces are different keys")
	}
	for i := range 3 {
		if w := l.wait(k); w != 0 {
			t.Fatalf("before failure %d: wait %v", i+1, w)
		}
		l.fail(k)
		clk.Advance(2 * time.Minute)
	}
	// Failures at 0, 2 and 4 minutes; now is 6: the first leaves at 10.
	if w := l.wait(k); w != 4*time.Minute {
		t.Errorf("wait %v, want 4m", w)
	}
	if w := l.wait(limitKey("10.0.0.2", "ops")); w != 0 {
		t.Errorf("another address waits %v", w)
	}
	clk.Advance(4 * time.Minute)
	if w := l.wait(k); w != 0 {
		t.Errorf("after the first failure left the window: wait %v", w)
	}
	l.fail(k) // failures at 2, 4, 10
	if w := l.wait(k); w != 2*time.Minute {
		t.Errorf("wait %v, want 2m", w)
	}
	l.reset(k)
	if w := l.wait(k); w != 0 {
		t.Errorf("after reset: wait %v", w)
	}
}

// Made-up names cannot grow the limiter without bound: stale keys go.
func TestLoginLimiterPrunes(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC))
	l := newLoginLimiter(clk, 5, time.Minute)
	for i := range limiterPruneAt {
		l.fail(limitKey("10.0.0.1", fmt.Sprint("user", i)))
	}
	clk.Advance(2 * time.Minute)
	l.fail(limitKey("10.0.0.1", "last"))
	if n := len(l.fails); n != 1 {
		t.Errorf("%d keys after pruning, want 1", n)
	}
}
