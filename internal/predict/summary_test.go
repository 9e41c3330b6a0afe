package predict

import (
	"errors"
	"testing"
	"time"
)

func TestBuilder(t *testing.T) {
	end := time.Date(2026, 6, 30, 0, 0, 0, 0, shanghai)
	b := NewBuilder(end)
	for _, p := range []struct {
		at    time.Time
		value float64
	}{
		{day(2026, 1, 5, 9), 100},  // first transaction
		{day(2026, 1, 5, 22), 50},  // same day: part of the first
		{day(2026, 1, 19, 10), 30}, // repeat 1
		{day(2026, 3, 2, 8), 20},   // repeat 2, split over two orders
		{day(2026, 3, 2, 20), 25},
		{day(2026, 6, 30, 23), 15}, // repeat 3, on the last calibration day
		{day(2026, 7, 1, 0), 999},  // after calibration: ignored
	} {
		if err := b.Add(p.at, p.value); err != nil {
			t.Fatal(err)
		}
	}
	s, ok := b.Summary()
	if !ok {
		t.Fatal("customer missing from the cohort")
	}
	// 2026-01-05 to 2026-06-30 is 176 days.
	want := Summary{X: 3, TX: 176.0 / 7, T: 176.0 / 7, N: 1}
	if s != want {
		t.Errorf("summary = %+v, want %+v", s, want)
	}
	if got := b.MeanValue(); got != (30+45+15)/3.0 {
		t.Errorf("zbar = %v, want 30 (first day excluded, split day summed)", got)
	}
	if sp := b.Spend(); sp != (Spend{X: 3, MeanValue: 30, N: 1}) {
		t.Errorf("spend = %+v", sp)
	}
	if err := b.Add(day(2026, 7, 1, 0), 1); err != nil {
		t.Errorf("same day again: %v", err)
	}
	if err := b.Add(day(2026, 6, 1, 0), 1); !errors.Is(err, ErrUnsorted) {
		t.Errorf("earlier purchase: got %v, want ErrUnsorted", err)
	}

	b.Reset()
	if _, ok := b.Summary(); ok {
		t.Error("reset builder still has a customer")
	}
	if err := b.Add(day(2026, 7, 2, 10), 10); err != nil {
		t.Fatal(err)
	}
	if _, ok := b.Summary(); ok {
		t.Error("a customer first seen after calibration joined the cohort")
	}

	b.Reset()
	_ = b.Add(day(2026, 6, 1, 10), 10)
	if s, _ := b.Summary(); s != (Summary{X: 0, TX: 0, T: 29.0 / 7, N: 1}) || b.MeanValue() != 0 {
		t.Errorf("one-off buyer: %+v zbar %v", s, b.MeanValue())
	}
}

// TestSummarize checks the one-shot helper: unsorted input, the first
// purchase repeated in the list, and an instant given in another zone that
// is a different calendar date in the customer's.
func TestSummarize(t *testing.T) {
	first := day(2026, 1, 1, 12)
	end := day(2026, 2, 26, 0) // 56 days later
	purchases := []time.Time{
		time.Date(2026, 1, 28, 20, 0, 0, 0, time.UTC), // 2026-01-29 04:00 in Shanghai
		first,
		day(2026, 1, 15, 12),
		day(2026, 3, 5, 12), // after calibration
	}
	got := Summarize(first, purchases, end)
	want := Summary{X: 2, TX: 4, T: 8, N: 1}
	if got != want {
		t.Errorf("Summarize = %+v, want %+v", got, want)
	}
}
