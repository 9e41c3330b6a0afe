package compose

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"nudge/internal/clock"
	"nudge/internal/customer"
	"nudge/internal/link"
	"nudge/internal/pii"
	"nudge/internal/policy"
	"nudge/internal/sms"
	"nudge/internal/store"
)

// t0 is the fixed time of every compose test: 2026-11-01 18:00 in Shanghai.
var t0 = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)

// fixture is a compose service over a real store with the customer,
// link and policy services, and two customers: C1 王小明 (male, with
// attributes) and C2 Jane Smith (female, English name, no attributes).
type fixture struct {
	svc       *Service
	db        *store.DB
	customers *customer.Store
	links     *link.Service
	clock     *clock.Fake
	c1, c2    customer.Customer
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewFake(t0)
	kr, err := pii.NewKeyring(bytes.Repeat([]byte{3}, 32))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	cs, err := customer.NewStore(ctx, db, kr, clk, customer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cs.UpsertCustomers(ctx, []customer.Customer{
		{ExternalID: "C1", Phone: "138 1234 5678", Name: "王小明", Gender: "男", City: "上海", Birthday: "1990-03-05",
			RegisteredAt: time.Date(2025, 11, 1, 2, 0, 0, 0, time.UTC),
			Attributes:   json.RawMessage(`{"nickname":"小明","level":"金卡","points":1200,"ratio":0.25,"vip":true,"phone":"13812345678","tags":["a"],"none":null}`)},
		{ExternalID: "C2", Phone: "+1 415 555 0100", Name: "Jane Smith", Gender: "f"},
	})
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.New(ctx, db, kr, clk, policy.Options{Log: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pol.Close() })
	links, err := link.New(ctx, db, kr, clk, link.Options{BaseURL: "https://s.shop.example", Log: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { links.Close() })
	svc, err := New(ctx, db, Options{Customers: cs, Links: links, Policy: pol, Clock: clk, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{svc: svc, db: db, customers: cs, links: links, clock: clk}
	if f.c1, err = cs.GetByExternalID(ctx, "C1"); err != nil {
		t.Fatal(err)
	}
	if f.c2, err = cs.GetByExternalID(ctx, "C2"); err != nil {
		t.Fatal(err)
	}
	return f
}

// setBrand stores settings with brand 小店 and the rest default.
func (f *fixture) setBrand(t testing.TB, brand string) {
	t.Helper()
	st := DefaultSettings()
	st.Brand = brand
	if err := f.svc.SetSettings(context.Background(), st); err != nil {
		t.Fatal(err)
	}
}

// count runs a COUNT query.
func count(t testing.TB, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.R.QueryRowContext(context.Background(), db.Rebind(q), args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// warningCodes lists the codes of ws with their spans: "offer_late 25-29".
func warningCodes(ws []sms.Warning) []string {
	out := []string{}
	for _, w := range ws {
		out = append(out, fmt.Sprintf("%s %d-%d", w.Code, w.Start, w.End))
	}
	return out
}
