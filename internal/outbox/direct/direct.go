// Package direct sends messages without a campaign: one text to a number,
// or a template to a list of numbers with fields (短信群发). It takes the
// same road as every other sender: the policy decides for each recipient
// (allow, defer to a time, suppress), the template is rendered with the
// row's fields (and the customer's, when the number is a customer's),
// marketing gets its opt-out line, and the outbox enqueues idempotently:
// with a request id, sending the same batch again queues nothing new.
package direct

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"nudge/internal/clock"
	"nudge/internal/compose"
	"nudge/internal/customer"
	"nudge/internal/outbox"
	"nudge/internal/phone"
	"nudge/internal/pii"
	"nudge/internal/policy"
	"nudge/internal/sms"
)

// Recipient is one row of a send: a number, the template's fields for it,
// and where it came from (a line of a file) for error reports.
type Recipient struct {
	Phone  string
	Fields map[string]string
	Line   int
}

// Request is a send.
type Request struct {
	// RequestID makes a retried request a no-op: the same id and
	// recipient never queue twice. Empty means a fresh id.
	RequestID string
	// Category is a policy category (transactional, order, marketing,
	// staff...); default transactional.
	Category string
	// Text is the message, a template when it holds {{fields}}.
	Text       string
	Recipients []Recipient
	// Offset is the place of Recipients[0] in the whole request, for a
	// caller that streams a long list in several calls with one id.
	Offset int
	// Source says who sends; default {api, RequestID}, or {staff,
	// RequestID} for the staff kind.
	Source *outbox.Source
	// Locale picks the opt-out line and titles; default zh-CN.
	Locale string
}

// Problem is a recipient that was not queued, and why.
type Problem struct {
	Line   int    `json:"line,omitempty"`
	Phone  string `json:"phone"` // masked
	Reason string `json:"reason"`
}

// Result says what happened to each recipient.
type Result struct {
	RequestID string `json:"request_id"`
	// IDs are the outbox ids of the queued messages (new or already
	// queued by an earlier try of the same request).
	IDs        []int64   `json:"ids"`
	Queued     int       `json:"queued"`
	Duplicates int       `json:"duplicates"`
	Deferred   int       `json:"deferred"` // queued for later (quiet hours)
	Problems   []Problem `json:"problems,omitempty"`
}

// Renderer renders a template for one recipient: compose.Service, which
// adds the shop's signature and opt-out line from its settings, draws
// coupons and makes personal links.
type Renderer interface {
	Render(ctx context.Context, src string, c *customer.Customer, category string, x compose.Extras) (compose.Message, error)
}

// Service sends.
type Service struct {
	Outbox    *outbox.Store
	Policy    *policy.Policy
	Customers *customer.Store
	// Compose renders; nil renders with the sms package alone (fields
	// from the row and the customer, the default opt-out line for
	// marketing, no signature, coupons or links).
	Compose Renderer
	Clock   clock.Clock
	Region  string
}

// ErrNoText means the request has nothing to send.
var ErrNoText = errors.New("direct: no text")

// Send decides, renders and enqueues every recipient, in batches.
func (s *Service) Send(ctx context.Context, req Request) (Result, error) {
	res := Result{RequestID: req.RequestID}
	if strings.TrimSpace(req.Text) == "" {
		return res, ErrNoText
	}
	tpl, err := sms.ParseTemplate(req.Text)
	if err != nil {
		return res, err
	}
	if req.Category == "" {
		req.Category = "transactional"
	}
	kind, ok := s.Policy.Rules().Kind(policy.Category(req.Category))
	if !ok {
		return res, fmt.Errorf("direct: unknown category %q", req.Category)
	}
	if res.RequestID == "" {
		b := make([]byte, 8)
		rand.Read(b)
		res.RequestID = hex.EncodeToString(b)
	}
	src := outbox.Source{Kind: outbox.SourceAPI, Ref: res.RequestID}
	if kind == policy.Staff {
		src.Kind = outbox.SourceStaff
	}
	if req.Source != nil {
		src = *req.Source
	}
	now := s.Clock.Now()
	const batch = 2000
	for off := 0; off < len(req.Recipients); off += batch {
		if err := s.sendBatch(ctx, tpl, req, kind, src, req.Offset+off, req.Recipients[off:min(off+batch, len(req.Recipients))], now, &res); err != nil {
			return res, err
		}
	}
	return res, s.Policy.FlushDecisions(ctx)
}

