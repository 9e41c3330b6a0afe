package customer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nudge/internal/clock"
	"nudge/internal/customer"
	"nudge/internal/pii"
	"nudge/internal/rekey"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

var testKey = bytes.Repeat([]byte{7}, 32)

func newStore(t *testing.T, db *store.DB, masters ...[]byte) (*customer.Store, *clock.Fake) {
	t.Helper()
	if len(masters) == 0 {
		masters = [][]byte{testKey}
	}
	kr, err := pii.NewKeyring(masters...)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC))
	s, err := customer.NewStore(context.Background(), db, kr, clk, customer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s, clk
}

func sample() []customer.Customer {
	lat, lon := 31.2304, 121.4737
	return []customer.Customer{
		{ExternalID: "C1", Phone: "138 1234 1234", Name: "王小明", Gender: "男", Birthday: "1990-05-04", City: "上海",
			Lat: &lat, Lon: &lon, Tags: []string{"vip", " 猫粮 "}, Consent: "opted_in", ConsentSource: "pos",
			ConsentAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Attributes: json.RawMessage(`{"level":"gold"}`)},
		{ExternalID: "C2", Phone: "+86 189 1234 5678", Name: "李娜", Gender: "f"},
		{Phone: "13012345678", Name: "赵六"}, // no shop id: identified by phone
	}
}

func TestUpsertCustomersIdempotentAndUpdates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clk := newStore(t, db)
		res, err := s.UpsertCustomers(ctx, sample())
		if err != nil {
			t.Fatal(err)
		}
		if res != (customer.WriteResult{Inserted: 3}) {
			t.Fatalf("first write: %+v", res)
		}
		first, err := s.GetByExternalID(ctx, "C1")
		if err != nil {
			t.Fatal(err)
		}
		if first.Phone != "+8613812341234" || first.Carrier != "china_mobile" || first.Name != "王小明" || first.Gender != "m" ||
			strings.Join(first.Tags, ",") != "vip,猫粮" || first.Consent != "opted_in" || *first.Lat != 31.2304 ||
			string(first.Attributes) != `{"level":"gold"}` || !first.ConsentAt.Equal(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)) {
			t.Fatalf("stored customer: %+v", first)
		}
		// The same input again changes nothing, not even updated_at.
		clk.Advance(time.Hour)
		res, err = s.UpsertCustomers(ctx, sample())
		if err != nil || res != (customer.WriteResult{Unchanged: 3}) {
			t.Fatalf("second write: %+v %v", res, err)
		}
		again, _ := s.GetByExternalID(ctx, "C1")
		if !again.UpdatedAt.Equal(first.UpdatedAt) {
			t.Fatal("unchanged row was rewritten")
		}
		// An updated row updates; the phone-only customer is found by phone.
		in := sample()
		in[0].City = "杭州"
		in[2].Name = "赵六六"
		res, err = s.UpsertCustomers(ctx, in)
		if err != nil || res != (customer.WriteResult{Updated: 2, Unchanged: 1}) {
			t.Fatalf("third write: %+v %v", res, err)
		}
		if n, _ := s.Count(ctx); n != 3 {
			t.Fatalf("count %d", n)
		}
		found, err := s.FindByPhone(ctx, "130-1234-5678")
		if err != nil || len(found) != 1 || found[0].Name != "赵六六" || !strings.HasPrefix(found[0].ExternalID, "tel-") {
			t.Fatalf("FindByPhone: %+v %v", found, err)
		}
		if _, err := s.GetByExternalID(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing customer: %v", err)
		}
		// A new customer in the same statement as stored ones (on SQLite
		// the statement skips those, and the lookup after it must still
		// count the new one as inserted and leave it as written).
		// Five rows make one statement.
		fresh := customer.Customer{ExternalID: "C9", Phone: "13912345678", Name: "钱七", City: "南京"}
		other := customer.Customer{ExternalID: "C10", Phone: "13912345679"}
		in[1].City = "苏州"
		res, err = s.UpsertCustomers(ctx, append(in, fresh, other))
		if err != nil || res != (customer.WriteResult{Inserted: 2, Updated: 1, Unchanged: 2}) {
			t.Fatalf("mixed write: %+v %v", res, err)
		}
		if c, err := s.GetByExternalID(ctx, "C9"); err != nil || c.Name != "钱七" || c.City != "南京" {
			t.Fatalf("new customer of the mixed write: %+v %v", c, err)
		}
		if n, _ := s.Count(ctx); n != 5 {
			t.Fatalf("count %d after the mixed write", n)
		}
	})
}

func TestUpsertCustomersRejectsBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := newStore(t, db)
		_, err := s.UpsertCustomers(context.Background(), []customer.Customer{{ExternalID: "X", Phone: "12345"}})
		var fe *customer.FieldError
		if !errors.As(err, &fe) || fe.Field != "phone" {
			t.Fatalf("error %v", err)
		}
	})
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestUpsertOrders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newStore(t, db)
		if _, err := s.UpsertCustomers(ctx, sample()[:2]); err != nil {
			t.Fatal(err)
		}
		orders := []customer.Order{
			{OrderID: "O1", CustomerID: "C1", OrderedAt: at("2026-10-01T12:00:00Z"), Status: "Paid",
				Lines: []customer.Line{{SKU: "CAT-1", Category: "cat food", Quantity: 2, Amount: 25980, Ref: 2}}},
			{OrderID: "O2", CustomerID: "ghost", OrderedAt: at("2026-10-02T12:00:00Z"),
				Lines: []customer.Line{{SKU: "X", Quantity: 1, Amount: 100, Ref: 3}, {SKU: "Y", Quantity: 1, Amount: 100, Ref: 4}}},
			// The second line of O1 arrives later in the file.
			{OrderID: "O1", CustomerID: "C1", OrderedAt: at("2026-10-01T12:00:00Z"), Status: "Paid",
				Lines: []customer.Line{{SKU: "TOY-9", Category: "toys", Quantity: 1, Amount: 3900, Ref: 5}}},
		}
		for i := range orders {
			if err := orders[i].Normalize(); err != nil {
				t.Fatal(err)
			}
		}
		res, err := s.UpsertOrders(ctx, orders)
		if err != nil {
			t.Fatal(err)
		}
		if res.Orders != (customer.WriteResult{Inserted: 1}) || res.Lines != (customer.WriteResult{Inserted: 2}) {
			t.Fatalf("result %+v", res)
		}
		if len(res.Rejected) != 2 || res.Rejected[0].Ref != 3 || res.Rejected[1].Ref != 4 || !strings.Contains(res.Rejected[0].Reason, `unknown customer "ghost"`) {
			t.Fatalf("rejected %+v", res.Rejected)
		}
		c, _ := s.GetByExternalID(ctx, "C1")
		got, err := s.OrdersOf(ctx, c.ID, 10)
		if err != nil || len(got) != 1 || got[0].Amount != 29880 || got[0].Items != 3 || got[0].Status != "paid" || got[0].Currency != "CNY" || len(got[0].Lines) != 2 {
			t.Fatalf("orders %+v %v", got, err)
		}
		// Again: nothing changes. Then a line in a later batch changes the total.
		res, err = s.UpsertOrders(ctx, orders)
		if err != nil || res.Orders != (customer.WriteResult{Unchanged: 1}) || res.Lines != (customer.WriteResult{Unchanged: 2}) {
			t.Fatalf("second: %+v %v", res, err)
		}
		more := []customer.Order{{OrderID: "O1", CustomerID: "C1", OrderedAt: at("2026-10-01T12:00:00Z"), Status: "paid", Currency: "CNY",
			Lines: []customer.Line{{SKU: "TOY-9", Category: "toys", Quantity: 2, Amount: 7800}}}}
		res, err = s.UpsertOrders(ctx, more)
		if err != nil || res.Lines != (customer.WriteResult{Updated: 1}) {
			t.Fatalf("third: %+v %v", res, err)
		}
		got, _ = s.OrdersOf(ctx, c.ID, 10)
		if got[0].Amount != 25980+7800 || got[0].Items != 4 {
			t.Fatalf("totals after update: %+v", got[0])
		}
		if o, l, _ := s.Counts(ctx); o != 1 || l != 2 {
			t.Fatalf("counts %d %d", o, l)
		}
		// A stored order changed beside two new ones (SQLite numbers the
		// new ones itself): each line lands on its own order.
		mixed := []customer.Order{
			{OrderID: "O3", CustomerID: "C2", OrderedAt: at("2026-10-03T12:00:00Z"),
				Lines: []customer.Line{{SKU: "A", Quantity: 1, Amount: 100}, {SKU: "A", Quantity: 3, Amount: 300}}},
			{OrderID: "O1", CustomerID: "C1", OrderedAt: at("2026-10-01T12:00:00Z"), Status: "shipped",
				Lines: []customer.Line{{SKU: "CAT-1", Category: "cat food", Quantity: 2, Amount: 25980}}},
			{OrderID: "O4", CustomerID: "C1", OrderedAt: at("2026-10-04T12:00:00Z"),
				Lines: []customer.Line{{SKU: "B", Quantity: 2, Amount: 500}}},
		}
		for i := range mixed {
			mixed[i].Normalize()
		}
		res, err = s.UpsertOrders(ctx, mixed)
		if err != nil || res.Orders != (customer.WriteResult{Inserted: 2, Updated: 1}) || res.Lines != (customer.WriteResult{Inserted: 2, Unchanged: 2}) {
			t.Fatalf("mixed: %+v %v", res, err)
		}
		got, _ = s.OrdersOf(ctx, c.ID, 10)
		if len(got) != 2 || got[0].OrderID != "O4" || got[0].Amount != 500 || len(got[0].Lines) != 1 || got[1].Status != "shipped" || len(got[1].Lines) != 2 {
			t.Fatalf("C1 after the mixed write: %+v", got)
		}
		c2, _ := s.GetByExternalID(ctx, "C2")
		got, _ = s.OrdersOf(ctx, c2.ID, 10)
		if len(got) != 1 || got[0].Items != 3 || got[0].Amount != 300 || len(got[0].Lines) != 1 || got[0].Lines[0].Quantity != 3 {
			t.Fatalf("C2: %+v", got)
		}
	})
}

