package link

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"fmt"
	"hash"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"nudge/internal/store"
)

// Recording clicks without slowing the redirect.
//
// The redirect hands each click to a buffered channel and answers at once;
// one writer goroutine takes whatever is queued, waits up to Linger (20 ms)
// for more, up to a batch of 2,000, and writes it with one multi-row INSERT
// in one transaction. The keyed hash of the client address is
// computed by the writer, off the request path, with a small cache since
// one phone clicks from one address.
//
// Bounds on loss:
//   - graceful shutdown (HTTP server shut down, then Close): none; Close
//     writes everything queued, and a click arriving after Close is
//     written synchronously;
//   - a crash: at most the clicks queued plus the batch being collected
//     or written (the Buffer option, 65,536 by default; in practice what
//     arrived in the last Linger, 20 ms by default, plus one commit, since
//     the writer keeps up);
//   - the store unavailable: a batch is retried 5 times over about 3 s,
//     then dropped; when the queue is full a redirect waits up to
//     QueueWait (100 ms) for room and then drops its click rather than
//     hold the customer. Dropped clicks are counted (Stats) and logged.
//
// With Options.Synchronous each click is instead inserted by the request
// itself before the redirect is answered (linkbench measures both).
type recorder struct {
	db     *store.DB
	key    []byte
	ch     chan click
	batch  int
	wait   time.Duration
	linger time.Duration
	sync   bool
	log    *slog.Logger

	mu      sync.RWMutex
	closed  bool
	done    chan struct{}
	written atomic.Int64
	dropped atomic.Int64

	// Owned by the writer goroutine.
	full *sql.Stmt
	mac  hash.Hash
	// seen maps recent client addresses to their hash, and user agents
	// and bot kinds to themselves, already boxed as query arguments: a
	// batch repeats them, and each boxing is an allocation.
	seen [3]map[string]any
	// For synchronous writes from many requests at once.
	macs sync.Pool
}

// maxBatch keeps a batch's INSERT within SQLite's 32,766 parameters.
const maxBatch = 2000

type click struct {
	linkID      int64
	at          int64
	ua, ip, bot string
	flushed     chan struct{} // non-nil: a flush marker
}

func newRecorder(db *store.DB, key []byte, opt Options, log *slog.Logger) *recorder {
	if opt.Buffer <= 0 {
		opt.Buffer = 65536
	}
	if opt.Batch <= 0 || opt.Batch > maxBatch {
		opt.Batch = maxBatch
	}
	if opt.Linger == 0 {
		opt.Linger = 20 * time.Millisecond
	}
	r := &recorder{db: db, key: key, ch: make(chan click, opt.Buffer), batch: opt.Batch,
		wait: opt.QueueWait, linger: opt.Linger, sync: opt.Synchronous, log: log, done: make(chan struct{}),
		seen: [3]map[string]any{{}, {}, {}}}
	r.mac = hmac.New(newSM3, key)
	r.macs.New = func() any { return hmac.New(newSM3, key) }
	go r.run()
	return r
}

// record queues a click (or writes it, in synchronous mode or after Close).
func (r *recorder) record(ctx context.Context, c click) {
	if r.sync {
		r.writeOne(ctx, c)
		return
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		r.writeOne(ctx, c)
		return
	}
	select {
	case r.ch <- c:
		return
	default:
	}
	t := time.NewTimer(r.wait)
	defer t.Stop()
	select {
	case r.ch <- c:
	case <-t.C:
		if r.dropped.Add(1)%1000 == 1 {
			r.log.Warn("click queue full: clicks dropped", "dropped", r.dropped.Load())
		}
	}
}

func (r *recorder) flush(ctx context.Context) error {
	done := make(chan struct{})
	r.mu.RLock()
	if r.closed {
		r.mu.RUnlock()
		return nil // everything was written by Close
	}
	select {
	case r.ch <- click{flushed: done}:
	case <-ctx.Done():
		r.mu.RUnlock()
		return ctx.Err()
	}
	r.mu.RUnlock()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *recorder) close() error {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.ch)
	}
	r.mu.Unlock()
	<-r.done
	if r.full != nil {
		r.full.Close()
	}
	if n := r.dropped.Load(); n > 0 {
		return fmt.Errorf("link: %d clicks were dropped", n)
	}
	return nil
}

func (r *recorder) run() {
	defer close(r.done)
	buf := make([]click, 0, r.batch)
	for {
		c, ok := <-r.ch
		if !ok {
			return
		}
		var markers []chan struct{}
		buf, markers = r.collect(c, buf[:0])
		if len(buf) > 0 {
			r.write(buf)
		}
		for _, m := range markers {
			close(m)
		}
	}
}

// collect gathers a batch that starts with first: whatever else is queued,
// up to the batch size, waiting up to the linger time for more. A flush
// marker ends the batch at once.
func (r *recorder) collect(first click, buf []click) ([]click, []chan struct{}) {
	var markers []chan struct{}
	take := func(c click) {
		if c.flushed != nil {
			markers = append(markers, c.flushed)
		} else {
			buf = append(buf, c)
		}
	}
	take(first)
	// Lingering pays: one commit of a thousand rows costs about what ten
	// commits of ten rows cost, and the commit (WAL write, checkpoints) is
	// most of the writer's work. The redirect never waits for it.
	var linger <-chan time.Time
	if r.linger > 0 {
		t := time.NewTimer(r.linger)
		defer t.Stop()
		linger = t.C
	}
	for len(buf) < r.batch && len(markers) == 0 {
		select {
		case c, ok := <-r.ch:
			if !ok {
				return buf, markers
			}
			take(c)
		case <-linger:
			return buf, markers
		}
	}
	return buf, markers
}

// RecorderStats are the click writer's counters.
type RecorderStats struct {
	Written, Dropped int64
}

// RecorderStats reports clicks written and dropped since start.
func (s *Service) RecorderStats() RecorderStats {
	return RecorderStats{Written: s.rec.written.Load(), Dropped: s.rec.dropped.Load()}
}
