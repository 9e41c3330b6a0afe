package inbound

import (
	"context"
	"database/sql"
	"time"

	"nudge/internal/gateway"
	"nudge/internal/outbox"
	"nudge/internal/store"
)

// heldReceipt is a receipt whose message id is not (yet) stored.
type heldReceipt struct {
	r     gateway.Receipt
	since time.Time // wall time it was first held
	tries int
}

// holdDelays are the in-memory retries of an unmatched receipt before it
// goes to pending_receipts: the usual gap between a submit response and
// its recording is a few milliseconds, so almost every early receipt
// matches at the first retry and never costs a write.
var holdDelays = []time.Duration{250 * time.Millisecond, time.Second, 3 * time.Second}

// maxHeld bounds the receipts held in memory; beyond it they are stored.
const maxHeld = 50000

// applyBatch applies receipts and holds the ones whose message is unknown.
func (s *Service) applyBatch(ctx context.Context, rs []gateway.Receipt) []outbox.ReceiptResult {
	res, err := s.out.ApplyReceipts(ctx, rs)
	if err != nil {
		s.log.Error("receipts not applied; held for retry", "count", len(rs), "err", err)
		for _, r := range rs {
			s.held = append(s.held, heldReceipt{r: r, since: time.Now()})
		}
		return nil
	}
	for i, r := range res {
		if !r.Found {
			s.held = append(s.held, heldReceipt{r: rs[i], since: time.Now()})
			continue
		}
		s.followUp(ctx, r)
	}
	if len(s.held) > maxHeld {
		s.persistHeld(ctx, true)
	}
	return res
}

// followUp tells the policy about final outcomes: a hard failure counts
// towards suppressing the number, a delivery resets the count.
func (s *Service) followUp(ctx context.Context, r outbox.ReceiptResult) {
	if !r.Final || r.Phone == "" || s.consent == nil {
		return
	}
	var err error
	switch {
	case r.Status == outbox.Undelivered && gateway.HardReason(r.Reason):
		err = s.consent.HardFailure(ctx, r.Phone)
	case r.Status == outbox.Delivered:
		err = s.consent.Delivered(ctx, r.Phone)
	}
	if err != nil {
		s.log.Warn("hard-failure accounting failed", "message", r.MessageID, "err", err)
	}
}

// retryHeld retries held receipts whose delay has passed; those that still
// find no message after the last delay are stored in pending_receipts. It
// also applies stored ones whose message has appeared since.
func (s *Service) retryHeld(ctx context.Context) {
	now := time.Now()
	var due []heldReceipt
	keep := s.held[:0]
	for _, h := range s.held {
		if now.Sub(h.since) >= holdDelays[min(h.tries, len(holdDelays)-1)] {
			due = append(due, h)
		} else {
			keep = append(keep, h)
		}
	}
	s.held = keep
	if len(due) > 0 {
		rs := make([]gateway.Receipt, len(due))
		for i, h := range due {
			rs[i] = h.r
		}
		res, err := s.out.ApplyReceipts(ctx, rs)
		var store []heldReceipt
		for i, h := range due {
			switch {
			case err == nil && res[i].Found:
				s.followUp(ctx, res[i])
			case h.tries+1 >= len(holdDelays):
				store = append(store, h)
			default:
				h.tries++
				s.held = append(s.held, h)
			}
		}
		s.store(ctx, store)
	}
	s.applyPending(ctx)
}

// persistHeld stores held receipts (all of them, at shutdown or when too
// many are held).
func (s *Service) persistHeld(ctx context.Context, all bool) {
	if !all || len(s.held) == 0 {
		return
	}
	s.store(ctx, s.held)
	s.held = nil
}

func (s *Service) store(ctx context.Context, hs []heldReceipt) {
	if len(hs) == 0 {
		return
	}
	now := s.clock.Now().Unix()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		for off := 0; off < len(hs); off += 500 {
			chunk := hs[off:min(off+500, len(hs))]
			args := make([]any, 0, len(chunk)*7)
			for _, h := range chunk {
				args = append(args, h.r.Gateway, h.r.ID, string(h.r.State), h.r.Reason, h.r.Err, h.r.At.Unix(), now)
			}
			q := `INSERT INTO pending_receipts (gateway, gateway_id, state, reason, err, done_at, received_at) VALUES ` + store.Placeholders(len(chunk), 7)
			if _, err := tx.ExecContext(ctx, s.db.Rebind(q), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.log.Error("receipts could not be held in the store", "count", len(hs), "err", err)
	}
}

// applyPending applies stored receipts whose message id now exists.
func (s *Service) applyPending(ctx context.Context) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT p.id, p.gateway, p.gateway_id, p.state, p.reason, p.err, p.done_at FROM pending_receipts p
WHERE EXISTS (SELECT 1 FROM message_parts mp WHERE mp.gateway = p.gateway AND mp.gateway_id = p.gateway_id)
ORDER BY p.id LIMIT 500`)
	if err != nil {
		return
	}
	var ids []any
	var rs []gateway.Receipt
	for rows.Next() {
		var id, at int64
		var r gateway.Receipt
		var st string
		if rows.Scan(&id, &r.Gateway, &r.ID, &st, &r.Reason, &r.Err, &at) == nil {
			r.State, r.At = gateway.State(st), time.Unix(at, 0).UTC()
			ids = append(ids, id)
			rs = append(rs, r)
		}
	}
	rows.Close()
	if len(rs) == 0 {
		return
	}
	res, err := s.out.ApplyReceipts(ctx, rs)
	if err != nil {
		return
	}
	for _, r := range res {
		s.followUp(ctx, r)
	}
	s.db.W.ExecContext(ctx, s.db.Rebind(`DELETE FROM pending_receipts WHERE id IN `+store.Placeholders(1, len(ids))), ids...)
}
