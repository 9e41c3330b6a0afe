package predict

import (
	"math"
	"slices"
	"testing"
	"time"
)

var shanghai = mustLoad("Asia/Shanghai")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func day(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, shanghai)
}

// TestDiaperCycle follows the article's "diapers every 28 days": the
// category median comes from many customers' intervals, a regular buyer's
// own cycle dominates, and a newcomer starts from the category's.
func TestDiaperCycle(t *testing.T) {
	h := NewDayHistogram(365)
	// 1,000 customers whose intervals are 25..31 days, centred on 28.
	for c := range 1000 {
		for k := range 6 {
			h.Add(float64(25 + (c+k)%7))
		}
	}
	category := h.Median()
	if category != 28 {
		t.Fatalf("category median = %v, want 28", category)
	}

	// A regular buyer: five purchases four weeks apart, one split order.
	buys := []time.Time{
		day(2026, 1, 3, 10), day(2026, 1, 31, 10), day(2026, 1, 31, 18), day(2026, 2, 28, 9),
		day(2026, 3, 28, 11), day(2026, 4, 25, 20),
	}
	iv := Intervals(buys)
	if want := []float64{28, 28, 28, 28}; !slices.Equal(iv, want) {
		t.Fatalf("intervals = %v, want %v", iv, want)
	}
	cycle := Cycle(iv, category, 2)
	if cycle != 28 {
		t.Errorf("cycle = %v, want 28", cycle)
	}
	if due := NextDue(buys[len(buys)-1], cycle); !due.Equal(day(2026, 5, 23, 20)) {
		t.Errorf("next due = %v, want 2026-05-23 20:00", due)
	}

	// A newcomer has the category's cycle; one quick re-buy after 20 days
	// moves it a third of the way with a prior weight of 2.
	if got := Cycle(nil, category, 2); got != 28 {
		t.Errorf("newcomer cycle = %v, want 28", got)
	}
	if got, want := Cycle([]float64{20}, category, 2), (20.0+2*28)/3; math.Abs(got-want) > 1e-12 {
		t.Errorf("one-interval cycle = %v, want %v", got, want)
	}
	// The median ignores one skipped month.
	if got := Cycle([]float64{28, 29, 27, 56, 28}, category, 0); got != 28 {
		t.Errorf("cycle with an outlier = %v, want 28", got)
	}
}

// TestCatFoodRunsOut is the article's "your cat food runs out in about 5
// days": a 30-day cycle and a last purchase 25 days ago.
func TestCatFoodRunsOut(t *testing.T) {
	last := day(2026, 3, 1, 21)
	now := day(2026, 3, 26, 21)
	cycle := Cycle([]float64{31, 29, 30}, 30, 2)
	if cycle != 30 {
		t.Fatalf("cycle = %v, want 30", cycle)
	}
	if left := NextDue(last, cycle).Sub(now); left != 5*24*time.Hour {
		t.Errorf("runs out in %v, want 5 days", left)
	}
}

func TestCycleWithoutPrior(t *testing.T) {
	if got := Cycle([]float64{10, 14}, math.NaN(), 3); got != 12 {
		t.Errorf("unknown category: cycle = %v, want the own median 12", got)
	}
	if got := Cycle(nil, 0, 3); !math.IsNaN(got) {
		t.Errorf("no data at all: cycle = %v, want NaN", got)
	}
}

// TestNextDueKeepsClockAcrossDST checks that a cycle counts calendar days,
// not 24-hour blocks, in a zone with daylight saving.
func TestNextDueKeepsClockAcrossDST(t *testing.T) {
	ny := mustLoad("America/New_York")
	last := time.Date(2026, 3, 1, 10, 0, 0, 0, ny) // DST starts 2026-03-08
	if due := NextDue(last, 28.2); !due.Equal(time.Date(2026, 3, 29, 10, 0, 0, 0, ny)) {
		t.Errorf("next due = %v, want 2026-03-29 10:00 EDT", due)
	}
}

func TestDayHistogram(t *testing.T) {
	h := NewDayHistogram(100)
	if !math.IsNaN(h.Median()) {
		t.Error("empty histogram has a median")
	}
	for _, d := range []float64{3, 7.4, 9, 400, -1, math.NaN()} {
		h.Add(d)
	}
	// 3, 7, 9 and one overflow: the even count averages ranks 2 and 3.
	if h.Count() != 4 || h.Median() != 8 {
		t.Errorf("count %d median %v, want 4 and 8", h.Count(), h.Median())
	}
	o := NewDayHistogram(100)
	o.Add(500)
	o.Add(600)
	h.Merge(o)
	// 3, 7, 9, over, over, over: ranks 3 and 4 are 9 and the cap.
	if h.Count() != 6 || h.Median() != (9+100)/2.0 {
		t.Errorf("after merge: count %d median %v, want 6 and 54.5", h.Count(), h.Median())
	}
}
