package customer_test

import (
	"context"
	"fmt"
	"testing"

	"nudge/internal/customer"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

// Orders go in through several statements of different sizes; on SQLite
// each statement's new ids are read from its last rowid, and a statement
// that meets a stored order falls back to a lookup. Every line must land on
// its own order either way.
func TestOrderIDsAcrossStatements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newStore(t, db)
		if _, err := s.UpsertCustomers(ctx, sample()[:2]); err != nil {
			t.Fatal(err)
		}
		mk := func(from, to int, qty int64) []customer.Order {
			var out []customer.Order
			for i := from; i < to; i++ {
				o := customer.Order{OrderID: fmt.Sprintf("N%04d", i), CustomerID: "C1", OrderedAt: at("2026-10-01T12:00:00Z"),
					Lines: []customer.Line{{SKU: "S", Quantity: qty, Amount: int64(i)}}}
				if err := o.Normalize(); err != nil {
					t.Fatal(err)
				}
				out = append(out, o)
			}
			return out
		}
		// 437 orders: statements of 400, 25, 5, 5, 1 and 1 rows.
		res, err := s.UpsertOrders(ctx, mk(0, 437, 1))
		if err != nil || res.Orders != (customer.WriteResult{Inserted: 437}) {
			t.Fatalf("first write: %+v %v", res, err)
		}
		// 20 stored orders (one with a new quantity) among 30 new ones.
		next := append(mk(200, 219, 1), mk(219, 220, 9)...)
		next = append(next, mk(437, 467, 1)...)
		res, err = s.UpsertOrders(ctx, next)
		if err != nil || res.Orders != (customer.WriteResult{Inserted: 30, Unchanged: 20}) || res.Lines != (customer.WriteResult{Inserted: 30, Updated: 1, Unchanged: 19}) {
			t.Fatalf("second write: %+v %v", res, err)
		}
		rows, err := db.R.QueryContext(ctx, `SELECT o.order_id, o.amount, o.items, l.amount FROM orders o JOIN order_lines l ON l.order_ref = o.id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var oid string
			var amount, items, line int64
			if err := rows.Scan(&oid, &amount, &items, &line); err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("N%04d", line)
			wantItems := int64(1)
			if line == 219 {
				wantItems = 9
			}
			if oid != want || amount != line || items != wantItems {
				t.Errorf("line of amount %d is on order %s (amount %d, items %d), want %s", line, oid, amount, items, want)
			}
			n++
		}
		if n != 467 {
			t.Fatalf("%d lines, want 467", n)
		}
		// The Writer gave the connection back with foreign keys enforced.
		if _, err := db.W.ExecContext(ctx, db.Rebind(`INSERT INTO order_lines (order_ref, sku, category, quantity, amount) VALUES (?, 'X', '', 1, 1)`), 999999); err == nil {
			t.Fatal("a line of a missing order was taken after the write")
		}
	})
}
