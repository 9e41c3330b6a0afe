package demo

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"nudge/internal/customer"
)

// behaviourShop is big enough for the statistics below to be stable and
// small enough to generate in well under a second.
var behaviourShop = Options{Seed: 7, Customers: 10000, Now: testNow}

func parseLocal(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := customer.ParseTime(s, shanghai)
	if err != nil {
		t.Fatal(err)
	}
	return at.In(shanghai)
}

// TestRowsImportable checks every row the way the importer will: customers
// normalise, dates and amounts parse, orders name generated customers and
// catalogue products after the customer registered and before Now.
func TestRowsImportable(t *testing.T) {
	s := generate(t, behaviourShop)
	if len(s.customers) != behaviourShop.Customers {
		t.Fatalf("%d customers, want %d", len(s.customers), behaviourShop.Customers)
	}
	registered := map[string]time.Time{}
	for _, row := range s.customers {
		lat, _ := strconv.ParseFloat(row["lat"], 64)
		lon, _ := strconv.ParseFloat(row["lon"], 64)
		c := customer.Customer{
			ExternalID: row["id"], Phone: row["phone"], Name: row["name"], Gender: row["gender"],
			Birthday: row["birthday"], City: row["city"], Lat: &lat, Lon: &lon, Timezone: row["timezone"],
			Consent: row["consent"], ConsentSource: row["consent_source"],
			Attributes: json.RawMessage(`{"level":"` + row["level"] + `","points":` + row["points"] + `}`),
		}
		if err := c.Normalize("CN"); err != nil {
			t.Fatalf("customer %v: %v", row, err)
		}
		if _, dup := registered[row["id"]]; dup {
			t.Fatalf("customer id %s twice", row["id"])
		}
		reg := parseLocal(t, row["registered_at"])
		registered[row["id"]] = reg
		if reg.After(testNow) || reg.Before(testNow.AddDate(-3, 0, -31)) {
			t.Errorf("customer %s registered %v, outside the last three years", row["id"], reg)
		}
		birth, _ := time.ParseInLocation("2006-01-02", row["birthday"], shanghai)
		if age := testNow.Sub(birth).Hours() / 24 / 365.2425; age < 18 || age > 66 {
			t.Errorf("customer %s is %.1f years old", row["id"], age)
		}
		if row["consent"] != "unknown" && row["consent_at"] == "" {
			t.Errorf("customer %s: %s without a time", row["id"], row["consent"])
		}
	}
	products := map[string]string{}
	for _, p := range s.products {
		products[p["sku"]] = p["category"]
	}
	if len(products) != CatalogueSize || CatalogueSize < 100 {
		t.Fatalf("%d distinct skus, CatalogueSize %d", len(products), CatalogueSize)
	}
	type orderKey struct{ customer, at, status string }
	orders := map[string]orderKey{}
	lines := map[[2]string]bool{}
	start := testNow.AddDate(0, -12, 0)
	for _, o := range s.orders {
		reg, ok := registered[o["customer_id"]]
		if !ok {
			t.Fatalf("order %s names customer %s, who was not generated", o["order_id"], o["customer_id"])
		}
		at := parseLocal(t, o["ordered_at"])
		if at.Before(reg) || at.Before(start) || !at.Before(testNow) {
			t.Fatalf("order %s at %v: registered %v, window %v..%v", o["order_id"], at, reg, start, testNow)
		}
		k := orderKey{o["customer_id"], o["ordered_at"], o["status"]}
		if prev, ok := orders[o["order_id"]]; ok && prev != k {
			t.Fatalf("order %s lines disagree: %v and %v", o["order_id"], prev, k)
		}
		orders[o["order_id"]] = k
		line := [2]string{o["order_id"], o["sku"]}
		if lines[line] {
			t.Fatalf("order %s names %s twice (the store would keep only one)", o["order_id"], o["sku"])
		}
		lines[line] = true
		if cat, ok := products[o["sku"]]; !ok || cat != o["category"] {
			t.Fatalf("order %s: sku %s category %s, catalogue says %q", o["order_id"], o["sku"], o["category"], cat)
		}
		if amount, err := customer.ParseMoney(o["amount"]); err != nil || amount <= 0 {
			t.Fatalf("order %s: amount %q (%v)", o["order_id"], o["amount"], err)
		}
		if q, err := strconv.Atoi(o["quantity"]); err != nil || q < 1 {
			t.Fatalf("order %s: quantity %q", o["order_id"], o["quantity"])
		}
	}
	t.Logf("%d customers, %d orders, %d lines", len(s.customers), len(orders), len(s.orders))
}

// purchases returns, per customer, the distinct order times that include a
// line of the category.
func purchases(s *shop, category string) map[string][]time.Time {
	out := map[string][]time.Time{}
	last := map[string]string{}
	for _, o := range s.orders {
		if o["category"] != category || last[o["customer_id"]] == o["order_id"] {
			continue
		}
		last[o["customer_id"]] = o["order_id"]
		at, _ := customer.ParseTime(o["ordered_at"], shanghai)
		out[o["customer_id"]] = append(out[o["customer_id"]], at.In(shanghai))
	}
	return out
}

