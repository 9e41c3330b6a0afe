package intel

import (
	"context"
	"errors"
	"time"

	"nudge/internal/store"
)

// FitStored fits both models on the per-customer histories the latest
// refresh stored (customer_predictions): one narrow row per customer
// instead of every order, grouped into distinct histories as they are
// read. It is the cheap re-fit, equal to Fit as of that refresh's date.
// The returned CalibrationEnd is the date of that refresh's fit, zero if
// it had none.
func (s *Service) FitStored(ctx context.Context) (Fit, error) {
	start := time.Now()
	f := &fitter{summaries: map[uint64]int{}}
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("stored_histories"))
	if err != nil {
		return Fit{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var x int64
		var tx, T, mean float64
		if err := rows.Scan(&x, &tx, &T, &mean); err != nil {
			return Fit{}, err
		}
		// The spend model works in yuan; stored means are fen.
		f.addHistory(float64(x), tx, T, mean/100)
	}
	if err := rows.Err(); err != nil {
		return Fit{}, err
	}
	read := time.Since(start)
	if f.customers == 0 {
		return Fit{}, ErrNoCustomers
	}
	res, err := f.fit()
	res.Read = read
	if err != nil {
		return res, err
	}
	if prev, err := s.StoredFit(ctx); err == nil {
		res.CalibrationEnd = prev.CalibrationEnd
	} else if !errors.Is(err, store.ErrNotFound) {
		return res, err
	}
	return res, nil
}
