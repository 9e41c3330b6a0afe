package outbox

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"nudge/internal/store"
)

// LineStats are a line's counters, for the gateways page and status rows.
type LineStats struct {
	Gateway   string
	Window    int
	InFlight  atomic.Int64
	Submitted atomic.Int64
	Errors    atomic.Int64

	mu        sync.Mutex // guards the gateway's state below
	up        bool
	detail    string
	binds     int
	downSince time.Time
}

func (s *LineStats) setState(up bool, detail string, binds int, downSince time.Time) {
	s.mu.Lock()
	s.up, s.detail, s.binds, s.downSince = up, detail, binds, downSince
	s.mu.Unlock()
}

// State returns the gateway's last known state.
func (s *LineStats) State() (up bool, detail string, binds int, downSince time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.up, s.detail, s.binds, s.downSince
}

// lineRun drives one gateway. Feeders claim messages, check them and keep
// a buffer of them ready (a window's worth, at most 256); a window's worth
// of submitters each hand one to the gateway at a time, taking the next as
// soon as theirs is answered, so that the window never waits for a
// database round trip; a watcher follows the gateway's
// state. The buffer is the price: a crash holds for review what was in it
// as well as what was in flight. SQLite has one feeder (its writer takes
// one statement at a time anyway); PostgreSQL has two, whose claims
// overlap, since a claim's round trip is what bounds a line there.
type lineRun struct {
	d       *Dispatcher
	line    Line
	st      *LineStats
	rate    *pacer
	window  int           // submitters, one per submit in flight
	ready   chan Claimed  // claimed and checked, waiting for a slot
	taken   chan struct{} // signalled when a submitter takes from ready
	wake    <-chan struct{}
	feeders int
	up      atomic.Bool // set by the watcher

	cancel context.CancelFunc
	done   chan struct{}
	wg     sync.WaitGroup

	// mu guards what the feeders share: the active sources (refreshed at
	// most every 250 ms), the sources found idle (until the given time),
	// each source's claim cursor, and the room reserved by claims under
	// way.
	mu        sync.Mutex
	sources   []activeSource
	sourcesAt time.Time
	idle      map[int64]time.Time
	cursors   map[int64]sourceCursor
	reserved  int

	stopOnce   sync.Once
	submitCtx  context.Context
	cutSubmits context.CancelFunc
}

func newLineRun(d *Dispatcher, l Line, st *LineStats) *lineRun {
	w := max(l.Config.Window, 1)
	st.Window = w
	// A full window ready keeps the window full across a claim's round
	// trip, which matters most when the gateway is far (50 ms answers).
	prefetch := min(w, 256)
	if l.Config.Rate > 0 {
		prefetch = min(prefetch, max(1, int(l.Config.Rate/4)))
	}
	feeders := 1
	if prefetch >= 8 && d.s.db.Dialect == store.Postgres {
		feeders = 2
	}
	r := &lineRun{d: d, line: l, st: st, rate: newPacer(l.Config.Rate), window: w,
		ready: make(chan Claimed, prefetch), taken: make(chan struct{}, 1), done: make(chan struct{}),
		idle: map[int64]time.Time{}, cursors: map[int64]sourceCursor{}, wake: d.s.Wake(), feeders: feeders}
	// Submits run on their own context: stopping the dispatcher stops
	// claiming at once but lets submits already on the wire finish.
	r.submitCtx, r.cutSubmits = context.WithCancel(context.Background())
	return r
}

func (r *lineRun) run(parent context.Context) {
	ctx, cancel := context.WithCancel(parent)
	r.cancel = cancel
	defer close(r.done)
	r.watchOnce(ctx)
	var feeding sync.WaitGroup
	feeding.Add(r.feeders + 1)
	go func() { defer feeding.Done(); r.watch(ctx) }()
	for range r.feeders {
		go func() { defer feeding.Done(); r.feed(ctx) }()
	}
	go func() {
		feeding.Wait()
		close(r.ready)
	}()
	for range r.window {
		r.wg.Add(1)
		go func() { defer r.wg.Done(); r.work(ctx) }()
	}
	<-ctx.Done()
	r.finish()
}

// work is one of the line's window of submitters: it takes a ready
// message, submits it at the line's rate and hands the outcome to the
// recorder, then takes the next, so that an answer from the gateway turns
// into the next submit without a hop through another goroutine. Once the
// line stops, what is still ready goes back to the queue.
func (r *lineRun) work(ctx context.Context) {
	for m := range r.ready {
		select {
		case r.taken <- struct{}{}:
		default:
		}
		if ctx.Err() != nil {
			r.release(m)
			continue
		}
		if err := r.rate.wait(ctx); err != nil {
			r.release(m)
			continue
		}
		r.st.InFlight.Add(1)
		o := r.d.submit(r.submitCtx, r.line, m)
		r.d.outcomes <- o
		r.st.InFlight.Add(-1)
		if o.kind == outSubmitted {
			r.st.Submitted.Add(1)
		} else {
			r.st.Errors.Add(1)
		}
	}
}

// release gives a claimed message that was not submitted back to the
// queue, without counting an attempt.
func (r *lineRun) release(m Claimed) {
	r.d.outcomes <- outcome{id: m.ID, kind: outRelease, err: "dispatcher stopped before submit"}
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
