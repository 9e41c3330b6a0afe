package policy_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"nudge/internal/clock"
	"nudge/internal/customer"
	"nudge/internal/pii"
	"nudge/internal/policy"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

var testKey = bytes.Repeat([]byte{9}, 32)

// fixture is a migrated store with customers and a policy service on a
// fake clock at 2025-06-01 12:00 Shanghai.
type fixture struct {
	db   *store.DB
	keys *pii.Keyring
	clk  *clock.Fake
	cust *customer.Store
	pol  *policy.Policy
	ids  map[string]int64
}

var t0 = time.Date(2025, 6, 1, 4, 0, 0, 0, time.UTC) // 12:00 in Shanghai

func newFixture(t *testing.T, db *store.DB, cs ...customer.Customer) *fixture {
	t.Helper()
	ctx := context.Background()
	keys, err := pii.NewKeyring(testKey)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, keys: keys, clk: clock.NewFake(t0), ids: map[string]int64{}}
	if f.cust, err = customer.NewStore(ctx, db, keys, f.clk, customer.Options{}); err != nil {
		t.Fatal(err)
	}
	if len(cs) > 0 {
		if _, err := f.cust.UpsertCustomers(ctx, cs); err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			got, err := f.cust.GetByExternalID(ctx, c.ExternalID)
			if err != nil {
				t.Fatal(err)
			}
			f.ids[c.ExternalID] = got.ID
		}
	}
	f.pol = f.newPolicy(t)
	return f
}

func (f *fixture) newPolicy(t *testing.T) *policy.Policy {
	t.Helper()
	p, err := policy.New(context.Background(), f.db, f.keys, f.clk, policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func consenting(id, phone string) customer.Customer {
	return customer.Customer{ExternalID: id, Phone: phone, Consent: "opted_in", ConsentSource: "pos",
		ConsentAt: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC), Timezone: "Asia/Shanghai"}
}

func (f *fixture) recipient(t *testing.T, ext string) policy.Recipient {
	t.Helper()
	r, err := f.pol.Recipient(context.Background(), f.ids[ext], f.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSendsLedgerCountsCaps(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db, consenting("A", "13800000001"), consenting("B", "13800000002"))
		a, b := f.ids["A"], f.ids["B"]
		day := 24 * time.Hour
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			for _, at := range []time.Time{t0.Add(-1 * day), t0.Add(-3 * day), t0.Add(-6 * day), t0.Add(-10 * day)} {
				if err := f.pol.Record(ctx, tx, a, "marketing", at); err != nil {
					return err
				}
			}
			if err := f.pol.Record(ctx, tx, a, "order", t0.Add(-time.Hour)); err != nil {
				return err
			}
			// Exactly 7 days ago has left the rolling window; 31 days
			// ago has left the monthly one.
			if err := f.pol.Record(ctx, tx, b, "promotions", t0.Add(-7*day)); err != nil {
				return err
			}
			return f.pol.Record(ctx, tx, b, "marketing", t0.Add(-31*day))
		})
		if err != nil {
			t.Fatal(err)
		}
		// A rolled-back enqueue leaves no count.
		rollback := errors.New("rollback")
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			if err := f.pol.Record(ctx, tx, b, "marketing", t0.Add(-time.Hour)); err != nil {
				return err
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatal(err)
		}
		ra, rb := f.recipient(t, "A"), f.recipient(t, "B")
		if ra.Sent != [policy.MaxCaps]uint16{3, 4} || rb.Sent != [policy.MaxCaps]uint16{0, 1} {
			t.Fatalf("sent A %v B %v", ra.Sent, rb.Sent)
		}
		d := f.pol.Decide(ctx, ra, "promotions", t0)
		if d.Verdict != policy.Suppress || !reflect.DeepEqual(d.Codes(), []string{"cap_7d", "cap_30d"}) {
			t.Fatalf("A: %s %q", d.Verdict, d.Codes())
		}
		if d := f.pol.Decide(ctx, rb, "marketing", t0); d.Verdict != policy.Allow {
			t.Fatalf("B: %s %q", d.Verdict, d.Codes())
		}
		n, err := f.pol.PruneSends(ctx, t0)
		if err != nil || n != 1 {
			t.Fatalf("pruned %d, %v; want the one row older than 30 days", n, err)
		}
	})
}