func medianInterval(byCustomer map[string][]time.Time) (float64, int) {
	var days []float64
	for _, ts := range byCustomer {
		for i := 1; i < len(ts); i++ {
			days = append(days, ts[i].Sub(ts[i-1]).Hours()/24)
		}
	}
	slices.Sort(days)
	if len(days) == 0 {
		return math.NaN(), 0
	}
	return days[len(days)/2], len(days)
}

func TestPurchaseCycles(t *testing.T) {
	s := generate(t, behaviourShop)
	for _, tc := range []struct {
		category string
		lo, hi   float64
	}{
		{"纸尿裤", 25, 31}, // the brief's 28 ± 3
		{"奶粉", 14, 20},
		{"猫粮", 27, 33},
		{"护肤", 45, 60},
		{"慢病用药", 28, 33},
	} {
		m, n := medianInterval(purchases(s, tc.category))
		t.Logf("%s: median interval %.1f days over %d intervals", tc.category, m, n)
		if n < 500 || m < tc.lo || m > tc.hi {
			t.Errorf("%s: median interval %.1f days over %d intervals, want %v..%v", tc.category, m, n, tc.lo, tc.hi)
		}
	}
}

// TestHabits checks the articles' patterns: supplements on weekend
// afternoons, chronic medicine between the 5th and the 10th.
func TestHabits(t *testing.T) {
	s := generate(t, behaviourShop)
	weekend, all := 0, 0
	for _, ts := range purchases(s, "保健品") {
		for _, at := range ts {
			all++
			if wd := at.Weekday(); (wd == time.Saturday || wd == time.Sunday) && at.Hour() >= 13 && at.Hour() <= 17 {
				weekend++
			}
		}
	}
	if share := float64(weekend) / float64(all); share < 0.8 {
		t.Errorf("%.2f of %d supplement orders on weekend afternoons, want most", share, all)
	}
	for id, ts := range purchases(s, "慢病用药") {
		for _, at := range ts {
			if at.Day() < 5 || at.Day() > 10 {
				t.Fatalf("customer %s bought chronic medicine on %v", id, at)
			}
		}
	}
}

func TestDormantAndRFMGroups(t *testing.T) {
	s := generate(t, behaviourShop)
	type rfm struct {
		last   time.Time
		orders map[string]bool
		spend  int64
	}
	by := map[string]*rfm{}
	for _, o := range s.orders {
		c := by[o["customer_id"]]
		if c == nil {
			c = &rfm{orders: map[string]bool{}}
			by[o["customer_id"]] = c
		}
		at, _ := customer.ParseTime(o["ordered_at"], shanghai)
		if at.After(c.last) {
			c.last = at
		}
		c.orders[o["order_id"]] = true
		fen, _ := customer.ParseMoney(o["amount"])
		c.spend += fen
	}
	noOrder := len(s.customers) - len(by)
	share := float64(noOrder) / float64(len(s.customers))
	t.Logf("%d of %d customers (%.1f%%) without an order in the last 365 days", noOrder, len(s.customers), 100*share)
	if share < 0.15 || share > 0.3 {
		t.Errorf("%.2f of customers have no order in the last year, want about 0.2", share)
	}
	// The classic eight RFM groups: above or below the mean recency,
	// frequency and monetary value. All must have members.
	var sumR, sumF, sumM float64
	for _, c := range by {
		sumR += testNow.Sub(c.last).Hours() / 24
		sumF += float64(len(c.orders))
		sumM += float64(c.spend)
	}
	n := float64(len(by))
	var groups [8]int
	for _, c := range by {
		g := 0
		if testNow.Sub(c.last).Hours()/24 < sumR/n {
			g |= 4
		}
		if float64(len(c.orders)) > sumF/n {
			g |= 2
		}
		if float64(c.spend) > sumM/n {
			g |= 1
		}
		groups[g]++
	}
	t.Logf("RFM groups (RFM bits, 7 = 重要价值): %v", groups)
	for g, k := range groups {
		if k == 0 {
			t.Errorf("RFM group %03b is empty", g)
		}
	}
}

func TestSomeProductsBelowSafetyStock(t *testing.T) {
	for seed := range int64(20) {
		s := generate(t, Options{Seed: seed, Customers: 1, Now: testNow})
		low := 0
		for _, p := range s.products {
			stock, _ := strconv.Atoi(p["stock"])
			safety, _ := strconv.Atoi(p["safety_stock"])
			if stock < safety {
				low++
			}
		}
		if low == 0 || low > len(s.products)/10 {
			t.Errorf("seed %d: %d products below safety stock, want a few", seed, low)
		}
	}
}
