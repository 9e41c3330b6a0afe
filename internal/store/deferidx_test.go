package store_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

// indexNames lists the indexes of table in the catalogue.
func indexNames(t *testing.T, db *store.DB, table string) []string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? ORDER BY name`
	if db.Dialect == store.Postgres {
		q = `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1 ORDER BY indexname`
	}
	rows, err := db.W.QueryContext(context.Background(), q, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

func deferredCount(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.W.QueryRow(`SELECT count(*) FROM deferred_indexes`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDeferIndexesDropsOnlySecondaryOnesAndStartRebuildsThem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		before := indexNames(t, db, "customers")
		dropped, err := db.DeferIndexes(ctx, "customers")
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"customers_facets", "customers_phone_index"}
		if !slices.Equal(dropped, want) {
			t.Fatalf("deferred %v, want %v", dropped, want)
		}
		during := indexNames(t, db, "customers")
		for _, n := range want {
			if slices.Contains(during, n) {
				t.Errorf("%s still exists while deferred", n)
			}
		}
		// The index that enforces external_id's uniqueness stays.
		if len(during) != len(before)-len(want) || len(during) == 0 {
			t.Errorf("indexes while deferred: %v (before: %v)", during, before)
		}
		if n := deferredCount(t, db); n != len(want) {
			t.Fatalf("%d deferred definitions recorded, want %d", n, len(want))
		}

		// A writer that needs one index builds it inside its transaction.
		err = db.Tx(ctx, func(tx *sql.Tx) error { return db.RestoreIndex(ctx, tx, "customers_phone_index") })
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(indexNames(t, db, "customers"), "customers_phone_index") || deferredCount(t, db) != len(want)-1 {
			t.Fatalf("after restoring one: %v, %d deferred", indexNames(t, db, "customers"), deferredCount(t, db))
		}

		// A crash leaves the others deferred; the next start (Migrate)
		// builds them.
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if after := indexNames(t, db, "customers"); !slices.Equal(after, before) {
			t.Fatalf("indexes after restart %v, want %v", after, before)
		}
		if n := deferredCount(t, db); n != 0 {
			t.Fatalf("%d definitions still deferred", n)
		}
		// Restoring what is not deferred does nothing.
		if err := db.RestoreIndexes(ctx, "customers_phone_index"); err != nil {
			t.Fatal(err)
		}
	})
}
