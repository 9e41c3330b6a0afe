package gateway

import (
	"context"
	"database/sql"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"nudge/internal/clock"
	"nudge/internal/store"
)

// Exchange is one thing said to or heard from a gateway: a PDU, an HTTP
// request or answer, a simulated submit. Producers redact secrets and mask
// numbers in Detail (MaskHex, MaskDigits); the journal masks Summary again
// as a safety net.
type Exchange struct {
	Gateway   string    `json:"gateway"`
	At        time.Time `json:"at"`
	Direction string    `json:"direction"` // "out" (nudge to gateway) or "in"
	Kind      string    `json:"kind"`      // "pdu", "http", "sim", "event"
	Failed    bool      `json:"failed"`    // an error status, a timeout, a refusal
	Summary   string    `json:"summary"`   // one readable line
	Detail    string    `json:"detail"`    // the bytes: PDU hex, HTTP request and body
	// Lazy, when set, computes Detail only for exchanges the log keeps:
	// masking a PDU costs more than sampling it away.
	Lazy func() string `json:"-"`
}

// Directions of an exchange.
const (
	Out = "out"
	In  = "in"
)

// Journal writes exchanges to the gateway_log table in batches from a
// background goroutine, so that logging never slows a submit: when the
// buffer is full, exchanges are counted as dropped rather than waited for.
// Under log=sample it keeps every failed exchange and the first few per
// second of each gateway, which is what an operator needs to see a
// gateway's shape without storing two rows per message at 10,000 a second.
type Journal struct {
	db    *store.DB
	clock clock.Clock
	log   *slog.Logger
	ch    chan Exchange
	// Keep bounds the rows kept per gateway; older ones are pruned.
	keep int

	dropped atomic.Int64
	mu      sync.Mutex
	windows map[string]*sampleWindow
	done    chan struct{}
	wg      sync.WaitGroup
}

// SamplePerSecond is how many ordinary exchanges per gateway and second
// log=sample keeps.
const SamplePerSecond = 10

type sampleWindow struct {
	sec  int64
	seen int
}

// NewJournal starts a journal writing to db. Close flushes it.
func NewJournal(db *store.DB, clk clock.Clock, log *slog.Logger) *Journal {
	j := &Journal{db: db, clock: clk, log: log, ch: make(chan Exchange, 8192), keep: 50000,
		windows: map[string]*sampleWindow{}, done: make(chan struct{})}
	j.wg.Add(1)
	go j.run()
	return j
}

// Tracer returns the Trace function for one gateway under a log mode.
func (j *Journal) Tracer(name, mode string) func(Exchange) {
	if mode == "off" {
		return func(Exchange) {}
	}
	return func(e Exchange) {
		e.Gateway = name
		if e.At.IsZero() {
			e.At = j.clock.Now()
		}
		if !e.Failed && !j.keepOrdinary(name, mode, e.At) {
			return
		}
		e.Summary = MaskDigits(e.Summary)
		if e.Lazy != nil {
			e.Detail, e.Lazy = e.Lazy(), nil
		}
		select {
		case j.ch <- e:
		default:
			j.dropped.Add(1)
		}
	}
}

func (j *Journal) keepOrdinary(name, mode string, at time.Time) bool {
	switch mode {
	case "all":
		return true
	case "errors":
		return false
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	w := j.windows[name]
	if w == nil {
		w = &sampleWindow{}
		j.windows[name] = w
	}
	if s := at.Unix(); s != w.sec {
		w.sec, w.seen = s, 0
	}
	w.seen++
	return w.seen <= SamplePerSecond
}

// Dropped counts exchanges lost to a full buffer.
func (j *Journal) Dropped() int64 { return j.dropped.Load() }

func (j *Journal) run() {
	defer j.wg.Done()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	prune := time.NewTicker(time.Minute)
	defer prune.Stop()
	var batch []Exchange
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if err := j.write(context.Background(), batch); err != nil {
			j.log.Warn("gateway log write failed", "component", "gateway", "rows", len(batch), "err", err)
		}
		batch = batch[:0]
	}
	for {
		select {
		case e := <-j.ch:
			batch = append(batch, e)
			if len(batch) >= 256 {
				flush()
			}
		case <-tick.C:
			flush()
		case <-prune.C:
			flush()
			j.prune(context.Background())
		case <-j.done:
			for {
				select {
				case e := <-j.ch:
					batch = append(batch, e)
				default:
					flush()
					return
				}
			}
		}
	}
}

