package segment_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"nudge/internal/customer"
	"nudge/internal/segment"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

// TestRFMShop works the six-customer shop by hand. As of 2026-11-01 with
// a 365-day window, D (last order 2025-05-01) and F (none) are not scored;
// E's cancelled order does not count, leaving two orders on 2026-06-01.
//
//	      recency  frequency  monetary   R  F  M  group
//	A        2        4        240000    4  4  4  important_value
//	B        7        2         75000    2  2  3  general_develop
//	C        4        1         12000    3  1  1  general_develop
//	E      153        2         70000    1  2  2  general_winback
//
// Averages: recency 41.5, frequency 2.25, monetary 99250. With four
// customers the score is 1 + 5*(rank-1)/4, so the top is 4; B and E tie
// on frequency at rank 2 and share score 2.
func TestRFMShop(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sh := newShop(t, db)
		if _, err := sh.seg.RFM(ctx); !errors.Is(err, segment.ErrNoRFM) {
			t.Fatalf("RFM before refresh: %v", err)
		}
		rep, err := sh.seg.RefreshRFM(ctx, segment.RFMOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.AsOf != "2026-11-01" || rep.WindowDays != 365 || rep.Scored != 4 || rep.NoOrders != 2 {
			t.Fatalf("report header %+v", rep)
		}
		if rep.AvgRecency != 41.5 || rep.AvgFrequency != 2.25 || rep.AvgMonetary != 99250 {
			t.Errorf("averages %v %v %v", rep.AvgRecency, rep.AvgFrequency, rep.AvgMonetary)
		}
		want := map[string]segment.Scores{
			"A": {RecencyDays: 2, Frequency: 4, Monetary: 240000, AOV: 60000, R: 4, F: 4, M: 4, Group: "important_value"},
			"B": {RecencyDays: 7, Frequency: 2, Monetary: 75000, AOV: 37500, R: 2, F: 2, M: 3, Group: "general_develop"},
			"C": {RecencyDays: 4, Frequency: 1, Monetary: 12000, AOV: 12000, R: 3, F: 1, M: 1, Group: "general_develop"},
			"E": {RecencyDays: 153, Frequency: 2, Monetary: 70000, AOV: 35000, R: 1, F: 2, M: 2, Group: "general_winback"},
		}
		for ext, w := range want {
			got, err := sh.seg.ScoresOf(ctx, sh.ids[ext])
			if err != nil || got != w {
				t.Errorf("%s: got %+v (%v), want %+v", ext, got, err, w)
			}
		}
		for _, ext := range []string{"D", "F"} {
			if _, err := sh.seg.ScoresOf(ctx, sh.ids[ext]); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s scored: %v", ext, err)
			}
		}
		if len(rep.Groups) != 8 {
			t.Fatalf("%d groups", len(rep.Groups))
		}
		got := map[string]string{}
		for _, g := range rep.Groups {
			got[g.Key] = fmt.Sprintf("%d %d %.4f %.4f", g.Customers, g.Revenue, g.CustomerShare, g.RevenueShare)
		}
		wantGroups := map[string]string{
			"important_value":   "1 240000 0.2500 0.6045",
			"important_develop": "0 0 0.0000 0.0000",
			"important_retain":  "0 0 0.0000 0.0000",
			"important_winback": "0 0 0.0000 0.0000",
			"general_value":     "0 0 0.0000 0.0000",
			"general_develop":   "2 87000 0.5000 0.2191",
			"general_retain":    "0 0 0.0000 0.0000",
			"general_winback":   "1 70000 0.2500 0.1763",
		}
		for k, w := range wantGroups {
			if got[k] != w {
				t.Errorf("group %s: %s, want %s", k, got[k], w)
			}
		}
		if rep.Groups[0].Name != "重要价值客户" || rep.Groups[0].NameEN != "important value" || rep.Groups[7].Key != "general_winback" {
			t.Errorf("group order or names: %+v", rep.Groups)
		}
		cells, err := sh.seg.HeatMap(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(cells) != "[{1 2 1 70000} {2 2 1 75000} {3 1 1 12000} {4 4 1 240000}]" {
			t.Errorf("heat map %v", cells)
		}

		// An earlier date and a shorter window: as of 2026-10-01 over 60
		// days only A (09-01, 10-01) and B (none: 07-10 is outside) ...
		rep, err = sh.seg.RefreshRFM(ctx, segment.RFMOptions{AsOf: time.Date(2026, 10, 1, 0, 0, 0, 0, shanghai), WindowDays: 60})
		if err != nil {
			t.Fatal(err)
		}
		if rep.AsOf != "2026-10-01" || rep.Scored != 1 || rep.NoOrders != 5 {
			t.Fatalf("as of 2026-10-01: %+v", rep)
		}
		a, err := sh.seg.ScoresOf(ctx, sh.ids["A"])
		// A: 08-15 and 09-01 and 10-01 are in (window starts 2026-08-03);
		// alone, A equals every average and so is low on all three.
		if err != nil || a != (segment.Scores{RecencyDays: 0, Frequency: 3, Monetary: 180000, AOV: 60000, R: 1, F: 1, M: 1, Group: "general_winback"}) {
			t.Errorf("A as of 2026-10-01: %+v %v", a, err)
		}
	})
}

// TestRFMQuintileTies checks the score rule on ten customers whose
// frequencies are 1,1,1,1,1,1,2,2,3,5: ranks 1, 7, 9, 10 give scores
// 1 + 5*(rank-1)/10 = 1, 4, 5, 5. Equal values always share a score.
func TestRFMQuintileTies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sh := newShop(t, db)
		if _, err := db.W.ExecContext(ctx, "DELETE FROM order_lines"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.W.ExecContext(ctx, "DELETE FROM orders"); err != nil {
			t.Fatal(err)
		}
		freqs := []int{1, 1, 1, 1, 1, 1, 2, 2, 3, 5}
		var cs []customer.Customer
		var orders []customer.Order
		for i, f := range freqs {
			ext := fmt.Sprintf("Q%02d", i)
			cs = append(cs, customer.Customer{ExternalID: ext, Phone: fmt.Sprintf("139000000%02d", i)})
			for j := 0; j < f; j++ {
				o := customer.Order{OrderID: fmt.Sprintf("%s-%d", ext, j), CustomerID: ext,
					OrderedAt: at("2026-10-01").AddDate(0, 0, -j), Lines: []customer.Line{line("X", "x", 1000)}}
				if err := o.Normalize(); err != nil {
					t.Fatal(err)
				}
				orders = append(orders, o)
			}
		}
		if _, err := sh.customers.UpsertCustomers(ctx, cs); err != nil {
			t.Fatal(err)
		}
		if _, err := sh.customers.UpsertOrders(ctx, orders); err != nil {
			t.Fatal(err)
		}
		if _, err := sh.seg.RefreshRFM(ctx, segment.RFMOptions{}); err != nil {
			t.Fatal(err)
		}
		rows, err := db.R.QueryContext(ctx, `SELECT c.external_id, r.f_score, r.m_score FROM rfm r JOIN customers c ON c.id = r.customer_id ORDER BY c.external_id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var ext string
			var f, m int
			if err := rows.Scan(&ext, &f, &m); err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%s:%d%d", ext, f, m))
		}
		// Monetary is 1000 per order, so M follows F exactly.
		want := "Q00:11 Q01:11 Q02:11 Q03:11 Q04:11 Q05:11 Q06:44 Q07:44 Q08:55 Q09:55"
		if strings.Join(got, " ") != want {
			t.Errorf("scores %s\nwant   %s", strings.Join(got, " "), want)
		}
	})
}
