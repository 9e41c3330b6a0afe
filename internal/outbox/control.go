package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"nudge/internal/store"
)

// ErrNoSource means no message was ever queued for the source.
var ErrNoSource = errors.New("outbox: no such source")

// Pause stops dispatchers from claiming the source's messages. It takes
// effect with the next claim of every dispatcher, since the claim itself
// checks the source's state; messages already claimed (at most a window per
// gateway) still go.
func (s *Store) Pause(ctx context.Context, src Source) error {
	return s.setSourceState(ctx, src, SourcePaused)
}

// Resume lets a paused source's messages go again.
func (s *Store) Resume(ctx context.Context, src Source) error {
	if err := s.setSourceState(ctx, src, SourceActive); err != nil {
		return err
	}
	s.wake()
	return nil
}

func (s *Store) setSourceState(ctx context.Context, src Source, state string) error {
	now := s.clock.Now().Unix()
	r, err := s.db.W.ExecContext(ctx, s.q.Get("source_set_state"), state, now, src.Kind, src.Ref)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		var id int64
		var st string
		err := s.db.R.QueryRowContext(ctx, s.q.Get("source_get"), src.Kind, src.Ref).Scan(&id, &st)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: %s", ErrNoSource, src)
		}
		if err == nil && st == SourceCancelled {
			return fmt.Errorf("outbox: source %s is cancelled", src)
		}
		return err
	}
	return nil
}

// cancelBatch bounds one transaction of a bulk cancel, so that cancelling
// a million queued messages never holds the SQLite writer for long.
const cancelBatch = 10000

// Cancel stops a source for good: no message of it is claimed once Cancel
// starts, and every message still queued becomes cancelled. Messages
// enqueued for it later are stored as cancelled. It returns how many
// messages it cancelled.
func (s *Store) Cancel(ctx context.Context, src Source) (int64, error) {
	now := s.clock.Now().Unix()
	if _, err := s.db.W.ExecContext(ctx, s.q.Get("source_set_state"), SourceCancelled, now, src.Kind, src.Ref); err != nil {
		return 0, err
	}
	var id int64
	var st string
	err := s.db.R.QueryRowContext(ctx, s.q.Get("source_get"), src.Kind, src.Ref).Scan(&id, &st)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("%w: %s", ErrNoSource, src)
	}
	if err != nil {
		return 0, err
	}
	var total int64
	for {
		q := `UPDATE messages SET status = 'cancelled', reason = 'cancelled', error = 'source cancelled', finished_at = ?, updated_at = ?
WHERE id IN (SELECT id FROM messages WHERE source_id = ? AND status = 'queued' LIMIT ?) AND status = 'queued'`
		r, err := s.db.W.ExecContext(ctx, s.db.Rebind(q), now, now, id, cancelBatch)
		if err != nil {
			return total, fmt.Errorf("outbox: cancel %s: %w", src, err)
		}
		n, _ := r.RowsAffected()
		total += n
		if n < cancelBatch {
			return total, nil
		}
	}
}

// CancelMessage cancels one queued message. It reports false when the
// message had already left the queue.
func (s *Store) CancelMessage(ctx context.Context, id int64, why string) (bool, error) {
	now := s.clock.Now().Unix()
	r, err := s.db.W.ExecContext(ctx, s.db.Rebind(`UPDATE messages SET status = 'cancelled', reason = 'cancelled', error = ?, finished_at = ?, updated_at = ?
WHERE id = ? AND status = 'queued'`), why, now, now, id)
	if err != nil {
		return false, err
	}
	n, _ := r.RowsAffected()
	return n == 1, nil
}

// CancelTo cancels every queued message of the given kinds (marketing, for
// an opt-out) to the number with this blind index, under any loaded key.
// The dispatcher's check just before each submit covers what is already
// claimed; this makes the rest show as cancelled at once.
func (s *Store) CancelTo(ctx context.Context, e164 string, kinds []string, reason string) (int64, error) {
	idx := s.keys.IndexAll(fieldPhone, e164)
	args := []any{}
	now := s.clock.Now().Unix()
	args = append(args, reason, "recipient "+reason, now, now)
	for _, i := range idx {
		args = append(args, i)
	}
	rows, err := s.db.R.QueryContext(ctx, s.db.Rebind(`SELECT id, category FROM messages WHERE status = 'queued' AND phone_index IN (`+marks(len(idx))+`)`), args[4:]...)
	if err != nil {
		return 0, err
	}
	var ids []any
	for rows.Next() {
		var id int64
		var cat string
		if err := rows.Scan(&id, &cat); err != nil {
			rows.Close()
			return 0, err
		}
		k := s.opt.KindOf(cat)
		for _, want := range kinds {
			if k == want {
				ids = append(ids, id)
				break
			}
		}
	}
	rows.Close()
	if len(ids) == 0 {
		return 0, rows.Err()
	}
	var total int64
	for off := 0; off < len(ids); off += rowsPerInsert {
		chunk := ids[off:min(off+rowsPerInsert, len(ids))]
		q := `UPDATE messages SET status = 'cancelled', reason = ?, error = ?, finished_at = ?, updated_at = ?
WHERE status = 'queued' AND id IN (` + marks(len(chunk)) + `)`
		r, err := s.db.W.ExecContext(ctx, s.db.Rebind(q), append(args[:4:4], chunk...)...)
		if err != nil {
			return total, err
		}
		n, _ := r.RowsAffected()
		total += n
	}
	return total, nil
}

// SourceInfo describes a source for listings.
type SourceInfo struct {
	Source
	ID      int64     `json:"id"`
	State   string    `json:"state"`
	Created time.Time `json:"created_at"`
	Queued  int64     `json:"queued"`
}

// Sources lists the newest sources with their queued counts.
func (s *Store) Sources(ctx context.Context, limit int) ([]SourceInfo, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("sources_all"), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SourceInfo
	for rows.Next() {
		var si SourceInfo
		var created int64
		if err := rows.Scan(&si.ID, &si.Kind, &si.Ref, &si.State, &created, &si.Queued); err != nil {
			return nil, err
		}
		si.Created = time.Unix(created, 0).UTC()
		out = append(out, si)
	}
	return out, rows.Err()
}

// SourceState returns a source's state.
func (s *Store) SourceState(ctx context.Context, src Source) (string, error) {
	var id int64
	var st string
	err := s.db.R.QueryRowContext(ctx, s.q.Get("source_get"), src.Kind, src.Ref).Scan(&id, &st)
	if errors.Is(err, sql.ErrNoRows) {
		return "", store.ErrNotFound
	}
	return st, err
}
