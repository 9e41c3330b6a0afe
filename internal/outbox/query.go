package outbox

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"nudge/internal/phone"
	"nudge/internal/pii"
	"nudge/internal/store"
)

// View is a message as screens and the API show it: the number masked.
type View struct {
	ID          int64      `json:"id"`
	Key         string     `json:"key"`
	Source      Source     `json:"source"`
	CustomerID  int64      `json:"customer_id,omitempty"`
	Phone       string     `json:"phone"` // masked: 138****1234
	Region      string     `json:"region,omitempty"`
	Carrier     string     `json:"carrier,omitempty"`
	Category    string     `json:"category"`
	Text        string     `json:"text"`
	Encoding    string     `json:"encoding"`
	Parts       int        `json:"parts"`
	Gateway     string     `json:"gateway,omitempty"`
	Tried       []string   `json:"tried,omitempty"`
	Status      Status     `json:"status"`
	Review      bool       `json:"review,omitempty"` // held in sending for an operator to decide
	Attempts    int        `json:"attempts"`
	NextAt      time.Time  `json:"next_at"`
	ValidUntil  time.Time  `json:"valid_until,omitzero"`
	Cost        int64      `json:"cost_mfen"` // milli-fen
	Reason      string     `json:"reason,omitempty"`
	Error       string     `json:"error,omitempty"`
	QueuedAt    time.Time  `json:"queued_at"`
	SendingAt   time.Time  `json:"sending_at,omitzero"`
	SubmittedAt time.Time  `json:"submitted_at,omitzero"`
	FinishedAt  time.Time  `json:"finished_at,omitzero"`
	ReviewAt    time.Time  `json:"review_at,omitzero"`
	PartList    []PartView `json:"part_list,omitempty"`
}

// PartView is one accepted part of a message and its receipt.
type PartView struct {
	Part      int       `json:"part"`
	Gateway   string    `json:"gateway"`
	GatewayID string    `json:"gateway_id"`
	State     string    `json:"state,omitempty"`
	Err       string    `json:"err,omitempty"`
	DoneAt    time.Time `json:"done_at,omitzero"`
}

// Event is one step of a message's history.
type Event struct {
	At     time.Time `json:"at"`
	Status string    `json:"status"`
}

// History lists the transitions a message went through, from its
// timestamps, in order.
func (v View) History() []Event {
	ev := []Event{{v.QueuedAt, string(Queued)}}
	add := func(t time.Time, s string) {
		if !t.IsZero() {
			ev = append(ev, Event{t, s})
		}
	}
	add(v.SendingAt, string(Sending))
	add(v.ReviewAt, "review")
	add(v.SubmittedAt, string(Submitted))
	if v.Status.Final() {
		add(v.FinishedAt, string(v.Status))
	}
	return ev
}

func unixTime(n sql.NullInt64) time.Time {
	if !n.Valid || n.Int64 == 0 {
		return time.Time{}
	}
	return time.Unix(n.Int64, 0).UTC()
}

// Get returns a message with its parts.
func (s *Store) Get(ctx context.Context, id int64) (View, error) {
	var v View
	var cust, valid, review, sending, submitted, finished sql.NullInt64
	var enc []byte
	var tried string
	var nextAt, queued int64
	err := s.db.R.QueryRowContext(ctx, s.q.Get("message_get"), id).Scan(&v.ID, &v.Key, &v.Source.Kind, &v.Source.Ref,
		&cust, &enc, &v.Region, &v.Carrier, &v.Category, &v.Text, &v.Encoding, &v.Parts, &v.Gateway, &tried, &v.Status,
		&v.Attempts, &nextAt, &valid, &v.Cost, &v.Reason, &v.Error, &review, &queued, &sending, &submitted, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return v, store.ErrNotFound
	}
	if err != nil {
		return v, err
	}
	v.CustomerID = cust.Int64
	if p, err := s.keys.Open(fieldPhone, enc); err == nil {
		v.Phone = pii.MaskPhone(p)
	}
	if tried != "" {
		v.Tried = strings.Split(tried, ",")
	}
	v.NextAt, v.QueuedAt = time.Unix(nextAt, 0).UTC(), time.Unix(queued, 0).UTC()
	v.ValidUntil, v.ReviewAt = unixTime(valid), unixTime(review)
	v.SendingAt, v.SubmittedAt, v.FinishedAt = unixTime(sending), unixTime(submitted), unixTime(finished)
	v.Review = review.Valid && v.Status == Sending
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("parts_of"), id)
	if err != nil {
		return v, err
	}
	defer rows.Close()
	for rows.Next() {
		var p PartView
		var done sql.NullInt64
		if err := rows.Scan(&p.Part, &p.Gateway, &p.GatewayID, &p.State, &p.Err, &done); err != nil {
			return v, err
		}
		p.DoneAt = unixTime(done)
		v.PartList = append(v.PartList, p)
	}
	return v, rows.Err()
}

