package outbox

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"nudge/internal/store"
)

// Claimed is a message a dispatcher took for an immediate submit, with its
// number opened.
type Claimed struct {
	ID         int64
	SourceID   int64
	CustomerID int64
	Phone      string // E.164
	PhoneIndex []byte
	Region     string
	Carrier    string
	Category   string
	Text       string
	Parts      int
	Attempts   int // including this one
	Tried      []string
	ValidUntil time.Time // zero: no limit

	at claimCursor // its place in the claim order
}

// claimCursor is a place in the claim order, (next_at, id). A line claims
// a source's messages after the place its last claims reached, so that a
// claim need not walk again past what it already took: on PostgreSQL the
// index entries of claimed rows stay until vacuum, and without a cursor a
// million-message run slows as every claim reads through the dead
// entries at the front of messages_claim. The zero cursor is the start.
type claimCursor struct{ nextAt, id int64 }

// sourceCursor is a line's cursor in one source, and when it last went
// back to the start.
type sourceCursor struct {
	at    claimCursor
	since time.Time
}

// compare orders two places in the claim order, as cmp.Compare does.
func (c claimCursor) compare(d claimCursor) int {
	return cmp.Or(cmp.Compare(c.nextAt, d.nextAt), cmp.Compare(c.id, d.id))
}

// activeSource is a source a dispatcher may claim from.
type activeSource struct {
	id   int64
	kind string
	ref  string
}

