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

	"github.com/emmansun/gmsm/sm3"

	"nudge/internal/store"
)

// Recording clicks without slowing the redirect.
//
// The redirect hands each click to a buffered channel and answers at once;
// one writer goroutine takes whatever is queued, up to a batch, and writes
// it with one multi-row INSERT in one transaction (group commit: at low
// rates a batch is one row written immediately, under load batches grow and
// the cost per row falls). The keyed hash of the client address is
// computed by the writer, off the request path, with a small cache since
// one phone clicks from one address.
//
// Bounds on loss:
//   - graceful shutdown (HTTP server shut down, then Close): none; Close
//     writes everything queued, and a click arriving after Close is
//     written synchronously;
//   - a crash: at most the clicks queued plus the batch being written
//     (the Buffer option, 65,536 by default; in practice what arrived in
//     the last few milliseconds, since the writer keeps up);
//   - the store unavailable: a batch is retried 5 times over about 3 s,
//     then dropped; when the queue is full a redirect waits up to
//     QueueWait (100 ms) for room and then drops its click rather than
//     hold the customer. Dropped clicks are counted (Stats) and logged.
//
// With Options.Synchronous each click is instead inserted by the request
// itself before the redirect is answered (linkbench measures both).
type recorder struct {
	db      *store.DB
	insert1 string
	key     []byte
	ch      chan click
	batch   int
	wait    time.Duration
	sync    bool
	log     *slog.Logger

	mu      sync.RWMutex
	closed  bool
	done    chan struct{}
	written atomic.Int64
	dropped atomic.Int64

	// Owned by the writer goroutine.
	stmts  map[int]string
	mac    hash.Hash
	ipSeen map[string][]byte
	// For synchronous writes from many requests at once.
	macs sync.Pool
}

type click struct {
	linkID, customerID int64
	at                 int64
	ua, ip, bot        string
	flushed            chan struct{} // non-nil: a flush marker
}

func newRecorder(db *store.DB, insert1 string, key []byte, opt Options, log *slog.Logger) *recorder {
	if opt.Buffer <= 0 {
		opt.Buffer = 65536
	}
	if opt.Batch <= 0 {
		opt.Batch = 1000
	}
	r := &recorder{db: db, insert1: insert1, key: key, ch: make(chan click, opt.Buffer), batch: opt.Batch,
		wait: opt.QueueWait, sync: opt.Synchronous, log: log, done: make(chan struct{}),
		stmts: map[int]string{}, ipSeen: map[string][]byte{}}
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

func (r *recorder) writeOne(ctx context.Context, c click) {
	m := r.macs.Get().(hash.Hash)
	h := ipHash(m, c.ip)
	r.macs.Put(m)
	if _, err := r.db.W.ExecContext(ctx, r.insert1, c.linkID, nullID(c.customerID), c.at, c.ua, h, c.bot); err != nil {
		r.dropped.Add(1)
		r.log.Error("click not recorded", "err", err)
		return
	}
	r.written.Add(1)
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
	if n := r.dropped.Load(); n > 0 {
		return fmt.Errorf("link: %d clicks were dropped", n)
	}
	return nil
}

func (r *recorder) run() {
	defer close(r.done)
	buf := make([]click, 0, r.batch)
	var markers []chan struct{}
	for {
		c, ok := <-r.ch
		if !ok {
			return
		}
		buf, markers = buf[:0], markers[:0]
		take := func(c click) {
			if c.flushed != nil {
				markers = append(markers, c.flushed)
			} else {
				buf = append(buf, c)
			}
		}
		take(c)
	drain:
		for len(buf) < r.batch && len(markers) == 0 {
			select {
			case c, ok := <-r.ch:
				if !ok {
					break drain
				}
				take(c)
			default:
				break drain
			}
		}
		if len(buf) > 0 {
			r.write(buf)
		}
		for _, m := range markers {
			close(m)
		}
	}
}

func (r *recorder) write(buf []click) {
	q, ok := r.stmts[len(buf)]
	if !ok {
		q = r.db.Rebind(`INSERT INTO link_clicks (link_id, customer_id, at, user_agent, ip_hash, bot) VALUES ` +
			store.Placeholders(len(buf), 6))
		if len(r.stmts) < 64 {
			r.stmts[len(buf)] = q
		}
	}
	if len(r.ipSeen) > 4096 {
		clear(r.ipSeen)
	}
	args := make([]any, 0, len(buf)*6)
	for i := range buf {
		c := &buf[i]
		h, ok := r.ipSeen[c.ip]
		if !ok {
			h = ipHash(r.mac, c.ip)
			r.ipSeen[c.ip] = h
		}
		args = append(args, c.linkID, nullID(c.customerID), c.at, c.ua, h, c.bot)
	}
	wait := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := r.db.Tx(context.Background(), func(tx *sql.Tx) error {
			_, err := tx.ExecContext(context.Background(), q, args...)
			return err
		})
		if err == nil {
			r.written.Add(int64(len(buf)))
			return
		}
		if attempt == 5 {
			r.dropped.Add(int64(len(buf)))
			r.log.Error("clicks dropped after retries", "clicks", len(buf), "err", err)
			return
		}
		r.log.Warn("click write failed, retrying", "clicks", len(buf), "attempt", attempt, "err", err)
		time.Sleep(wait)
		wait *= 2
	}
}

func newSM3() hash.Hash { return sm3.New() }

// ipHash is the keyed hash stored instead of the address (16 bytes of
// HMAC-SM3); nil for no address.
func ipHash(m hash.Hash, ip string) []byte {
	if ip == "" {
		return nil
	}
	m.Reset()
	m.Write([]byte(ip))
	return m.Sum(nil)[:16]
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// RecorderStats are the click writer's counters.
type RecorderStats struct {
	Written, Dropped int64
}

// RecorderStats reports clicks written and dropped since start.
func (s *Service) RecorderStats() RecorderStats {
	return RecorderStats{Written: s.rec.written.Load(), Dropped: s.rec.dropped.Load()}
}
