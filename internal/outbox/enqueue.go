package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"nudge/internal/phone"
	"nudge/internal/sms"
	"nudge/internal/store"
)

// Message is a message to enqueue, with the number in the clear: it only
// exists like this in memory.
type Message struct {
	// Key makes Enqueue idempotent: a second message with the same key is
	// not queued again. It names the send, such as "campaign:42:1:c1001".
	Key        string
	Source     Source
	CustomerID int64  // 0 when the recipient is not a customer (staff, a list)
	Phone      string // as written; normalised with Options.Region
	Text       string
	Category   string
	// NotBefore defers the message (quiet hours); zero means now.
	NotBefore time.Time
	// ValidUntil drops the message unsent after this moment. Zero gives
	// marketing NotBefore + Options.MarketingValidity and other kinds no
	// limit.
	ValidUntil time.Time
}

// Send is a newly queued message as the frequency-cap ledger sees it.
type Send struct {
	MessageID  int64
	CustomerID int64
	Category   string
	At         time.Time
}

// Ledger records queued messages for frequency caps. Record runs inside the
// enqueue transaction, so a message is counted exactly when it is queued;
// duplicates (keys already queued) are not passed to it.
type Ledger interface {
	Record(ctx context.Context, tx *sql.Tx, sends []Send) error
}

// Rejection is a message Enqueue refused, by its index in the input.
type Rejection struct {
	Index  int
	Reason string
}

// EnqueueResult says what Enqueue did with each message.
type EnqueueResult struct {
	// IDs holds, per input message, its id: new, or the one already queued
	// under the same key; 0 for a rejected message.
	IDs        []int64
	New        int
	Duplicates int
	Rejected   []Rejection
}

// rowsPerInsert keeps a multi-row insert under SQLite's 32,766 variables.
const rowsPerInsert = 500

// rowsPerTx bounds a transaction, so that a million-message enqueue does not
// hold the single SQLite writer for its whole duration.
const rowsPerTx = 5000

const insertCols = 19

// Enqueue queues messages, idempotently on their keys, in batched
// multi-row inserts (ON CONFLICT DO NOTHING). Messages that cannot be sent
// at all (a bad number, an empty text) are rejected individually; the rest
// go. New messages of a cancelled source are stored as cancelled.
func (s *Store) Enqueue(ctx context.Context, msgs []Message) (EnqueueResult, error) {
	res := EnqueueResult{IDs: make([]int64, len(msgs))}
	for start := 0; start < len(msgs); start += rowsPerTx {
		end := min(start+rowsPerTx, len(msgs))
		if err := s.enqueueTx(ctx, msgs, start, end, &res); err != nil {
			return res, err
		}
	}
	if res.New > 0 {
		if err := s.refreshStats(ctx, res.New); err != nil {
			return res, err
		}
		s.wake()
	}
	return res, nil
}

// refreshStats keeps PostgreSQL's statistics of messages current while a
// campaign's fan-out grows the table. Until autovacuum's analyze comes
// (late, or never where it is off) the planner takes the queue for nearly
// empty and sorts every queued row for each claim instead of reading the
// claim index: 80 ms a claim at 60,000 queued rows. It analyzes whenever
// this process has queued as many rows as the table held at the last
// analyze (at least 10,000), so a million-message fan-out into an empty
// table costs seven analyzes of a 30,000-row sample each.
func (s *Store) refreshStats(ctx context.Context, added int) error {
	if s.db.Dialect != store.Postgres {
		return nil
	}
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	s.sinceAnalyze += int64(added)
	if s.sinceAnalyze < max(s.analyzedRows, 10_000) {
		return nil
	}
	if _, err := s.db.W.ExecContext(ctx, `ANALYZE messages`); err != nil {
		return fmt.Errorf("outbox: analyze messages: %w", err)
	}
	s.sinceAnalyze = 0
	return s.db.W.QueryRowContext(ctx, `SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE oid = 'messages'::regclass`).Scan(&s.analyzedRows)
}

type prepared struct {
	idx      int
	e164     string
	region   string
	carrier  string
	encoding string
	parts    int
	gateway  string
	nextAt   int64
	validTo  sql.NullInt64
}

func (s *Store) prepare(m *Message, idx int, now time.Time) (prepared, error) {
	p := prepared{idx: idx}
	switch {
	case strings.TrimSpace(m.Key) == "":
		return p, errors.New("no idempotency key")
	case strings.TrimSpace(m.Text) == "":
		return p, errors.New("empty text")
	case m.Category == "":
		return p, errors.New("no category")
	case m.Source.Kind == "":
		return p, errors.New("no source")
	}
	n, err := phone.Normalize(m.Phone, s.opt.Region)
	if err != nil {
		var pe *phone.Error
		if errors.As(err, &pe) {
			return p, fmt.Errorf("bad phone: %s", pe.Reason)
		}
		return p, errors.New("bad phone")
	}
	p.e164, p.region, p.carrier = n.E164, n.Region, string(n.Carrier)
	c := sms.CountText(m.Text)
	p.encoding, p.parts = string(c.Encoding), c.Segments
	at := m.NotBefore
	if at.IsZero() || at.Before(now) {
		at = now
	}
	p.nextAt = at.Unix()
	switch {
	case !m.ValidUntil.IsZero():
		p.validTo = sql.NullInt64{Int64: m.ValidUntil.Unix(), Valid: true}
	case s.opt.KindOf(m.Category) == "marketing":
		p.validTo = sql.NullInt64{Int64: at.Add(s.opt.MarketingValidity).Unix(), Valid: true}
	}
	if r := s.router(); r != nil {
		p.gateway = r.Route(p.e164, p.carrier, m.Category, nil)
	}
	return p, nil
}

