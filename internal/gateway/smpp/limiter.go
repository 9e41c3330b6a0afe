package smpp

import (
	"context"
	"sync"
	"time"
)

// minRate is the floor the adaptive rate never drops below, so that a
// throttling SMSC slows nudge down without stopping it.
const minRate = 0.5

// limiter spaces submits to a rate that adapts to the SMSC: a throttling
// response pauses every sender for the configured pause and halves the rate
// (multiplicative decrease); each accepted submit afterwards adds back about
// one message per second per second (additive increase) up to the configured
// rate, or to no limit when none is configured and the rate has recovered
// past what the link was doing when it was throttled.
type limiter struct {
	mu       sync.Mutex
	max      float64 // configured rate, 0 = unlimited
	rate     float64 // current rate, 0 = unlimited
	pause    time.Duration
	next     time.Time // earliest start of the next submit
	pausedTo time.Time
	ceiling  float64 // throughput when last throttled, for an unlimited config

	// throughput over the last whole second, to know what to halve when the
	// configured rate is unlimited
	bucketStart time.Time
	bucketCount int
	lastRate    float64
}

func newLimiter(rate float64, pause time.Duration) *limiter {
	return &limiter{max: rate, rate: rate, pause: pause}
}

// wait blocks until the caller may send, or ctx ends.
func (l *limiter) wait(ctx context.Context) error {
	l.mu.Lock()
	now := time.Now()
	at := now
	if l.next.After(at) {
		at = l.next
	}
	if l.pausedTo.After(at) {
		at = l.pausedTo
	}
	if l.rate > 0 {
		l.next = at.Add(time.Duration(float64(time.Second) / l.rate))
	}
	if el := now.Sub(l.bucketStart); el >= time.Second {
		l.lastRate = float64(l.bucketCount) / el.Seconds()
		l.bucketStart, l.bucketCount = now, 0
	}
	l.bucketCount++
	l.mu.Unlock()
	d := at.Sub(now)
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// throttled records an ESME_RTHROTTLED or ESME_RMSGQFUL. Responses to the
// submits that were already in flight arrive together; only the first one
// in a pause lowers the rate, or a full window would divide it by 2^window.
func (l *limiter) throttled() {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if now.Before(l.pausedTo) {
		return
	}
	l.pausedTo = now.Add(l.pause)
	cur := l.rate
	if cur == 0 {
		cur = l.lastRate
		if c := float64(l.bucketCount) / max(now.Sub(l.bucketStart).Seconds(), 1); c > cur {
			cur = c
		}
		// With little history (the first seconds of a session) the measured
		// rate says nothing; assume at least two messages per pause, so that
		// the first halving still leaves one per pause.
		cur = max(cur, 2/l.pause.Seconds())
		l.ceiling = cur
	}
	l.rate = max(cur/2, minRate)
	l.next = l.pausedTo
}

// accepted records a submit the SMSC took.
func (l *limiter) accepted() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rate == 0 || l.rate == l.max {
		return
	}
	l.rate += 1 / l.rate
	switch {
	case l.max > 0 && l.rate >= l.max:
		l.rate = l.max
	case l.max == 0 && l.rate >= l.ceiling:
		l.rate = 0
	}
}

// current returns the rate in force, 0 meaning unlimited.
func (l *limiter) current() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rate
}
