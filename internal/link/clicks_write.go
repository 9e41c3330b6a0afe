package link

import (
	"context"
	"database/sql"
	"hash"
	"strings"
	"time"

	"github.com/emmansun/gmsm/sm3"

	"nudge/internal/store"
)

// A batch of clicks is one transaction of two statements: the rows are
// appended to the link_clicks journal (no secondary index, so appending
// stays cheap), and the per-link totals in link_click_counts are bumped by
// one upsert per distinct link of the batch. Counts and journal therefore
// never disagree, whichever process wrote them.

// linkTotals is one link's share of a batch.
type linkTotals struct {
	human, bot  int64
	first, last int64 // of human clicks; 0 when none
}

func (t *linkTotals) add(c *click) {
	if c.bot != "" {
		t.bot++
		return
	}
	t.human++
	if t.first == 0 || c.at < t.first {
		t.first = c.at
	}
	t.last = max(t.last, c.at)
}

func (r *recorder) write(buf []click) {
	for _, m := range r.seen {
		if len(m) > 4096 {
			clear(m)
		}
	}
	args := make([]any, 0, len(buf)*5)
	totals := make(map[int64]*linkTotals)
	var order []int64
	for i := range buf {
		c := &buf[i]
		args = append(args, c.linkID, c.at, r.boxed(seenUA, c.ua), r.boxed(seenIP, c.ip), r.boxed(seenBot, c.bot))
		t := totals[c.linkID]
		if t == nil {
			t = &linkTotals{}
			totals[c.linkID] = t
			order = append(order, c.linkID)
		}
		t.add(c)
	}
	ctx := context.Background()
	// A full batch, the common case under load, reuses a statement
	// prepared once: parsing ten thousand parameters costs about as much as
	// inserting the rows.
	var st *sql.Stmt
	if len(buf) == r.batch {
		if r.full == nil {
			r.full, _ = r.db.W.PrepareContext(ctx, r.insertN(r.batch)) // on failure, no reuse
		}
		st = r.full
	}
	wait := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := r.db.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			if st != nil {
				_, err = tx.StmtContext(ctx, st).ExecContext(ctx, args...)
			} else {
				_, err = tx.ExecContext(ctx, r.insertN(len(buf)), args...)
			}
			if err != nil {
				return err
			}
			return r.bumpCounts(ctx, tx, order, totals)
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

// The kinds of recorder.seen.
const (
	seenUA = iota
	seenIP
	seenBot
)

// boxed returns a batch argument for a user agent, a client address
// (stored as its keyed hash) or a bot kind, reusing the boxed value of an
// earlier click with the same text.
func (r *recorder) boxed(kind int, s string) any {
	if v, ok := r.seen[kind][s]; ok {
		return v
	}
	var v any = s
	if kind == seenIP {
		v = ipHash(r.mac, s)
	}
	r.seen[kind][s] = v
	return v
}

// bumpCounts adds a batch's totals to link_click_counts, 500 links per
// statement.
func (r *recorder) bumpCounts(ctx context.Context, tx *sql.Tx, order []int64, totals map[int64]*linkTotals) error {
	for lo := 0; lo < len(order); lo += 500 {
		ids := order[lo:min(lo+500, len(order))]
		args := make([]any, 0, len(ids)*5)
		for _, id := range ids {
			t := totals[id]
			args = append(args, id, t.human, t.bot, nullTime(t.first), nullTime(t.last))
		}
		if _, err := tx.ExecContext(ctx, r.upsertN(len(ids)), args...); err != nil {
			return err
		}
	}
	return nil
}

// upsertN adds n links' totals. SQLite's two-argument min() and max()
// return NULL when either side is NULL, PostgreSQL's LEAST and GREATEST
// skip NULLs; COALESCE makes SQLite behave the same.
func (r *recorder) upsertN(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO link_click_counts (link_id, human, bot, first_human_at, last_human_at) VALUES `)
	b.WriteString(store.Placeholders(n, 5))
	b.WriteString(` ON CONFLICT (link_id) DO UPDATE SET human = link_click_counts.human + excluded.human,
	bot = link_click_counts.bot + excluded.bot, `)
	if r.db.Dialect == store.Postgres {
		b.WriteString(`first_human_at = LEAST(link_click_counts.first_human_at, excluded.first_human_at),
	last_human_at = GREATEST(link_click_counts.last_human_at, excluded.last_human_at)`)
	} else {
		b.WriteString(`first_human_at = COALESCE(min(link_click_counts.first_human_at, excluded.first_human_at), link_click_counts.first_human_at, excluded.first_human_at),
	last_human_at = COALESCE(max(link_click_counts.last_human_at, excluded.last_human_at), link_click_counts.last_human_at, excluded.last_human_at)`)
	}
	return r.db.Rebind(b.String())
}

// insertN is the INSERT of n clicks, in the store's dialect.
func (r *recorder) insertN(n int) string {
	return r.db.Rebind(`INSERT INTO link_clicks (link_id, at, user_agent, ip_hash, bot) VALUES ` + store.Placeholders(n, 5))
}

// writeOne records a click from the request itself (synchronous mode, or
// after Close).
func (r *recorder) writeOne(ctx context.Context, c click) {
	m := r.macs.Get().(hash.Hash)
	h := ipHash(m, c.ip)
	r.macs.Put(m)
	var t linkTotals
	t.add(&c)
	// The redirect was answered: record the click even if the phone has
	// hung up since.
	ctx = context.WithoutCancel(ctx)
	err := r.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, r.insertN(1), c.linkID, c.at, c.ua, h, c.bot); err != nil {
			return err
		}
		return r.bumpCounts(ctx, tx, []int64{c.linkID}, map[int64]*linkTotals{c.linkID: &t})
	})
	if err != nil {
		r.dropped.Add(1)
		r.log.Error("click not recorded", "err", err)
		return
	}
	r.written.Add(1)
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

func nullTime(unix int64) any {
	if unix == 0 {
		return nil
	}
	return unix
}