func TestSuppressionList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		// A number that is no customer yet.
		added, err := f.pol.Suppress(ctx, "139 0000 0009", policy.ReasonManual, "operator", "asked by phone")
		if err != nil || !added {
			t.Fatal(added, err)
		}
		if added, err := f.pol.Suppress(ctx, "+8613900000009", policy.ReasonManual, "operator", ""); err != nil || added {
			t.Fatalf("second add: %v %v", added, err)
		}
		if _, err := f.pol.Suppress(ctx, "13900000009", policy.ReasonOptedOut, "reply", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.pol.Suppress(ctx, "13900000010", policy.ReasonComplaint, "carrier", ""); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			phone string
			cat   policy.Category
			want  policy.Reason
		}{
			{"13900000009", "marketing", policy.ReasonManual},
			{"13900000009", "order", policy.ReasonManual},
			{"13900000010", "marketing", policy.ReasonComplaint},
			{"13900000010", "order", ""},
			{"13900000011", "marketing", ""},
		} {
			got, err := f.pol.CheckSuppressed(ctx, c.phone, c.cat)
			if err != nil || got != c.want {
				t.Errorf("%s %s: %q %v, want %q", c.phone, c.cat, got, err, c.want)
			}
		}
		// The dispatcher's batch check agrees, the same number twice in a
		// batch included.
		phones := []string{"+8613900000009", "+8613900000009", "+8613900000010", "+8613900000010", "+8613900000011"}
		cats := []policy.Category{"marketing", "order", "marketing", "order", "marketing"}
		many, err := f.pol.CheckSuppressedMany(ctx, phones, cats)
		want := []policy.Reason{policy.ReasonManual, policy.ReasonManual, policy.ReasonComplaint, "", ""}
		if err != nil || !slices.Equal(many, want) {
			t.Fatalf("CheckSuppressedMany = %q %v, want %q", many, err, want)
		}
		// The number becomes a customer: the list already holds for it.
		if _, err := f.cust.UpsertCustomers(ctx, []customer.Customer{consenting("N", "13900000009")}); err != nil {
			t.Fatal(err)
		}
		r, _, customers, err := f.pol.RecipientByPhone(ctx, "13900000009", t0)
		if err != nil || customers != 1 || r.Suppressed != policy.SuppressedManual|policy.SuppressedOptedOut {
			t.Fatalf("recipient %+v customers %d %v", r, customers, err)
		}
		list, err := f.pol.Suppressions(ctx, 0, 10, "")
		if err != nil || len(list) != 3 {
			t.Fatalf("%v %v", list, err)
		}
		if list[0].Phone != "+8613900000009" || list[0].Reason != policy.ReasonManual || list[0].Source != "operator" ||
			list[0].Note != "asked by phone" || !list[0].CreatedAt.Equal(t0) {
			t.Fatalf("first entry %+v", list[0])
		}
		// Removing the manual block keeps the opt-out.
		if n, err := f.pol.Unsuppress(ctx, "13900000009", policy.ReasonManual); err != nil || n != 1 {
			t.Fatal(n, err)
		}
		if got, _ := f.pol.CheckSuppressed(ctx, "13900000009", "order"); got != "" {
			t.Fatalf("order still blocked by %q", got)
		}
		if got, _ := f.pol.CheckSuppressed(ctx, "13900000009", "marketing"); got != policy.ReasonOptedOut {
			t.Fatalf("marketing: %q", got)
		}
		if n, _ := f.pol.CountSuppressions(ctx, ""); n != 2 {
			t.Fatalf("count %d", n)
		}
		if n, _ := f.pol.CountSuppressions(ctx, policy.ReasonComplaint); n != 1 {
			t.Fatalf("complaints %d", n)
		}
	})
}

func TestHardFailuresSuppressInvalidNumbers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		for i := 1; i <= 2; i++ {
			if s, err := f.pol.RecordHardFailure(ctx, "13700000001"); err != nil || s {
				t.Fatalf("failure %d: %v %v", i, s, err)
			}
		}
		// A delivery in between starts the count again.
		if err := f.pol.RecordDelivered(ctx, "13700000001"); err != nil {
			t.Fatal(err)
		}
		if n, _ := f.pol.HardFailures(ctx, "13700000001"); n != 0 {
			t.Fatalf("count after delivery %d", n)
		}
		var suppressedAt int
		for i := 1; i <= 4; i++ {
			s, err := f.pol.RecordHardFailure(ctx, "13700000001")
			if err != nil {
				t.Fatal(err)
			}
			if s {
				suppressedAt = i
			}
		}
		if suppressedAt != 3 {
			t.Fatalf("suppressed at failure %d, want 3", suppressedAt)
		}
		if got, _ := f.pol.CheckSuppressed(ctx, "13700000001", "logistics"); got != policy.ReasonInvalidNumber {
			t.Fatalf("logistics: %q", got)
		}
	})
}

func TestConsentEventsAndOptOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db, customer.Customer{ExternalID: "C", Phone: "13600000001"},
			customer.Customer{ExternalID: "D", Phone: "13600000001"})
		c := f.ids["C"]
		if err := f.pol.RecordConsent(ctx, policy.ConsentEvent{CustomerID: c, State: policy.ConsentOptedIn}); !errors.Is(err, policy.ErrNoSource) {
			t.Fatalf("no source: %v", err)
		}
		if err := f.pol.RecordConsent(ctx, policy.ConsentEvent{CustomerID: c, State: policy.ConsentOptedIn,
			Source: "web_form", Proof: "form /join, checkbox 1"}); err != nil {
			t.Fatal(err)
		}
		r := f.recipient(t, "C")
		if r.Consent != policy.ConsentOptedIn || r.ConsentAt != t0.Unix() || !r.ConsentSourced || r.LastInteraction != t0.Unix() {
			t.Fatalf("after opt-in %+v", r)
		}
		f.clk.Advance(time.Hour)
		n, err := f.pol.OptOut(ctx, "+86 136 0000 0001", "reply", "TD")
		if err != nil || n != 2 {
			t.Fatalf("opt-out applied to %d: %v", n, err)
		}
		r = f.recipient(t, "C")
		if r.Consent != policy.ConsentOptedOut || r.Suppressed != policy.SuppressedOptedOut {
			t.Fatalf("after opt-out %+v", r)
		}
		if d := f.pol.Decide(ctx, r, "order", t0); d.Verdict != policy.Allow {
			t.Fatalf("order after opt-out: %s %q", d.Verdict, d.Codes())
		}
		evs, err := f.pol.ConsentEvents(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		want := []policy.ConsentEvent{
			{CustomerID: c, State: policy.ConsentOptedIn, Source: "web_form", Proof: "form /join, checkbox 1", At: t0},
			{CustomerID: c, State: policy.ConsentOptedOut, Source: "reply", Proof: "TD", At: t0.Add(time.Hour)},
		}
		if !reflect.DeepEqual(evs, want) {
			t.Fatalf("events %+v", evs)
		}
		// A new explicit opt-in lifts the opt-out entry.
		if err := f.pol.RecordConsent(ctx, policy.ConsentEvent{CustomerID: c, State: policy.ConsentOptedIn, Source: "operator", Proof: "call"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.pol.CheckSuppressed(ctx, "13600000001", "marketing"); got != "" {
			t.Fatalf("still suppressed: %q", got)
		}
		// A number that is no customer's: suppressed, with a proof row.
		if n, err := f.pol.OptOut(ctx, "13600000009", "reply", "退订"); err != nil || n != 0 {
			t.Fatal(n, err)
		}
		if got, _ := f.pol.CheckSuppressed(ctx, "13600000009", "marketing"); got != policy.ReasonOptedOut {
			t.Fatalf("stranger: %q", got)
		}
		var rows int
		db.R.QueryRow(`SELECT COUNT(*) FROM consent_events WHERE customer_id IS NULL AND proof = '退订'`).Scan(&rows)
		if rows != 1 {
			t.Fatalf("stranger events %d", rows)
		}
	})
}

func TestDoubleOptIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db, customer.Customer{ExternalID: "E", Phone: "13500000001"},
			customer.Customer{ExternalID: "F", Phone: "13500000002"})
		cfg := f.pol.Rules().Config()
		cfg.DoubleOptIn = true
		if err := f.pol.SetConfig(ctx, cfg); err != nil {
			t.Fatal(err)
		}
		// F asked 8 days ago: the request has expired when the reply comes.
		if _, err := f.pol.RequestConsent(ctx, f.ids["F"], "web_form", "form /join"); err != nil {
			t.Fatal(err)
		}
		f.clk.Advance(8 * 24 * time.Hour)
		m, err := f.pol.RequestConsent(ctx, f.ids["E"], "web_form", "form /join")
		if err != nil {
			t.Fatal(err)
		}
		if m == nil || m.CustomerID != f.ids["E"] || m.Phone != "+8613500000001" || m.Category != "service" ||
			m.Text != policy.DefaultConfig().OptInText {
			t.Fatalf("message %+v", m)
		}
		now := f.clk.Now()
		r := f.recipient(t, "E")
		if d := f.pol.Decide(ctx, r, "marketing", now); d.Verdict != policy.Suppress || d.Codes()[0] != "consent_pending" {
			t.Fatalf("pending: %s %q", d.Verdict, d.Codes())
		}
		if n, err := f.pol.ConfirmByReply(ctx, "13500000001", "no thanks"); err != nil || n != 0 {
			t.Fatal(n, err)
		}
		f.clk.Advance(time.Minute)
		if n, err := f.pol.ConfirmByReply(ctx, "13500000001", " Yes! "); err != nil || n != 1 {
			t.Fatal(n, err)
		}
		if n, err := f.pol.ConfirmByReply(ctx, "13500000002", "是"); err != nil || n != 0 {
			t.Fatalf("expired request confirmed: %d %v", n, err)
		}
		r = f.recipient(t, "E")
		if r.Consent != policy.ConsentOptedIn || r.ConsentAt != now.Add(time.Minute).Unix() {
			t.Fatalf("confirmed %+v", r)
		}
		evs, _ := f.pol.ConsentEvents(ctx, f.ids["E"])
		if len(evs) != 2 || evs[0].State != policy.ConsentPending || evs[1].Source != "double_opt_in" || evs[1].Proof != "reply:  Yes! " {
			t.Fatalf("events %+v", evs)
		}
		if _, err := f.pol.StartDoubleOptIn(ctx, f.ids["E"], "web_form", ""); !errors.Is(err, policy.ErrAlreadyOptedIn) {
			t.Fatalf("again: %v", err)
		}
		// The setting survives a restart.
		if !f.newPolicy(t).Rules().Config().DoubleOptIn {
			t.Fatal("double opt-in not stored")
		}
	})
}

func TestSuppressionImportExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		if _, err := f.pol.Suppress(ctx, "13800000077", policy.ReasonManual, "operator", ""); err != nil {
			t.Fatal(err)
		}
		in := "\ufeff手机号,原因,备注\n" +
			"138 0000 0077,manual,again\n" + // already there
			"13800000078,,\n" + // default reason
			"+8613800000079,complaint,\"carrier, 12321\"\n" +
			"12345,manual,\n" + // bad number
			"13800000080,spam,\n" // bad reason
		res, err := f.pol.ImportSuppressions(ctx, strings.NewReader(in), policy.ReasonOptedOut, "import")
		if err != nil {
			t.Fatal(err)
		}
		if res.Added != 2 || res.Existing != 1 || len(res.Rejected) != 2 || res.Rejected[0].Line != 5 || res.Rejected[1].Line != 6 ||
			!strings.Contains(res.Rejected[1].Reason, `"spam"`) {
			t.Fatalf("%+v", res)
		}
		// Without a header: phone[,reason[,note]].
		res, err = f.pol.ImportSuppressions(ctx, strings.NewReader("13800000081\n13800000082,invalid_number\n"), policy.ReasonManual, "import")
		if err != nil || res.Added != 2 || len(res.Rejected) != 0 {
			t.Fatalf("%+v %v", res, err)
		}
		var masked, clear bytes.Buffer
		if n, err := f.pol.ExportSuppressions(ctx, &masked, false); err != nil || n != 5 {
			t.Fatal(n, err)
		}
		at := t0.Format(time.RFC3339)
		want := "phone,reason,source,note,created_at\n" +
			"138****0077,manual,operator,," + at + "\n" +
			"138****0078,opted_out,import,," + at + "\n" +
			"138****0079,complaint,import,\"carrier, 12321\"," + at + "\n" +
			"138****0081,manual,import,," + at + "\n" +
			"138****0082,invalid_number,import,," + at + "\n"
		if masked.String() != want {
			t.Fatalf("export:\n%s", masked.String())
		}
		if _, err := f.pol.ExportSuppressions(ctx, &clear, true); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(clear.String(), "\n+8613800000079,complaint,") || strings.Contains(clear.String(), "****") {
			t.Fatalf("clear export:\n%s", clear.String())
		}
	})
}
