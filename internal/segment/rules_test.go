package segment_test

import (
	"context"
	"strings"
	"testing"

	"nudge/internal/segment"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

// TestRuleMembers runs every kind of condition against the six-customer
// shop (fixture_test.go) in both dialects and checks the exact members.
func TestRuleMembers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sh := newShop(t, db)
		if _, err := sh.seg.RefreshRFM(ctx, segment.RFMOptions{}); err != nil {
			t.Fatal(err)
		}
		// Predictions for A and B, and A's cat-food cycle: due on 11-04,
		// three days from today.
		for _, q := range []string{
			`INSERT INTO customer_predictions (customer_id, run, orders, x, t_x, t_cal, mean_value, first_at, last_at,
				prob_alive, expected_30, expected_90, expected_value, clv, habit_weekday, habit_hour, habit_confidence)
			VALUES (?, 1, 4, 3, 10, 11, 50000, 0, 0, 0.9, 1.2, 3.1, 55000, 180000, 6, 20, 0.5)`,
			`INSERT INTO customer_predictions (customer_id, run, orders, x, t_x, t_cal, mean_value, first_at, last_at,
				prob_alive, expected_30, expected_90, expected_value, clv, habit_weekday, habit_hour, habit_confidence)
			VALUES (?, 1, 2, 1, 10, 16, 35000, 0, 0, 0.4, 0.2, 0.5, 36000, 20000, 0, 9, 0.5)`,
		} {
			id := sh.ids["A"]
			if strings.Contains(q, "0.4, 0.2") {
				id = sh.ids["B"]
			}
			if _, err := db.W.ExecContext(ctx, db.Rebind(q), id); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.W.ExecContext(ctx, db.Rebind(`INSERT INTO customer_cycles (customer_id, category, run, purchases, cycle_days, last_at, next_due)
			VALUES (?, '猫粮', 1, 3, 5, ?, ?)`), sh.ids["A"], at("2026-10-30").Unix(), at("2026-11-04").Unix()); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			rule string
			want string
		}{
			{`{"all":[]}`, "A B C D E F"},
			{`{"any":[]}`, ""},
			{`{"field":"city","op":"eq","value":"上海"}`, "A B E"},
			{`{"field":"city","op":"in","value":["北京","杭州"]}`, "C D"},
			{`{"field":"city","op":"ne","value":"上海"}`, "C D F"},
			{`{"field":"city","op":"not_in","value":["上海","北京"]}`, "D F"},
			{`{"field":"gender","op":"eq","value":"f"}`, "A C F"},
			{`{"field":"gender","op":"eq","value":""}`, "E"},
			{`{"field":"consent","op":"eq","value":"opted_in"}`, "A D E F"},
			{`{"field":"carrier","op":"eq","value":"china_mobile"}`, "A B C D E F"},
			{`{"field":"region","op":"eq","value":"CN"}`, "A B C D E F"},
			{`{"field":"tag","op":"has","value":"vip"}`, "A B"},
			{`{"field":"tag","op":"has_not","value":"vip"}`, "C D E F"},
			{`{"field":"tag","op":"has_any","value":["猫粮","VIP"]}`, "A C E"},
			{`{"field":"tag","op":"has_all","value":["vip","猫粮"]}`, "A"},
			{`{"field":"attribute","key":"level","op":"eq","value":"gold"}`, "A E"},
			{`{"field":"attribute","key":"level","op":"ne","value":"gold"}`, "B"},
			{`{"field":"attribute","key":"level","op":"in","value":["silver","bronze"]}`, "B"},
			{`{"field":"attribute","key":"points","op":"gte","value":300}`, "A B"},
			{`{"field":"attribute","key":"points","op":"between","value":[1000,2000]}`, "A"},
			{`{"field":"attribute","key":"points","op":"eq","value":300}`, "B"},
			{`{"field":"attribute","key":"points","op":"exists"}`, "A B C"},
			{`{"field":"attribute","key":"points","op":"not_exists"}`, "D E F"},
			{`{"not":{"field":"attribute","key":"level","op":"eq","value":"gold"}}`, "B C D F"},
			{`{"field":"birthday_month","op":"eq","value":11}`, "A F"},
			{`{"field":"birthday_month","op":"between","value":[1,2]}`, "C E"},
			{`{"field":"birthday_day","op":"in","value":[29,31]}`, "B E"},
			{`{"not":{"field":"birthday_month","op":"eq","value":11}}`, "B C D E"},
			{`{"field":"birthday","op":"within_days","value":2}`, "A F"},
			{`{"field":"birthday","op":"within_days","value":61}`, "A B F"},
			{`{"field":"birthday","op":"within_days","value":62}`, "A B C F"},
			{`{"field":"registered_at","op":"within_last_days","value":30}`, "C"},
			{`{"field":"registered_at","op":"before","value":"2024-01-01"}`, "D"},
			{`{"field":"registered_at","op":"after","value":"2025-12-31"}`, "C F"},
			{`{"field":"registered_at","op":"between","value":["2024-01-10","2025-06-01"]}`, "A B"},
			{`{"field":"orders.count","op":"gte","value":3,"within_days":90}`, "A"},
			{`{"field":"orders.count","op":"eq","value":0}`, "F"},
			{`{"field":"orders.count","op":"lt","value":2,"within_days":365}`, "C D F"},
			{`{"field":"orders.count","op":"between","value":[2,3]}`, "B D E"},
			{`{"field":"orders.sum","op":"gte","value":100000}`, "A"},
			{`{"field":"orders.sum","op":"lt","value":60000}`, "C D F"},
			{`{"field":"orders.avg","op":"gte","value":35000}`, "A B E"},
			{`{"field":"orders.avg","op":"between","value":[25000,37500]}`, "B D E"},
			{`{"field":"orders.count","op":"gte","value":3,"category":"猫粮"}`, "A"},
			{`{"field":"orders.sum","op":"gte","value":10000,"category":"猫粮","within_days":7}`, "A C"},
			{`{"field":"orders.count","op":"gte","value":1,"sku":"TOY-1"}`, "A"},
			{`{"field":"orders.avg","op":"gt","value":52000,"category":"猫粮"}`, ""},
			{`{"field":"orders.avg","op":"gte","value":50000,"category":"猫粮"}`, "A"},
			{`{"field":"orders.last_at","op":"within_last_days","value":7}`, "A C"},
			{`{"field":"orders.first_at","op":"before","value":"2025-01-01"}`, "D"},
			{`{"field":"orders.last_at","op":"not_within_last_days","value":365}`, "D"},
			{`{"field":"rfm.group","op":"eq","value":"important_value"}`, "A"},
			{`{"field":"rfm.group","op":"in","value":["general_develop"]}`, "B C"},
			{`{"field":"rfm.r_score","op":"gte","value":3}`, "A C"},
			{`{"field":"rfm.frequency","op":"eq","value":2}`, "B E"},
			{`{"not":{"field":"rfm.group","op":"eq","value":"important_value"}}`, "B C D E F"},
			{`{"field":"distance","lat":31.2304,"lon":121.4737,"op":"lte","value":5}`, "A B"},
			{`{"field":"distance","lat":31.2304,"lon":121.4737,"op":"lte","value":2.6}`, "A"},
			{`{"field":"distance","lat":31.2304,"lon":121.4737,"op":"lt","value":40}`, "A B E"},
			{`{"field":"distance","lat":31.2304,"lon":121.4737,"op":"gt","value":10}`, "C E"},
			{`{"field":"predict.prob_alive","op":"gte","value":0.5}`, "A"},
			{`{"field":"predict.clv","op":"lt","value":100000}`, "B"},
			{`{"field":"predict.habit_weekday","op":"in","value":[0,6]}`, "A B"},
			{`{"field":"predict.due_in_days","category":"猫粮","op":"lte","value":5}`, "A"},
			{`{"field":"predict.due_in_days","category":"猫粮","op":"eq","value":3}`, "A"},
			{`{"field":"predict.due_in_days","category":"猫粮","op":"between","value":[0,2]}`, ""},
			{`{"field":"predict.due_in_days","category":"服装","op":"lte","value":5}`, ""},
			{`{"any":[{"field":"city","op":"eq","value":"北京"},{"field":"tag","op":"has","value":"vip"}]}`, "A B C"},
			{`{"all":[{"field":"city","op":"eq","value":"上海"},{"not":{"any":[{"field":"gender","op":"eq","value":"m"},{"field":"tag","op":"has","value":"VIP"}]}}]}`, "A"},
		}
		for _, tc := range tests {
			got := strings.Join(sh.members(t, tc.rule), " ")
			if got != tc.want {
				t.Errorf("%s\n got [%s]\nwant [%s]", tc.rule, got, tc.want)
			}
		}
	})
}

// TestBuiltinSegments checks the three tiers the migration creates.
func TestBuiltinSegments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sh := newShop(t, db)
		list, err := sh.seg.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"value": "A", "potential": "B E", "dormant": "D"}
		var names []string
		for _, sg := range list {
			names = append(names, sg.Name)
			if !sg.Builtin {
				t.Errorf("%s is not built in", sg.Name)
			}
			if got := strings.Join(sh.members(t, string(sg.Rule)), " "); got != want[sg.Name] {
				t.Errorf("%s: got [%s], want [%s]", sg.Name, got, want[sg.Name])
			}
		}
		if strings.Join(names, " ") != "dormant potential value" {
			t.Errorf("built-in segments %v", names)
		}
	})
}
