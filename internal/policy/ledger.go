package policy

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Execer is what Record writes through: a *sql.Tx (the outbox's enqueue
// transaction), a *sql.DB or a *sql.Conn.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Record adds a queued message to the sends ledger that frequency caps
// count. The outbox calls it in the same transaction as the enqueue, so a
// message counts exactly when it is queued: a rolled-back enqueue leaves no
// count behind, and a message that later fails still counted (the customer
// may well have been charged attention for it; caps count what was sent
// for, not what was delivered).
func (p *Policy) Record(ctx context.Context, x Execer, customerID int64, cat Category, at time.Time) error {
	if _, err := x.ExecContext(ctx, p.q.Get("send_record"), customerID, string(cat), at.Unix()); err != nil {
		return fmt.Errorf("policy: record send: %w", err)
	}
	return nil
}

// PruneSends deletes ledger rows older than the longest cap window as of
// now: no cap can count them any more.
func (p *Policy) PruneSends(ctx context.Context, now time.Time) (int64, error) {
	longest := p.rules.Load().longestCap()
	if longest == 0 {
		longest = 30 * 86400
	}
	res, err := p.db.W.ExecContext(ctx, p.q.Get("sends_prune"), now.Unix()-longest)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Touch records an interaction (a reply, a visit) that keeps a customer in
// marketing audiences; orders and human link clicks are read from their own
// tables and need no Touch. kind names it ("reply"). Only a later time
// replaces the stored one.
func (p *Policy) Touch(ctx context.Context, customerID int64, kind string, at time.Time) error {
	_, err := p.db.W.ExecContext(ctx, p.q.Get("interaction_touch"), customerID, kind, at.Unix())
	if err != nil {
		return fmt.Errorf("policy: touch: %w", err)
	}
	return nil
}
