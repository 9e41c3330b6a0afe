package api

import (
	"net/http"
	"strconv"
)

// customersList handles GET /api/v1/customers?after=ID&limit=N, a keyset
// page of customers in id order, and GET /api/v1/customers?phone=NUMBER,
// the customers with that number in any way people write it. Phones and
// names are masked in both.
func (a *API) customersList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	type page struct {
		Customers []customerSummary `json:"customers"`
		// NextAfter is the value of ?after= for the next page; absent on the
		// last page.
		NextAfter *int64 `json:"next_after,omitempty"`
	}
	if raw := q.Get("phone"); raw != "" {
		cs, err := a.customers.FindByPhone(r.Context(), raw)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		out := page{Customers: make([]customerSummary, 0, len(cs))}
		for _, c := range cs {
			out.Customers = append(out.Customers, summary(c))
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	var after int64
	if s := q.Get("after"); s != "" {
		var err error
		if after, err = strconv.ParseInt(s, 10, 64); err != nil || after < 0 {
			a.fail(w, r, badParameter("after", "after must be a customer id (a non-negative integer) from next_after"))
			return
		}
	}
	limit, err := limitParam(r, defaultLimit, maxLimit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	cs, err := a.customers.List(r.Context(), after, limit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := page{Customers: make([]customerSummary, 0, len(cs))}
	for _, c := range cs {
		out.Customers = append(out.Customers, summary(c))
	}
	if len(cs) == limit {
		last := cs[len(cs)-1].ID
		out.NextAfter = &last
	}
	writeJSON(w, http.StatusOK, out)
}
