package intel

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"nudge/internal/predict"
	"nudge/internal/store"
)

// Prediction is one customer's stored predictions. Model fields are nil
// when no model could be fitted.
type Prediction struct {
	Orders        int64        `json:"orders"`
	X             int64        `json:"x"`   // repeat purchase days
	TX            float64      `json:"t_x"` // weeks, first to last purchase
	T             float64      `json:"t"`   // weeks, first purchase to the refresh date
	MeanValue     float64      `json:"mean_value"`
	FirstAt       time.Time    `json:"first_at"`
	LastAt        time.Time    `json:"last_at"`
	ProbAlive     *float64     `json:"prob_alive"`
	Expected30    *float64     `json:"expected_orders_30"`
	Expected90    *float64     `json:"expected_orders_90"`
	ExpectedValue *float64     `json:"expected_value"` // fen per order
	CLV           *int64       `json:"clv"`            // fen over the horizon
	HabitWeekday  time.Weekday `json:"habit_weekday"`
	HabitHour     int          `json:"habit_hour"`
	HabitStrength float64      `json:"habit_confidence"`
}

// PredictionOf returns a customer's predictions, or store.ErrNotFound for
// a customer without counted orders at the latest refresh.
func (s *Service) PredictionOf(ctx context.Context, customerID int64) (Prediction, error) {
	var p Prediction
	var first, last int64
	var pa, e30, e90, ev sql.NullFloat64
	var clv sql.NullInt64
	var wd int
	err := s.db.R.QueryRowContext(ctx, s.q.Get("prediction_of"), customerID).Scan(&p.Orders, &p.X, &p.TX, &p.T, &p.MeanValue,
		&first, &last, &pa, &e30, &e90, &ev, &clv, &wd, &p.HabitHour, &p.HabitStrength)
	if errors.Is(err, sql.ErrNoRows) {
		return p, store.ErrNotFound
	}
	if err != nil {
		return p, err
	}
	p.FirstAt, p.LastAt = time.Unix(first, 0).UTC(), time.Unix(last, 0).UTC()
	p.HabitWeekday = time.Weekday(wd)
	p.ProbAlive, p.Expected30, p.Expected90, p.ExpectedValue = nullFloat(pa), nullFloat(e30), nullFloat(e90), nullFloat(ev)
	if clv.Valid {
		p.CLV = &clv.Int64
	}
	return p, nil
}

func nullFloat(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	return &v.Float64
}

// CustomerCycle is a customer's purchase cycle in one category.
type CustomerCycle struct {
	Category  string    `json:"category"`
	Purchases int       `json:"purchases"` // distinct purchase days
	CycleDays float64   `json:"cycle_days"`
	LastAt    time.Time `json:"last_at"`
	NextDue   time.Time `json:"next_due"`
}

// CyclesOf returns a customer's cycles, soonest due first.
func (s *Service) CyclesOf(ctx context.Context, customerID int64) ([]CustomerCycle, error) {
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("cycles_of"), customerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CustomerCycle
	for rows.Next() {
		var c CustomerCycle
		var last, due int64
		if err := rows.Scan(&c.Category, &c.Purchases, &c.CycleDays, &last, &due); err != nil {
			return nil, err
		}
		c.LastAt, c.NextDue = time.Unix(last, 0).UTC(), time.Unix(due, 0).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// CategoryCycle is a category's median interval over all customers.
type CategoryCycle struct {
	Category   string  `json:"category"`
	MedianDays float64 `json:"median_days"`
	Intervals  int64   `json:"intervals"`
}

// CategoryCycles returns every category's median cycle of the latest
// refresh.
func (s *Service) CategoryCycles(ctx context.Context) ([]CategoryCycle, error) {
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("category_cycles"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CategoryCycle
	for rows.Next() {
		var c CategoryCycle
		if err := rows.Scan(&c.Category, &c.MedianDays, &c.Intervals); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// StoredFit returns the fit of the latest refresh, or store.ErrNotFound.
func (s *Service) StoredFit(ctx context.Context) (Fit, error) {
	var f Fit
	var end string
	var p, q, g, ll sql.NullFloat64
	var fitted int64
	err := s.db.R.QueryRowContext(ctx, s.q.Get("model_fit")).Scan(&end, &f.Customers, &f.BG.R, &f.BG.Alpha, &f.BG.A, &f.BG.B,
		&f.BG.LogLik, &p, &q, &g, &ll, &fitted)
	if errors.Is(err, sql.ErrNoRows) {
		return f, store.ErrNotFound
	}
	if err != nil {
		return f, err
	}
	f.CalibrationEnd, _ = time.ParseInLocation(time.DateOnly, end, s.opt.Location)
	if p.Valid {
		f.GG = predict.GammaGamma{P: p.Float64, Q: q.Float64, Gamma: g.Float64, LogLik: ll.Float64}
	} else {
		f.GGErr = errors.New("intel: no spend model in the stored fit")
	}
	return f, nil
}

// LatestRun returns the date (2006-01-02) the latest refresh was as of,
// "" before the first refresh that could fit the models. The scheduler
// reads it to tell whether the predictions are due.
func (s *Service) LatestRun(ctx context.Context) (string, error) {
	f, err := s.StoredFit(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return f.CalibrationEnd.Format(time.DateOnly), nil
}
