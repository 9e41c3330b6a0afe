package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"nudge/internal/customer"
)

// orderIn is an order as the API accepts it: amounts in integer fen
// ("amount": 12990) or as yuan strings ("amount_yuan": "129.90").
type orderIn struct {
	OrderID    string `json:"order_id"`
	CustomerID string `json:"customer_id"`
	OrderedAt  string `json:"ordered_at"`
	Status     string `json:"status"`
	Currency   string `json:"currency"`
	// Lines are decoded one by one so that an error names the line.
	Lines []json.RawMessage `json:"lines"`
}

type lineIn struct {
	SKU        string `json:"sku"`
	Category   string `json:"category"`
	Quantity   int64  `json:"quantity"`
	Amount     *int64 `json:"amount"`
	AmountYuan string `json:"amount_yuan"`
}

// orderFromInput checks an order and names a bad line by its position
// (lines[2].quantity), which the domain's own validation cannot know.
func (a *API) orderFromInput(in orderIn, ref int) (customer.Order, error) {
	o := customer.Order{OrderID: in.OrderID, CustomerID: in.CustomerID, Status: in.Status, Currency: in.Currency}
	if in.OrderedAt == "" {
		return o, &customer.FieldError{Field: "ordered_at", Reason: "missing"}
	}
	var err error
	if o.OrderedAt, err = a.optionalTime("ordered_at", in.OrderedAt); err != nil {
		return o, err
	}
	if len(in.Lines) == 0 {
		return o, &customer.FieldError{Field: "lines", Reason: "an order needs at least one line"}
	}
	for i, raw := range in.Lines {
		f := fmt.Sprintf("lines[%d].", i)
		var l lineIn
		if rej := decodeRecord(raw, &l); rej != nil {
			if rej.Field == "" {
				return o, &customer.FieldError{Field: fmt.Sprintf("lines[%d]", i), Reason: "a line must be a JSON object"}
			}
			return o, &customer.FieldError{Field: f + rej.Field, Reason: rej.Reason}
		}
		amount, err := money("amount", l.Amount, l.AmountYuan, true)
		var fe *customer.FieldError
		if errors.As(err, &fe) {
			return o, &customer.FieldError{Field: f + fe.Field, Reason: fe.Reason}
		}
		line := customer.Line{SKU: l.SKU, Category: l.Category, Quantity: l.Quantity, Amount: amount, Ref: ref}
		check := customer.Order{OrderID: "-", CustomerID: "-", OrderedAt: o.OrderedAt, Lines: []customer.Line{line}}
		if err := check.Normalize(); errors.As(err, &fe) {
			return o, &customer.FieldError{Field: f + fe.Field, Reason: fe.Reason}
		}
		o.Lines = append(o.Lines, line)
	}
	return o, o.Normalize()
}

// ordersImport handles POST /api/v1/orders: one order object, or
// {"orders": [...]}. An order whose customer nudge does not know is
// rejected with its index; the others are written in one transaction.
func (a *API) ordersImport(w http.ResponseWriter, r *http.Request) {
	b, ok := decodeBatch(a, w, r, "orders", a.orderFromInput)
	if !ok {
		return
	}
	res := b.res
	if len(b.items) > 0 {
		or, err := a.customers.UpsertOrders(r.Context(), b.items)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		// The store reports an unknown customer once per line, each line
		// carrying the index of its order.
		seen := map[int]bool{}
		for _, rj := range or.Rejected {
			if !seen[rj.Ref] {
				seen[rj.Ref] = true
				res.reject(rj.Ref, "customer_id", rj.Reason)
			}
		}
		res.Taken = len(b.items) - len(seen)
		res.WriteResult = or.Orders
		res.Lines = &or.Lines
	}
	a.logWritten(r, "orders", b.recs, res)
	answer(w, res, b.bulk)
}
