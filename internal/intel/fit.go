package intel

import (
	"cmp"
	"context"
	"errors"
	"math"
	"slices"
	"sync"
	"time"

	"nudge/internal/predict"
)

// Fit is a BG/NBD and Gamma-Gamma fit over every customer of the store.
type Fit struct {
	// CalibrationEnd is the last day (in the shop's zone) whose orders count.
	CalibrationEnd time.Time
	// Customers counts the calibration cohort: customers with an order by
	// the end.
	Customers int
	// Rows and SpendRows are the distinct BG/NBD and Gamma-Gamma rows left
	// after grouping identical histories.
	Rows, SpendRows int
	BG              predict.BGNBD
	// GG is fitted in yuan (fen / 100), the unit of the papers' dollars, so
	// its Gamma reads in yuan; P and Q do not depend on the unit.
	GG predict.GammaGamma
	// GGErr says why there is no spend model (too few repeat buyers); the
	// BG/NBD fit stands without it.
	GGErr error
	// Read is the time spent streaming and grouping, Fitting the time in
	// the optimisers.
	Read, Fitting time.Duration
}

// fitter accumulates the model inputs one customer at a time. BG/NBD
// histories are grouped as they come, so memory grows with the number of
// distinct histories, not customers: a history is (x, t_x, T) with t_x and
// T whole days over 7, packed into one integer key, which hashes several
// times faster than a struct of floats. Spend rows are kept one per repeat
// buyer and grouped by sorting when the fit starts, cheaper than a map for
// values that repeat less (a quarter of them at a million customers).
type fitter struct {
	loc       *time.Location
	b         *predict.Builder
	summaries map[uint64]int
	spends    []predict.Spend
	customers int
}

func newFitter(end time.Time, loc *time.Location) *fitter {
	return &fitter{loc: loc, b: predict.NewBuilder(end), summaries: map[uint64]int{}}
}

// Bit widths of a packed history: x below 2^20 purchase days, t_x and T
// below 2^22 days (11,000 years).
const (
	dayBits = 22
	dayMask = 1<<dayBits - 1
)

// addHistory counts one customer with BG/NBD history (x, t_x, T), t_x and T
// in weeks, and spend mean (yuan) when x > 0.
// A customer first seen on the calibration end (T = 0) has had no time to
// buy again or to lapse: the models learn nothing from them, and their
// likelihood is undefined, so the fit leaves them out.
func (f *fitter) addHistory(x, tx, T, mean float64) {
	if !(T > 0) {
		return
	}
	key := uint64(x)<<(2*dayBits) | uint64(math.Round(tx*7))<<dayBits | uint64(math.Round(T*7))
	f.summaries[key]++
	if x > 0 {
		f.spends = append(f.spends, predict.Spend{X: x, MeanValue: mean, N: 1})
	}
	f.customers++
}

// add summarises one customer's orders. Amounts go to the Builder in yuan.
func (f *fitter) add(h *history) {
	f.b.Reset()
	for _, o := range h.orders {
		// Times come sorted from the cursor, so Add cannot fail.
		_ = f.b.Add(time.Unix(o.at, 0).In(f.loc), float64(o.amount)/100)
	}
	sum, ok := f.b.Summary()
	if !ok {
		return
	}
	f.addHistory(sum.X, sum.TX, sum.T, f.b.MeanValue())
}

// fit runs both optimisers, the rows sorted so that the result does not
// depend on map order. Weeks are rebuilt from the packed days exactly as
// the Builder computes them (days / 7).
func (f *fitter) fit() (Fit, error) {
	res := Fit{Customers: f.customers, Rows: len(f.summaries), SpendRows: len(f.spends)}
	rows := make([]predict.Summary, 0, len(f.summaries))
	for k, n := range f.summaries {
		rows = append(rows, predict.Summary{X: float64(k >> (2 * dayBits)), TX: float64(k>>dayBits&dayMask) / 7,
			T: float64(k&dayMask) / 7, N: n})
	}
	slices.SortFunc(rows, func(a, b predict.Summary) int {
		return cmp.Or(cmp.Compare(a.X, b.X), cmp.Compare(a.TX, b.TX), cmp.Compare(a.T, b.T))
	})
	// Group identical spend rows: sort, then merge neighbours.
	slices.SortFunc(f.spends, func(a, b predict.Spend) int {
		return cmp.Or(cmp.Compare(a.X, b.X), cmp.Compare(a.MeanValue, b.MeanValue))
	})
	spends := f.spends[:0]
	for _, sp := range f.spends {
		if n := len(spends); n > 0 && spends[n-1].X == sp.X && spends[n-1].MeanValue == sp.MeanValue {
			spends[n-1].N += sp.N
			continue
		}
		spends = append(spends, sp)
	}
	f.spends = spends
	res.SpendRows = len(spends)
	// The two models share nothing, so they are fitted side by side.
	start := time.Now()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		res.GG, res.GGErr = predict.FitGammaGamma(spends)
	}()
	bg, err := predict.FitBGNBD(rows)
	wg.Wait()
	res.Fitting = time.Since(start)
	if err != nil {
		return res, err
	}
	res.BG = bg
	return res, nil
}

// ErrNoCustomers is returned by Fit when no customer ordered by the end.
var ErrNoCustomers = errors.New("intel: no customer has an order by the calibration end")

// Fit fits BG/NBD and Gamma-Gamma to every customer's orders up to the end
// of calibrationEnd's date in the shop's zone (a zero time means today),
// streaming the orders once. Weeks are the time unit and orders on the
// same day are one transaction, as in the papers. Nothing is stored.
func (s *Service) Fit(ctx context.Context, calibrationEnd time.Time) (Fit, error) {
	if calibrationEnd.IsZero() {
		calibrationEnd = s.opt.Clock.Now()
	}
	end := s.day(calibrationEnd)
	f := newFitter(end, s.opt.Location)
	start := time.Now()
	err := s.eachHistory(ctx, false, end.AddDate(0, 0, 1).Unix(), func(h *history) error {
		f.add(h)
		return nil
	})
	if err != nil {
		return Fit{}, err
	}
	read := time.Since(start)
	if f.customers == 0 {
		return Fit{CalibrationEnd: end}, ErrNoCustomers
	}
	res, err := f.fit()
	res.CalibrationEnd, res.Read = end, read
	return res, err
}
