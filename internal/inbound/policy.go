package inbound

import (
	"context"
	"time"

	"nudge/internal/policy"
)

// PolicyConsent adapts the policy service to Consent.
type PolicyConsent struct {
	P         *policy.Policy
	Customers Customers
	// Marketing is a category of the marketing kind, used to ask whether
	// a number is opted out; default "marketing".
	Marketing policy.Category
}

// OptOut records the opt-out with its proof.
func (c PolicyConsent) OptOut(ctx context.Context, phone, source, proof string) error {
	_, err := c.P.OptOut(ctx, phone, source, proof)
	return err
}

// OptedOut reports whether marketing to the number is already suppressed
// by an opt-out.
func (c PolicyConsent) OptedOut(ctx context.Context, phone string) (bool, error) {
	cat := c.Marketing
	if cat == "" {
		cat = "marketing"
	}
	r, err := c.P.CheckSuppressed(ctx, phone, cat)
	return r == policy.ReasonOptedOut, err
}

// Restore lifts an opt-out "where consent allows": each customer with the
// number goes back to the state they had before their last opt-out (opted
// in only if they had opted in before), with the reply as proof; a number
// that is nobody's loses its opt-out entry. A complaint or a manual block
// is never lifted by a reply.
func (c PolicyConsent) Restore(ctx context.Context, phone, proof string) (bool, error) {
	cs, err := c.Customers.FindByPhone(ctx, phone)
	if err != nil {
		return false, err
	}
	changed := false
	for _, cu := range cs {
		if cu.Consent != "opted_out" {
			continue
		}
		evs, err := c.P.ConsentEvents(ctx, cu.ID)
		if err != nil {
			return changed, err
		}
		prev := policy.ConsentUnknown
		// Events come oldest first; the state before the last opt-out is
		// the last non-opt-out state ahead of it.
		lastOut := -1
		for i, e := range evs {
			if e.State == policy.ConsentOptedOut {
				lastOut = i
			}
		}
		for i := 0; i < lastOut; i++ {
			if evs[i].State != policy.ConsentOptedOut {
				prev = evs[i].State
			}
		}
		if prev == policy.ConsentPending {
			prev = policy.ConsentUnknown
		}
		if err := c.P.RecordConsent(ctx, policy.ConsentEvent{CustomerID: cu.ID, State: prev, Source: "reply", Proof: proof}); err != nil {
			return changed, err
		}
		changed = true
	}
	n, err := c.P.Unsuppress(ctx, phone, policy.ReasonOptedOut)
	return changed || n > 0, err
}

// ConfirmByReply completes a pending double opt-in.
func (c PolicyConsent) ConfirmByReply(ctx context.Context, phone, text string) (int, error) {
	return c.P.ConfirmByReply(ctx, phone, text)
}

// HardFailure counts a hard delivery failure.
func (c PolicyConsent) HardFailure(ctx context.Context, phone string) error {
	_, err := c.P.RecordHardFailure(ctx, phone)
	return err
}

// Delivered resets the number's hard-failure count, when it has one: most
// numbers never fail, and a write per delivered receipt would cost the
// single SQLite writer dearly.
func (c PolicyConsent) Delivered(ctx context.Context, phone string) error {
	n, err := c.P.HardFailures(ctx, phone)
	if err != nil || n == 0 {
		return err
	}
	return c.P.RecordDelivered(ctx, phone)
}

// Touch records the reply as an interaction.
func (c PolicyConsent) Touch(ctx context.Context, customerID int64, at time.Time) error {
	return c.P.Touch(ctx, customerID, "reply", at)
}
