package policy

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"nudge/internal/customer"
	"nudge/internal/phone"
	"nudge/internal/store"
)

// The loader fills Recipients for an audience in batches: one query for the
// customers with their latest order, click and interaction (correlated
// subqueries that each read one index entry), then one each for the
// suppression list, refused categories and the sends inside the longest
// cap window. Four queries per batch of a few hundred customers, whatever
// the audience size; memory holds one batch.

// DefaultBatch is the loader's batch size.
const DefaultBatch = 500

const recipientColumns = `c.id, c.region, c.timezone, c.consent, c.consent_at, c.consent_source, c.registered_at,
	(SELECT MAX(o.ordered_at) FROM orders o WHERE o.customer_id = c.id),
	(SELECT MAX(n.last_human_at) FROM links l JOIN link_click_counts n ON n.link_id = l.id WHERE l.customer_id = c.id),
	(SELECT i.last_at FROM customer_interactions i WHERE i.customer_id = c.id)`

// Load returns the recipients of the given customers as of now, in
// ascending id order, reusing out's storage. Ids that name no customer are
// left out. Pass at most a few thousand ids per call; Stream walks a whole
// table.
func (p *Policy) Load(ctx context.Context, ids []int64, now time.Time, out []Recipient) ([]Recipient, error) {
	out = out[:0]
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	q := p.db.Rebind(`SELECT ` + recipientColumns + ` FROM customers c WHERE c.id IN (` + marks(len(ids)) + `) ORDER BY c.id`)
	out, err := p.scanRecipients(ctx, q, args, out)
	if err != nil {
		return out, err
	}
	return out, p.complete(ctx, out, now)
}

// Stream calls fn with successive batches of recipients for every
// customer, in id order, as of now. The slice passed to fn is reused by
// the next batch.
func (p *Policy) Stream(ctx context.Context, now time.Time, batch int, fn func([]Recipient) error) error {
	if batch <= 0 {
		batch = DefaultBatch
	}
	q := p.db.Rebind(`SELECT ` + recipientColumns + ` FROM customers c WHERE c.id > ? ORDER BY c.id LIMIT ?`)
	buf := make([]Recipient, 0, batch)
	var after int64
	for {
		var err error
		buf, err = p.scanRecipients(ctx, q, []any{after, batch}, buf[:0])
		if err != nil {
			return err
		}
		if len(buf) == 0 {
			return nil
		}
		if err := p.complete(ctx, buf, now); err != nil {
			return err
		}
		after = buf[len(buf)-1].CustomerID
		if err := fn(buf); err != nil {
			return err
		}
		if len(buf) < batch {
			return nil
		}
	}
}

// Recipient loads one customer's recipient.
func (p *Policy) Recipient(ctx context.Context, customerID int64, now time.Time) (Recipient, error) {
	rs, err := p.Load(ctx, []int64{customerID}, now, nil)
	if err != nil {
		return Recipient{}, err
	}
	if len(rs) == 0 {
		return Recipient{}, store.ErrNotFound
	}
	return rs[0], nil
}

// RecipientByPhone loads the recipient for a number as people write it. A
// number shared by several customers answers for the first (lowest id);
// customers says how many there are. A number that is no customer's gives
// a Recipient with CustomerID 0 and only what the number itself carries:
// its country and its suppressions.
func (p *Policy) RecipientByPhone(ctx context.Context, raw string, now time.Time) (r Recipient, n phone.Number, customers int, err error) {
	n, err = phone.Normalize(raw, p.region)
	if err != nil {
		return r, n, 0, err
	}
	idx := p.keys.IndexAll(fieldPhone, n.E164)
	args := make([]any, len(idx))
	for i := range idx {
		args[i] = idx[i]
	}
	rows, err := p.db.R.QueryContext(ctx, p.db.Rebind(`SELECT id FROM customers WHERE phone_index IN (`+marks(len(idx))+`) ORDER BY id`), args...)
	if err != nil {
		return r, n, 0, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return r, n, 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return r, n, 0, err
	}
	if len(ids) > 0 {
		r, err = p.Recipient(ctx, ids[0], now)
		return r, n, len(ids), err
	}
	r = Recipient{Country: n.Region}
	r.Suppressed, err = p.suppressionOf(ctx, n.E164)
	return r, n, 0, err
}