func (s *Store) enqueueTx(ctx context.Context, msgs []Message, start, end int, res *EnqueueResult) error {
	now := s.clock.Now()
	ps := make([]prepared, 0, end-start)
	for i := start; i < end; i++ {
		p, err := s.prepare(&msgs[i], i, now)
		if err != nil {
			res.Rejected = append(res.Rejected, Rejection{Index: i, Reason: err.Error()})
			continue
		}
		ps = append(ps, p)
	}
	if len(ps) == 0 {
		return nil
	}
	keyID := s.keys.Current().ID
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		sources, err := s.sourceIDs(ctx, tx, msgs, ps, now)
		if err != nil {
			return err
		}
		byKey := make(map[string]int, len(ps))
		var sends []Send
		for off := 0; off < len(ps); off += rowsPerInsert {
			chunk := ps[off:min(off+rowsPerInsert, len(ps))]
			args := make([]any, 0, len(chunk)*insertCols)
			for _, p := range chunk {
				m := &msgs[p.idx]
				src := sources[m.Source]
				status, finished := Queued, sql.NullInt64{}
				if src.state == SourceCancelled {
					status, finished = Cancelled, sql.NullInt64{Int64: now.Unix(), Valid: true}
				}
				var cust sql.NullInt64
				if m.CustomerID > 0 {
					cust = sql.NullInt64{Int64: m.CustomerID, Valid: true}
				}
				args = append(args, m.Key, src.id, cust, s.keys.Seal(fieldPhone, p.e164), s.keys.Index(fieldPhone, p.e164), keyID,
					p.region, p.carrier, m.Category, m.Text, p.encoding, p.parts, p.gateway, string(status),
					p.nextAt, p.validTo, now.Unix(), now.Unix(), finished)
				byKey[m.Key] = p.idx
			}
			q := `INSERT INTO messages (idem_key, source_id, customer_id, phone_enc, phone_index, pii_key, region, carrier,
	category, text, encoding, parts, gateway, status, next_at, valid_until, queued_at, updated_at, finished_at)
VALUES ` + store.Placeholders(len(chunk), insertCols) + ` ON CONFLICT (idem_key) DO NOTHING RETURNING id, idem_key`
			rows, err := tx.QueryContext(ctx, s.db.Rebind(q), args...)
			if err != nil {
				return fmt.Errorf("outbox: enqueue: %w", err)
			}
			for rows.Next() {
				var id int64
				var key string
				if err := rows.Scan(&id, &key); err != nil {
					rows.Close()
					return err
				}
				i := byKey[key]
				res.IDs[i] = id
				res.New++
				if m := &msgs[i]; m.CustomerID > 0 && sources[m.Source].state != SourceCancelled {
					sends = append(sends, Send{MessageID: id, CustomerID: m.CustomerID, Category: m.Category, At: now})
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		if err := s.fillDuplicates(ctx, tx, msgs, ps, res); err != nil {
			return err
		}
		if len(sends) > 0 && s.opt.Ledger != nil {
			if err := s.opt.Ledger.Record(ctx, tx, sends); err != nil {
				return fmt.Errorf("outbox: record sends for caps: %w", err)
			}
		}
		return nil
	})
}

// fillDuplicates finds the ids of messages whose key was already queued.
// A key repeated inside one call counts as a duplicate of its first use.
func (s *Store) fillDuplicates(ctx context.Context, tx *sql.Tx, msgs []Message, ps []prepared, res *EnqueueResult) error {
	want := map[string][]int{}
	for _, p := range ps {
		if res.IDs[p.idx] == 0 {
			k := msgs[p.idx].Key
			want[k] = append(want[k], p.idx)
		}
	}
	if len(want) == 0 {
		return nil
	}
	keys := make([]any, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	for off := 0; off < len(keys); off += rowsPerInsert {
		chunk := keys[off:min(off+rowsPerInsert, len(keys))]
		rows, err := tx.QueryContext(ctx, s.db.Rebind(`SELECT id, idem_key FROM messages WHERE idem_key IN (`+marks(len(chunk))+`)`), chunk...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var k string
			if err := rows.Scan(&id, &k); err != nil {
				rows.Close()
				return err
			}
			for _, i := range want[k] {
				res.IDs[i] = id
				res.Duplicates++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

type sourceRow struct {
	id    int64
	state string
}

// sourceIDs gets or creates the source rows the batch names.
func (s *Store) sourceIDs(ctx context.Context, tx *sql.Tx, msgs []Message, ps []prepared, now time.Time) (map[Source]sourceRow, error) {
	out := map[Source]sourceRow{}
	for _, p := range ps {
		src := msgs[p.idx].Source
		if _, ok := out[src]; ok {
			continue
		}
		r, err := s.source(ctx, tx, src, now)
		if err != nil {
			return nil, err
		}
		out[src] = r
	}
	return out, nil
}

func (s *Store) source(ctx context.Context, tx *sql.Tx, src Source, now time.Time) (sourceRow, error) {
	var r sourceRow
	if _, err := tx.ExecContext(ctx, s.q.Get("source_create"), src.Kind, src.Ref, sourcePriority(src.Kind), now.Unix(), now.Unix()); err != nil {
		return r, fmt.Errorf("outbox: source %s: %w", src, err)
	}
	err := tx.QueryRowContext(ctx, s.q.Get("source_get"), src.Kind, src.Ref).Scan(&r.id, &r.state)
	return r, err
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }
