package policy_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"nudge/internal/customer"
	"nudge/internal/policy"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

func TestDecisionLogBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		// A small buffer and batch make the writer fall behind and batch.
		p, err := policy.New(ctx, db, f.keys, f.clk, policy.Options{LogBuffer: 64, LogBatch: 100})
		if err != nil {
			t.Fatal(err)
		}
		night := t0.Add(10 * time.Hour) // 22:00 in Shanghai
		const n = 2500
		r := policy.Recipient{Country: "CN", Consent: policy.ConsentOptedIn, ConsentAt: t0.Unix() - 86400,
			ConsentSourced: true, LastInteraction: t0.Unix()}
		for i := 1; i <= n; i++ {
			r.CustomerID = int64(i)
			cat := policy.Category("marketing")
			if i%2 == 0 {
				cat = "order"
			}
			p.Decide(ctx, r, cat, night)
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		var rows, deferred int
		db.R.QueryRow(`SELECT COUNT(*) FROM policy_decisions`).Scan(&rows)
		db.R.QueryRow(`SELECT COUNT(*) FROM policy_decisions WHERE decision = 'defer' AND reasons = 'quiet_hours'`).Scan(&deferred)
		if rows != n || deferred != n/2 {
			t.Fatalf("%d rows, %d deferred", rows, deferred)
		}
		if w, d := p.LogStats(); w != n || d != 0 {
			t.Fatalf("written %d dropped %d", w, d)
		}
		got, err := f.pol.Decisions(ctx, 7, 10)
		if err != nil {
			t.Fatal(err)
		}
		want := []policy.LoggedDecision{{CustomerID: 7, Category: "marketing", Decision: "defer", Reasons: []string{"quiet_hours"},
			Until: time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC), At: night}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decisions %+v", got)
		}
		got, _ = f.pol.Decisions(ctx, 8, 10)
		if len(got) != 1 || got[0].Decision != "allow" || len(got[0].Reasons) != 0 || !got[0].Until.IsZero() {
			t.Fatalf("order decision %+v", got)
		}
		// Flush makes what was decided so far visible.
		f.pol.Decide(ctx, r, "staff", night)
		if err := f.pol.FlushDecisions(ctx); err != nil {
			t.Fatal(err)
		}
		db.R.QueryRow(`SELECT COUNT(*) FROM policy_decisions`).Scan(&rows)
		if rows != n+1 {
			t.Fatalf("after flush %d rows", rows)
		}
		if k, err := f.pol.PruneDecisions(ctx, night.Add(time.Second)); err != nil || k != n+1 {
			t.Fatal(k, err)
		}
	})
}

func TestLoaderPreferencesAndInteractions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		old := consenting("P", "13300000001")
		old.ConsentAt = t0.AddDate(-1, 0, 0)
		f := newFixture(t, db, old, customer.Customer{ExternalID: "Q", Phone: "+1 415 555 0100", Region: "US"})
		p := f.ids["P"]
		r := f.recipient(t, "P")
		if d := f.pol.Decide(ctx, r, "marketing", t0); d.Verdict != policy.Suppress || d.Codes()[0] != "inactive" {
			t.Fatalf("a year without interaction: %s %q", d.Verdict, d.Codes())
		}
		if r.Location == nil || r.Location.String() != "Asia/Shanghai" || r.Country != "CN" {
			t.Fatalf("zone %v country %q", r.Location, r.Country)
		}
		// An order 100 days ago brings the customer back (reversible).
		if _, err := f.cust.UpsertOrders(ctx, []customer.Order{{OrderID: "O1", CustomerID: "P", OrderedAt: t0.AddDate(0, 0, -100),
			Lines: []customer.Line{{SKU: "cat-food", Quantity: 1, Amount: 9900}}}}); err != nil {
			t.Fatal(err)
		}
		if r = f.recipient(t, "P"); r.LastInteraction != t0.AddDate(0, 0, -100).Unix() {
			t.Fatalf("after order %d", r.LastInteraction)
		}
		// A human click is newer still (bots' clicks only count as bot).
		mustExec(t, db, `INSERT INTO links (token, target, customer_id, created_at) VALUES ('tok12345', 'https://x.example/', ?, ?)`, p, t0.Unix())
		mustExec(t, db, `INSERT INTO link_click_counts (link_id, human, bot, first_human_at, last_human_at) VALUES (1, 1, 3, ?, ?)`, t0.Unix()-60*86400, t0.Unix()-50*86400)
		if r = f.recipient(t, "P"); r.LastInteraction != t0.Unix()-50*86400 {
			t.Fatalf("after click %d", r.LastInteraction)
		}
		if err := f.pol.Touch(ctx, p, "reply", t0.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := f.pol.Touch(ctx, p, "reply", t0.Add(-48*time.Hour)); err != nil { // older: ignored
			t.Fatal(err)
		}
		if r = f.recipient(t, "P"); r.LastInteraction != t0.Add(-time.Hour).Unix() {
			t.Fatalf("after reply %d", r.LastInteraction)
		}
		if d := f.pol.Decide(ctx, r, "marketing", t0); d.Verdict != policy.Allow {
			t.Fatalf("active again: %s %q", d.Verdict, d.Codes())
		}

		if err := f.pol.SetPreference(ctx, p, "promotions", true, "reply"); err != nil {
			t.Fatal(err)
		}
		if err := f.pol.SetPreference(ctx, p, "flyers", true, "reply"); err == nil {
			t.Fatal("unknown category accepted")
		}
		r = f.recipient(t, "P")
		if d := f.pol.Decide(ctx, r, "promotions", t0); d.Verdict != policy.Suppress || d.Codes()[0] != "preference_refused" {
			t.Fatalf("promotions: %s %q", d.Verdict, d.Codes())
		}
		if d := f.pol.Decide(ctx, r, "order", t0); d.Verdict != policy.Allow {
			t.Fatalf("order: %s %q", d.Verdict, d.Codes())
		}
		prefs, _ := f.pol.Preferences(ctx, p)
		if len(prefs) != 1 || prefs[0] != (policy.Preference{Category: "promotions", Refused: true, Source: "reply", UpdatedAt: t0}) {
			t.Fatalf("prefs %+v", prefs)
		}
		if err := f.pol.SetPreference(ctx, p, "promotions", false, "console"); err != nil {
			t.Fatal(err)
		}
		if r = f.recipient(t, "P"); r.Refused != 0 {
			t.Fatalf("refused bits %b", r.Refused)
		}

		// A US number without a zone: quiet hours hold in every US zone.
		q := f.recipient(t, "Q")
		if q.Country != "US" || q.Location != nil {
			t.Fatalf("Q %+v", q)
		}
		// A number that is no customer's.
		s, n, customers, err := f.pol.RecipientByPhone(ctx, "13300000099", t0)
		if err != nil || customers != 0 || s.CustomerID != 0 || s.Country != "CN" || n.E164 != "+8613300000099" {
			t.Fatalf("stranger %+v %+v %d %v", s, n, customers, err)
		}
		if d := f.pol.Decide(ctx, s, "marketing", t0); d.Codes()[0] != "consent_missing" {
			t.Fatalf("stranger marketing %q", d.Codes())
		}
	})
}

func TestStreamWalksEveryCustomer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var cs []customer.Customer
		for i := 0; i < 1234; i++ {
			cs = append(cs, consenting(fmt.Sprintf("S%04d", i), fmt.Sprintf("1310000%04d", i)))
		}
		f := newFixture(t, db, cs...)
		if _, err := f.pol.Suppress(ctx, "13100000007", policy.ReasonComplaint, "carrier", ""); err != nil {
			t.Fatal(err)
		}
		var batches, total, suppressed int
		var last int64
		err := f.pol.Stream(ctx, t0, 500, func(rs []policy.Recipient) error {
			batches++
			for _, r := range rs {
				if r.CustomerID <= last {
					return fmt.Errorf("id %d after %d", r.CustomerID, last)
				}
				last = r.CustomerID
				total++
				if r.Suppressed != 0 {
					suppressed++
					if r.CustomerID != f.ids["S0007"] || r.Suppressed != policy.SuppressedComplaint {
						return fmt.Errorf("wrong suppression %+v", r)
					}
				}
			}
			return nil
		})
		if err != nil || batches != 3 || total != 1234 || suppressed != 1 {
			t.Fatalf("%d batches, %d recipients, %d suppressed: %v", batches, total, suppressed, err)
		}
		ids := []int64{f.ids["S0003"], f.ids["S0001"], 999999}
		rs, err := f.pol.Load(ctx, ids, t0, nil)
		if err != nil || len(rs) != 2 || rs[0].CustomerID != f.ids["S0001"] || rs[1].CustomerID != f.ids["S0003"] {
			t.Fatalf("load %+v %v", rs, err)
		}
	})
}

func mustExec(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.W.Exec(db.Rebind(q), args...); err != nil {
		t.Fatal(err)
	}
}
