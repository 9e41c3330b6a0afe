package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"nudge/internal/customer"
	"nudge/internal/store"
)

// customersPerPage is the length of a page of the customers list.
const customersPerPage = 50

// customerListData is the customers page's data.
type customerListData struct {
	Query     string
	Searching bool
	Rows      []customerRow
	Total     int64
	After     int64 // the id this page starts after; 0 on the first page
	Next      int64 // the id the next page starts after; 0 on the last page
}

// customerList serves GET /customers: a page of customers in id order
// (keyset pagination, ?after=ID), or with ?q= the customers found by phone
// number or the shop's id. htmx searches get only the table.
func (c *Console) customerList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	locale := sessionFrom(ctx).User.Locale
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := customerListData{Query: q}
	var found []customer.Customer
	if q != "" {
		d.Searching = true
		var err error
		if found, err = c.search(ctx, q); err != nil {
			c.serverError(w, r, err)
			return
		}
	} else {
		if a := r.URL.Query().Get("after"); a != "" {
			n, err := strconv.ParseInt(a, 10, 64)
			if err != nil || n < 0 {
				c.errorPage(w, r, http.StatusBadRequest, nil)
				return
			}
			d.After = n
		}
		// One more than a page tells whether there is a next page without
		// counting.
		page, err := c.customers.List(ctx, d.After, customersPerPage+1)
		if err != nil {
			c.serverError(w, r, err)
			return
		}
		if len(page) > customersPerPage {
			page = page[:customersPerPage]
			d.Next = page[len(page)-1].ID
		}
		found = page
		if d.Total, err = c.customers.Count(ctx); err != nil {
			c.serverError(w, r, err)
			return
		}
	}
	for _, cu := range found {
		d.Rows = append(d.Rows, c.customerRow(locale, cu))
	}
	if isHTMX(r) {
		c.renderTemplate(w, r, http.StatusOK, "customers", "customer_table", d)
		return
	}
	c.render(w, r, http.StatusOK, "customers", d)
}

// search finds customers by phone number, written any way people write one
// (138 1234 1234, +86-138..., 008613...), and by the shop's customer id.
// A query that is not a phone number is only an id.
func (c *Console) search(ctx context.Context, q string) ([]customer.Customer, error) {
	var out []customer.Customer
	seen := map[int64]bool{}
	add := func(cu customer.Customer) {
		if !seen[cu.ID] {
			seen[cu.ID] = true
			out = append(out, cu)
		}
	}
	byPhone, err := c.customers.FindByPhone(ctx, q)
	var fe *customer.FieldError
	if err != nil && !errors.As(err, &fe) {
		return nil, err
	}
	for _, cu := range byPhone {
		add(cu)
	}
	byID, err := c.customers.GetByExternalID(ctx, q)
	switch {
	case err == nil:
		add(byID)
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	return out, nil
}
