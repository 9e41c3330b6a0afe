package predict

import (
	"errors"
	"slices"
	"time"
)

// ErrUnsorted is returned by Builder.Add when a purchase comes before the
// previous one.
var ErrUnsorted = errors.New("predict: purchases out of order")

// civilDay returns the number of calendar days from 1970-01-01 to t's date
// in t's own location. Counting calendar dates rather than elapsed hours
// keeps daylight-saving days at exactly one day and makes two purchases on
// the same date one transaction whatever their clock times.
func civilDay(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// Builder turns one customer's purchases, fed in time order, into the
// BG/NBD Summary and the Gamma-Gamma Spend, without holding the purchases.
// Callers stream a customer's orders from the store, read the result, and
// Reset for the next customer.
//
// The conventions are those of the CDNOW studies: purchases on the same
// calendar day are one transaction (their values add up); x counts the
// transactions after the first; t_x and T are weeks from the first
// purchase's date to the last purchase's date and to the calibration end
// date; purchases after the calibration end date are ignored; the mean
// repeat value zbar leaves out the first transaction, which the papers treat
// as the act that made the customer, not as a sample of their spending.
type Builder struct {
	end        int64 // calibration end, as a civil day
	started    bool
	first      int64
	last       int64 // last purchase day seen, including after the end
	lastIn     int64 // last purchase day within calibration
	days       int   // distinct purchase days within calibration
	firstValue float64
	total      float64 // value of all purchases within calibration
}

// NewBuilder returns a Builder for a calibration period that ends on
// calibrationEnd's date (inclusive) in its location.
func NewBuilder(calibrationEnd time.Time) *Builder {
	return &Builder{end: civilDay(calibrationEnd)}
}

// Reset clears the Builder for the next customer, keeping the calibration end.
func (b *Builder) Reset() {
	*b = Builder{end: b.end}
}

// Add records one purchase of the given value. Purchases must come in
// non-decreasing order of date; an earlier date returns ErrUnsorted.
func (b *Builder) Add(at time.Time, value float64) error {
	day := civilDay(at)
	if b.started && day < b.last {
		return ErrUnsorted
	}
	if !b.started {
		b.started, b.first = true, day
	}
	b.last = day
	if day > b.end {
		return nil
	}
	if b.days == 0 || day != b.lastIn {
		b.days++
		b.lastIn = day
	}
	if day == b.first {
		b.firstValue += value
	}
	b.total += value
	return nil
}

// Summary returns the customer's BG/NBD summary with N = 1. It reports false
// when the customer made no purchase by the calibration end, because such a
// customer does not belong to the calibration cohort.
func (b *Builder) Summary() (Summary, bool) {
	if b.days == 0 {
		return Summary{}, false
	}
	return Summary{
		X:  float64(b.days - 1),
		TX: float64(b.lastIn-b.first) / 7,
		T:  float64(b.end-b.first) / 7,
		N:  1,
	}, true
}

// MeanValue returns zbar, the mean value of the repeat transactions, or 0
// for a customer with none.
func (b *Builder) MeanValue() float64 {
	if b.days <= 1 {
		return 0
	}
	return (b.total - b.firstValue) / float64(b.days-1)
}

// Spend returns the customer's Gamma-Gamma input with N = 1.
func (b *Builder) Spend() Spend {
	return Spend{X: float64(max(b.days-1, 0)), MeanValue: b.MeanValue(), N: 1}
}

// Summarize returns the BG/NBD summary of a customer whose first purchase was
// at first and who also bought at the given times, for a calibration period
// ending on calibrationEnd's date. The purchases need not be sorted and may
// include first itself; their calendar dates are read in first's location,
// so that a list with mixed locations still sorts by date. A first purchase
// after the calibration end gives the zero Summary.
func Summarize(first time.Time, purchases []time.Time, calibrationEnd time.Time) Summary {
	all := make([]time.Time, 0, len(purchases)+1)
	all = append(all, first)
	for _, t := range purchases {
		all = append(all, t.In(first.Location()))
	}
	slices.SortFunc(all, func(a, b time.Time) int { return a.Compare(b) })
	b := NewBuilder(calibrationEnd)
	for _, t := range all {
		// Sorted input cannot be out of order.
		_ = b.Add(t, 0)
	}
	s, _ := b.Summary()
	return s
}
