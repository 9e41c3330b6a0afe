package intel

import "testing"

// Customers first seen on the calibration end are left out of the fit
// instead of making it fail.
func TestFitLeavesOutCustomersWithNoObservationTime(t *testing.T) {
	f := &fitter{summaries: map[uint64]int{}}
	f.addHistory(0, 0, 0, 0)
	f.addHistory(2, 3, 10, 120)
	f.addHistory(0, 0, 5, 0)
	if f.customers != 2 || len(f.summaries) != 2 || len(f.spends) != 1 {
		t.Fatalf("customers %d, rows %d, spends %d; want 2, 2, 1", f.customers, len(f.summaries), len(f.spends))
	}
}
