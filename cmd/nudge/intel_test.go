package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nudge/internal/app"
	"nudge/internal/customer"
	"nudge/internal/predict/cdnow"
)

// intelStore makes a fresh data directory, fills it through fill with the
// app's own customer store, and returns the flags that select it.
func intelStore(t *testing.T, fill func(ctx context.Context, cs *customer.Store)) []string {
	t.Helper()
	t.Setenv("NUDGE_DB", "")
	t.Setenv("NUDGE_MASTER_KEY", "")
	t.Setenv("NUDGE_MASTER_KEY_FILE", "")
	t.Setenv("NUDGE_TIMEZONE", "Asia/Shanghai")
	dir := t.TempDir()
	ctx := context.Background()
	cfg := app.DefaultConfig()
	cfg.DataDir = dir
	a, err := app.Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	fill(ctx, a.Customers)
	a.Close()
	return []string{"--data", dir}
}

func intelRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb, slog.New(slog.NewTextHandler(&errb, nil)))
	return code, out.String(), errb.String()
}

// smallShop: three customers in Shanghai and Beijing, orders in October 2026.
func smallShop(t *testing.T) func(context.Context, *customer.Store) {
	return func(ctx context.Context, cs *customer.Store) {
		if _, err := cs.UpsertCustomers(ctx, []customer.Customer{
			{ExternalID: "A", Phone: "13800000001", City: "上海"},
			{ExternalID: "B", Phone: "13800000002", City: "上海"},
			{ExternalID: "C", Phone: "13800000003", City: "北京"},
			{ExternalID: "D", Phone: "13800000004", City: "北京"},
		}); err != nil {
			t.Fatal(err)
		}
		var orders []customer.Order
		add := func(id, cust, date string, amount int64) {
			at, _ := time.ParseInLocation(time.DateOnly, date, cs.Location())
			o := customer.Order{OrderID: id, CustomerID: cust, OrderedAt: at.Add(12 * time.Hour),
				Lines: []customer.Line{{SKU: "X", Category: "x", Quantity: 1, Amount: amount}}}
			if err := o.Normalize(); err != nil {
				t.Fatal(err)
			}
			orders = append(orders, o)
		}
		add("A1", "A", "2026-10-30", 500000)
		add("A2", "A", "2026-10-20", 300000)
		add("A3", "A", "2026-10-10", 200000)
		add("B1", "B", "2026-10-25", 50000)
		add("C1", "C", "2026-06-01", 40000)
		if _, err := cs.UpsertOrders(ctx, orders); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRFMCommand(t *testing.T) {
	flags := intelStore(t, smallShop(t))
	code, out, errs := intelRun(t, append([]string{"rfm", "--as-of", "2026-11-01", "--json"}, flags...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// A is above every average (recency 2 < 54, 3 orders > 1.67, 10000
	// yuan > 3633.33); B recent but small; C long ago and small. D never
	// ordered and is not scored.
	want := `{"as_of":"2026-11-01","groups":[` +
		`{"key":"important_value","name":"重要价值客户","name_en":"important value","customers":1,"revenue":1000000,"customer_share":0.3333,"revenue_share":0.9174},` +
		`{"key":"important_develop","name":"重要发展客户","name_en":"important develop","customers":0,"revenue":0,"customer_share":0,"revenue_share":0},` +
		`{"key":"important_retain","name":"重要保持客户","name_en":"important retain","customers":0,"revenue":0,"customer_share":0,"revenue_share":0},` +
		`{"key":"important_winback","name":"重要挽留客户","name_en":"important winback","customers":0,"revenue":0,"customer_share":0,"revenue_share":0},` +
		`{"key":"general_value","name":"一般价值客户","name_en":"general value","customers":0,"revenue":0,"customer_share":0,"revenue_share":0},` +
		`{"key":"general_develop","name":"一般发展客户","name_en":"general develop","customers":1,"revenue":50000,"customer_share":0.3333,"revenue_share":0.0459},` +
		`{"key":"general_retain","name":"一般保持客户","name_en":"general retain","customers":0,"revenue":0,"customer_share":0,"revenue_share":0},` +
		`{"key":"general_winback","name":"一般挽留客户","name_en":"general winback","customers":1,"revenue":40000,"customer_share":0.3333,"revenue_share":0.0367}]}` + "\n"
	if out != want {
		t.Errorf("rfm --json:\n%s\nwant\n%s", out, want)
	}
	code, out, _ = intelRun(t, append([]string{"rfm", "--as-of", "2026-11-01"}, flags...)...)
	if code != 0 || !strings.Contains(out, "3 customers scored (1 more without an order in the window are not scored)") ||
		!strings.Contains(out, "重要价值客户 (important value): 33% of customers bring 92% of revenue.") ||
		!strings.Contains(out, "10000.00") {
		t.Errorf("rfm text:\n%s", out)
	}
	if code, _, errs := intelRun(t, append([]string{"rfm", "--as-of", "11/01/2026"}, flags...)...); code != 1 || !strings.Contains(errs, "want a date YYYY-MM-DD") {
		t.Errorf("bad date: %d %s", code, errs)
	}
}

func TestSegmentCommands(t *testing.T) {
	flags := intelStore(t, smallShop(t))
	with := func(args ...string) []string { return append(args, flags...) }
	code, out, errs := intelRun(t, with("segment", "create", "上海", "--rule", `{"field":"city","op":"eq","value":"上海"}`, "--description", "Shanghai")...)
	if code != 0 || out != "segment \"上海\" saved: 2 customers match now\n" {
		t.Fatalf("create: %d %q %s", code, out, errs)
	}
	if code, _, errs := intelRun(t, with("segment", "create", "上海", "--rule", `{"field":"city","op":"eq","value":"x"}`)...); code != 1 ||
		!strings.Contains(errs, "already exists (use --update") {
		t.Errorf("duplicate: %d %s", code, errs)
	}
	if code, _, errs := intelRun(t, with("segment", "create", "bad", "--rule", `{"all":[{"field":"citty","op":"eq","value":"x"}]}`)...); code != 1 ||
		!strings.Contains(errs, `rules.all[0].field: unknown field "citty"`) {
		t.Errorf("bad rule: %d %s", code, errs)
	}
	ruleFile := filepath.Join(t.TempDir(), "rule.json")
	os.WriteFile(ruleFile, []byte(`{"field":"orders.count","op":"gte","value":1}`), 0o600)
	if code, out, errs := intelRun(t, with("segment", "create", "buyers", "--rule", ruleFile)...); code != 0 || !strings.Contains(out, "3 customers match") {
		t.Errorf("create from file: %d %q %s", code, out, errs)
	}
	if code, out, _ := intelRun(t, with("segment", "count", "上海")...); code != 0 || out != "2\n" {
		t.Errorf("count: %d %q", code, out)
	}
	if code, out, _ := intelRun(t, with("segment", "count", "--rule", `{"field":"city","op":"eq","value":"北京"}`, "--json")...); code != 0 || out != "{\"customers\":2}\n" {
		t.Errorf("count --rule: %d %q", code, out)
	}
	if code, out, _ := intelRun(t, with("segment", "export", "上海")...); code != 0 || out != "external_id,phone\nA,138****0001\nB,138****0002\n" {
		t.Errorf("export: %d %q", code, out)
	}
	file := filepath.Join(t.TempDir(), "out.csv")
	code, _, errs = intelRun(t, with("segment", "export", "上海", "--out", file, "--clear-phones")...)
	got, _ := os.ReadFile(file)
	if code != 0 || string(got) != "external_id,phone\nA,+8613800000001\nB,+8613800000002\n" ||
		!strings.Contains(errs, "export with clear phone numbers finished") || strings.Contains(errs, "13800000001") {
		t.Errorf("clear export: %d %q %s", code, got, errs)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("export file mode: %v %v", fi, err)
	}
	code, out, _ = intelRun(t, with("segment", "list", "--count")...)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 6 || !strings.HasPrefix(lines[1], "dormant") || !strings.Contains(lines[4], "buyers") ||
		!strings.Contains(lines[5], "上海") || !strings.Contains(lines[5], "2") {
		t.Errorf("list:\n%s", out)
	}
	if code, _, errs := intelRun(t, with("segment", "count")...); code != 1 || !strings.Contains(errs, "usage: nudge segment count") {
		t.Errorf("count without a segment: %d %s", code, errs)
	}
}

// TestCLVFitCommand runs `nudge clv fit` on the CDNOW sample and checks the
// JSON shape and the published estimates.
func TestCLVFitCommand(t *testing.T) {
	flags := intelStore(t, func(ctx context.Context, cs *customer.Store) { cdnow.Import(t, ctx, cs) })
	code, out, errs := intelRun(t, append([]string{"clv", "fit", "--calibration-end", "1997-09-30", "--json"}, flags...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got map[string]map[string]float64
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 2 || len(got["bgnbd"]) != 5 || len(got["gammagamma"]) != 3 {
		t.Fatalf("clv fit --json shape: %s (%v)", out, err)
	}
	for _, c := range []struct {
		obj, key  string
		want, tol float64
	}{
		{"bgnbd", "r", 0.243, 0.01}, {"bgnbd", "alpha", 4.414, 0.01}, {"bgnbd", "a", 0.793, 0.01}, {"bgnbd", "b", 2.426, 0.01},
		{"gammagamma", "p", 6.25, 0.01}, {"gammagamma", "q", 3.74, 0.01}, {"gammagamma", "gamma", 15.44, 0.01},
	} {
		if v := got[c.obj][c.key]; math.Abs(v-c.want) > c.tol*c.want {
			t.Errorf("%s.%s = %v, want %v", c.obj, c.key, v, c.want)
		}
	}
	if ll := got["bgnbd"]["loglik"]; math.Abs(ll - -9582.4) > 0.5 {
		t.Errorf("loglik %v", ll)
	}
	code, out, _ = intelRun(t, append([]string{"predict", "refresh", "--as-of", "1997-09-30"}, flags...)...)
	if code != 0 || !strings.HasPrefix(out, "predictions as of 1997-09-30: 2357 customers, ") || !strings.Contains(out, "r 0.2426") {
		t.Errorf("predict refresh:\n%s", out)
	}
}
