package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"nudge/internal/gateway"
)

// ReceiptResult says what a receipt did.
type ReceiptResult struct {
	// Found: a part with the receipt's gateway id is stored. A receipt
	// that is not found may have overtaken its submit response; the
	// caller holds it and tries again.
	Found bool
	// Changed: the part's state changed. A duplicate receipt, or one for
	// a part already final, changes nothing.
	Changed    bool
	MessageID  int64
	Status     Status // the message's status after the receipt
	Final      bool   // the message reached its final state with this receipt
	CustomerID int64
	Phone      string // E.164, for hard-failure accounting; only in memory
	Category   string
	Reason     string
}

// ApplyReceipts applies delivery receipts in one transaction. A part's
// state is set once; the message becomes undelivered as soon as one part
// fails, delivered when every accepted part is delivered, expired when the
// rest are final and one expired. A message already final never changes.
func (s *Store) ApplyReceipts(ctx context.Context, rs []gateway.Receipt) ([]ReceiptResult, error) {
	out := make([]ReceiptResult, len(rs))
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		for i, r := range rs {
			res, err := s.applyReceipt(ctx, tx, r)
			if err != nil {
				return err
			}
			out[i] = res
		}
		return nil
	})
	return out, err
}

func (s *Store) applyReceipt(ctx context.Context, tx *sql.Tx, r gateway.Receipt) (ReceiptResult, error) {
	var res ReceiptResult
	var part int
	var state string
	err := tx.QueryRowContext(ctx, s.db.Rebind(`SELECT message_id, part, state FROM message_parts WHERE gateway = ? AND gateway_id = ?
ORDER BY message_id DESC LIMIT 1`), r.Gateway, r.ID).Scan(&res.MessageID, &part, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return res, nil
	}
	if err != nil {
		return res, fmt.Errorf("outbox: receipt lookup: %w", err)
	}
	res.Found = true
	var status string
	var cust sql.NullInt64
	var enc []byte
	if err := tx.QueryRowContext(ctx, s.db.Rebind(`SELECT status, customer_id, phone_enc, category FROM messages WHERE id = ?`), res.MessageID).
		Scan(&status, &cust, &enc, &res.Category); err != nil {
		return res, err
	}
	res.Status, res.CustomerID = Status(status), cust.Int64
	if state != "" || !r.State.Final() {
		return res, nil
	}
	at := r.At.Unix()
	if r.At.IsZero() {
		at = s.clock.Now().Unix()
	}
	up, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE message_parts SET state = ?, err = ?, done_at = ? WHERE message_id = ? AND part = ? AND state = ''`),
		string(r.State), r.Err, at, res.MessageID, part)
	if err != nil {
		return res, err
	}
	if n, _ := up.RowsAffected(); n == 0 {
		return res, nil
	}
	res.Changed = true
	if res.Status != Submitted {
		return res, nil
	}
	next, reason, err := s.messageState(ctx, tx, res.MessageID, r)
	if err != nil || next == Submitted {
		return res, err
	}
	now := s.clock.Now().Unix()
	errText := ""
	if r.Err != "" {
		errText = "err " + r.Err
	}
	up, err = tx.ExecContext(ctx, s.db.Rebind(`UPDATE messages SET status = ?, reason = ?, error = ?, finished_at = ?, updated_at = ?
WHERE id = ? AND status = 'submitted'`), string(next), reason, errText, at, now, res.MessageID)
	if err != nil {
		return res, err
	}
	if n, _ := up.RowsAffected(); n == 1 {
		res.Status, res.Final, res.Reason = next, true, reason
		res.Phone, _ = s.keys.Open(fieldPhone, enc)
	}
	return res, nil
}

// messageState derives the message's state from its parts' states.
func (s *Store) messageState(ctx context.Context, tx *sql.Tx, id int64, r gateway.Receipt) (Status, string, error) {
	rows, err := tx.QueryContext(ctx, s.db.Rebind(`SELECT state FROM message_parts WHERE message_id = ?`), id)
	if err != nil {
		return "", "", err
	}
	defer rows.Close()
	all, delivered, expired, failed := 0, 0, 0, 0
	for rows.Next() {
		var st string
		if err := rows.Scan(&st); err != nil {
			return "", "", err
		}
		all++
		switch gateway.State(st) {
		case gateway.Delivered:
			delivered++
		case gateway.Expired:
			expired++
		case gateway.Undelivered, gateway.Rejected:
			failed++
		}
	}
	if err := rows.Err(); err != nil {
		return "", "", err
	}
	switch {
	case failed > 0:
		reason := r.Reason
		if reason == "" {
			reason = string(r.State)
		}
		return Undelivered, reason, nil
	case delivered == all:
		return Delivered, "", nil
	case delivered+expired == all:
		return Expired, gateway.ReasonExpired, nil
	}
	return Submitted, "", nil
}

// ExpireUnconfirmed marks messages submitted before the configured wait
// (default 72 h) and still without a final receipt as expired. The sweep
// runs on the clock, so a test can move time instead of waiting.
func (s *Store) ExpireUnconfirmed(ctx context.Context) (int64, error) {
	now := s.clock.Now()
	cut := now.Add(-s.opt.UnconfirmedAfter).Unix()
	return s.sweep(ctx, `UPDATE messages SET status = 'expired', reason = 'no_receipt', finished_at = ?, updated_at = ?
WHERE id IN (SELECT id FROM messages WHERE status = 'submitted' AND submitted_at < ? LIMIT ?) AND status = 'submitted'`, now.Unix(), cut)
}

// ExpireStale marks queued messages whose validity has passed as expired:
// a paused or throttled flash sale must not go out after it ended.
func (s *Store) ExpireStale(ctx context.Context) (int64, error) {
	now := s.clock.Now()
	return s.sweep(ctx, `UPDATE messages SET status = 'expired', reason = 'validity', error = 'validity passed before it could be sent',
	finished_at = ?, updated_at = ?
WHERE id IN (SELECT id FROM messages WHERE status = 'queued' AND valid_until IS NOT NULL AND valid_until < ? LIMIT ?) AND status = 'queued'`,
		now.Unix(), now.Unix())
}

func (s *Store) sweep(ctx context.Context, q string, now, cut int64) (int64, error) {
	var total int64
	for {
		r, err := s.db.W.ExecContext(ctx, s.db.Rebind(q), now, now, cut, cancelBatch)
		if err != nil {
			return total, fmt.Errorf("outbox: sweep: %w", err)
		}
		n, _ := r.RowsAffected()
		total += n
		if n < cancelBatch {
			return total, nil
		}
	}
}
