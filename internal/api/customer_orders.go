package api

import "net/http"

// maxOrders bounds GET /api/v1/customers/{external_id}/orders.
const maxOrders = 500

// customerOrders handles GET /api/v1/customers/{external_id}/orders?limit=N:
// the customer's most recent orders, newest first, with their lines.
func (a *API) customerOrders(w http.ResponseWriter, r *http.Request) {
	limit, err := limitParam(r, defaultLimit, maxOrders)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	c, err := a.customers.GetByExternalID(r.Context(), r.PathValue("external_id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	orders, err := a.customers.OrdersOf(r.Context(), c.ID, limit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		CustomerID string     `json:"customer_id"`
		Orders     []orderOut `json:"orders"`
	}{CustomerID: c.ExternalID, Orders: make([]orderOut, 0, len(orders))}
	for _, o := range orders {
		out.Orders = append(out.Orders, orderView(o))
	}
	writeJSON(w, http.StatusOK, out)
}
