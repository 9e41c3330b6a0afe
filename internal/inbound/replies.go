package inbound

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"nudge/internal/gateway"
	"nudge/internal/outbox"
	"nudge/internal/phone"
)

// Kinds of reply in the inbox.
const (
	KindOptOut  = "opt_out" // an opt-out word: acted on at once
	KindStart   = "start"   // a restore word
	KindConfirm = "confirm" // completed a double opt-in
	KindMessage = "message" // anything else: waits for a person
)

// Inbox statuses.
const (
	StatusNew     = "new"
	StatusHandled = "handled"
)

// Outcome says what HandleReply did.
type Outcome struct {
	InboxID    int64
	Kind       string
	Duplicate  bool  // the gateway had delivered this reply before
	Answer     int64 // the confirmation's outbox id, 0 when none was sent
	Cancelled  int64 // queued marketing messages to the sender cancelled
	CustomerID int64
}

// HandleReply stores a reply and acts on it.
func (s *Service) HandleReply(ctx context.Context, r gateway.Reply) error {
	_, err := s.Handle(ctx, r)
	return err
}

// Handle is HandleReply that reports what it did.
func (s *Service) Handle(ctx context.Context, r gateway.Reply) (Outcome, error) {
	var o Outcome
	from := r.From
	valid := false
	if n, err := phone.Normalize(r.From, s.opt.Region); err == nil {
		from, valid = n.E164, true
	}
	if valid && s.customers != nil {
		if cs, err := s.customers.FindByPhone(ctx, from); err == nil && len(cs) > 0 {
			o.CustomerID = cs[0].ID
		}
	}
	o.Kind = KindMessage
	switch {
	case !valid:
		// A short code or an unreadable sender: nothing to opt out.
	case s.optOut.Match(r.Text):
		o.Kind = KindOptOut
	case s.start.Match(r.Text):
		o.Kind = KindStart
	}
	at := r.At
	if at.IsZero() {
		at = s.clock.Now()
	}
	id, dup, err := s.insertInbox(ctx, r, from, o, at)
	if err != nil || dup {
		o.Duplicate = dup
		return o, err
	}
	o.InboxID = id
	if s.consent != nil && o.CustomerID > 0 {
		if err := s.consent.Touch(ctx, o.CustomerID, at); err != nil {
			s.log.Warn("interaction not recorded", "customer", o.CustomerID, "err", err)
		}
	}
	if s.consent == nil || !valid {
		return o, nil
	}
	proof := "reply: " + r.Text
	switch o.Kind {
	case KindOptOut:
		already, err := s.consent.OptedOut(ctx, from)
		if err != nil {
			return o, err
		}
		if err := s.consent.OptOut(ctx, from, "reply", proof); err != nil {
			return o, fmt.Errorf("inbound: opt-out: %w", err)
		}
		if o.Cancelled, err = s.out.CancelTo(ctx, from, []string{"marketing"}, "opted_out"); err != nil {
			return o, err
		}
		if !already {
			if o.Answer, err = s.answer(ctx, r, from, o, s.opt.OptOutReply); err != nil {
				return o, err
			}
		}
	case KindStart:
		changed, err := s.consent.Restore(ctx, from, proof)
		if err != nil {
			return o, fmt.Errorf("inbound: restore: %w", err)
		}
		if changed {
			if o.Answer, err = s.answer(ctx, r, from, o, s.opt.StartReply); err != nil {
				return o, err
			}
		}
	default:
		n, err := s.consent.ConfirmByReply(ctx, from, r.Text)
		if err != nil {
			return o, err
		}
		if n == 0 {
			return o, nil
		}
		o.Kind = KindConfirm
	}
	return o, s.markHandled(ctx, id, o.Kind, o.Answer)
}

// answer queues a confirmation to the sender, keyed by the inbox row so
// that handling the same reply twice sends one.
func (s *Service) answer(ctx context.Context, r gateway.Reply, to string, o Outcome, text string) (int64, error) {
	if text == "" {
		return 0, nil
	}
	res, err := s.out.Enqueue(ctx, []outbox.Message{{
		Key:        fmt.Sprintf("reply:%s:%d", o.Kind, o.InboxID),
		Source:     outbox.Source{Kind: outbox.SourceReply, Ref: o.Kind},
		CustomerID: o.CustomerID, Phone: to, Text: text, Category: s.opt.ReplyCategory,
	}})
	if err != nil {
		return 0, err
	}
	if len(res.Rejected) > 0 {
		return 0, fmt.Errorf("inbound: confirmation refused: %s", res.Rejected[0].Reason)
	}
	return res.IDs[0], nil
}

func (s *Service) insertInbox(ctx context.Context, r gateway.Reply, from string, o Outcome, at time.Time) (int64, bool, error) {
	incomplete := 0
	if r.Incomplete {
		incomplete = 1
	}
	var cust sql.NullInt64
	if o.CustomerID > 0 {
		cust = sql.NullInt64{Int64: o.CustomerID, Valid: true}
	}
	var id int64
	err := s.db.W.QueryRowContext(ctx, s.db.Rebind(`INSERT INTO inbox (gateway, external_id, phone_enc, phone_index, pii_key, customer_id,
	recipient, text, kind, status, incomplete, received_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?) ON CONFLICT DO NOTHING RETURNING id`),
		r.Gateway, r.ID, s.keys.Seal(fieldPhone, from), s.keys.Index(fieldPhone, from), s.keys.Current().ID, cust,
		r.To, r.Text, o.Kind, incomplete, at.Unix()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, true, nil
	}
	return id, false, err
}

func (s *Service) markHandled(ctx context.Context, id int64, kind string, answer int64) error {
	var a sql.NullInt64
	if answer > 0 {
		a = sql.NullInt64{Int64: answer, Valid: true}
	}
	_, err := s.db.W.ExecContext(ctx, s.db.Rebind(`UPDATE inbox SET status = 'handled', kind = ?, answer_id = ?, handled_at = ? WHERE id = ?`),
		kind, a, s.clock.Now().Unix(), id)
	return err
}

// fieldPhone matches the other packages' sealed phone field.
const fieldPhone = "phone"
