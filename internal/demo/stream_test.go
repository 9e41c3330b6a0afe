package demo

import (
	"io"
	"testing"
)

// TestConstantMemory: ten times the customers may not take more
// allocations; scratch buffers are reused across customers.
func TestConstantMemory(t *testing.T) {
	allocs := func(write func(io.Writer, Options) (int, error), n int) float64 {
		return testing.AllocsPerRun(1, func() {
			if _, err := write(io.Discard, Options{Seed: 3, Customers: n, Now: testNow}); err != nil {
				t.Fatal(err)
			}
		})
	}
	for name, write := range map[string]func(io.Writer, Options) (int, error){"customers": WriteCustomers, "orders": WriteOrders} {
		small, big := allocs(write, 2000), allocs(write, 20000)
		t.Logf("%s: %v allocations for 2,000 customers, %v for 20,000", name, small, big)
		if big > small+10 {
			t.Errorf("%s: %v allocations for 2,000 customers but %v for 20,000", name, small, big)
		}
	}
}

func TestTooManyCustomers(t *testing.T) {
	if _, err := WriteCustomers(io.Discard, Options{Customers: maxCustomers, Now: testNow}); err == nil {
		t.Error("no error for more customers than distinct phone numbers")
	}
}

// The benchmarks generate the million-customer shop `make bench` imports
// (about 12.5 million order lines) into io.Discard:
//
//	go test ./internal/demo -run '^$' -bench . -benchtime 1x
func BenchmarkWriteCustomers(b *testing.B) {
	opt := Options{Seed: 1, Customers: 1_000_000, Now: testNow}
	rows := 0
	for b.Loop() {
		n, _ := WriteCustomers(io.Discard, opt)
		rows += n
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkWriteOrders(b *testing.B) {
	opt := Options{Seed: 1, Customers: 1_000_000, Now: testNow}
	rows := 0
	for b.Loop() {
		n, _ := WriteOrders(io.Discard, opt)
		rows += n
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}
