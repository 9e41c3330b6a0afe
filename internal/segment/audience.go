package segment

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"time"

	"nudge/internal/pii"
	"nudge/internal/store"
)

// Count returns how many customers match the rule now.
func (s *Service) Count(ctx context.Context, r *Rule) (int64, error) {
	cp, err := s.Compile(r)
	if err != nil {
		return 0, err
	}
	var n int64
	err = s.read(ctx, func(q querier) error {
		return q.QueryRowContext(ctx, s.db.Rebind("SELECT COUNT(*) FROM customers c WHERE "+cp.Where), cp.Args...).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("segment: count: %w", err)
	}
	return n, nil
}

// Member is a customer as a preview shows it: personal data masked.
type Member struct {
	ID         int64  `json:"id"`
	ExternalID string `json:"external_id"`
	Phone      string `json:"phone"` // masked: 138****1234
	City       string `json:"city,omitempty"`
}

// Preview returns the first limit matching customers in id order, phones
// masked.
func (s *Service) Preview(ctx context.Context, r *Rule, limit int) ([]Member, error) {
	if limit <= 0 || limit > 1000 {
		limit = 20
	}
	cp, err := s.Compile(r)
	if err != nil {
		return nil, err
	}
	var out []Member
	err = s.read(ctx, func(q querier) error {
		rows, err := q.QueryContext(ctx, s.db.Rebind("SELECT c.id, c.external_id, c.phone_enc, c.city FROM customers c WHERE "+cp.Where+" ORDER BY c.id LIMIT ?"),
			append(cp.Args, limit)...)
		if err != nil {
			return fmt.Errorf("segment: preview: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var m Member
			var enc []byte
			if err := rows.Scan(&m.ID, &m.ExternalID, &enc, &m.City); err != nil {
				return err
			}
			m.Phone = pii.MaskPhone(s.openPhone(enc))
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, err
}

// openPhone opens a sealed number, or returns "" when it cannot (no
// opener, a key that is gone), which masks to nothing rather than failing
// a whole export over one row.
func (s *Service) openPhone(enc []byte) string {
	if s.opt.Phones == nil || len(enc) == 0 {
		return ""
	}
	p, err := s.opt.Phones.OpenPhone(enc)
	if err != nil {
		return ""
	}
	return p
}

// ExportOptions control an export.
type ExportOptions struct {
	// ClearPhones writes phone numbers in the clear instead of masked. The
	// export is logged with Actor and Label, before it starts and when it
	// ends.
	ClearPhones bool
	Actor       string // who asked: a console user, "cli:$USER"
	Label       string // what was exported: a segment name or "ad-hoc rule"
}

// Export writes the matching customers as CSV (external_id,phone) in id
// order, streaming one cursor, and returns the number of rows written.
func (s *Service) Export(ctx context.Context, r *Rule, w io.Writer, opt ExportOptions) (int64, error) {
	cp, err := s.Compile(r)
	if err != nil {
		return 0, err
	}
	if opt.ClearPhones {
		s.opt.Log.Warn("export with clear phone numbers started", "actor", opt.Actor, "segment", opt.Label)
	}
	var n int64
	err = s.read(ctx, func(q querier) error {
		rows, err := q.QueryContext(ctx, s.db.Rebind("SELECT c.external_id, c.phone_enc FROM customers c WHERE "+cp.Where+" ORDER BY c.id"), cp.Args...)
		if err != nil {
			return fmt.Errorf("segment: export: %w", err)
		}
		defer rows.Close()
		cw := csv.NewWriter(w)
		if err := cw.Write([]string{"external_id", "phone"}); err != nil {
			return err
		}
		for rows.Next() {
			var ext string
			var enc []byte
			if err := rows.Scan(&ext, &enc); err != nil {
				return err
			}
			p := s.openPhone(enc)
			if !opt.ClearPhones {
				p = pii.MaskPhone(p)
			}
			if err := cw.Write([]string{ext, p}); err != nil {
				return err
			}
			n++
		}
		if err := rows.Err(); err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return n, err
	}
	if opt.ClearPhones {
		s.opt.Log.Warn("export with clear phone numbers finished", "actor", opt.Actor, "segment", opt.Label, "rows", n)
	}
	return n, nil
}

// Snapshot is a segment's membership frozen at a moment.
type Snapshot struct {
	ID        int64     `json:"id"`
	SegmentID int64     `json:"segment_id"`
	Rule      string    `json:"rule"`
	Members   int64     `json:"members"`
	CreatedAt time.Time `json:"created_at"`
}

// Freeze records who matches the segment now, inside the database, and
// returns the snapshot a campaign sends to. Later changes to the segment
// or to customers do not change a snapshot.
func (s *Service) Freeze(ctx context.Context, segmentName string) (Snapshot, error) {
	sg, err := s.Get(ctx, segmentName)
	if err != nil {
		return Snapshot{}, err
	}
	r, err := sg.Parsed()
	if err != nil {
		return Snapshot{}, err
	}
	cp, err := s.Compile(r)
	if err != nil {
		return Snapshot{}, err
	}
	var id int64
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if s.db.Dialect == store.Postgres {
			// See read: the member query is a segment query too.
			if _, err := tx.ExecContext(ctx, "SET LOCAL jit = off"); err != nil {
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, s.q.Get("snapshot_insert"), sg.ID, string(sg.Rule), s.opt.Clock.Now().Unix()).Scan(&id); err != nil {
			return err
		}
		q := s.db.Rebind("INSERT INTO segment_members (segment_id, snapshot_id, customer_id) SELECT CAST(? AS BIGINT), CAST(? AS BIGINT), c.id FROM customers c WHERE " + cp.Where)
		if _, err := tx.ExecContext(ctx, q, append([]any{sg.ID, id}, cp.Args...)...); err != nil {
			return fmt.Errorf("segment: freeze: %w", err)
		}
		_, err := tx.ExecContext(ctx, s.q.Get("snapshot_set_members"), id, id)
		return err
	})
	if err != nil {
		return Snapshot{}, err
	}
	return s.Snapshot(ctx, id)
}

// Snapshot returns a frozen snapshot's header.
func (s *Service) Snapshot(ctx context.Context, id int64) (Snapshot, error) {
	var sn Snapshot
	var created int64
	err := s.db.R.QueryRowContext(ctx, s.q.Get("snapshot_by_id"), id).Scan(&sn.ID, &sn.SegmentID, &sn.Rule, &sn.Members, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return sn, store.ErrNotFound
	}
	sn.CreatedAt = time.Unix(created, 0).UTC()
	return sn, err
}

// SnapshotMembers returns up to limit customer ids of a snapshot above
// after, in order: keyset pages that a campaign streams through.
func (s *Service) SnapshotMembers(ctx context.Context, snapshotID, after int64, limit int) ([]int64, error) {
	if limit <= 0 || limit > 10000 {
		limit = 1000
	}
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("snapshot_members_page"), snapshotID, after, limit)
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