func TestOrderNormalizeRejects(t *testing.T) {
	o := customer.Order{OrderID: "O", CustomerID: "C", OrderedAt: time.Now(), Lines: []customer.Line{{SKU: "A", Quantity: 1, Amount: -5}}}
	if err := o.Normalize(); err == nil || err.Error() != "amount: negative amount -0.05" {
		t.Fatalf("negative amount: %v", err)
	}
}

func TestProducts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newStore(t, db)
		ps := []customer.Product{{SKU: "CAT-1", Name: "冻干猫粮 2kg", Category: "cat food", Price: 12990, Stock: 40, SafetyStock: 50}}
		if res, err := s.UpsertProducts(ctx, ps); err != nil || res.Inserted != 1 {
			t.Fatalf("%+v %v", res, err)
		}
		if res, err := s.UpsertProducts(ctx, ps); err != nil || res.Unchanged != 1 {
			t.Fatalf("%+v %v", res, err)
		}
		ps[0].Stock = 200
		if res, err := s.UpsertProducts(ctx, ps); err != nil || res.Updated != 1 {
			t.Fatalf("%+v %v", res, err)
		}
		p, err := s.Product(ctx, "CAT-1")
		if err != nil || p.Stock != 200 || p.Name != "冻干猫粮 2kg" {
			t.Fatalf("%+v %v", p, err)
		}
	})
}

// plaintexts are the forms of personal data that must never be at rest.
var plaintexts = [][]byte{
	[]byte("13812341234"), []byte("18912345678"), []byte("13012345678"),
	[]byte("王小明"), []byte("李娜"), []byte("赵六"),
}

