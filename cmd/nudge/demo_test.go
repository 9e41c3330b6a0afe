package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nudge/internal/app"
	"nudge/internal/demo"
	"nudge/internal/intel"
	"nudge/internal/outbox"
	"nudge/internal/outbox/direct"
)

// TestDemoNoServe builds a small demo store through the real import path
// and checks that exactly what the generator wrote is in it.
func TestDemoNoServe(t *testing.T) {
	dir := t.TempDir()
	// The demo must ignore NUDGE_DB: it deletes its store before starting.
	other := filepath.Join(t.TempDir(), "real.db")
	t.Setenv("NUDGE_DB", "sqlite:"+other)
	t.Setenv("NUDGE_MASTER_KEY", "")
	t.Setenv("NUDGE_MASTER_KEY_FILE", "")
	wd, _ := os.Getwd()

	args := []string{"demo", "--customers", "500", "--no-serve", "--data", dir}
	before := demo.Today(time.Now())
	out := runOK(t, args)
	after := demo.Today(time.Now())
	for _, want := range []string{"products: 120 rows, 120 taken", "customers: 500 rows, 500 taken", "0 rejected", "sign in as admin / nudge-demo"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(other); err == nil {
		t.Error("the demo wrote to the store NUDGE_DB names")
	}
	for _, d := range []string{dir, wd} {
		if rejects, _ := filepath.Glob(filepath.Join(d, "*.rejects.csv")); len(rejects) > 0 {
			t.Errorf("rejects files left: %v", rejects)
		}
	}
	checkDemoStore(t, dir, 500, 1, before, after)

	// A second run starts afresh, and says so.
	out = runOK(t, []string{"demo", "--customers", "300", "--seed", "2", "--no-serve", "--data", dir})
	if !strings.Contains(out, "removed the previous demo store") {
		t.Errorf("second run did not say it removed the old store:\n%s", out)
	}
	checkDemoStore(t, dir, 300, 2, demo.Today(time.Now()), demo.Today(time.Now()))
}

func runOK(t *testing.T, args []string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	log := slog.New(slog.NewTextHandler(&stderr, nil))
	if code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr, log); code != 0 {
		t.Fatalf("%v: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// checkDemoStore compares the store with a fresh run of the generator: same
// customers, same orders and lines, the whole catalogue, and the login.
func checkDemoStore(t *testing.T, dir string, customers int, seed int64, nows ...time.Time) {
	t.Helper()
	ctx := context.Background()
	cfg := app.DefaultConfig()
	cfg.DataDir = dir
	cfg.DB = "sqlite:" + filepath.Join(dir, "demo.db")
	a, err := app.Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()

	n, err := a.Customers.Count(ctx)
	if err != nil || n != int64(customers) {
		t.Fatalf("%d customers stored (%v), want %d", n, err, customers)
	}
	orders, lines, err := a.Customers.Counts(ctx)
	if err != nil || orders == 0 {
		t.Fatalf("%d orders stored (%v)", orders, err)
	}
	matched := false
	for _, now := range nows {
		wantOrders, wantLines := generatedOrders(t, demo.Options{Seed: seed, Customers: customers, Now: now})
		matched = matched || (orders == wantOrders && lines == wantLines)
	}
	if !matched {
		t.Errorf("stored %d orders and %d lines, not what the generator writes", orders, lines)
	}
	ps, err := a.Customers.Products(ctx, "", 1000)
	if err != nil || len(ps) != demo.CatalogueSize {
		t.Errorf("%d products stored (%v), want %d", len(ps), err, demo.CatalogueSize)
	}
	c, err := a.Customers.GetByExternalID(ctx, "C0000001")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.Phone, "+861") || c.Name == "" || c.Timezone != "Asia/Shanghai" ||
		!strings.Contains(string(c.Attributes), "level") || !strings.Contains(string(c.Attributes), "points") {
		t.Errorf("customer C0000001 stored as %+v", c)
	}
	if _, err := a.Auth.Authenticate(ctx, "admin", "nudge-demo"); err != nil {
		t.Errorf("demo login: %v", err)
	}
	// Every page has numbers: RFM and the predictions are computed.
	if rep, err := a.Segments.RFM(ctx); err != nil || rep.Scored == 0 {
		t.Errorf("RFM of the demo store: %+v %v", rep, err)
	}
	iv, err := intel.NewService(ctx, a.DB, intel.Options{Clock: a.Clock, Location: a.Customers.Location()})
	if err != nil {
		t.Fatal(err)
	}
	if asOf, err := iv.LatestRun(ctx); err != nil || asOf == "" {
		t.Errorf("predictions of the demo store: as of %q, %v", asOf, err)
	}
	checkDemoSends(t, a, c.Phone)
}

// checkDemoSends sends one message the way the console does and waits for
// the simulator's receipt.
func checkDemoSends(t *testing.T, a *app.App, to string) {
	t.Helper()
	ctx := context.Background()
	d, err := a.Delivery(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	gws, err := d.Gateways.List(ctx)
	if err != nil || len(gws) != 1 || gws[0].Name != "sim" {
		t.Fatalf("demo gateways: %+v %v", gws, err)
	}
	if err := d.Start(ctx, app.Roles{Dispatch: true}); err != nil {
		t.Fatal(err)
	}
	res, err := d.Direct().Send(ctx, direct.Request{Text: "您的订单已发货", Recipients: []direct.Recipient{{Phone: to}}})
	if err != nil || len(res.IDs) != 1 {
		t.Fatalf("send: %+v %v", res, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		v, err := d.Outbox.Get(ctx, res.IDs[0])
		if err != nil {
			t.Fatal(err)
		}
		if v.Status.Final() {
			if v.Gateway != "sim" || v.Status != outbox.Delivered && v.Status != outbox.Undelivered {
				t.Fatalf("message ended %s through %q", v.Status, v.Gateway)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("message still %s after 20 s", v.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// generatedOrders counts the orders and lines the generator writes.
func generatedOrders(t *testing.T, opt demo.Options) (orders, lines int64) {
	t.Helper()
	var buf bytes.Buffer
	if _, err := demo.WriteOrders(&buf, opt); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(&buf)
	seen := map[string]bool{}
	for first := true; ; first = false {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if first {
			continue
		}
		lines++
		if !seen[rec[0]] {
			seen[rec[0]] = true
			orders++
		}
	}
	return orders, lines
}
