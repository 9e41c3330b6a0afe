package outbox

import (
	"context"
	"fmt"
)

// Review lists messages held for review: submits whose outcome nobody
// knows (the dispatcher died, or the gateway's answer was lost). Each may or
// may not have reached the handset; the operator decides.
func (s *Store) Review(ctx context.Context, before int64, limit int) ([]View, error) {
	return s.List(ctx, Filter{Review: true, Before: before, Limit: limit})
}

// ResolveReview settles held messages: resend puts them back in the queue
// (accepting the risk of a duplicate), otherwise they are marked failed
// with the reason "review_dismissed" and never sent again. It returns how
// many changed; ids that are not held for review are skipped.
func (s *Store) ResolveReview(ctx context.Context, ids []int64, resend bool) (int64, error) {
	now := s.clock.Now().Unix()
	var total int64
	for off := 0; off < len(ids); off += rowsPerInsert {
		chunk := ids[off:min(off+rowsPerInsert, len(ids))]
		args := make([]any, 0, len(chunk)+4)
		var q string
		if resend {
			q = `UPDATE messages SET status = 'queued', review_at = NULL, owner = '', next_at = ?, updated_at = ?,
	error = 'resent after review'
WHERE status = 'sending' AND review_at IS NOT NULL AND id IN (` + marks(len(chunk)) + `)`
			args = append(args, now, now)
		} else {
			q = `UPDATE messages SET status = 'failed', reason = 'review_dismissed', finished_at = ?, updated_at = ?
WHERE status = 'sending' AND review_at IS NOT NULL AND id IN (` + marks(len(chunk)) + `)`
			args = append(args, now, now)
		}
		for _, id := range chunk {
			args = append(args, id)
		}
		r, err := s.db.W.ExecContext(ctx, s.db.Rebind(q), args...)
		if err != nil {
			return total, fmt.Errorf("outbox: resolve review: %w", err)
		}
		n, _ := r.RowsAffected()
		total += n
	}
	if resend && total > 0 {
		s.wake()
	}
	return total, nil
}

// ReviewIDs returns the ids of every message held for review.
func (s *Store) ReviewIDs(ctx context.Context) ([]int64, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id FROM messages WHERE status = 'sending' AND review_at IS NOT NULL ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
