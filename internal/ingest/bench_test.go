package ingest_test

import (
	"bufio"
	"context"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"nudge/internal/ingest"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

// benchRows is NUDGE_BENCH_ROWS, or 100,000. The figures are for a
// million:
//
//	NUDGE_BENCH_ROWS=1000000 go test ./internal/ingest -run '^$' -bench Import -benchtime 1x
func benchRows() int {
	if n, err := strconv.Atoi(os.Getenv("NUDGE_BENCH_ROWS")); err == nil && n > 0 {
		return n
	}
	return 100000
}

// BenchmarkImport imports generated customers, then as many order lines,
// into a fresh store of each dialect, beside the bare insert of the same
// rows (see ingest.BareInsert). Rows come through a pipe from the
// generator, so no file is ever held in memory. Metrics: rows/s, CPU
// microseconds per row (user+system, the whole process), and peak RSS.
func BenchmarkImport(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		for _, kind := range []ingest.Kind{ingest.Customers, ingest.Orders} {
			for _, mode := range []string{"import", "bare"} {
				b.Run(dialect+"/"+string(kind)+"/"+mode, func(b *testing.B) {
					benchImport(b, dialect, kind, mode)
				})
			}
		}
	}
}

func benchImport(b *testing.B, dialect string, kind ingest.Kind, mode string) {
	n := benchRows()
	ctx := context.Background()
	var rate, cpu, rss float64
	for range b.N {
		b.StopTimer()
		var db *store.DB
		if dialect == "sqlite" {
			db = storetest.SQLite(b)
		} else {
			db = storetest.Postgres(b)
		}
		applyBenchPragmas(b, db)
		cs := newStore(b, db)
		if kind == ingest.Orders {
			if _, err := ingest.BenchImport(ctx, cs, ingest.Customers, generated(genCustomers, n)); err != nil {
				b.Fatal(err)
			}
		}
		gen := func(w io.Writer, n int) error { return genOrders(w, n, n) }
		if kind == ingest.Customers {
			gen = genCustomers
		}
		resetPeakRSS()
		cpu0 := cpuTime()
		start := time.Now()
		b.StartTimer()
		var rows int
		var err error
		if mode == "import" {
			var sum ingest.Summary
			batch, _ := strconv.Atoi(os.Getenv("NUDGE_BENCH_BATCH"))
			sum, err = ingest.Import(ctx, cs, generated(gen, n), ingest.Options{Kind: kind, Format: "csv", Name: "bench", RejectsPath: os.DevNull, BatchSize: batch})
			rows = sum.Taken
		} else {
			rows, err = ingest.BareInsert(ctx, db, kind, generated(gen, n), 0)
		}
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if rows != n {
			b.Fatalf("%d rows of %d written", rows, n)
		}
		rate += float64(n) / time.Since(start).Seconds()
		cpu += float64(cpuTime()-cpu0) / float64(time.Microsecond) / float64(n)
		rss += peakRSSMB()
	}
	b.ReportMetric(rate/float64(b.N), "rows/s")
	b.ReportMetric(cpu/float64(b.N), "cpu-µs/row")
	b.ReportMetric(rss/float64(b.N), "peak-RSS-MB")
	b.ReportMetric(0, "ns/op")
}

// generated streams a generator's output through a pipe.
func generated(gen func(io.Writer, int) error, n int) io.Reader {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(gen(pw, n)) }()
	return pr
}

// applyBenchPragmas lets an experiment try SQLite settings:
// NUDGE_BENCH_PRAGMAS="cache_size=-65536;temp_store=MEMORY".
func applyBenchPragmas(b *testing.B, db *store.DB) {
	if db.Dialect != store.SQLite {
		return
	}
	for _, q := range strings.Split(os.Getenv("NUDGE_BENCH_PRAGMAS"), ";") {
		if q != "" {
			if _, err := db.W.Exec("PRAGMA " + q); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// resetPeakRSS starts a new peak (Linux: writing 5 to clear_refs resets
// VmHWM), so each measurement has its own.
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

func peakRSSMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}
