package outbox

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// LineStats are a line's counters, for the gateways page and status rows.
type LineStats struct {
	Gateway   string
	Up        bool
	Detail    string
	Binds     int
	InFlight  atomic.Int64
	Window    int
	Submitted atomic.Int64
	Errors    atomic.Int64
	DownSince time.Time
}

// lineRun drives one gateway with two goroutines. The feeder claims
// messages, checks them and keeps a small buffer of them ready (half a
// window, at most 128); the submitter hands each to the gateway as soon as a
// window slot frees, so that a slot never waits for a database round trip.
// The buffer is the price: a crash holds for review what was in it as well
// as what was in flight.
type lineRun struct {
	d     *Dispatcher
	line  Line
	st    *LineStats
	rate  *pacer
	slots chan struct{} // one token per submit in flight
	ready chan Claimed  // claimed and checked, waiting for a slot
	taken chan struct{} // signalled when the submitter takes from ready
	wake  <-chan struct{}

	cancel context.CancelFunc
	done   chan struct{}
	wg     sync.WaitGroup

	// sources are the active sources, refreshed at most every 250 ms; idle
	// marks sources that had nothing to claim, until the given time.
	sources     []activeSource
	sourcesAt   time.Time
	idle        map[int64]time.Time
	stopOnce    sync.Once
	submitCtx   context.Context
	cutSubmits  context.CancelFunc
	downHandled bool
}

func newLineRun(d *Dispatcher, l Line, st *LineStats) *lineRun {
	w := max(l.Config.Window, 1)
	st.Window = w
	prefetch := min(max(w/2, 1), 128)
	if l.Config.Rate > 0 {
		prefetch = min(prefetch, max(1, int(l.Config.Rate/4)))
	}
	r := &lineRun{d: d, line: l, st: st, rate: newPacer(l.Config.Rate), slots: make(chan struct{}, w),
		ready: make(chan Claimed, prefetch), taken: make(chan struct{}, 1), done: make(chan struct{}),
		idle: map[int64]time.Time{}, wake: d.s.Wake()}
	// Submits run on their own context: stopping the dispatcher stops
	// claiming at once but lets submits already on the wire finish.
	r.submitCtx, r.cutSubmits = context.WithCancel(context.Background())
	return r
}

func (r *lineRun) run(parent context.Context) {
	ctx, cancel := context.WithCancel(parent)
	r.cancel = cancel
	defer close(r.done)
	defer r.finish()
	go func() {
		r.feed(ctx)
		close(r.ready)
	}()
	r.submitLoop(ctx)
}

// feed keeps the ready buffer topped up while the gateway is up.
func (r *lineRun) feed(ctx context.Context) {
	log := r.d.log.With("gateway", r.line.Name())
	for ctx.Err() == nil {
		st := r.line.Gateway.Status()
		r.st.Up, r.st.Detail, r.st.Binds = st.Up, st.Detail, st.Binds
		if !st.Up {
			if r.st.DownSince.IsZero() {
				r.st.DownSince = time.Now()
				log.Warn("gateway down", "detail", st.Detail)
			}
			if !r.downHandled && time.Since(r.st.DownSince) >= r.line.Config.FailoverAfter {
				r.downHandled = true
				n := r.d.rerouteFrom(ctx, r.line.Name())
				log.Warn("gateway down too long: queued messages moved to other gateways", "moved", n)
			}
			r.sleep(ctx, 250*time.Millisecond)
			continue
		}
		if !r.st.DownSince.IsZero() {
			log.Info("gateway up again", "down_for", time.Since(r.st.DownSince).Round(time.Second))
			r.st.DownSince, r.downHandled = time.Time{}, false
		}
		room := cap(r.ready) - len(r.ready)
		if room < max(1, cap(r.ready)/4) {
			r.waitTaken(ctx)
			continue
		}
		batch, err := r.claim(ctx, min(room, r.d.opt.Batch))
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("claim failed", "err", err)
				r.sleep(ctx, time.Second)
			}
			continue
		}
		if len(batch) == 0 {
			r.sleep(ctx, r.d.opt.Poll)
			continue
		}
		decided, err := r.d.check(ctx, r.line, batch)
		if err != nil {
			// Without the check nothing goes: an opt-out must never be missed.
			log.Warn("suppression check failed; messages put back", "err", err)
			for _, m := range batch {
				r.d.outcomes <- outcome{id: m.ID, kind: outRelease}
			}
			r.sleep(ctx, time.Second)
			continue
		}
		for i, m := range batch {
			if decided[i] != nil {
				r.d.outcomes <- *decided[i]
				continue
			}
			r.ready <- m // never blocks: room was counted and only this goroutine sends
		}
	}
}

