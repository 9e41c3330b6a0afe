package compose

import (
	"context"
	"errors"
	"strings"

	"nudge/internal/customer"
)

// fillSpecial puts the coupon codes and the short link of one message into
// out, keyed by field name. A value the sender passed wins and nothing is
// drawn or made for it. In a preview a coupon is a sample code as long as
// the pool's codes and the link a placeholder as long as a real one; the
// pool must still exist and hold a code, since the send would fail
// otherwise.
func (s *Service) fillSpecial(ctx context.Context, p *parsed, c *customer.Customer, x Extras, preview bool, out map[string]string) error {
	var customerID int64
	if c != nil {
		customerID = c.ID
	}
	for _, u := range p.coupons {
		if _, given := x.Values[u.field]; given {
			continue
		}
		pool := u.pool
		if pool == "" {
			pool = x.CouponPool
		}
		fail := func(reason string, err error) error {
			return &RenderError{Field: u.field, Pos: u.ref.Pos, Reason: reason, Err: err}
		}
		if pool == "" {
			if preview {
				out[u.field] = sampleCode(defaultCodeLength)
				continue
			}
			return fail("no coupon pool: write {{coupon.POOL}} or name the pool in the send", ErrNoPool)
		}
		var (
			code string
			err  error
		)
		if preview {
			code, err = s.sampleFrom(ctx, pool)
		} else {
			if x.MessageKey == "" {
				return fail("a coupon is drawn once per message, and the send gave no message key", ErrNoMessageKey)
			}
			code, err = s.Draw(ctx, pool, x.MessageKey, customerID)
		}
		switch {
		case errors.Is(err, ErrPoolEmpty):
			return fail("coupon pool \""+pool+"\" has no codes left; import or generate more", err)
		case errors.Is(err, ErrNoPool):
			return fail("coupon pool \""+pool+"\" does not exist", err)
		case err != nil:
			return fail("drawing from coupon pool \""+pool+"\": "+err.Error(), err)
		}
		out[u.field] = code
	}
	if p.link == nil {
		return nil
	}
	if _, given := x.Values[fieldLink]; given {
		return nil
	}
	if preview {
		out[fieldLink] = s.placeholder
		return nil
	}
	target := strings.TrimSpace(x.LinkTarget)
	if target == "" {
		target = p.linkTarget
	}
	if target == "" {
		// Without a target the field has no value: a fallback that is not
		// a URL ({{link|官网}}) applies, and without one the render fails
		// naming the field.
		if p.link.HasFallback {
			return nil
		}
		return &RenderError{Field: fieldLink, Pos: p.link.Pos, Err: ErrNoLinkTarget,
			Reason: "no link target: give one with the send or write {{link|https://...}}"}
	}
	if s.links == nil {
		return &RenderError{Field: fieldLink, Pos: p.link.Pos, Reason: "short links are not available on this server", Err: ErrNoLinks}
	}
	u, err := s.links.Create(ctx, target, x.Campaign, x.Content, customerID)
	if err != nil {
		return &RenderError{Field: fieldLink, Pos: p.link.Pos, Reason: err.Error(), Err: err}
	}
	out[fieldLink] = u
	return nil
}

// defaultCodeLength is the length of generated codes and of the sample
// code a preview shows when it knows no pool.
const defaultCodeLength = 8

// sampleCode is the preview's stand-in for a coupon code of n characters.
func sampleCode(n int) string { return strings.Repeat("X", n) }
