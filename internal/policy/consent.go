package policy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"nudge/internal/store"
)

// Consent lives in two places: the customer row holds the current state
// (customers.consent, consent_at, consent_source: what the loader reads),
// and consent_events holds every change with its proof, which is what
// answers "when and how did this customer agree?". Both are written in one
// transaction. An opt-out also puts the number on the suppression list, so
// that it holds for every customer with that number and for numbers that
// are not customers; a later explicit opt-in takes the opt-out entry off
// again (a complaint or a manual block stays).

// ConsentEvent is one change of consent with its proof.
type ConsentEvent struct {
	CustomerID int64   `json:"customer_id,omitempty"`
	State      Consent `json:"-"`
	// Source says how: "import", "web_form", "reply", "double_opt_in",
	// "operator", "api".
	Source string `json:"source"`
	// Proof is the evidence: the reply text, the form and page, the
	// operator's name. It must not hold the phone number.
	Proof string    `json:"proof,omitempty"`
	At    time.Time `json:"at"`
}

// ErrNoSource means a consent change was offered without saying how it was
// given: consent without provenance proves nothing.
var ErrNoSource = errors.New("policy: consent needs a source")

// errNoPhone: a double opt-in needs a number to send the request to.
var errNoPhone = errors.New("policy: customer has no phone number")

// ErrAlreadyOptedIn is returned by StartDoubleOptIn for a customer who has
// already confirmed.
var ErrAlreadyOptedIn = errors.New("policy: customer already opted in")

// RecordConsent records a customer's new consent state with its proof. A
// zero At means now.
func (p *Policy) RecordConsent(ctx context.Context, ev ConsentEvent) error {
	if strings.TrimSpace(ev.Source) == "" {
		return ErrNoSource
	}
	if ev.At.IsZero() {
		ev.At = p.now()
	}
	return p.db.Tx(ctx, func(tx *sql.Tx) error { return p.recordConsentTx(ctx, tx, ev) })
}

func (p *Policy) recordConsentTx(ctx context.Context, tx *sql.Tx, ev ConsentEvent) error {
	var (
		state     string
		consentAt sql.NullInt64
		index     []byte
		enc       []byte
	)
	err := tx.QueryRowContext(ctx, p.q.Get("customer_consent_get"), ev.CustomerID).Scan(&state, &consentAt, &index, &enc)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("policy: customer %d: %w", ev.CustomerID, store.ErrNotFound)
	}
	if err != nil {
		return err
	}
	at := ev.At.Unix()
	if _, err := tx.ExecContext(ctx, p.q.Get("customer_consent_set"), ev.State.String(), at, ev.Source, at, ev.CustomerID); err != nil {
		return fmt.Errorf("policy: consent: %w", err)
	}
	if _, err := tx.ExecContext(ctx, p.q.Get("consent_event_add"), ev.CustomerID, index, ev.State.String(), ev.Source, ev.Proof, at); err != nil {
		return fmt.Errorf("policy: consent event: %w", err)
	}
	if len(enc) == 0 {
		return nil
	}
	number, err := p.keys.Open(fieldPhone, enc)
	if err != nil {
		return err
	}
	switch ev.State {
	case ConsentOptedOut:
		_, err = p.suppressTx(ctx, tx, number, ReasonOptedOut, ev.Source, "", ev.At)
	case ConsentOptedIn:
		for _, idx := range p.keys.IndexAll(fieldPhone, number) {
			if _, err = tx.ExecContext(ctx, p.db.Rebind(`DELETE FROM suppressions WHERE phone_index = ? AND reason = ?`),
				idx, string(ReasonOptedOut)); err != nil {
				break
			}
		}
	}
	return err
}

// OptOut records that a number opted out of marketing (a reply STOP or TD,
// an unsubscribe link, an operator). It takes effect at once and
// everywhere: the number goes on the suppression list, and every customer
// with that number gets the opted_out state and an event with the proof.
// A number that is no customer's gets one event without a customer. It
// returns how many customers it applied to.
func (p *Policy) OptOut(ctx context.Context, raw, source, proof string) (int, error) {
	if strings.TrimSpace(source) == "" {
		return 0, ErrNoSource
	}
	n, err := p.normalize(raw)
	if err != nil {
		return 0, err
	}
	now := p.now()
	var count int
	err = p.db.Tx(ctx, func(tx *sql.Tx) error {
		ids, err := p.customersWithNumber(ctx, tx, n.E164, "")
		if err != nil {
			return err
		}
		count = len(ids)
		for _, id := range ids {
			if err := p.recordConsentTx(ctx, tx, ConsentEvent{CustomerID: id, State: ConsentOptedOut, Source: source, Proof: proof, At: now}); err != nil {
				return err
			}
		}
		if len(ids) > 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, p.q.Get("consent_event_add"), nil, p.keys.Index(fieldPhone, n.E164),
			ConsentOptedOut.String(), source, proof, now.Unix()); err != nil {
			return err
		}
		_, err = p.suppressTx(ctx, tx, n.E164, ReasonOptedOut, source, "", now)
		return err
	})
	return count, err
}