func (j *Journal) write(ctx context.Context, batch []Exchange) error {
	const cols = 7
	args := make([]any, 0, len(batch)*cols)
	for _, e := range batch {
		failed := 0
		if e.Failed {
			failed = 1
		}
		args = append(args, e.Gateway, e.At.UnixMilli(), e.Direction, e.Kind, failed, e.Summary, e.Detail)
	}
	q := `INSERT INTO gateway_log (gateway, at_ms, direction, kind, failed, summary, detail) VALUES ` + store.Placeholders(len(batch), cols)
	return j.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, j.db.Rebind(q), args...)
		return err
	})
}

// prune keeps the newest j.keep rows of each gateway.
func (j *Journal) prune(ctx context.Context) {
	rows, err := j.db.R.QueryContext(ctx, `SELECT DISTINCT gateway FROM gateway_log`)
	if err != nil {
		return
	}
	var names []string
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil {
			names = append(names, n)
		}
	}
	rows.Close()
	for _, n := range names {
		var cut sql.NullInt64
		err := j.db.R.QueryRowContext(ctx, j.db.Rebind(`SELECT id FROM gateway_log WHERE gateway = ? ORDER BY id DESC LIMIT 1 OFFSET ?`), n, j.keep).Scan(&cut)
		if err != nil || !cut.Valid {
			continue
		}
		j.db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, j.db.Rebind(`DELETE FROM gateway_log WHERE gateway = ? AND id <= ?`), n, cut.Int64)
			return err
		})
	}
}

// Close writes what is buffered and stops the journal.
func (j *Journal) Close() {
	select {
	case <-j.done:
		return
	default:
	}
	close(j.done)
	j.wg.Wait()
}

// ReadLog returns up to limit exchanges of a gateway, newest last, with an
// id above after (0 for the newest limit rows). failedOnly keeps failures.
func ReadLog(ctx context.Context, db *store.DB, gateway string, after int64, limit int, failedOnly bool) ([]LogEntry, error) {
	if limit <= 0 || limit > 10000 {
		limit = 100
	}
	where := []string{"gateway = ?"}
	args := []any{gateway}
	if failedOnly {
		where = append(where, "failed = 1")
	}
	order := "DESC"
	if after > 0 {
		where = append(where, "id > ?")
		args = append(args, after)
		order = "ASC"
	}
	args = append(args, limit)
	q := db.Rebind(`SELECT id, at_ms, direction, kind, failed, summary, detail FROM gateway_log WHERE ` +
		strings.Join(where, " AND ") + ` ORDER BY id ` + order + ` LIMIT ?`)
	rows, err := db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LogEntry
	for rows.Next() {
		var e LogEntry
		var ms int64
		var failed int
		if err := rows.Scan(&e.ID, &ms, &e.Direction, &e.Kind, &failed, &e.Summary, &e.Detail); err != nil {
			return nil, err
		}
		e.Gateway = gateway
		e.At = time.UnixMilli(ms).UTC()
		e.Failed = failed == 1
		out = append(out, e)
	}
	if order == "DESC" {
		for i, k := 0, len(out)-1; i < k; i, k = i+1, k-1 {
			out[i], out[k] = out[k], out[i]
		}
	}
	return out, rows.Err()
}

// LogEntry is a stored exchange.
type LogEntry struct {
	ID int64 `json:"id"`
	Exchange
}
