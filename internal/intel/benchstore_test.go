package intel_test

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"nudge/internal/clock"
	"nudge/internal/customer"
	"nudge/internal/demo"
	"nudge/internal/ingest"
	"nudge/internal/intel"
	"nudge/internal/pii"
	"nudge/internal/store"
)

// TestBenchStore measures the figures on a demo store. It runs only
// when NUDGE_BENCH_DB names a store (sqlite:PATH or a postgres:// URL, whose
// search_path schema is created if missing); an empty store is first
// filled with NUDGE_BENCH_CUSTOMERS (default 100000) demo customers and
// their orders through the importer, and reused by later runs.
//
//	NUDGE_BENCH_DB=sqlite:/tmp/bench100k.db go test -run TestBenchStore -v -timeout 2h ./internal/intel/
func TestBenchStore(t *testing.T) {
	dsn := os.Getenv("NUDGE_BENCH_DB")
	if dsn == "" {
		t.Skip("set NUDGE_BENCH_DB to run the store benchmarks")
	}
	ctx := context.Background()
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "sqlite" && u.Query().Get("search_path") != "" {
		base := *u
		q := base.Query()
		schema := q.Get("search_path")
		q.Del("search_path")
		base.RawQuery = q.Encode()
		admin, err := sql.Open("pgx", base.String())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+schema); err != nil {
			t.Fatal(err)
		}
		admin.Close()
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	kr, err := pii.NewKeyring(bytes.Repeat([]byte{3}, 32))
	if err != nil {
		t.Fatal(err)
	}
	asOf := time.Date(2026, 11, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	cs, err := customer.NewStore(ctx, db, kr, clock.NewFake(asOf), customer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := cs.Count(ctx); n == 0 {
		want := 100000
		if s := os.Getenv("NUDGE_BENCH_CUSTOMERS"); s != "" {
			want, _ = strconv.Atoi(s)
		}
		opt := demo.Options{Seed: 1, Customers: want, Now: asOf}
		for _, step := range []struct {
			kind  ingest.Kind
			write func(io.Writer, demo.Options) (int, error)
		}{{ingest.Products, demo.WriteProducts}, {ingest.Customers, demo.WriteCustomers}, {ingest.Orders, demo.WriteOrders}} {
			pr, pw := io.Pipe()
			go func() { _, err := step.write(pw, opt); pw.CloseWithError(err) }()
			sum, err := ingest.Import(ctx, cs, pr, ingest.Options{Kind: step.kind, Format: "csv", Name: "bench", RejectsPath: os.DevNull})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("import %s: %s", step.kind, sum)
		}
	}
	if err := intel.PrepareBench(ctx, db); err != nil {
		t.Fatal(err)
	}
	customers, _ := cs.Count(ctx)
	orders, lines, _ := cs.Counts(ctx)
	t.Logf("store %s: %d customers, %d orders, %d order lines", db.Location, customers, orders, lines)
	loc := cs.Location()

	cpu := intel.ProcessCPU()
	took, rep, err := intel.BenchRFM(ctx, db, loc, asOf)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("RFM: %v (process CPU %v) for %d scored customers (%d without orders in the window)", took, intel.ProcessCPU()-cpu, rep.Scored, rep.NoOrders)
	for i := 0; i < 3; i++ { // later rounds show the warm cache
		cpu = intel.ProcessCPU()
		timings, err := intel.BenchSegmentCount(ctx, db, loc, asOf)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range timings {
			t.Logf("segment count %-14s %v (%d customers)", s.Name, s.Took, s.Customers)
		}
		t.Logf("segment counts: process CPU %v", intel.ProcessCPU()-cpu)
	}
	if os.Getenv("NUDGE_BENCH_REFRESH") != "0" {
		cpu = intel.ProcessCPU()
		took, prep, err := intel.BenchRefresh(ctx, db, loc, asOf)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("prediction refresh: %v (process CPU %v), %d customers, %d cycles, %d categories", took, intel.ProcessCPU()-cpu, prep.Customers, prep.Cycles, prep.Categories)
	}
	cpu = intel.ProcessCPU()
	ft, err := intel.BenchFit(ctx, db, loc, asOf)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name string
		took time.Duration
		fit  intel.Fit
	}{{"stored", ft.Stored, ft.StoredFit}, {"streamed", ft.Streamed, ft.StreamedFit}} {
		t.Logf("fit %s: %v (read and group %v, optimise %v) over %d customers, %d distinct histories, %d spend rows; r=%.4f alpha=%.4f a=%.4f b=%.4f p=%.3f q=%.3f gamma=%.3f",
			f.name, f.took, f.fit.Read, f.fit.Fitting, f.fit.Customers, f.fit.Rows, f.fit.SpendRows,
			f.fit.BG.R, f.fit.BG.Alpha, f.fit.BG.A, f.fit.BG.B, f.fit.GG.P, f.fit.GG.Q, f.fit.GG.Gamma)
	}
	t.Logf("fits: process CPU %v", intel.ProcessCPU()-cpu)
	t.Logf("peak RSS of the test process: %d MB", intel.PeakRSS()>>20)
}