// submitLoop submits ready messages as window slots free, at the line's
// rate. Once the line stops, what is still ready goes back to the queue.
func (r *lineRun) submitLoop(ctx context.Context) {
	for m := range r.ready {
		select {
		case r.taken <- struct{}{}:
		default:
		}
		if ctx.Err() != nil {
			r.release(m)
			continue
		}
		select {
		case r.slots <- struct{}{}:
		case <-ctx.Done():
			r.release(m)
			continue
		}
		if err := r.rate.wait(ctx); err != nil {
			<-r.slots
			r.release(m)
			continue
		}
		r.st.InFlight.Add(1)
		r.wg.Add(1)
		go func(m Claimed) {
			defer r.wg.Done()
			o := r.d.submit(r.submitCtx, r.line, m)
			r.d.outcomes <- o
			r.st.InFlight.Add(-1)
			if o.kind == outSubmitted {
				r.st.Submitted.Add(1)
			} else {
				r.st.Errors.Add(1)
			}
			<-r.slots
		}(m)
	}
}

// release gives a claimed message that was not submitted back to the
// queue, without counting an attempt.
func (r *lineRun) release(m Claimed) {
	r.d.outcomes <- outcome{id: m.ID, kind: outRelease, err: "dispatcher stopped before submit"}
}

func (r *lineRun) waitTaken(ctx context.Context) {
	t := time.NewTimer(r.d.opt.Poll)
	defer t.Stop()
	select {
	case <-r.taken:
	case <-ctx.Done():
	case <-t.C:
	}
}

// claim takes up to n messages from the active sources, highest priority
// first.
func (r *lineRun) claim(ctx context.Context, n int) ([]Claimed, error) {
	now := time.Now()
	if now.Sub(r.sourcesAt) > 250*time.Millisecond {
		srcs, err := r.d.s.activeSources(ctx)
		if err != nil {
			return nil, err
		}
		r.sources, r.sourcesAt = srcs, now
	}
	var out []Claimed
	for _, src := range r.sources {
		if len(out) >= n {
			break
		}
		if until, ok := r.idle[src.id]; ok && now.Before(until) {
			continue
		}
		got, err := r.d.s.claim(ctx, r.line.Name(), src.id, r.d.owner.id, n-len(out))
		if err != nil {
			return out, err
		}
		if len(got) < n-len(out) {
			// Drained for now: other sources first, back here at the
			// next poll (or at once when this process enqueues).
			r.idle[src.id] = now.Add(r.d.opt.Poll)
		}
		out = append(out, got...)
	}
	return out, nil
}

// sleep waits for d, the context, or a wake-up from this process's
// enqueue, which also forgets which sources looked idle.
func (r *lineRun) sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	case <-r.wake:
		clear(r.idle)
		r.sourcesAt = time.Time{}
	}
}

// stop ends the line: no more claims, in-flight submits get the grace
// period, then are cut off (and held for review by their outcome).
func (r *lineRun) stop() {
	r.stopOnce.Do(func() {
		if r.cancel != nil {
			r.cancel()
		}
	})
	<-r.done
}

func (r *lineRun) finish() {
	finished := make(chan struct{})
	go func() { r.wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(r.d.opt.Grace):
		r.cutSubmits()
		<-finished
	}
	r.cutSubmits()
	r.d.s.unwake(r.wake)
}

// pacer spaces submits to a rate; zero means no limit.
type pacer struct {
	mu   sync.Mutex
	gap  time.Duration
	next time.Time
}

func newPacer(rate float64) *pacer {
	p := &pacer{}
	if rate > 0 {
		p.gap = time.Duration(float64(time.Second) / rate)
	}
	return p
}

func (p *pacer) wait(ctx context.Context) error {
	if p.gap == 0 {
		return ctx.Err()
	}
	p.mu.Lock()
	now := time.Now()
	at := p.next
	if at.Before(now) {
		// No credit for idle time beyond one gap: a burst after a pause
		// would break the gateway's rate.
		at = now
	}
	p.next = at.Add(p.gap)
	p.mu.Unlock()
	d := time.Until(at)
	if d <= 0 {
		return nil
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
