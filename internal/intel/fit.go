package intel

import (
	"cmp"
	"context"
	"errors"
	"slices"
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

// fitter accumulates grouped model inputs one customer at a time: memory
// grows with the number of distinct histories, not customers.
type fitter struct {
	loc       *time.Location
	b         *predict.Builder
	summaries map[predict.Summary]int // keyed with N = 0
	spends    map[predict.Spend]int
	customers int
}

func newFitter(end time.Time, loc *time.Location) *fitter {
	return &fitter{loc: loc, b: predict.NewBuilder(end), summaries: map[predict.Summary]int{}, spends: map[predict.Spend]int{}}
}

// add summarises one customer. Amounts go to the Builder in yuan.
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
	f.customers++
	sum.N = 0
	f.summaries[sum]++
	sp := f.b.Spend()
	sp.N = 0
	f.spends[sp]++
}

// fit runs both optimisers on the grouped rows, sorted so that the result
// does not depend on map order.
func (f *fitter) fit() (Fit, error) {
	res := Fit{Customers: f.customers, Rows: len(f.summaries), SpendRows: len(f.spends)}
	rows := make([]predict.Summary, 0, len(f.summaries))
	for s, n := range f.summaries {
		s.N = n
		rows = append(rows, s)
	}
	slices.SortFunc(rows, func(a, b predict.Summary) int {
		return cmp.Or(cmp.Compare(a.X, b.X), cmp.Compare(a.TX, b.TX), cmp.Compare(a.T, b.T))
	})
	spends := make([]predict.Spend, 0, len(f.spends))
	for s, n := range f.spends {
		s.N = n
		spends = append(spends, s)
	}
	slices.SortFunc(spends, func(a, b predict.Spend) int {
		return cmp.Or(cmp.Compare(a.X, b.X), cmp.Compare(a.MeanValue, b.MeanValue))
	})
	start := time.Now()
	bg, err := predict.FitBGNBD(rows)
	if err != nil {
		return res, err
	}
	res.BG = bg
	res.GG, res.GGErr = predict.FitGammaGamma(spends)
	res.Fitting = time.Since(start)
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
