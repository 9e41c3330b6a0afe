// Package cdnow reads the public CDNOW sample (shared/data/cdnow: 2,357
// customers, 6,919 purchases from January 1997 to June 1998) that the
// model tests validate against, for the tests of several packages.
package cdnow

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"nudge/internal/customer"
)

// Dir finds the data: NUDGE_CDNOW_DIR if set, otherwise shared/data/cdnow
// in the first ancestor of the working directory that has it. Without the
// data the test fails under CI, where it must run, and is skipped on a
// developer machine that lacks the shared folder.
func Dir(tb testing.TB) string {
	tb.Helper()
	if dir := os.Getenv("NUDGE_CDNOW_DIR"); dir != "" {
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		cand := filepath.Join(dir, "shared", "data", "cdnow")
		if _, err := os.Stat(filepath.Join(cand, "CDNOW_sample.txt")); err == nil {
			return cand
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	if os.Getenv("CI") == "true" {
		tb.Fatal("CDNOW data not found: set NUDGE_CDNOW_DIR or provide shared/data/cdnow above the module")
	}
	tb.Skip("CDNOW data not found; set NUDGE_CDNOW_DIR to run this test")
	return ""
}

// Purchase is one line of CDNOW_sample.txt.
type Purchase struct {
	Line     int    // line number in the file
	Customer int    // the sample's customer id, 1..2357
	Day      string // YYYYMMDD
	Quantity int64  // CDs bought
	Dollars  string // as written, e.g. "29.33"
}

// Purchases reads CDNOW_sample.txt in file order (each customer's lines
// together, in date order), failing the test on a malformed line.
func Purchases(tb testing.TB) []Purchase {
	tb.Helper()
	f, err := os.Open(filepath.Join(Dir(tb), "CDNOW_sample.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []Purchase
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		if len(fields) != 5 {
			tb.Fatalf("CDNOW_sample.txt line %d: %d fields, want 5", n, len(fields))
		}
		id, err := strconv.Atoi(fields[1])
		if err != nil {
			tb.Fatalf("CDNOW_sample.txt line %d: customer %v", n, err)
		}
		qty, err := strconv.ParseInt(fields[3], 10, 64)
		if err != nil {
			tb.Fatalf("CDNOW_sample.txt line %d: quantity %v", n, err)
		}
		out = append(out, Purchase{Line: n, Customer: id, Day: fields[2], Quantity: qty, Dollars: fields[4]})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// Import writes the sample into a customer store: one customer per sample
// id (external id "cd<id>", a synthetic phone), one order per line (order
// id "L<line>"), dollars as cents, each day at midnight in the shop's zone.
// It returns the number of orders written.
func Import(tb testing.TB, ctx context.Context, cs *customer.Store) int {
	tb.Helper()
	var custs []customer.Customer
	var orders []customer.Order
	seen := map[string]bool{}
	for _, p := range Purchases(tb) {
		ext := fmt.Sprintf("cd%d", p.Customer)
		if !seen[ext] {
			seen[ext] = true
			custs = append(custs, customer.Customer{ExternalID: ext, Phone: fmt.Sprintf("138%08d", p.Customer)})
		}
		day, err := time.ParseInLocation("20060102", p.Day, cs.Location())
		if err != nil {
			tb.Fatalf("CDNOW_sample.txt line %d: %v", p.Line, err)
		}
		cents, err := customer.ParseMoney(p.Dollars)
		if err != nil {
			tb.Fatalf("CDNOW_sample.txt line %d: %v", p.Line, err)
		}
		o := customer.Order{OrderID: fmt.Sprintf("L%d", p.Line), CustomerID: ext, OrderedAt: day,
			Lines: []customer.Line{{SKU: "CD", Category: "cd", Quantity: max(p.Quantity, 1), Amount: cents}}}
		if err := o.Normalize(); err != nil {
			tb.Fatalf("CDNOW_sample.txt line %d: %v", p.Line, err)
		}
		orders = append(orders, o)
	}
	if _, err := cs.UpsertCustomers(ctx, custs); err != nil {
		tb.Fatal(err)
	}
	res, err := cs.UpsertOrders(ctx, orders)
	if err != nil || len(res.Rejected) > 0 {
		tb.Fatalf("CDNOW orders: %+v %v", res.Orders, err)
	}
	return res.Orders.Inserted
}
