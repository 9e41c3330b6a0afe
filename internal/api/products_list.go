package api

import "net/http"

// productsList handles GET /api/v1/products?after=SKU&limit=N: products in
// sku order, a keyset page at a time.
func (a *API) productsList(w http.ResponseWriter, r *http.Request) {
	limit, err := limitParam(r, defaultLimit, maxLimit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ps, err := a.customers.Products(r.Context(), r.URL.Query().Get("after"), limit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Products  []productOut `json:"products"`
		NextAfter string       `json:"next_after,omitempty"`
	}{Products: make([]productOut, 0, len(ps))}
	for _, p := range ps {
		out.Products = append(out.Products, productOut{SKU: p.SKU, Name: p.Name, Category: p.Category, Price: p.Price,
			Stock: p.Stock, SafetyStock: p.SafetyStock, UpdatedAt: p.UpdatedAt})
	}
	if len(ps) == limit {
		out.NextAfter = ps[len(ps)-1].SKU
	}
	writeJSON(w, http.StatusOK, out)
}