func (p *Policy) scanRecipients(ctx context.Context, q string, args []any, out []Recipient) ([]Recipient, error) {
	rows, err := p.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return out, fmt.Errorf("policy: load recipients: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			r                                          Recipient
			region, tz, consent, source                string
			consentAt, registered, order, click, touch sql.NullInt64
		)
		if err := rows.Scan(&r.CustomerID, &region, &tz, &consent, &consentAt, &source, &registered, &order, &click, &touch); err != nil {
			return out, err
		}
		r.Country = region
		if tz != "" {
			if l, err := customer.LoadLocation(tz); err == nil {
				r.Location = l
			}
		}
		r.Consent, _ = ParseConsent(consent)
		r.ConsentAt = consentAt.Int64
		r.ConsentSourced = source != ""
		for _, v := range []sql.NullInt64{consentAt, registered, order, click, touch} {
			r.LastInteraction = max(r.LastInteraction, v.Int64)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// complete adds suppressions, preferences and cap counts to a batch sorted
// by customer id.
func (p *Policy) complete(ctx context.Context, rs []Recipient, now time.Time) error {
	if len(rs) == 0 {
		return nil
	}
	rules := p.rules.Load()
	pos := make(map[int64]int, len(rs))
	args := make([]any, len(rs))
	for i := range rs {
		pos[rs[i].CustomerID] = i
		args[i] = rs[i].CustomerID
	}
	in := marks(len(rs))
	err := p.eachRow(ctx, `SELECT c.id, s.reason FROM customers c JOIN suppressions s ON s.phone_index = c.phone_index
		WHERE c.id IN (`+in+`)`, args, func(id int64, rows *sql.Rows) error {
		var reason string
		if err := rows.Scan(&id, &reason); err != nil {
			return err
		}
		rs[pos[id]].Suppressed |= Reason(reason).Bit()
		return nil
	})
	if err != nil {
		return err
	}
	err = p.eachRow(ctx, `SELECT customer_id, category FROM customer_preferences WHERE refused = 1 AND customer_id IN (`+in+`)`,
		args, func(id int64, rows *sql.Rows) error {
			var cat string
			if err := rows.Scan(&id, &cat); err != nil {
				return err
			}
			rs[pos[id]].Refuse(rules, Category(cat))
			return nil
		})
	if err != nil || len(rules.caps) == 0 {
		return err
	}
	unix := now.Unix()
	sendArgs := append(args[:len(args):len(args)], unix-rules.longestCap(), unix)
	return p.eachRow(ctx, `SELECT customer_id, category, at FROM policy_sends WHERE customer_id IN (`+in+`) AND at > ? AND at <= ?`,
		sendArgs, func(id int64, rows *sql.Rows) error {
			var cat string
			var at int64
			if err := rows.Scan(&id, &cat, &at); err != nil {
				return err
			}
			r := &rs[pos[id]]
			for i, c := range rules.caps {
				if at > unix-c.window && rules.capCounts(Category(cat), i) && r.Sent[i] < 65535 {
					r.Sent[i]++
				}
			}
			return nil
		})
}

func (p *Policy) eachRow(ctx context.Context, q string, args []any, fn func(id int64, rows *sql.Rows) error) error {
	rows, err := p.db.R.QueryContext(ctx, p.db.Rebind(q), args...)
	if err != nil {
		return fmt.Errorf("policy: load recipients: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(0, rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func marks(n int) string {
	if n == 0 {
		return "NULL"
	}
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}
