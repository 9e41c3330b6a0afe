package outbox

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"nudge/internal/gateway"
)

// check looks at a claimed batch just before it is submitted. It returns,
// per message, nil to submit it or the outcome to record instead: a number
// that can no longer be opened fails, a message past its validity expires,
// and a recipient the suppressor now refuses (an opt-out that arrived
// mid-campaign) is cancelled.
func (d *Dispatcher) check(ctx context.Context, l Line, batch []Claimed) ([]*outcome, error) {
	out := make([]*outcome, len(batch))
	now := d.s.clock.Now()
	var rs []Recipient
	var at []int
	for i, m := range batch {
		switch {
		case m.Phone == "":
			out[i] = &outcome{id: m.ID, kind: outFailed, reason: "sealed_number", err: "the number cannot be opened with the loaded keys"}
		case !m.ValidUntil.IsZero() && now.After(m.ValidUntil):
			out[i] = &outcome{id: m.ID, kind: outExpired, reason: "validity", err: "validity passed before it could be sent"}
		default:
			rs = append(rs, Recipient{CustomerID: m.CustomerID, Phone: m.Phone, PhoneIndex: m.PhoneIndex,
				Category: m.Category, Kind: d.s.opt.KindOf(m.Category)})
			at = append(at, i)
		}
	}
	if d.opt.Suppressor == nil || len(rs) == 0 {
		return out, nil
	}
	reasons, err := d.opt.Suppressor.Suppressed(ctx, rs)
	if err != nil {
		return nil, err
	}
	for k, reason := range reasons {
		if reason != "" {
			m := batch[at[k]]
			out[at[k]] = &outcome{id: m.ID, kind: outCancelled, reason: "suppressed",
				err: "suppressed just before submit: " + reason}
		}
	}
	return out, nil
}

// submit sends one message and turns the gateway's answer into an outcome.
func (d *Dispatcher) submit(ctx context.Context, l Line, m Claimed) outcome {
	ids, err := l.Gateway.Submit(ctx, gatewayMessage(m))
	o := outcome{id: m.ID, gateway: l.Name()}
	if err == nil {
		o.kind, o.ids, o.cost = outSubmitted, ids, int64(m.Parts)*l.Config.Price
		return o
	}
	ge := gateway.Decide(err)
	o.err, o.reason, o.ids = trimErr(ge.Error()), ge.Reason, ge.Accepted
	if len(o.ids) > 0 && ge.Action != gateway.Uncertain {
		// Some parts went: the rest cannot be sent again without
		// doubling them, wherever they would go.
		o.kind, o.cost = outFailed, int64(len(o.ids))*l.Config.Price
		if o.reason == "" {
			o.reason = "partly_sent"
		}
		return o
	}
	switch ge.Action {
	case gateway.Retry:
		if m.Attempts >= l.Config.MaxAttempts {
			o.kind = outFailed
			if o.reason == "" {
				o.reason = "attempts"
			}
			return o
		}
		o.kind, o.nextAt = outRetry, d.s.clock.Now().Add(d.backoff(m.Attempts, ge.RetryAfter))
	case gateway.Fail:
		o.kind = outFailed
		if o.reason == "" {
			o.reason = "refused"
		}
	case gateway.Failover:
		tried := append(slices.Clone(m.Tried), l.Name())
		next := ""
		if d.opt.Router != nil {
			next = d.opt.Router.Route(m.Phone, m.Carrier, m.Category, tried)
		}
		if next == "" {
			o.kind = outFailed
			if o.reason == "" {
				o.reason = "no_gateway"
			}
			o.err += " (no other gateway serves this number)"
			return o
		}
		o.kind, o.gateway, o.tried, o.nextAt = outFailover, next, strings.Join(tried, ","), d.s.clock.Now()
	default:
		if l.Config.Resend {
			o.kind = outRequeue
			o.err += " (resent: gateway resend=1)"
		} else {
			o.kind = outReview
		}
	}
	return o
}

func gatewayMessage(m Claimed) gateway.Message {
	return gateway.Message{ID: m.ID, To: m.Phone, Text: m.Text, Category: m.Category, Parts: m.Parts, ValidUntil: m.ValidUntil}
}

// backoff is the wait before attempt n+1: RetryBase doubling per attempt,
// capped, drawn uniformly from its upper half so that messages that failed
// together do not retry together. A gateway's Retry-After is a floor.
func (d *Dispatcher) backoff(attempt int, hint time.Duration) time.Duration {
	w := d.opt.RetryBase
	for i := 1; i < attempt && w < d.opt.RetryMax; i++ {
		w *= 2
	}
	w = min(w, d.opt.RetryMax)
	w = w/2 + rand.N(w/2+1)
	return max(w, hint)
}

// trimErr keeps error texts stored per message short.
func trimErr(s string) string {
	if len(s) > 300 {
		return s[:300]
	}
	return s
}
