package smpp

import (
	"context"
	"testing"
	"time"
)

func TestLimiterHalvesOncePerPauseAndRecovers(t *testing.T) {
	l := newLimiter(100, time.Hour)
	l.throttled()
	l.throttled() // a second response from the same burst: no further cut
	if r := l.current(); r != 50 {
		t.Fatalf("rate after a burst of throttles = %v, want 50", r)
	}
	for range 100 {
		l.accepted()
	}
	if r := l.current(); r <= 50 || r >= 100 {
		t.Fatalf("rate after 100 acceptances = %v, want between 50 and 100", r)
	}
	for range 10000 {
		l.accepted()
	}
	if r := l.current(); r != 100 {
		t.Fatalf("rate never exceeds the configured 100: %v", r)
	}
}

func TestLimiterUnlimitedStartsFromThePause(t *testing.T) {
	// No history: the cut starts from two messages per pause.
	l := newLimiter(0, 100*time.Millisecond)
	l.throttled()
	if r := l.current(); r != 10 {
		t.Fatalf("rate = %v, want 10 (one per 100ms pause)", r)
	}
	// Additive increase adds 1/r per acceptance: about 150 to climb from
	// 10 to 20 (the integral of r dr), so 100 are not enough and 200 are.
	for range 100 {
		l.accepted()
	}
	if r := l.current(); r < 15 || r >= 20 {
		t.Fatalf("rate after 100 acceptances = %v, want between 15 and 20", r)
	}
	for range 100 {
		l.accepted()
	}
	if r := l.current(); r != 0 {
		t.Fatalf("rate = %v, want unlimited again past the ceiling of 20", r)
	}
}

func TestLimiterPausesEverySender(t *testing.T) {
	l := newLimiter(0, 80*time.Millisecond)
	l.throttled()
	start := time.Now()
	if err := l.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Fatalf("waited %s, pause is 80ms", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	l.throttled() // the pause has passed: a new throttle starts a new pause
	cancel()
	if err := l.wait(ctx); err != context.Canceled {
		t.Fatalf("wait with cancelled ctx = %v", err)
	}
}