// Filter selects messages for the message log.
type Filter struct {
	Status   Status
	Review   bool // only messages held for review
	Source   *Source
	Gateway  string
	Category string
	Phone    string // any written form; matched through the blind index
	Before   int64  // keyset: ids below this; 0 = newest
	Limit    int    // default 50, at most 1000
}

// List returns messages matching f, newest first, without their parts.
func (s *Store) List(ctx context.Context, f Filter) ([]View, error) {
	var where []string
	var args []any
	if f.Status != "" {
		where, args = append(where, "m.status = ?"), append(args, string(f.Status))
	}
	if f.Review {
		where = append(where, "m.status = 'sending' AND m.review_at IS NOT NULL")
	}
	if f.Source != nil {
		where, args = append(where, "s.kind = ? AND s.ref = ?"), append(args, f.Source.Kind, f.Source.Ref)
	}
	if f.Gateway != "" {
		where, args = append(where, "m.gateway = ?"), append(args, f.Gateway)
	}
	if f.Category != "" {
		where, args = append(where, "m.category = ?"), append(args, f.Category)
	}
	if f.Phone != "" {
		n, err := phone.Normalize(f.Phone, s.opt.Region)
		if err != nil {
			return nil, err
		}
		idx := s.keys.IndexAll(fieldPhone, n.E164)
		where = append(where, "m.phone_index IN ("+marks(len(idx))+")")
		for _, i := range idx {
			args = append(args, i)
		}
	}
	if f.Before > 0 {
		where, args = append(where, "m.id < ?"), append(args, f.Before)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 50
	}
	q := `SELECT m.id FROM messages m JOIN outbox_sources s ON s.id = m.source_id`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY m.id DESC LIMIT ?`
	args = append(args, f.Limit)
	rows, err := s.db.R.QueryContext(ctx, s.db.Rebind(q), args...)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]View, 0, len(ids))
	for _, id := range ids {
		v, err := s.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		v.PartList = nil
		out = append(out, v)
	}
	return out, nil
}

// CountByStatus counts the given messages per status. A review hold counts
// as "review" rather than "sending", and a queued message due later than
// now (quiet hours, a retry's backoff) as "deferred".
func (s *Store) CountByStatus(ctx context.Context, ids []int64) (map[string]int, error) {
	out := map[string]int{}
	now := s.clock.Now().Unix()
	for off := 0; off < len(ids); off += rowsPerInsert {
		chunk := ids[off:min(off+rowsPerInsert, len(ids))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, now)
		for _, id := range chunk {
			args = append(args, id)
		}
		q := `SELECT CASE WHEN status = 'sending' AND review_at IS NOT NULL THEN 'review'
	WHEN status = 'queued' AND next_at > ? THEN 'deferred' ELSE status END, COUNT(*)
FROM messages WHERE id IN (` + marks(len(chunk)) + `) GROUP BY 1`
		rows, err := s.db.R.QueryContext(ctx, s.db.Rebind(q), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var st string
			var n int
			if err := rows.Scan(&st, &n); err != nil {
				rows.Close()
				return nil, err
			}
			out[st] += n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Totals counts every message per status.
func (s *Store) Totals(ctx context.Context) (map[string]int64, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT CASE WHEN status = 'sending' AND review_at IS NOT NULL THEN 'review' ELSE status END, COUNT(*) FROM messages GROUP BY 1`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var st string
		var n int64
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] += n
	}
	return out, rows.Err()
}

// Existing returns the ids of the messages already queued under any of
// keys, so that a retried request skips deciding again for them: the
// policy would count the first try against the caps.
func (s *Store) Existing(ctx context.Context, keys []string) (map[string]int64, error) {
	out := map[string]int64{}
	for off := 0; off < len(keys); off += rowsPerInsert {
		chunk := keys[off:min(off+rowsPerInsert, len(keys))]
		args := make([]any, len(chunk))
		for i, k := range chunk {
			args[i] = k
		}
		rows, err := s.db.R.QueryContext(ctx, s.db.Rebind(`SELECT idem_key, id FROM messages WHERE idem_key IN (`+marks(len(chunk))+`)`), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k string
			var id int64
			if err := rows.Scan(&k, &id); err != nil {
				rows.Close()
				return nil, err
			}
			out[k] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
