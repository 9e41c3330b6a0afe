package intel

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"time"

	"nudge/internal/predict"
)

// Report says what a refresh did.
type Report struct {
	Run        int64  `json:"run"`
	AsOf       string `json:"as_of"` // the calibration end date
	Customers  int64  `json:"customers"`
	Cycles     int64  `json:"cycles"`
	Categories int    `json:"categories"`
	// Fit is the model fit; FitErr says why there is none (no customers),
	// in which case the model columns are left NULL.
	Fit    Fit           `json:"-"`
	FitErr string        `json:"fit_error,omitempty"`
	Took   time.Duration `json:"took"`
}

// Refresh recomputes every stored prediction as of today. It is the job a
// scheduler runs nightly (see docs/segments.md); `nudge predict refresh`
// runs it on demand.
func (s *Service) Refresh(ctx context.Context) error {
	_, err := s.RefreshAsOf(ctx, time.Time{})
	return err
}

// RefreshAsOf recomputes predictions with the orders up to the end of
// asOf's date (zero: today) in two passes of one ordered cursor each:
//
//  1. every customer's history is summarised and grouped for the model
//     fits, and every purchase interval is counted in its category's
//     histogram;
//  2. with the fitted models and the category medians, each customer's
//     predictions, habit and cycles are computed and written in batches.
//
// Rows of the run replace older ones as they are written (upserts), and
// rows no longer produced (a customer whose orders were all cancelled)
// are deleted at the end, so readers always see a complete row.
func (s *Service) RefreshAsOf(ctx context.Context, asOf time.Time) (Report, error) {
	began := time.Now()
	if asOf.IsZero() {
		asOf = s.opt.Clock.Now()
	}
	end := s.day(asOf)
	until := end.AddDate(0, 0, 1).Unix()
	rep := Report{AsOf: end.Format(time.DateOnly)}
	if err := s.db.W.QueryRowContext(ctx, s.q.Get("next_run")).Scan(&rep.Run); err != nil {
		return rep, err
	}

	// Pass 1: model inputs and category histograms.
	f := newFitter(end, s.opt.Location)
	hists := map[string]*predict.DayHistogram{}
	cats := newCategoryTimes(s.opt.Location)
	start := time.Now()
	err := s.eachHistory(ctx, true, until, func(h *history) error {
		f.add(h)
		cats.load(h)
		for _, cat := range cats.names {
			hist := hists[cat]
			if hist == nil {
				hist = predict.NewDayHistogram(s.opt.MaxCycleDays)
				hists[cat] = hist
			}
			for _, d := range predict.Intervals(cats.times[cat]) {
				hist.Add(d)
			}
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	read := time.Since(start)
	var m *models
	if f.customers > 0 {
		fit, err := f.fit()
		fit.CalibrationEnd, fit.Read = end, read
		rep.Fit = fit
		if err != nil {
			rep.FitErr = err.Error()
		} else {
			m = newModels(fit, s.opt)
			if err := s.saveFit(ctx, fit); err != nil {
				return rep, err
			}
		}
	} else {
		rep.FitErr = ErrNoCustomers.Error()
	}
	medians := make(map[string]float64, len(hists))
	for cat, h := range hists {
		medians[cat] = h.Median()
	}
	if rep.Categories, err = s.saveCategoryMedians(ctx, hists); err != nil {
		return rep, err
	}

	// Pass 2: per-customer rows.
	preds := newUpserter(s.db, "customer_predictions", "customer_id", s.opt.Batch,
		"customer_id", "run", "orders", "x", "t_x", "t_cal", "mean_value", "first_at", "last_at",
		"prob_alive", "expected_30", "expected_90", "expected_value", "clv", "habit_weekday", "habit_hour", "habit_confidence")
	cycles := newUpserter(s.db, "customer_cycles", "customer_id, category", s.opt.Batch,
		"customer_id", "category", "run", "purchases", "cycle_days", "last_at", "next_due")
	zs, err := s.openZones(ctx)
	if err != nil {
		return rep, err
	}
	defer zs.Close()
	b := predict.NewBuilder(end)
	times := make([]time.Time, 0, 64)
	err = s.eachHistory(ctx, true, until, func(h *history) error {
		b.Reset()
		times = times[:0]
		loc := zs.For(h.customer)
		for _, o := range h.orders {
			t := time.Unix(o.at, 0)
			_ = b.Add(t.In(s.opt.Location), float64(o.amount)/100)
			times = append(times, t)
		}
		sum, ok := b.Summary()
		if !ok {
			return nil
		}
		zbar := b.MeanValue() // yuan
		p := m.predict(sum, zbar)
		wd, hr, conf := predict.Habit(times, loc)
		err := preds.add(ctx, h.customer, rep.Run, len(h.orders), int64(sum.X), sum.TX, sum.T, zbar*100,
			h.orders[0].at, h.orders[len(h.orders)-1].at,
			p.probAlive, p.e30, p.e90, p.value, p.clv, int(wd), hr, conf)
		if err != nil {
			return err
		}
		cats.load(h)
		for _, cat := range cats.names {
			ts := cats.times[cat]
			cyc := predict.Cycle(predict.Intervals(ts), medians[cat], s.opt.CyclePriorWeight)
			if math.IsNaN(cyc) || cyc <= 0 {
				continue // one purchase in a category nobody repeats
			}
			last := ts[len(ts)-1]
			if err := cycles.add(ctx, h.customer, cat, rep.Run, distinctDays(ts), cyc, last.Unix(), predict.NextDue(last, cyc).Unix()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	if err := preds.flush(ctx); err != nil {
		return rep, err
	}
	if err := cycles.flush(ctx); err != nil {
		return rep, err
	}
	rep.Customers, rep.Cycles = preds.written, cycles.written
	for _, q := range []string{"predictions_delete_stale", "cycles_delete_stale"} {
		if _, err := s.db.W.ExecContext(ctx, s.q.Get(q), rep.Run); err != nil {
			return rep, fmt.Errorf("intel: %s: %w", q, err)
		}
	}
	rep.Took = time.Since(began)
	s.opt.Log.Info("predictions refreshed", "run", rep.Run, "as_of", rep.AsOf, "customers", rep.Customers,
		"cycles", rep.Cycles, "categories", rep.Categories, "fit_error", rep.FitErr, "took", rep.Took)
	return rep, nil
}

// categoryTimes groups one customer's line purchases by category, in the
// shop's zone (purchase days are calendar dates there), reusing its maps.
type categoryTimes struct {
	loc   *time.Location
	names []string
	times map[string][]time.Time
}

func newCategoryTimes(loc *time.Location) *categoryTimes {
	return &categoryTimes{loc: loc, times: map[string][]time.Time{}}
}

func (c *categoryTimes) load(h *history) {
	if len(c.times) > 4096 {
		// Empty slices of categories seen earlier pile up in a shop with
		// thousands of categories; start afresh rather than keep them all.
		clear(c.times)
	} else {
		for _, n := range c.names {
			c.times[n] = c.times[n][:0]
		}
	}
	c.names = c.names[:0]
	for _, l := range h.lines {
		ts := c.times[l.category]
		if len(ts) == 0 {
			c.names = append(c.names, l.category)
		}
		c.times[l.category] = append(ts, time.Unix(l.at, 0).In(c.loc))
	}
	sort.Strings(c.names)
}

// distinctDays counts the calendar dates among sorted times.
func distinctDays(ts []time.Time) int {
	return len(predict.Intervals(ts)) + 1
}

func (s *Service) saveFit(ctx context.Context, f Fit) error {
	var p, q, g, ll any
	if f.GGErr == nil {
		p, q, g, ll = f.GG.P, f.GG.Q, f.GG.Gamma, f.GG.LogLik
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Get("model_fit_clear")); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q.Get("model_fit_insert"), f.CalibrationEnd.Format(time.DateOnly), f.Customers,
			f.BG.R, f.BG.Alpha, f.BG.A, f.BG.B, f.BG.LogLik, p, q, g, ll, s.opt.Clock.Now().Unix())
		return err
	})
}

// saveCategoryMedians replaces category_cycles and returns how many
// categories have a median (at least one repeat purchase somewhere).
func (s *Service) saveCategoryMedians(ctx context.Context, hists map[string]*predict.DayHistogram) (int, error) {
	now := s.opt.Clock.Now().Unix()
	n := 0
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Get("category_cycles_clear")); err != nil {
			return err
		}
		for cat, h := range hists {
			if h.Count() == 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, s.q.Get("category_cycle_insert"), cat, h.Median(), h.Count(), now); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}
