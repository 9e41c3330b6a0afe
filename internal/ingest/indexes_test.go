package ingest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"nudge/internal/customer"
	"nudge/internal/ingest"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

func hasIndex(t *testing.T, db *store.DB, name string) bool {
	t.Helper()
	q := `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?`
	if db.Dialect == store.Postgres {
		q = `SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = $1`
	}
	var n int
	if err := db.W.QueryRow(q, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// An import that defers the indexes writes the same rows as one that keeps
// them, builds them again at the end, and builds the phone index early
// when a row without an id must be matched by its number.
func TestImportWithDeferredIndexes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cs := newStore(t, db)
		if _, err := cs.UpsertCustomers(ctx, []customer.Customer{{ExternalID: "C1", Phone: "13812341234"}}); err != nil {
			t.Fatal(err)
		}
		path := writeFile(t, "members.csv", lines(
			"id,phone,name",
			"C2,13912345678,李四",
			",13812341234,王小明", // C1, found by number
			"C3,13700001111,赵六",
		))
		sum, err := importFile(t, cs, ingest.Customers, path, ingest.Options{Indexes: ingest.IndexesDefer, BatchSize: 1})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Inserted != 2 || sum.Updated != 1 || sum.Rejected != 0 {
			t.Fatalf("customers: %s", sum)
		}
		if c1, err := cs.GetByExternalID(ctx, "C1"); err != nil || c1.Name != "王小明" {
			t.Fatalf("C1 = %+v, %v", c1, err)
		}
		if n := count(t, db, "customers"); n != 3 {
			t.Fatalf("%d customers, want 3", n)
		}

		orders := writeFile(t, "orders.csv", lines(
			"order_id,customer_id,ordered_at,sku,category,quantity,amount",
			"O1,C1,2026-10-01,CAT-1,猫粮,2,129.90",
			"O1,C1,2026-10-01,TOY-9,玩具,1,39.00",
			"O2,C2,2026-10-02,CAT-1,猫粮,1,64.95",
		))
		sum, err = importFile(t, cs, ingest.Orders, orders, ingest.Options{Indexes: ingest.IndexesDefer})
		if err != nil || sum.Inserted != 3 || sum.Orders.Inserted != 2 {
			t.Fatalf("orders: %s %v", sum, err)
		}
		for _, name := range []string{"customers_phone_index", "customers_facets", "orders_customer_cover",
			"order_lines_category", "order_lines_sku"} {
			if !hasIndex(t, db, name) {
				t.Errorf("index %s missing after the import", name)
			}
		}
		if n := count(t, db, "deferred_indexes"); n != 0 {
			t.Fatalf("%d indexes left deferred", n)
		}
	})
}

// On PostgreSQL a load that grows a table refreshes its statistics, so the
// planner does not go on taking it for empty.
func TestImportRefreshesPostgresStatistics(t *testing.T) {
	db := storetest.Postgres(t)
	cs := newStore(t, db)
	var b strings.Builder
	b.WriteString("id,phone\n")
	for i := range 6000 {
		fmt.Fprintf(&b, "C%d,1391234%04d\n", i, i)
	}
	if _, err := importFile(t, cs, ingest.Customers, writeFile(t, "big.csv", b.String()), ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	var tuples float64
	if err := db.W.QueryRow(`SELECT reltuples FROM pg_class WHERE oid = 'customers'::regclass`).Scan(&tuples); err != nil {
		t.Fatal(err)
	}
	if tuples < 5000 {
		t.Fatalf("planner statistics say %.0f customers after importing 6000", tuples)
	}
}
