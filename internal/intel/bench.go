package intel

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"nudge/internal/clock"
	"nudge/internal/segment"
	"nudge/internal/store"
)

// Benchmarks for `make bench`. Each runs against a store that is already
// filled (nudge demo --customers 1000000 writes one: about 12 order lines
// per customer) and returns the figure the issue states a target for,
// measured with the wall clock. The store's clock is fixed at asOf, which
// should be the demo's "now" so that relative rules see its history.

// PrepareBench readies a freshly imported store for measuring: on
// PostgreSQL it vacuums and analyses the tables the benchmarks read, as
// autovacuum would some minutes after a bulk import (without statistics the
// planner misjudges the segment queries, and without a visibility map the
// covering indexes cannot answer alone). SQLite needs nothing.
func PrepareBench(ctx context.Context, db *store.DB) error {
	if db.Dialect != store.Postgres {
		return nil
	}
	for _, t := range []string{"customers", "orders", "order_lines", "rfm", "customer_predictions", "customer_cycles"} {
		if _, err := db.W.ExecContext(ctx, "VACUUM ANALYZE "+t); err != nil {
			return fmt.Errorf("vacuum %s: %w", t, err)
		}
	}
	return nil
}

// BenchRFM times a full RFM refresh: scores and groups for every
// customer, as one transaction of set-based statements.
func BenchRFM(ctx context.Context, db *store.DB, loc *time.Location, asOf time.Time) (time.Duration, segment.RFMReport, error) {
	svc, err := segment.NewService(ctx, db, segment.Options{Clock: clock.NewFake(asOf), Location: loc})
	if err != nil {
		return 0, segment.RFMReport{}, err
	}
	start := time.Now()
	rep, err := svc.RefreshRFM(ctx, segment.RFMOptions{})
	return time.Since(start), rep, err
}

// BenchSegmentRules are the segment counts BenchSegmentCount times, each
// of three conditions: customer fields only; fields and an order
// aggregate over a window; fields and an RFM group (after a
// refresh).
var BenchSegmentRules = []struct{ Name, Rule string }{
	{"fields", `{"all":[{"field":"city","op":"eq","value":"上海"},{"field":"gender","op":"eq","value":"f"},{"field":"consent","op":"eq","value":"opted_in"}]}`},
	{"fields+orders", `{"all":[{"field":"city","op":"eq","value":"上海"},{"field":"gender","op":"eq","value":"f"},{"field":"orders.count","op":"gte","value":2,"within_days":90}]}`},
	{"fields+rfm", `{"all":[{"field":"city","op":"in","value":["上海","北京"]},{"field":"rfm.group","op":"eq","value":"important_value"},{"field":"consent","op":"eq","value":"opted_in"}]}`},
}

// SegmentTiming is one timed count.
type SegmentTiming struct {
	Name      string
	Took      time.Duration
	Customers int64
}

// BenchSegmentCount counts each of BenchSegmentRules once and returns the
// timings. The rfm rule needs BenchRFM (or nudge rfm) to have run.
func BenchSegmentCount(ctx context.Context, db *store.DB, loc *time.Location, asOf time.Time) ([]SegmentTiming, error) {
	svc, err := segment.NewService(ctx, db, segment.Options{Clock: clock.NewFake(asOf), Location: loc})
	if err != nil {
		return nil, err
	}
	var out []SegmentTiming
	for _, b := range BenchSegmentRules {
		r, err := segment.ParseRule([]byte(b.Rule))
		if err != nil {
			return nil, err
		}
		start := time.Now()
		n, err := svc.Count(ctx, r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", b.Name, err)
		}
		out = append(out, SegmentTiming{Name: b.Name, Took: time.Since(start), Customers: n})
	}
	return out, nil
}

// FitTiming is what BenchFit measured.
type FitTiming struct {
	// Stored is FitStored: the per-customer histories the latest refresh
	// wrote, grouped in the database, then both optimisations. This is the
	// figure for the target; it needs a refresh first.
	Stored    time.Duration
	StoredFit Fit
	// Streamed is Fit: every order streamed through one cursor, grouped in
	// Go, then both optimisations (StreamedFit.Read and .Fitting split it).
	Streamed    time.Duration
	StreamedFit Fit
}

// BenchFit times the BG/NBD and Gamma-Gamma fit both ways (see FitTiming).
func BenchFit(ctx context.Context, db *store.DB, loc *time.Location, asOf time.Time) (FitTiming, error) {
	var ft FitTiming
	svc, err := NewService(ctx, db, Options{Clock: clock.NewFake(asOf), Location: loc})
	if err != nil {
		return ft, err
	}
	start := time.Now()
	if ft.StoredFit, err = svc.FitStored(ctx); err != nil {
		return ft, fmt.Errorf("fit from stored histories (run a refresh first): %w", err)
	}
	ft.Stored = time.Since(start)
	start = time.Now()
	if ft.StreamedFit, err = svc.Fit(ctx, asOf); err != nil {
		return ft, err
	}
	ft.Streamed = time.Since(start)
	return ft, nil
}

// BenchRefresh times a full prediction refresh (both passes and the
// writes), which has no target in the issue but is what runs nightly.
func BenchRefresh(ctx context.Context, db *store.DB, loc *time.Location, asOf time.Time) (time.Duration, Report, error) {
	svc, err := NewService(ctx, db, Options{Clock: clock.NewFake(asOf), Location: loc})
	if err != nil {
		return 0, Report{}, err
	}
	start := time.Now()
	rep, err := svc.RefreshAsOf(ctx, asOf)
	return time.Since(start), rep, err
}

// ProcessCPU returns the CPU time (user + system) the process has used. On
// a busy machine the difference across a benchmark is a steadier figure
// than the wall clock, for SQLite, which runs inside the process; the work
// of a PostgreSQL server is not in it.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// PeakRSS returns the process's peak resident set size in bytes (VmHWM on
// Linux), or 0 where it cannot be read.
func PeakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err == nil {
				return kb * 1024
			}
		}
	}
	return 0
}
