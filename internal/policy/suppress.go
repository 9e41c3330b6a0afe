package policy

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"nudge/internal/phone"
	"nudge/internal/store"
)

// The global suppression list is keyed by the blind index of the number
// (the same HMAC as customers.phone_index), so it holds numbers that are
// not customers and matches customers without decrypting anything. The
// number is also kept sealed, for exports and for re-indexing after a key
// rotation. Lookups try the index under every loaded key, so they keep
// working in the middle of a rotation.

// Suppressed is one entry of the suppression list, with the number in the
// clear: mask it (pii.MaskPhone) before it reaches a screen or a log.
type Suppressed struct {
	ID        int64     `json:"id"`
	Phone     string    `json:"phone"`
	Reason    Reason    `json:"reason"`
	Source    string    `json:"source"`
	Note      string    `json:"note,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// normalize turns a number as people write it into E.164.
func (p *Policy) normalize(raw string) (phone.Number, error) {
	n, err := phone.Normalize(raw, p.region)
	if err != nil {
		return n, fmt.Errorf("policy: %w", err)
	}
	return n, nil
}

// Suppress puts a number on the suppression list for reason. It returns
// false when the number was already there for that reason (the first
// entry, with its source and time, is kept).
func (p *Policy) Suppress(ctx context.Context, raw string, reason Reason, source, note string) (bool, error) {
	var added bool
	err := p.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		added, err = p.suppressTx(ctx, tx, raw, reason, source, note, p.now())
		return err
	})
	return added, err
}

func (p *Policy) suppressTx(ctx context.Context, tx *sql.Tx, raw string, reason Reason, source, note string, at time.Time) (bool, error) {
	if reason.Bit() == 0 {
		return false, fmt.Errorf("policy: unknown suppression reason %q", reason)
	}
	n, err := p.normalize(raw)
	if err != nil {
		return false, err
	}
	cur := p.keys.Index(fieldPhone, n.E164)
	// An entry made under an older key is re-made under the current one,
	// so that the list never holds the same number and reason twice.
	var existed bool
	for _, idx := range p.keys.IndexAll(fieldPhone, n.E164)[1:] {
		res, err := tx.ExecContext(ctx, p.db.Rebind(`DELETE FROM suppressions WHERE phone_index = ? AND reason = ?`), idx, string(reason))
		if err != nil {
			return false, err
		}
		if k, _ := res.RowsAffected(); k > 0 {
			existed = true
		}
	}
	res, err := tx.ExecContext(ctx, p.q.Get("suppression_add"), cur, p.keys.Seal(fieldPhone, n.E164),
		p.keys.Current().ID, string(reason), source, note, at.Unix())
	if err != nil {
		return false, fmt.Errorf("policy: suppress: %w", err)
	}
	k, err := res.RowsAffected()
	return k > 0 && !existed, err
}

// Unsuppress removes a number from the list: for one reason, or for every
// reason when reason is "". It returns how many entries went.
func (p *Policy) Unsuppress(ctx context.Context, raw string, reason Reason) (int64, error) {
	if reason != "" && reason.Bit() == 0 {
		return 0, fmt.Errorf("policy: unknown suppression reason %q", reason)
	}
	n, err := p.normalize(raw)
	if err != nil {
		return 0, err
	}
	var total int64
	err = p.db.Tx(ctx, func(tx *sql.Tx) error {
		total = 0
		for _, idx := range p.keys.IndexAll(fieldPhone, n.E164) {
			res, err := tx.ExecContext(ctx, p.db.Rebind(`DELETE FROM suppressions WHERE phone_index = ? AND (? = '' OR reason = ?)`),
				idx, string(reason), string(reason))
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			total += k
		}
		return nil
	})
	return total, err
}

// suppressionOf returns the suppression reasons of an E.164 number.
func (p *Policy) suppressionOf(ctx context.Context, e164 string) (Suppression, error) {
	idx := p.keys.IndexAll(fieldPhone, e164)
	args := make([]any, len(idx))
	for i := range idx {
		args[i] = idx[i]
	}
	rows, err := p.db.R.QueryContext(ctx, p.db.Rebind(`SELECT reason FROM suppressions WHERE phone_index IN (`+marks(len(idx))+`)`), args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var s Suppression
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return 0, err
		}
		s |= Reason(r).Bit()
	}
	return s, rows.Err()
}

// CheckSuppressed is the dispatcher's last look before it submits a
// message of category cat to a number: a reply STOP that arrived after the
// message was queued must still stop it. It returns the reason that blocks
// the message, or "" when it may go: for marketing any reason blocks, for
// other kinds only the hard ones (invalid_number, manual). An unknown
// category is treated as marketing.
func (p *Policy) CheckSuppressed(ctx context.Context, raw string, cat Category) (Reason, error) {
	n, err := p.normalize(raw)
	if err != nil {
		return "", err
	}
	s, err := p.suppressionOf(ctx, n.E164)
	if err != nil {
		return "", err
	}
	return p.blocking(s, cat), nil
}

// CheckSuppressedMany is CheckSuppressed for a batch of E.164 numbers and
// their categories, with one query per few hundred numbers instead of one
// per number: the dispatcher's look at a claimed batch.
func (p *Policy) CheckSuppressedMany(ctx context.Context, e164s []string, cats []Category) ([]Reason, error) {
	out := make([]Reason, len(e164s))
	const chunk = 400
	for start := 0; start < len(e164s); start += chunk {
		end := min(start+chunk, len(e164s))
		byIndex := map[string][]int{} // an index of a number -> its places in the batch
		var args []any
		for i := start; i < end; i++ {
			for _, idx := range p.keys.IndexAll(fieldPhone, e164s[i]) {
				byIndex[string(idx)] = append(byIndex[string(idx)], i)
				args = append(args, idx)
			}
		}
		rows, err := p.db.R.QueryContext(ctx, p.db.Rebind(`SELECT phone_index, reason FROM suppressions WHERE phone_index IN (`+marks(len(args))+`)`), args...)
		if err != nil {
			return nil, err
		}
		sup := make([]Suppression, end-start)
		for rows.Next() {
			var idx []byte
			var r string
			if err := rows.Scan(&idx, &r); err != nil {
				rows.Close()
				return nil, err
			}
			for _, i := range byIndex[string(idx)] {
				sup[i-start] |= Reason(r).Bit()
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for i, s := range sup {
			out[start+i] = p.blocking(s, cats[start+i])
		}
	}
	return out, nil
}

// blocking is the reason s blocks a message of category cat, "" if none:
// for marketing any reason, for other kinds only the hard ones.
func (p *Policy) blocking(s Suppression, cat Category) Reason {
	if k, ok := p.rules.Load().Kind(cat); ok && k != Marketing {
		s &= hardSuppression
	}
	for _, r := range Reasons {
		if s&r.Bit() != 0 {
			return r
		}
	}
	return ""
}

// Suppressions lists entries with an id above after, in id order, for one
// reason or all ("").
func (p *Policy) Suppressions(ctx context.Context, after int64, limit int, reason Reason) ([]Suppressed, error) {
	if limit <= 0 || limit > 10000 {
		limit = 100
	}
	rows, err := p.db.R.QueryContext(ctx, p.q.Get("suppressions_page"), after, string(reason), string(reason), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Suppressed
	for rows.Next() {
		var s Suppressed
		var enc []byte
		var at int64
		if err := rows.Scan(&s.ID, &enc, &s.Reason, &s.Source, &s.Note, &at); err != nil {
			return nil, err
		}
		if s.Phone, err = p.keys.Open(fieldPhone, enc); err != nil {
			return nil, fmt.Errorf("policy: suppression %d: %w", s.ID, err)
		}
		s.CreatedAt = time.Unix(at, 0).UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}

// CountSuppressions counts entries, for one reason or all ("").
func (p *Policy) CountSuppressions(ctx context.Context, reason Reason) (int64, error) {
	var n int64
	err := p.db.R.QueryRowContext(ctx, p.q.Get("suppression_count"), string(reason), string(reason)).Scan(&n)
	return n, err
}

// RecordHardFailure counts a hard delivery failure (unknown or invalid
// subscriber) for a number; at the configured count (3 by default) the
// number is suppressed as invalid_number. It returns whether this failure
// suppressed it. RecordDelivered resets the count.
func (p *Policy) RecordHardFailure(ctx context.Context, raw string) (bool, error) {
	n, err := p.normalize(raw)
	if err != nil {
		return false, err
	}
	limit := p.rules.Load().cfg.HardFailures
	now := p.now()
	var suppressed bool
	err = p.db.Tx(ctx, func(tx *sql.Tx) error {
		var failures int
		idx := p.keys.Index(fieldPhone, n.E164)
		if err := tx.QueryRowContext(ctx, p.q.Get("hard_failure_add"), idx, now.Unix(), now.Unix()).Scan(&failures); err != nil {
			return err
		}
		if failures < limit {
			return nil
		}
		var err error
		suppressed, err = p.suppressTx(ctx, tx, n.E164, ReasonInvalidNumber, "hard_failures",
			fmt.Sprintf("%d hard delivery failures", failures), now)
		return err
	})
	return suppressed, err
}

// RecordDelivered resets a number's hard-failure count after a delivery.
func (p *Policy) RecordDelivered(ctx context.Context, raw string) error {
	n, err := p.normalize(raw)
	if err != nil {
		return err
	}
	for _, idx := range p.keys.IndexAll(fieldPhone, n.E164) {
		if _, err := p.db.W.ExecContext(ctx, p.q.Get("hard_failures_clear"), idx); err != nil {
			return err
		}
	}
	return nil
}

// HardFailures returns a number's current hard-failure count.
func (p *Policy) HardFailures(ctx context.Context, raw string) (int, error) {
	n, err := p.normalize(raw)
	if err != nil {
		return 0, err
	}
	var f int
	err = p.db.R.QueryRowContext(ctx, p.db.Rebind(`SELECT failures FROM hard_failures WHERE phone_index = ?`),
		p.keys.Index(fieldPhone, n.E164)).Scan(&f)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return f, err
}

// UnsuppressID removes one entry of the list by its id (the console lists
// entries with masked numbers, so it cannot name the number). It returns
// store.ErrNotFound for an id that is not on the list.
func (p *Policy) UnsuppressID(ctx context.Context, id int64) error {
	res, err := p.db.W.ExecContext(ctx, p.db.Rebind(`DELETE FROM suppressions WHERE id = ?`), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}