func TestNoPlaintextAtRestSQLite(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "n.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s, _ := newStore(t, db)
	if _, err := s.UpsertCustomers(ctx, sample()); err != nil {
		t.Fatal(err)
	}
	// Read the files while the WAL still holds the writes, then again after
	// a checkpoint has moved them into the main file.
	check := func(stage string) {
		files, _ := filepath.Glob(filepath.Join(dir, "n.db*"))
		if len(files) < 2 {
			t.Fatalf("%s: expected the db and its WAL, found %v", stage, files)
		}
		for _, f := range files {
			data, _ := os.ReadFile(f)
			for _, p := range plaintexts {
				if bytes.Contains(data, p) {
					t.Errorf("%s: %s contains %q", stage, filepath.Base(f), p)
				}
			}
		}
	}
	check("before checkpoint")
	if _, err := db.W.ExecContext(ctx, "PRAGMA wal_checkpoint(FULL)"); err != nil {
		t.Fatal(err)
	}
	check("after checkpoint")
	db.Close()
}

func TestNoPlaintextInPgDump(t *testing.T) {
	db := storetest.Postgres(t)
	ctx := context.Background()
	s, _ := newStore(t, db)
	if _, err := s.UpsertCustomers(ctx, sample()); err != nil {
		t.Fatal(err)
	}
	var schema string
	if err := db.R.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(storetest.PostgresURL())
	u.RawQuery = ""
	out, err := exec.Command("pg_dump", "--no-owner", "-n", schema, u.String()).Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	if !bytes.Contains(out, []byte("COPY "+schema+".customers")) {
		t.Fatalf("dump has no customers data:\n%s", out[:min(len(out), 2000)])
	}
	for _, p := range plaintexts {
		if bytes.Contains(out, p) {
			t.Errorf("pg_dump contains %q", p)
		}
	}
}

func TestKeyRotationResealsAndStaysSearchable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		old, _ := newStore(t, db)
		if _, err := old.UpsertCustomers(ctx, sample()); err != nil {
			t.Fatal(err)
		}
		newKey := bytes.Repeat([]byte{9}, 32)
		s, _ := newStore(t, db, testKey, newKey)
		if n, err := rekey.Remaining(ctx, db, s.Keys()); err != nil || n != 3 {
			t.Fatalf("remaining before: %d %v", n, err)
		}
		// In the middle of a rotation (batch of 1, stopped after one batch by
		// a cancelled context) lookups still work under both keys.
		cctx, cancel := context.WithCancel(ctx)
		n, _ := rekey.Run(cctx, db, s.Keys(), 1, func(string, int64, int64) { cancel() })
		if n != 1 {
			t.Fatalf("interrupted run re-sealed %d", n)
		}
		for _, p := range []string{"13812341234", "18912345678", "13012345678"} {
			if got, err := s.FindByPhone(ctx, p); err != nil || len(got) != 1 {
				t.Fatalf("mid-rotation lookup %s: %v %v", p, got, err)
			}
		}
		// Resuming finishes the rest; a second run is a no-op.
		if n, err := rekey.Run(ctx, db, s.Keys(), 2, nil); err != nil || n != 2 {
			t.Fatalf("resumed run: %d %v", n, err)
		}
		if n, err := rekey.Run(ctx, db, s.Keys(), 2, nil); err != nil || n != 0 {
			t.Fatalf("third run: %d %v", n, err)
		}
		// Only the new key is needed now.
		only, _ := newStore(t, db, newKey)
		c, err := only.GetByExternalID(ctx, "C1")
		if err != nil || c.Name != "王小明" {
			t.Fatalf("after rotation: %+v %v", c, err)
		}
		if got, err := only.FindByPhone(ctx, "13812341234"); err != nil || len(got) != 1 {
			t.Fatalf("lookup after rotation: %v %v", got, err)
		}
	})
}
