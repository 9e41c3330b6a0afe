package web

import (
	"errors"
	"net/http"
	"strconv"

	"nudge/internal/pii"
	"nudge/internal/store"
)

// ordersShown is how many of a customer's latest orders their page lists.
const ordersShown = 20

// customerPage is the customer page's data: personal data masked, times in
// the shop's zone, money formatted.
type customerPage struct {
	ExternalID, Phone, Name, Gender, Birthday, City, Region, Carrier string
	RegisteredAt, Timezone, CreatedAt, UpdatedAt                     string
	Tags                                                             []string
	Attributes                                                       []attribute
	Consent, ConsentState, ConsentSource, ConsentAt                  string
	Zone                                                             string
	Orders                                                           []orderView
}

type orderView struct {
	OrderID, OrderedAt, Status, Amount string
	Items                              int64
	Lines                              []lineView
}

type lineView struct {
	SKU, Category, Amount string
	Quantity              int64
}

// customerShow serves GET /customers/{id}.
func (c *Console) customerShow(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		c.notFound(w, r)
		return
	}
	cu, err := c.customers.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		c.notFound(w, r)
		return
	}
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	orders, err := c.customers.OrdersOf(ctx, id, ordersShown)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	locale := sessionFrom(ctx).User.Locale
	loc := c.customers.Location()
	p := customerPage{
		ExternalID:    cu.ExternalID,
		Phone:         pii.MaskPhone(cu.Phone),
		Name:          pii.MaskName(cu.Name),
		Gender:        c.cat.text(locale, genderKey(cu.Gender)),
		Birthday:      cu.Birthday,
		City:          cu.City,
		Region:        cu.Region,
		Carrier:       c.carrierLabel(locale, cu.Carrier),
		RegisteredAt:  when(cu.RegisteredAt, loc),
		Timezone:      cu.Timezone,
		CreatedAt:     when(cu.CreatedAt, loc),
		UpdatedAt:     when(cu.UpdatedAt, loc),
		Tags:          cu.Tags,
		Attributes:    attributeList(cu.Attributes),
		Consent:       c.cat.text(locale, consentKey(cu.Consent)),
		ConsentState:  consentState(cu.Consent),
		ConsentSource: cu.ConsentSource,
		ConsentAt:     when(cu.ConsentAt, loc),
		Zone:          loc.String(),
	}
	for _, o := range orders {
		ov := orderView{OrderID: o.OrderID, OrderedAt: when(o.OrderedAt, loc), Status: o.Status,
			Amount: money(o.Amount, o.Currency), Items: o.Items}
		for _, l := range o.Lines {
			ov.Lines = append(ov.Lines, lineView{SKU: l.SKU, Category: l.Category, Quantity: l.Quantity, Amount: money(l.Amount, o.Currency)})
		}
		p.Orders = append(p.Orders, ov)
	}
	c.render(w, r, http.StatusOK, "customer", p)
}
