package policy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"nudge/internal/store"
)

// The decision log: one row per decision in policy_decisions.
//
// A million-recipient campaign takes a million decisions in a few seconds;
// a million single-row inserts would take minutes and hold SQLite's one
// writer all that time. So Decide hands each decision to a buffered channel
// (a copy of a fixed-size value: no allocation) and returns; one writer
// goroutine takes whatever is waiting, up to a batch (1,000 rows by
// default), and writes it with one multi-row INSERT in one transaction. At
// low rates a batch is a single row written at once; under load batches
// fill and the cost per row falls.
//
// Bounds: when the writer falls a whole buffer behind (8,192 decisions by
// default), Decide waits for room rather than drop anything; it only gives
// up when its context ends, and such decisions are counted in Dropped. On
// Close every buffered decision is written before it returns, so a graceful
// shutdown loses nothing; a crash loses at most the buffer plus the batch
// in flight. A batch the store refuses is retried (5 attempts over about
// 3 s) and then dropped, counted, and logged.
type decisionLog struct {
	db      *store.DB
	log     *slog.Logger
	ch      chan logEntry
	batch   int
	mu      sync.RWMutex
	closed  bool
	done    chan struct{}
	dropped atomic.Int64
	written atomic.Int64
	stmts   map[int]string
}

type logEntry struct {
	customerID int64
	cat        Category
	at         int64
	d          Decision
	flushed    chan struct{} // non-nil: a flush marker, not a decision
}

func newDecisionLog(db *store.DB, log *slog.Logger, buffer, batch int) *decisionLog {
	if buffer <= 0 {
		buffer = 8192
	}
	if batch <= 0 {
		batch = 1000
	}
	l := &decisionLog{db: db, log: log, ch: make(chan logEntry, buffer), batch: batch,
		done: make(chan struct{}), stmts: map[int]string{}}
	go l.run()
	return l
}

func (l *decisionLog) add(ctx context.Context, customerID int64, cat Category, now time.Time, d *Decision) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		l.dropped.Add(1)
		return
	}
	e := logEntry{customerID: customerID, cat: cat, at: now.Unix(), d: *d}
	select {
	case l.ch <- e:
	case <-ctx.Done():
		l.dropped.Add(1)
	}
}

func (l *decisionLog) flush(ctx context.Context) error {
	done := make(chan struct{})
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		return errors.New("policy: decision log closed")
	}
	select {
	case l.ch <- logEntry{flushed: done}:
	case <-ctx.Done():
		l.mu.RUnlock()
		return ctx.Err()
	}
	l.mu.RUnlock()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *decisionLog) close() error {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		close(l.ch)
	}
	l.mu.Unlock()
	<-l.done
	if n := l.dropped.Load(); n > 0 {
		return fmt.Errorf("policy: decision log dropped %d decisions", n)
	}
	return nil
}

func (l *decisionLog) run() {
	defer close(l.done)
	buf := make([]logEntry, 0, l.batch)
	var markers []chan struct{}
	for {
		e, ok := <-l.ch
		if !ok {
			return
		}
		buf, markers = buf[:0], markers[:0]
		take := func(e logEntry) {
			if e.flushed != nil {
				markers = append(markers, e.flushed)
			} else {
				buf = append(buf, e)
			}
		}
		take(e)
	drain:
		for len(buf) < l.batch && len(markers) == 0 {
			select {
			case e, ok := <-l.ch:
				if !ok {
					break drain
				}
				take(e)
			default:
				break drain
			}
		}
		if len(buf) > 0 {
			l.write(buf)
		}
		for _, m := range markers {
			close(m)
		}
	}
}

func (l *decisionLog) write(buf []logEntry) {
	q, ok := l.stmts[len(buf)]
	if !ok {
		q = l.db.Rebind(`INSERT INTO policy_decisions (customer_id, category, decision, reasons, until_at, at) VALUES ` +
			store.Placeholders(len(buf), 6))
		if len(l.stmts) < 64 {
			l.stmts[len(buf)] = q
		}
	}
	args := make([]any, 0, len(buf)*6)
	for i := range buf {
		e := &buf[i]
		var until any
		if e.d.Verdict == Defer {
			until = e.d.Until.Unix()
		}
		args = append(args, e.customerID, string(e.cat), e.d.Verdict.String(), e.d.codesText(), until, e.at)
	}
	wait := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := l.db.Tx(context.Background(), func(tx *sql.Tx) error {
			_, err := tx.ExecContext(context.Background(), q, args...)
			return err
		})
		if err == nil {
			l.written.Add(int64(len(buf)))
			return
		}
		if attempt == 5 {
			l.dropped.Add(int64(len(buf)))
			l.log.Error("decision log: batch dropped", "rows", len(buf), "err", err)
			return
		}
		l.log.Warn("decision log: write failed, retrying", "rows", len(buf), "attempt", attempt, "err", err)
		time.Sleep(wait)
		wait *= 2
	}
}

// LogStats reports the decision log writer's counters: decisions written
// and decisions dropped (see the bounds above).
func (p *Policy) LogStats() (written, dropped int64) {
	return p.dlog.written.Load(), p.dlog.dropped.Load()
}

// LoggedDecision is one row of the decision log.
type LoggedDecision struct {
	CustomerID int64     `json:"customer_id"`
	Category   Category  `json:"category"`
	Decision   string    `json:"decision"`
	Reasons    []string  `json:"reasons"`
	Until      time.Time `json:"until,omitzero"`
	At         time.Time `json:"at"`
}

// Decisions returns a customer's latest logged decisions, newest first.
func (p *Policy) Decisions(ctx context.Context, customerID int64, limit int) ([]LoggedDecision, error) {
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	rows, err := p.db.R.QueryContext(ctx, p.q.Get("decisions_of"), customerID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LoggedDecision
	for rows.Next() {
		var d LoggedDecision
		var reasons string
		var until sql.NullInt64
		var at int64
		if err := rows.Scan(&d.CustomerID, &d.Category, &d.Decision, &reasons, &until, &at); err != nil {
			return nil, err
		}
		d.Reasons = splitCodes(reasons)
		if until.Valid {
			d.Until = time.Unix(until.Int64, 0).UTC()
		}
		d.At = time.Unix(at, 0).UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// PruneDecisions deletes logged decisions older than before.
func (p *Policy) PruneDecisions(ctx context.Context, before time.Time) (int64, error) {
	res, err := p.db.W.ExecContext(ctx, p.q.Get("decisions_prune"), before.Unix())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func splitCodes(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}
