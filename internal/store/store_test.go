package store_test

import (
	"context"
	"strings"
	"testing"

	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

func TestMigrateIsIdempotentAndSchemaMatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		all, err := db.Migrations()
		if err != nil {
			t.Fatal(err)
		}
		v, err := db.Version(ctx)
		if err != nil || v != len(all) {
			t.Fatalf("version %d after migrate, want %d (%v)", v, len(all), err)
		}
		again, err := db.Migrate(ctx)
		if err != nil || len(again) != 0 {
			t.Fatalf("second migrate applied %d: %v", len(again), err)
		}
		// The same tables exist in both dialects.
		for _, table := range []string{"customers", "orders", "order_lines", "products", "users", "sessions", "api_tokens", "settings"} {
			var n int
			if err := db.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil || n != 0 {
				t.Errorf("table %s: %d rows, %v", table, n, err)
			}
		}
	})
}

func TestRebindAndPlaceholders(t *testing.T) {
	pg := &store.DB{Dialect: store.Postgres}
	if got := pg.Rebind("SELECT ? , '?' , ?"); got != "SELECT $1 , '?' , $2" {
		t.Fatalf("Rebind = %q", got)
	}
	lite := &store.DB{Dialect: store.SQLite}
	if got := lite.Rebind("a = ?"); got != "a = ?" {
		t.Fatalf("sqlite Rebind changed the query: %q", got)
	}
	if got := store.Placeholders(2, 3); got != "(?,?,?),(?,?,?)" {
		t.Fatalf("Placeholders = %q", got)
	}
}

func TestParseQueries(t *testing.T) {
	src := `-- name: count
SELECT COUNT(*) FROM customers;
-- name: now
SELECT 1
-- name: now :postgres
SELECT 2
-- name: now :sqlite
SELECT 3
`
	pg, err := store.ParseQueries(src, store.Postgres)
	if err != nil || pg["now"] != "SELECT 2" || pg["count"] != "SELECT COUNT(*) FROM customers;" {
		t.Fatalf("postgres: %v %v", pg, err)
	}
	lite, err := store.ParseQueries(src, store.SQLite)
	if err != nil || lite["now"] != "SELECT 3" {
		t.Fatalf("sqlite: %v %v", lite, err)
	}
	if _, err := store.ParseQueries("SELECT 1\n-- name: x\nSELECT 2", store.SQLite); err == nil {
		t.Fatal("SQL before the first name accepted")
	}
	if _, err := store.ParseQueries("-- name: x\nSELECT 1\n-- name: x\nSELECT 2", store.SQLite); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("duplicate name: %v", err)
	}
}

func TestOpenRejectsUnknownDSN(t *testing.T) {
	if _, err := store.Open(context.Background(), "mysql://x"); err == nil {
		t.Fatal("accepted a mysql URL")
	}
}

func TestPostgresSessionsRunWithoutJIT(t *testing.T) {
	db := storetest.Postgres(t)
	var jit string
	if err := db.R.QueryRowContext(context.Background(), "SHOW jit").Scan(&jit); err != nil || jit != "off" {
		t.Fatalf("jit = %q, %v", jit, err)
	}
}