func (s *Store) activeSources(ctx context.Context) ([]activeSource, error) {
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("sources_active"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []activeSource
	for rows.Next() {
		var a activeSource
		if err := rows.Scan(&a.id, &a.kind, &a.ref); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// claim moves up to n due, queued messages of one gateway and source that
// come after the cursor to sending, owned by owner, and returns them in
// claim order.
func (s *Store) claim(ctx context.Context, gateway string, sourceID int64, owner string, n int, after claimCursor) ([]Claimed, error) {
	now := s.clock.Now().Unix()
	rows, err := s.db.W.QueryContext(ctx, s.q.Get("claim"), owner, now, now, gateway, sourceID, now, after.nextAt, after.id, n, sourceID)
	if err != nil {
		return nil, fmt.Errorf("outbox: claim: %w", err)
	}
	defer rows.Close()
	var out []Claimed
	for rows.Next() {
		var c Claimed
		var cust, valid sql.NullInt64
		var enc []byte
		var tried string
		if err := rows.Scan(&c.ID, &cust, &enc, &c.PhoneIndex, &c.Region, &c.Carrier, &c.Category, &c.Text, &c.Parts,
			&c.Attempts, &tried, &valid, &c.at.nextAt); err != nil {
			return nil, err
		}
		c.SourceID, c.CustomerID, c.at.id = sourceID, cust.Int64, c.ID
		if valid.Valid {
			c.ValidUntil = time.Unix(valid.Int64, 0).UTC()
		}
		if tried != "" {
			c.Tried = strings.Split(tried, ",")
		}
		if c.Phone, err = s.keys.Open(fieldPhone, enc); err != nil {
			// A row that cannot be opened cannot be sent; the outcome
			// path fails it rather than leaving it in sending.
			c.Phone = ""
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// RETURNING order is unspecified; submit in claim order.
	slices.SortFunc(out, func(a, b Claimed) int { return a.at.compare(b.at) })
	return out, nil
}

// outcomeKind is what became of a claimed message.
type outcomeKind uint8

const (
	outSubmitted outcomeKind = iota + 1
	outRetry                 // back to queued on the same gateway, later
	outFailover              // back to queued on another gateway
	outReview                // stays in sending, listed for review
	outRequeue               // uncertain but the gateway says resend: back to queued
	outFailed
	outCancelled
	outExpired
	outRelease // claimed but never submitted: back to queued, the attempt not counted
)

// outcome is the result of one claimed message, written by record.
type outcome struct {
	id      int64
	kind    outcomeKind
	gateway string
	ids     []string // gateway ids of accepted parts
	cost    int64
	nextAt  time.Time
	tried   string // for failover: the gateways tried so far
	reason  string
	err     string
}

// record writes a batch of outcomes in one transaction. Gateway ids go in
// first: once a part is accepted, its id is what matters most.
func (s *Store) record(ctx context.Context, outs []outcome) error {
	if len(outs) == 0 {
		return nil
	}
	now := s.clock.Now().Unix()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.insertParts(ctx, tx, outs); err != nil {
			return err
		}
		// Submitted messages of one price go in one statement.
		var submitted []any
		var costs []int64
		for _, o := range outs {
			if o.kind == outSubmitted {
				submitted = append(submitted, o.id)
				costs = append(costs, o.cost)
			}
		}
		if err := s.markSubmitted(ctx, tx, submitted, costs, now); err != nil {
			return err
		}
		for _, o := range outs {
			var err error
			switch o.kind {
			case outSubmitted:
				continue
			case outRetry:
				_, err = tx.ExecContext(ctx, s.q.Get("set_retry"), o.nextAt.Unix(), o.err, now, o.id)
			case outFailover:
				_, err = tx.ExecContext(ctx, s.q.Get("set_failover"), o.gateway, o.tried, o.nextAt.Unix(), o.err, now, o.id)
			case outReview:
				_, err = tx.ExecContext(ctx, s.q.Get("mark_review"), now, o.err, now, o.id)
			case outRequeue:
				_, err = tx.ExecContext(ctx, s.q.Get("requeue_sending"), now, o.err, now, o.id)
			case outFailed:
				_, err = tx.ExecContext(ctx, s.q.Get("set_final_from_sending"), string(Failed), o.reason, o.err, o.cost, now, now, o.id)
			case outCancelled:
				_, err = tx.ExecContext(ctx, s.q.Get("set_final_from_sending"), string(Cancelled), o.reason, o.err, 0, now, now, o.id)
			case outRelease:
				_, err = tx.ExecContext(ctx, s.q.Get("release_sending"), now, o.id)
			case outExpired:
				_, err = tx.ExecContext(ctx, s.q.Get("set_final_from_sending"), string(Expired), o.reason, o.err, 0, now, now, o.id)
			}
			if err != nil {
				return fmt.Errorf("outbox: record message %d: %w", o.id, err)
			}
		}
		return nil
	})
}

const partCols = 4

func (s *Store) insertParts(ctx context.Context, tx *sql.Tx, outs []outcome) error {
	if s.db.Dialect == store.Postgres {
		return s.insertPartsArrays(ctx, tx, outs)
	}
	var args []any
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		q := `INSERT INTO message_parts (message_id, part, gateway, gateway_id) VALUES ` + placeholders(n, partCols) +
			` ON CONFLICT (message_id, part) DO NOTHING`
		_, err := tx.ExecContext(ctx, s.db.Rebind(q), args...)
		args, n = args[:0], 0
		if err != nil {
			return fmt.Errorf("outbox: record gateway ids: %w", err)
		}
		return nil
	}
	for _, o := range outs {
		for i, id := range o.ids {
			args = append(args, o.id, i+1, o.gateway, id)
			n++
			if n == rowsPerInsert {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// markSubmitted moves messages from sending to submitted, costs grouped
// so that a batch of one gateway is usually a single statement.
func (s *Store) markSubmitted(ctx context.Context, tx *sql.Tx, ids []any, costs []int64, now int64) error {
	if s.db.Dialect == store.Postgres {
		return s.markSubmittedArrays(ctx, tx, ids, costs, now)
	}
	byCost := map[int64][]any{}
	for i, id := range ids {
		byCost[costs[i]] = append(byCost[costs[i]], id)
	}
	for cost, group := range byCost {
		for off := 0; off < len(group); off += rowsPerInsert {
			chunk := group[off:min(off+rowsPerInsert, len(group))]
			args := append([]any{now, now, cost}, chunk...)
			q := `UPDATE messages SET status = 'submitted', owner = '', error = '', submitted_at = ?, updated_at = ?, cost = ?
WHERE status = 'sending' AND id IN (` + marks(len(chunk)) + `)`
			if _, err := tx.ExecContext(ctx, s.db.Rebind(q), args...); err != nil {
				return fmt.Errorf("outbox: mark submitted: %w", err)
			}
		}
	}
	return nil
}

func placeholders(rows, cols int) string {
	one := "(" + marks(cols) + ")"
	return strings.TrimSuffix(strings.Repeat(one+",", rows), ",")
}

// On PostgreSQL the two statements of every recorded batch take their rows
// as arrays: one parameter per column instead of one per value, so the
// statement text is the same for every batch and the server plans it once.

func (s *Store) insertPartsArrays(ctx context.Context, tx *sql.Tx, outs []outcome) error {
	var ids []int64
	var parts []int32
	var gws, gwIDs []string
	for _, o := range outs {
		for i, id := range o.ids {
			ids, parts, gws, gwIDs = append(ids, o.id), append(parts, int32(i+1)), append(gws, o.gateway), append(gwIDs, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO message_parts (message_id, part, gateway, gateway_id)
SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[]) ON CONFLICT (message_id, part) DO NOTHING`, ids, parts, gws, gwIDs)
	if err != nil {
		return fmt.Errorf("outbox: record gateway ids: %w", err)
	}
	return nil
}

func (s *Store) markSubmittedArrays(ctx context.Context, tx *sql.Tx, ids []any, costs []int64, now int64) error {
	if len(ids) == 0 {
		return nil
	}
	ms := make([]int64, len(ids))
	for i, id := range ids {
		ms[i] = id.(int64)
	}
	_, err := tx.ExecContext(ctx, `UPDATE messages m SET status = 'submitted', owner = '', error = '', submitted_at = $1, updated_at = $1, cost = c.cost
FROM unnest($2::bigint[], $3::bigint[]) AS c(id, cost) WHERE m.id = c.id AND m.status = 'sending'`, now, ms, costs)
	if err != nil {
		return fmt.Errorf("outbox: mark submitted: %w", err)
	}
	return nil
}
