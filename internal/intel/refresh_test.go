package intel_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"nudge/internal/customer"
	"nudge/internal/intel"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

// A small pet-and-baby shop, today 2026-11-01 in Shanghai:
//
//	P  cat food every 28 days, Saturdays 15:00 (2026-08-01 .. 10-24); a toy once
//	Q  cat food 10-01 and 10-21 (20 days); diapers once, 10-10
//	R  diapers 09-01 and 09-29 (28 days)
//	T  lives in New York: coffee on Tuesdays 20:30 there (10-06, 10-13, 10-20)
//	S  one cancelled order: no predictions
//
// Category medians: cat food {28,28,28,20} -> 28; diapers {28} -> 28;
// coffee {7,7} -> 7 (days counted in the shop's zone). With a prior weight
// of 2: P 3/5*28 + 2/5*28 = 28; Q cat food 1/3*20 + 2/3*28 = 25.33 (due 25
// days after 10-21); Q diapers, one purchase, the median 28.
func petShop(t *testing.T, db *store.DB) (*customer.Store, map[string]int64) {
	t.Helper()
	ctx := context.Background()
	cs := newCustomers(t, db)
	sh := cs.Location()
	ny, _ := time.LoadLocation("America/New_York")
	custs := []customer.Customer{
		{ExternalID: "P", Phone: "13900000001"}, {ExternalID: "Q", Phone: "13900000002"},
		{ExternalID: "R", Phone: "13900000003"}, {ExternalID: "S", Phone: "13900000004"},
		{ExternalID: "T", Phone: "13900000005", Timezone: "America/New_York"},
	}
	if _, err := cs.UpsertCustomers(ctx, custs); err != nil {
		t.Fatal(err)
	}
	at := func(date, clock string, loc *time.Location) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", date+" "+clock, loc)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	l := func(sku, cat string, amount int64) customer.Line {
		return customer.Line{SKU: sku, Category: cat, Quantity: 1, Amount: amount}
	}
	orders := []customer.Order{
		{OrderID: "P1", CustomerID: "P", OrderedAt: at("2026-08-01", "15:00", sh), Lines: []customer.Line{l("CAT", "猫粮", 9000), l("TOY", "玩具", 1000)}},
		{OrderID: "P2", CustomerID: "P", OrderedAt: at("2026-08-29", "15:10", sh), Lines: []customer.Line{l("CAT", "猫粮", 10000)}},
		{OrderID: "P3", CustomerID: "P", OrderedAt: at("2026-09-26", "14:50", sh), Lines: []customer.Line{l("CAT", "猫粮", 10000)}},
		{OrderID: "P4", CustomerID: "P", OrderedAt: at("2026-10-24", "15:00", sh), Lines: []customer.Line{l("CAT", "猫粮", 10000)}},
		{OrderID: "Q1", CustomerID: "Q", OrderedAt: at("2026-10-01", "09:00", sh), Lines: []customer.Line{l("CAT", "猫粮", 8000)}},
		{OrderID: "Q2", CustomerID: "Q", OrderedAt: at("2026-10-10", "09:00", sh), Lines: []customer.Line{l("DIAPER", "尿不湿", 12000)}},
		{OrderID: "Q3", CustomerID: "Q", OrderedAt: at("2026-10-21", "09:00", sh), Lines: []customer.Line{l("CAT", "猫粮", 8000)}},
		{OrderID: "R1", CustomerID: "R", OrderedAt: at("2026-09-01", "21:00", sh), Lines: []customer.Line{l("DIAPER", "尿不湿", 12000)}},
		{OrderID: "R2", CustomerID: "R", OrderedAt: at("2026-09-29", "21:00", sh), Lines: []customer.Line{l("DIAPER", "尿不湿", 12000)}},
		{OrderID: "S1", CustomerID: "S", OrderedAt: at("2026-10-01", "12:00", sh), Status: "refunded", Lines: []customer.Line{l("TV", "电器", 300000)}},
		{OrderID: "T1", CustomerID: "T", OrderedAt: at("2026-10-06", "20:30", ny), Lines: []customer.Line{l("BEAN", "咖啡", 6000)}},
		{OrderID: "T2", CustomerID: "T", OrderedAt: at("2026-10-13", "20:30", ny), Lines: []customer.Line{l("BEAN", "咖啡", 6000)}},
		{OrderID: "T3", CustomerID: "T", OrderedAt: at("2026-10-20", "20:30", ny), Lines: []customer.Line{l("BEAN", "咖啡", 6000)}},
	}
	for i := range orders {
		if err := orders[i].Normalize(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cs.UpsertOrders(ctx, orders); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, c := range custs {
		got, err := cs.GetByExternalID(ctx, c.ExternalID)
		if err != nil {
			t.Fatal(err)
		}
		ids[c.ExternalID] = got.ID
	}
	return cs, ids
}

func TestRefreshPetShop(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cs, ids := petShop(t, db)
		sh := cs.Location()
		svc := newService(t, db, sh)
		// A stale row of S from an earlier run must go.
		if _, err := db.W.ExecContext(ctx, db.Rebind(`INSERT INTO customer_predictions (customer_id, run, orders, x, t_x, t_cal, mean_value,
			first_at, last_at, habit_weekday, habit_hour, habit_confidence) VALUES (?, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0)`), ids["S"]); err != nil {
			t.Fatal(err)
		}
		rep, err := svc.RefreshAsOf(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Customers != 4 || rep.Cycles != 5 || rep.Categories != 3 || rep.AsOf != "2026-11-01" || rep.Run != 1 {
			t.Fatalf("report %+v", rep)
		}
		if _, err := svc.PredictionOf(ctx, ids["S"]); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("S still predicted: %v", err)
		}
		cats, err := svc.CategoryCycles(ctx)
		if err != nil || fmt.Sprint(cats) != "[{咖啡 7 2} {尿不湿 28 1} {猫粮 28 4}]" {
			t.Errorf("category cycles %v %v", cats, err)
		}
		day := func(date, clock string) time.Time {
			tm, _ := time.ParseInLocation("2006-01-02 15:04", date+" "+clock, sh)
			return tm.UTC()
		}
		wantCycles := map[string][]intel.CustomerCycle{
			"P": {{"猫粮", 4, 28, day("2026-10-24", "15:00"), day("2026-11-21", "15:00")}},
			"Q": {{"尿不湿", 1, 28, day("2026-10-10", "09:00"), day("2026-11-07", "09:00")},
				{"猫粮", 2, 20.0/3 + 2.0/3*28, day("2026-10-21", "09:00"), day("2026-11-15", "09:00")}},
			"R": {{"尿不湿", 2, 28, day("2026-09-29", "21:00"), day("2026-10-27", "21:00")}},
			// T's last coffee was Tuesday 20:30 in New York, Wednesday
			// 08:30 in Shanghai, where days are counted.
			"T": {{"咖啡", 3, 7, day("2026-10-21", "08:30"), day("2026-10-28", "08:30")}},
		}
		for ext, want := range wantCycles {
			got, err := svc.CyclesOf(ctx, ids[ext])
			if err != nil || len(got) != len(want) {
				t.Fatalf("%s cycles %v %v", ext, got, err)
			}
			for i := range want {
				g, w := got[i], want[i]
				if g.Category != w.Category || g.Purchases != w.Purchases || math.Abs(g.CycleDays-w.CycleDays) > 1e-9 ||
					!g.LastAt.Equal(w.LastAt) || !g.NextDue.Equal(w.NextDue) {
					t.Errorf("%s cycle %d: got %+v, want %+v", ext, i, g, w)
				}
			}
		}

		p, err := svc.PredictionOf(ctx, ids["P"])
		if err != nil {
			t.Fatal(err)
		}
		if p.Orders != 4 || p.X != 3 || p.TX != 12 || p.T != 92.0/7 || p.MeanValue != 10000 ||
			!p.FirstAt.Equal(day("2026-08-01", "15:00")) || !p.LastAt.Equal(day("2026-10-24", "15:00")) {
			t.Errorf("P summary %+v", p)
		}
		if p.HabitWeekday != time.Saturday || p.HabitHour != 15 || p.HabitStrength != 1 {
			t.Errorf("P habit %v %d %v", p.HabitWeekday, p.HabitHour, p.HabitStrength)
		}
		tp, _ := svc.PredictionOf(ctx, ids["T"])
		if tp.HabitWeekday != time.Tuesday || tp.HabitHour != 20 || tp.HabitStrength != 1 {
			t.Errorf("T habit (New York) %v %d %v", tp.HabitWeekday, tp.HabitHour, tp.HabitStrength)
		}
		// Model values are the fitted models applied to the stored history.
		if rep.FitErr == "" {
			bg := rep.Fit.BG
			if p.ProbAlive == nil || math.Abs(*p.ProbAlive-bg.ProbAlive(3, 12, 92.0/7)) > 1e-12 ||
				math.Abs(*p.Expected30-bg.ExpectedPurchases(30.0/7, 3, 12, 92.0/7)) > 1e-12 {
				t.Errorf("P model values %+v", p)
			}
		} else if p.ProbAlive != nil {
			t.Errorf("no fit (%s) but prob alive %v", rep.FitErr, *p.ProbAlive)
		}

		// A second refresh is a new run with the same rows.
		rep2, err := svc.RefreshAsOf(ctx, time.Time{})
		if err != nil || rep2.Run != 2 || rep2.Customers != 4 || rep2.Cycles != 5 {
			t.Fatalf("second refresh %+v %v", rep2, err)
		}
		var n int
		if err := db.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM customer_predictions WHERE run = 2").Scan(&n); err != nil || n != 4 {
			t.Errorf("rows of run 2: %d %v", n, err)
		}
	})
}

func TestFitWithoutOrders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := newService(t, db, time.UTC)
		if _, err := svc.Fit(ctx, time.Time{}); !errors.Is(err, intel.ErrNoCustomers) {
			t.Errorf("fit of an empty store: %v", err)
		}
		rep, err := svc.RefreshAsOf(ctx, time.Time{})
		if err != nil || rep.Customers != 0 || rep.FitErr == "" {
			t.Errorf("refresh of an empty store: %+v %v", rep, err)
		}
	})
}
