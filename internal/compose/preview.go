package compose

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"nudge/internal/customer"
	"nudge/internal/pii"
	"nudge/internal/store"
)

// Preview is a message rendered for a real customer without sending
// anything, and who it was rendered for (masked).
type Preview struct {
	Message
	// Customer is nil when the preview was asked for no customer.
	Customer *CustomerRef `json:"customer,omitempty"`
}

// CustomerRef names a customer on screen: ids, and the name and phone
// masked.
type CustomerRef struct {
	ID         int64  `json:"id"`
	ExternalID string `json:"external_id"`
	Name       string `json:"name"`  // masked: 王**
	Phone      string `json:"phone"` // masked: 138****1234
}

// Ref returns the masked reference to c.
func Ref(c *customer.Customer) *CustomerRef {
	return &CustomerRef{ID: c.ID, ExternalID: c.ExternalID, Name: pii.MaskName(c.Name), Phone: pii.MaskPhone(c.Phone)}
}

// ErrNoCustomer means a preview's customer reference matches nobody; it
// wraps store.ErrNotFound.
var ErrNoCustomer = fmt.Errorf("compose: no customer with that id or phone number: %w", store.ErrNotFound)

// FindCustomer finds a customer by the shop's id (external id) or by phone
// number, written any way people write one. An external id wins over a
// phone number; a number several customers share gives the oldest.
func (s *Service) FindCustomer(ctx context.Context, ref string) (customer.Customer, error) {
	ref = strings.TrimSpace(ref)
	if s.customers == nil || ref == "" {
		return customer.Customer{}, ErrNoCustomer
	}
	c, err := s.customers.GetByExternalID(ctx, ref)
	if err == nil || !errors.Is(err, store.ErrNotFound) {
		return c, err
	}
	found, err := s.customers.FindByPhone(ctx, ref)
	var fe *customer.FieldError
	if errors.As(err, &fe) {
		return customer.Customer{}, ErrNoCustomer // neither an id nor a number
	}
	if err != nil {
		return customer.Customer{}, err
	}
	if len(found) == 0 {
		return customer.Customer{}, ErrNoCustomer
	}
	return found[0], nil
}

// Preview renders template text for the customer customerRef names (an
// external id or a phone number; "" for none, when only fallbacks and
// x.Values fill the fields) as a message of category. It draws no coupon
// and makes no link: {{coupon}} shows as a sample code (XXXXXXXX, as long
// as the pool's codes) and {{link}} as the short link it will be
// (https://BASE/l/xxxxxxxx), so the count is the message's. A pool the
// template names must exist and hold a code, as for a send. The
// customer's full name is masked (王**, as long as the name), since
// previews are shown on screen; everything else reads as it will be sent.
func (s *Service) Preview(ctx context.Context, text, customerRef, category string, x Extras) (Preview, error) {
	var out Preview
	var c *customer.Customer
	if strings.TrimSpace(customerRef) != "" {
		found, err := s.FindCustomer(ctx, customerRef)
		if err != nil {
			return out, err
		}
		c = &found
		out.Customer = Ref(c)
	}
	m, err := s.render(ctx, text, c, category, x, true)
	out.Message = m
	return out, err
}