// customersWithNumber returns the ids of the customers with an E.164
// number, optionally only those in consent state (e.g. "pending").
func (p *Policy) customersWithNumber(ctx context.Context, tx *sql.Tx, e164, state string) ([]int64, error) {
	idx := p.keys.IndexAll(fieldPhone, e164)
	args := make([]any, 0, len(idx)+2)
	for i := range idx {
		args = append(args, idx[i])
	}
	args = append(args, state, state)
	rows, err := tx.QueryContext(ctx, p.db.Rebind(`SELECT id FROM customers WHERE phone_index IN (`+marks(len(idx))+`)
		AND (? = '' OR consent = ?) ORDER BY id`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ConsentEvents returns a customer's consent history, oldest first: the
// proof of when and how consent was given or withdrawn.
func (p *Policy) ConsentEvents(ctx context.Context, customerID int64) ([]ConsentEvent, error) {
	rows, err := p.db.R.QueryContext(ctx, p.q.Get("consent_events_of"), customerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ConsentEvent
	for rows.Next() {
		var ev ConsentEvent
		var id sql.NullInt64
		var state string
		var at int64
		if err := rows.Scan(&id, &state, &ev.Source, &ev.Proof, &at); err != nil {
			return nil, err
		}
		ev.CustomerID = id.Int64
		ev.State, _ = ParseConsent(state)
		ev.At = time.Unix(at, 0).UTC()
		out = append(out, ev)
	}
	return out, rows.Err()
}

// OptInMessage is the confirmation request of a double opt-in, for the
// outbox to enqueue: the sending is not the policy's job.
type OptInMessage struct {
	CustomerID int64
	// Phone is the E.164 number, in the clear: never log it unmasked.
	Phone    string
	Category Category
	Text     string
}

// RequestConsent records a customer's wish to get marketing. With double
// opt-in configured it starts one and returns the confirmation message to
// enqueue; without, it records the opt-in at once and returns nil.
func (p *Policy) RequestConsent(ctx context.Context, customerID int64, source, proof string) (*OptInMessage, error) {
	if !p.rules.Load().cfg.DoubleOptIn {
		return nil, p.RecordConsent(ctx, ConsentEvent{CustomerID: customerID, State: ConsentOptedIn, Source: source, Proof: proof})
	}
	m, err := p.StartDoubleOptIn(ctx, customerID, source, proof)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// StartDoubleOptIn puts a customer's consent in the pending state and
// returns the confirmation request to send (category "service": it answers
// the customer's own request, so it needs no marketing consent). The
// customer confirms by replying one of the opt-in words within the
// configured time (ConfirmByReply).
func (p *Policy) StartDoubleOptIn(ctx context.Context, customerID int64, source, proof string) (OptInMessage, error) {
	if strings.TrimSpace(source) == "" {
		return OptInMessage{}, ErrNoSource
	}
	var enc []byte
	var state string
	var at sql.NullInt64
	var index []byte
	err := p.db.R.QueryRowContext(ctx, p.q.Get("customer_consent_get"), customerID).Scan(&state, &at, &index, &enc)
	if errors.Is(err, sql.ErrNoRows) {
		return OptInMessage{}, fmt.Errorf("policy: customer %d: %w", customerID, store.ErrNotFound)
	}
	if err != nil {
		return OptInMessage{}, err
	}
	if state == ConsentOptedIn.String() {
		return OptInMessage{}, ErrAlreadyOptedIn
	}
	if len(enc) == 0 {
		return OptInMessage{}, errNoPhone
	}
	number, err := p.keys.Open(fieldPhone, enc)
	if err != nil {
		return OptInMessage{}, err
	}
	if err := p.RecordConsent(ctx, ConsentEvent{CustomerID: customerID, State: ConsentPending, Source: source, Proof: proof}); err != nil {
		return OptInMessage{}, err
	}
	return OptInMessage{CustomerID: customerID, Phone: number, Category: "service", Text: p.rules.Load().cfg.OptInText}, nil
}

// ConfirmByReply is called by the inbound handler for every reply. When the
// text is an opt-in word and the number has customers with a pending
// double opt-in younger than the configured time, they become opted in,
// with the reply as proof. It returns how many customers it confirmed
// (0 for any other reply, which the inbound handler treats as usual).
func (p *Policy) ConfirmByReply(ctx context.Context, raw, text string) (int, error) {
	cfg := p.rules.Load().cfg
	word := normalizeReply(text)
	yes := false
	for _, w := range cfg.OptInWords {
		if word != "" && word == normalizeReply(w) {
			yes = true
		}
	}
	if !yes {
		return 0, nil
	}
	n, err := p.normalize(raw)
	if err != nil {
		return 0, err
	}
	now := p.now()
	oldest := now.Add(-time.Duration(cfg.OptInTTL)).Unix()
	var confirmed int
	err = p.db.Tx(ctx, func(tx *sql.Tx) error {
		confirmed = 0
		ids, err := p.customersWithNumber(ctx, tx, n.E164, ConsentPending.String())
		if err != nil {
			return err
		}
		for _, id := range ids {
			var state string
			var at sql.NullInt64
			var index, enc []byte
			if err := tx.QueryRowContext(ctx, p.q.Get("customer_consent_get"), id).Scan(&state, &at, &index, &enc); err != nil {
				return err
			}
			if at.Int64 < oldest {
				continue // expired: a new request must be sent
			}
			ev := ConsentEvent{CustomerID: id, State: ConsentOptedIn, Source: "double_opt_in", Proof: "reply: " + text, At: now}
			if err := p.recordConsentTx(ctx, tx, ev); err != nil {
				return err
			}
			confirmed++
		}
		return nil
	})
	return confirmed, err
}

// normalizeReply lowercases a reply and drops spaces and punctuation, so
// that "Yes!", " y " and "是。" compare equal to their words.
func normalizeReply(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