// sendBatch sends recipients[off:off+len(rcs)]. The key of a message is
// the request and the recipient's place in it, so that a retried request
// maps every row to its first message; rows already queued are not
// decided again (the first try already counts against the caps).
func (s *Service) sendBatch(ctx context.Context, tpl *sms.Template, req Request, kind policy.Kind, src outbox.Source, off int, rcs []Recipient, now time.Time, res *Result) error {
	keys := make([]string, len(rcs))
	for i := range rcs {
		keys[i] = "direct:" + res.RequestID + ":" + strconv.Itoa(off+i)
	}
	have, err := s.Outbox.Existing(ctx, keys)
	if err != nil {
		return err
	}
	var msgs []outbox.Message
	var lines []Recipient
	for i, rc := range rcs {
		if id, ok := have[keys[i]]; ok {
			res.IDs = append(res.IDs, id)
			res.Duplicates++
			continue
		}
		m, deferred, problem := s.prepare(ctx, tpl, req, rc, kind, keys[i], now)
		if problem != "" {
			res.Problems = append(res.Problems, Problem{Line: rc.Line, Phone: pii.MaskPhone(rc.Phone), Reason: problem})
			continue
		}
		if deferred {
			res.Deferred++
		}
		m.Source, m.Key = src, keys[i]
		msgs = append(msgs, m)
		lines = append(lines, rc)
	}
	if len(msgs) == 0 {
		return nil
	}
	r, err := s.Outbox.Enqueue(ctx, msgs)
	if err != nil {
		return err
	}
	bad := map[int]string{}
	for _, rj := range r.Rejected {
		bad[rj.Index] = rj.Reason
	}
	for i, id := range r.IDs {
		if reason, ok := bad[i]; ok {
			res.Problems = append(res.Problems, Problem{Line: lines[i].Line, Phone: pii.MaskPhone(lines[i].Phone), Reason: reason})
			continue
		}
		res.IDs = append(res.IDs, id)
	}
	res.Queued += r.New
	res.Duplicates += r.Duplicates
	return nil
}

// prepare decides and renders one recipient. A problem (bad number, a
// field without value, suppressed) keeps it from being queued.
func (s *Service) prepare(ctx context.Context, tpl *sms.Template, req Request, rc Recipient, kind policy.Kind, key string, now time.Time) (outbox.Message, bool, string) {
	var m outbox.Message
	n, err := phone.Normalize(rc.Phone, s.Region)
	if err != nil {
		var pe *phone.Error
		if errors.As(err, &pe) {
			return m, false, "bad phone: " + pe.Reason
		}
		return m, false, "bad phone"
	}
	r, _, _, err := s.Policy.RecipientByPhone(ctx, n.E164, now)
	if err != nil {
		return m, false, "policy: " + err.Error()
	}
	d := s.Policy.Decide(ctx, r, policy.Category(req.Category), now)
	if d.Verdict == policy.Suppress {
		return m, false, "suppressed: " + strings.Join(d.Codes(), ", ")
	}
	var cust *customer.Customer
	if r.CustomerID > 0 && s.Customers != nil {
		if c, err := s.Customers.Get(ctx, r.CustomerID); err == nil {
			cust = &c
		}
	}
	var text string
	if s.Compose != nil {
		msg, err := s.Compose.Render(ctx, req.Text, cust, req.Category, compose.Extras{Values: rc.Fields, Locale: req.Locale,
			MessageKey: key, NoLint: true})
		if err != nil {
			return m, false, err.Error()
		}
		text = msg.Text
	} else {
		fields := sms.MapFields{}
		if cust != nil {
			fields["name"] = cust.Name
			fields["surname_title"] = sms.SurnameTitle(cust.Name, cust.Gender, req.Locale)
			fields["city"] = cust.City
			fields["external_id"] = cust.ExternalID
		}
		for k, v := range rc.Fields {
			fields[k] = v
		}
		var err error
		if text, err = tpl.Render(fields); err != nil {
			return m, false, err.Error()
		}
		text = sms.Compose(text, sms.ComposeOptions{Marketing: kind == policy.Marketing, Locale: req.Locale})
	}
	m = outbox.Message{CustomerID: r.CustomerID, Phone: n.E164, Text: text, Category: req.Category}
	if d.Verdict == policy.Defer {
		m.NotBefore = d.Until
		return m, true, ""
	}
	return m, false, ""
}
