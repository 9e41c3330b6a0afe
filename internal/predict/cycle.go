package predict

import (
	"math"
	"slices"
	"time"
)

// Purchase cycles: how many days a customer goes between orders of a kind of
// product ("diapers every 28 days"), used to time replenishment reminders.

// Intervals returns the whole days between consecutive purchase dates.
// Purchases must be sorted; purchases on the same calendar date (in each
// time's location) count once, as a split order is not a new cycle.
func Intervals(purchases []time.Time) []float64 {
	var out []float64
	for i := 1; i < len(purchases); i++ {
		if d := civilDay(purchases[i]) - civilDay(purchases[i-1]); d > 0 {
			out = append(out, float64(d))
		}
	}
	return out
}

// Cycle returns a customer's purchase cycle in days: the median of their own
// intervals, shrunk toward the category's median when they have few.
//
// With n intervals and prior weight k the result is
//
//	n/(n+k) * median(intervals) + k/(n+k) * categoryMedian,
//
// so the category median counts as k pseudo-intervals. A first-time buyer
// gets the category's cycle; after one interval with k = 2 their own habit
// has a third of the say; after twenty it has over 90%. The median rather
// than the mean keeps one skipped month or one panic purchase from moving
// the cycle. A non-positive prior weight, or a category median that is not a
// positive number (unknown category), uses the customer's median alone; with
// neither, the result is NaN.
func Cycle(intervalsDays []float64, categoryMedian float64, priorWeight float64) float64 {
	n := float64(len(intervalsDays))
	hasPrior := categoryMedian > 0 && !math.IsInf(categoryMedian, 0) && priorWeight > 0
	if n == 0 {
		if categoryMedian > 0 && !math.IsInf(categoryMedian, 0) {
			return categoryMedian
		}
		return math.NaN()
	}
	own := median(intervalsDays)
	if !hasPrior {
		return own
	}
	w := n / (n + priorWeight)
	return w*own + (1-w)*categoryMedian
}

// NextDue returns when a customer who last bought at last is expected to run
// out, cycleDays later. The cycle is rounded to whole calendar days and added
// with AddDate, so the reminder keeps the clock time of the last purchase
// across daylight-saving changes.
func NextDue(last time.Time, cycleDays float64) time.Time {
	return last.AddDate(0, 0, int(math.Round(cycleDays)))
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// DayHistogram counts intervals in whole days so that a category's median
// cycle can be found in one pass over any number of customers, in memory
// that depends only on the longest interval kept. Intervals longer than the
// histogram's range are counted in an overflow bin: they still move the
// median's rank, and if the median lands there it is reported as the range's
// upper end, which is a sensible answer for "buys less than once a year".
type DayHistogram struct {
	counts   []int64 // counts[d] is the number of intervals of d days
	overflow int64
	n        int64
}

// NewDayHistogram returns a histogram for intervals of 0 to maxDays days.
func NewDayHistogram(maxDays int) *DayHistogram {
	return &DayHistogram{counts: make([]int64, max(maxDays, 1)+1)}
}

// Add counts one interval, rounded to whole days. Negative and NaN
// intervals are ignored.
func (h *DayHistogram) Add(days float64) {
	if !(days >= 0) {
		return
	}
	h.n++
	d := math.Round(days)
	if d >= float64(len(h.counts)) {
		h.overflow++
		return
	}
	h.counts[int(d)]++
}

// Merge adds another histogram's counts, so that workers can each count a
// share of the customers. Both must have the same range.
func (h *DayHistogram) Merge(o *DayHistogram) {
	for i := range h.counts {
		if i < len(o.counts) {
			h.counts[i] += o.counts[i]
		}
	}
	h.overflow += o.overflow
	h.n += o.n
}

// Count returns how many intervals were added.
func (h *DayHistogram) Count() int64 { return h.n }

// Median returns the median interval in days: the middle one, or the mean of
// the two middle ones for an even count. It returns NaN when empty.
func (h *DayHistogram) Median() float64 {
	if h.n == 0 {
		return math.NaN()
	}
	if h.n%2 == 1 {
		return h.rank(h.n/2 + 1)
	}
	return (h.rank(h.n/2) + h.rank(h.n/2+1)) / 2
}

// rank returns the k-th smallest interval (1-based).
func (h *DayHistogram) rank(k int64) float64 {
	var seen int64
	for d, c := range h.counts {
		seen += c
		if seen >= k {
			return float64(d)
		}
	}
	return float64(len(h.counts) - 1)
}
