package ingest_test

import (
	"context"
	"io"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"nudge/internal/ingest"
	"nudge/internal/store/storetest"
)

// An import holds a few batches, never the file: the Go heap in use stays
// under a fixed bound while 200,000 rows stream through a pipe, and the
// bound is the same as for a tenth of the rows.
func TestImportConstantMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 220,000 rows")
	}
	peak := func(n int) uint64 {
		db := storetest.SQLite(t)
		cs := newStore(t, db)
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(genCustomers(pw, n)) }()
		var max atomic.Uint64
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			var ms runtime.MemStats
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			for {
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > max.Load() {
					max.Store(ms.HeapInuse)
				}
				select {
				case <-stop:
					return
				case <-tick.C:
				}
			}
		}()
		runtime.GC()
		sum, err := ingest.Import(context.Background(), cs, pr, ingest.Options{Kind: ingest.Customers, Format: "csv", Name: "gen", RejectsPath: t.TempDir() + "/rejects.csv"})
		close(stop)
		<-sampled
		if err != nil || sum.Taken != n {
			t.Fatalf("%s %v", sum, err)
		}
		return max.Load()
	}
	small, large := peak(20000), peak(200000)
	t.Logf("peak heap in use: %.1f MB for 20,000 rows, %.1f MB for 200,000", float64(small)/(1<<20), float64(large)/(1<<20))
	const bound = 64 << 20
	if large > bound {
		t.Fatalf("heap in use reached %.1f MB importing 200,000 rows; the bound is %d MB", float64(large)/(1<<20), bound>>20)
	}
	if large > small*2+(8<<20) {
		t.Fatalf("heap grows with the input: %.1f MB for 20,000 rows, %.1f MB for 200,000", float64(small)/(1<<20), float64(large)/(1<<20))
	}
}
