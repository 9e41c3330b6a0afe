package inbound

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"nudge/internal/pii"
	"nudge/internal/store"
)

// Item is a reply as the inbox shows it: the number masked.
type Item struct {
	ID         int64     `json:"id"`
	Gateway    string    `json:"gateway"`
	Phone      string    `json:"phone"` // 138****1234
	CustomerID int64     `json:"customer_id,omitempty"`
	Recipient  string    `json:"recipient,omitempty"`
	Text       string    `json:"text"`
	Kind       string    `json:"kind"`
	Status     string    `json:"status"`
	Incomplete bool      `json:"incomplete,omitempty"`
	AnswerID   int64     `json:"answer_id,omitempty"`
	ReceivedAt time.Time `json:"received_at"`
	HandledAt  time.Time `json:"handled_at,omitzero"`
}

// InboxFilter selects replies.
type InboxFilter struct {
	Status string // "new", "handled" or "" for all
	Kind   string
	Before int64 // keyset: ids below this; 0 = newest
	Limit  int   // default 50, at most 500
}

// Inbox lists replies, newest first.
func (s *Service) Inbox(ctx context.Context, f InboxFilter) ([]Item, error) {
	return ListInbox(ctx, s.db, s.keys, f)
}

// ListInbox lists replies without a running service (the CLI, the
// console in another process).
func ListInbox(ctx context.Context, db *store.DB, keys *pii.Keyring, f InboxFilter) ([]Item, error) {
	var where []string
	var args []any
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, f.Kind)
	}
	if f.Before > 0 {
		where, args = append(where, "id < ?"), append(args, f.Before)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	q := `SELECT id, gateway, phone_enc, customer_id, recipient, text, kind, status, incomplete, answer_id, received_at, handled_at FROM inbox`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, f.Limit)
	rows, err := db.R.QueryContext(ctx, db.Rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		var it Item
		var enc []byte
		var cust, answer, handled sql.NullInt64
		var inc int
		var received int64
		if err := rows.Scan(&it.ID, &it.Gateway, &enc, &cust, &it.Recipient, &it.Text, &it.Kind, &it.Status, &inc, &answer,
			&received, &handled); err != nil {
			return nil, err
		}
		if p, err := keys.Open(fieldPhone, enc); err == nil {
			it.Phone = pii.MaskPhone(p)
		}
		it.CustomerID, it.AnswerID, it.Incomplete = cust.Int64, answer.Int64, inc == 1
		it.ReceivedAt = time.Unix(received, 0).UTC()
		if handled.Valid {
			it.HandledAt = time.Unix(handled.Int64, 0).UTC()
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// MarkHandled closes a reply a person has dealt with.
func (s *Service) MarkHandled(ctx context.Context, id int64) (bool, error) {
	r, err := s.db.W.ExecContext(ctx, s.db.Rebind(`UPDATE inbox SET status = 'handled', handled_at = ? WHERE id = ? AND status = 'new'`),
		s.clock.Now().Unix(), id)
	if err != nil {
		return false, err
	}
	n, _ := r.RowsAffected()
	return n == 1, nil
}
