package segment_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"nudge/internal/clock"
	"nudge/internal/customer"
	"nudge/internal/pii"
	"nudge/internal/segment"
	"nudge/internal/store"
)

// The test shop: today is 2026-11-01 in Shanghai (the clock says 18:00
// there). Six customers, A to F, inserted in that order so that their ids
// ascend with the letters.
var (
	shanghai = mustLoc("Asia/Shanghai")
	now      = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
)

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func ptr(f float64) *float64 { return &f }

// at is noon of a Shanghai date.
func at(date string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", date+" 12:00", shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func shopCustomers() []customer.Customer {
	return []customer.Customer{
		{ExternalID: "A", Phone: "13800000001", Gender: "f", City: "上海", Birthday: "1990-11-03",
			Lat: ptr(31.2304), Lon: ptr(121.4737), Tags: []string{"vip", "猫粮"}, Consent: "opted_in",
			Attributes: json.RawMessage(`{"level":"gold","points":"1200"}`), RegisteredAt: at("2024-01-10")},
		{ExternalID: "B", Phone: "13800000002", Gender: "m", City: "上海", Birthday: "1985-12-31",
			Lat: ptr(31.2397), Lon: ptr(121.4998), Tags: []string{"vip"}, Consent: "opted_out",
			Attributes: json.RawMessage(`{"level":"silver","points":300}`), RegisteredAt: at("2025-06-01")},
		{ExternalID: "C", Phone: "13800000003", Gender: "f", City: "北京", Birthday: "1992-01-02",
			Lat: ptr(39.9042), Lon: ptr(116.4074), Tags: []string{"猫粮"},
			Attributes: json.RawMessage(`{"points":"abc"}`), RegisteredAt: at("2026-10-20")},
		{ExternalID: "D", Phone: "13800000004", Gender: "m", City: "杭州", Consent: "opted_in", RegisteredAt: at("2023-03-03")},
		{ExternalID: "E", Phone: "13800000005", City: "上海", Birthday: "2000-02-29",
			Lat: ptr(31.1443), Lon: ptr(121.8083), Tags: []string{"VIP"}, Consent: "opted_in",
			Attributes: json.RawMessage(`{"level":"gold"}`)},
		{ExternalID: "F", Phone: "13800000006", Gender: "f", City: "广州", Birthday: "1995-11-01", Consent: "opted_in", RegisteredAt: at("2026-01-01")},
	}
}

func line(sku, cat string, amount int64) customer.Line {
	return customer.Line{SKU: sku, Category: cat, Quantity: 1, Amount: amount}
}

func shopOrders() []customer.Order {
	o := func(id, cust, date string, status string, lines ...customer.Line) customer.Order {
		return customer.Order{OrderID: id, CustomerID: cust, OrderedAt: at(date), Status: status, Lines: lines}
	}
	return []customer.Order{
		o("A1", "A", "2026-10-30", "paid", line("CAT-1", "猫粮", 60000)),
		o("A2", "A", "2026-10-01", "paid", line("CAT-1", "猫粮", 50000), line("TOY-1", "玩具", 5000)),
		o("A3", "A", "2026-09-01", "paid", line("SKIN-1", "护肤", 80000)),
		o("A4", "A", "2026-08-15", "", line("CAT-1", "猫粮", 45000)),
		o("B1", "B", "2026-10-25", "paid", line("SHOE-1", "服装", 40000)),
		o("B2", "B", "2026-07-10", "paid", line("SHOE-2", "服装", 35000)),
		o("C1", "C", "2026-10-28", "paid", line("CAT-2", "猫粮", 12000)),
		o("D1", "D", "2025-05-01", "paid", line("KETTLE", "小家电", 20000)),
		o("D2", "D", "2024-12-12", "paid", line("KETTLE", "小家电", 30000)),
		// E's latest order was cancelled: it counts nowhere.
		o("E1", "E", "2026-10-31", "cancelled", line("TV", "小家电", 100000)),
		o("E2", "E", "2026-06-01", "paid", line("COAT", "服装", 50000)),
		o("E3", "E", "2026-06-01", "paid", line("HAT", "服装", 20000)),
	}
}

type shop struct {
	db        *store.DB
	customers *customer.Store
	seg       *segment.Service
	clock     *clock.Fake
	log       *bytes.Buffer
	ids       map[string]int64 // external id -> customer id
}

func newShop(t *testing.T, db *store.DB) *shop {
	t.Helper()
	ctx := context.Background()
	kr, err := pii.NewKeyring(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(now)
	cs, err := customer.NewStore(ctx, db, kr, clk, customer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.UpsertCustomers(ctx, shopCustomers()); err != nil {
		t.Fatal(err)
	}
	orders := shopOrders()
	for i := range orders {
		if err := orders[i].Normalize(); err != nil {
			t.Fatal(err)
		}
	}
	res, err := cs.UpsertOrders(ctx, orders)
	if err != nil || len(res.Rejected) > 0 {
		t.Fatalf("orders: %v %v", err, res.Rejected)
	}
	var logBuf bytes.Buffer
	svc, err := segment.NewService(ctx, db, segment.Options{Clock: clk, Location: cs.Location(), Phones: cs,
		Log: slog.New(slog.NewTextHandler(&logBuf, nil))})
	if err != nil {
		t.Fatal(err)
	}
	sh := &shop{db: db, customers: cs, seg: svc, clock: clk, log: &logBuf, ids: map[string]int64{}}
	rows, err := db.R.QueryContext(ctx, "SELECT id, external_id FROM customers")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var ext string
		if err := rows.Scan(&id, &ext); err != nil {
			t.Fatal(err)
		}
		sh.ids[ext] = id
	}
	return sh
}

// members returns the external ids the rule matches, in id order, through
// Preview; it also checks that Count agrees.
func (sh *shop) members(t *testing.T, rule string) []string {
	t.Helper()
	ctx := context.Background()
	r, err := segment.ParseRule([]byte(rule))
	if err != nil {
		t.Fatalf("%s: %v", rule, err)
	}
	ms, err := sh.seg.Preview(ctx, r, 1000)
	if err != nil {
		t.Fatalf("%s: %v", rule, err)
	}
	out := []string{}
	for _, m := range ms {
		out = append(out, m.ExternalID)
	}
	n, err := sh.seg.Count(ctx, r)
	if err != nil || n != int64(len(out)) {
		t.Fatalf("%s: count %d (%v), preview %d", rule, n, err, len(out))
	}
	return out
}
