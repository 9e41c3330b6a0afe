package api

import (
	"net/http"

	"nudge/internal/customer"
)

// productIn is a product as the API accepts it: price in integer fen or as
// a yuan string ("price_yuan": "129.90"); no price means 0.
type productIn struct {
	SKU         string `json:"sku"`
	Name        string `json:"name"`
	Category    string `json:"category"`
	Price       *int64 `json:"price"`
	PriceYuan   string `json:"price_yuan"`
	Stock       int64  `json:"stock"`
	SafetyStock int64  `json:"safety_stock"`
}

// productsImport handles POST /api/v1/products: one product object, or
// {"products": [...]}.
func (a *API) productsImport(w http.ResponseWriter, r *http.Request) {
	b, ok := decodeBatch(a, w, r, "products", func(in productIn, _ int) (customer.Product, error) {
		p := customer.Product{SKU: in.SKU, Name: in.Name, Category: in.Category, Stock: in.Stock, SafetyStock: in.SafetyStock}
		var err error
		if p.Price, err = money("price", in.Price, in.PriceYuan, false); err != nil {
			return p, err
		}
		return p, p.Normalize()
	})
	if !ok {
		return
	}
	res := b.res
	if len(b.items) > 0 {
		wr, err := a.customers.UpsertProducts(r.Context(), b.items)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		res.WriteResult = wr
		res.Taken = len(b.items)
	}
	a.logWritten(r, "products", b.recs, res)
	answer(w, res, b.bulk)
}
