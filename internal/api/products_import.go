package api

import (
	"errors"
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
	body, err := readBody(w, r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	recs, bulk, err := records(body, "products")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	res := newWriteResult()
	ps := make([]customer.Product, 0, len(recs))
	for i, raw := range recs {
		var in productIn
		if rej := decodeRecord(raw, &in); rej != nil {
			res.reject(i, rej.Field, rej.Reason)
			continue
		}
		p := customer.Product{SKU: in.SKU, Name: in.Name, Category: in.Category, Stock: in.Stock, SafetyStock: in.SafetyStock}
		p.Price, err = money("price", in.Price, in.PriceYuan, false)
		if err == nil {
			err = p.Normalize()
		}
		var fe *customer.FieldError
		if errors.As(err, &fe) {
			res.reject(i, fe.Field, fe.Reason)
			continue
		} else if err != nil {
			a.fail(w, r, err)
			return
		}
		ps = append(ps, p)
	}
	if len(ps) > 0 {
		wr, err := a.customers.UpsertProducts(r.Context(), ps)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		res.WriteResult = wr
		res.Taken = len(ps)
	}
	a.log.Info("products written", "token", tokenName(r.Context()), "records", len(recs), "taken", res.Taken,
		"rejected", len(res.Rejected), "inserted", res.Inserted, "updated", res.Updated, "unchanged", res.Unchanged)
	answer(w, res, bulk)
}
