package intel

import (
	"math"

	"nudge/internal/predict"
)

// models applies a fit to customers, caching the BG/NBD quantities per
// distinct history (x, t_x, T): they cost dozens of hypergeometric
// evaluations each, and a million customers share a few hundred thousand
// histories at most.
type models struct {
	fit      Fit
	horizon  int
	discount float64
	cache    map[[3]float64]bgValues
}

type bgValues struct {
	probAlive, e30, e90, discounted float64
}

// prediction is one customer's model output; nil fields are stored NULL.
type prediction struct {
	probAlive, e30, e90 any // float64
	value               any // float64, fen
	clv                 any // int64, fen
}

func newModels(f Fit, opt Options) *models {
	return &models{fit: f, horizon: opt.HorizonWeeks, discount: opt.AnnualDiscount, cache: map[[3]float64]bgValues{}}
}

// predict returns the model output for a history and its mean repeat
// value zbar in yuan. A nil receiver (no fit) gives all NULLs.
func (m *models) predict(s predict.Summary, zbar float64) prediction {
	var p prediction
	if m == nil {
		return p
	}
	key := [3]float64{s.X, s.TX, s.T}
	v, ok := m.cache[key]
	if !ok {
		bg := m.fit.BG
		v = bgValues{
			probAlive:  bg.ProbAlive(s.X, s.TX, s.T),
			e30:        bg.ExpectedPurchases(30.0/7, s.X, s.TX, s.T),
			e90:        bg.ExpectedPurchases(90.0/7, s.X, s.TX, s.T),
			discounted: predict.DiscountedPurchases(bg, s.X, s.TX, s.T, m.horizon, m.discount),
		}
		m.cache[key] = v
	}
	p.probAlive, p.e30, p.e90 = finite(v.probAlive), finite(v.e30), finite(v.e90)
	if m.fit.GGErr == nil {
		ev := m.fit.GG.ExpectedValue(s.X, zbar) // yuan
		if !math.IsInf(ev, 0) && !math.IsNaN(ev) {
			p.value = ev * 100
			if clv := ev * v.discounted * 100; !math.IsNaN(clv) && !math.IsInf(clv, 0) {
				p.clv = int64(math.Round(clv))
			}
		}
	}
	return p
}

func finite(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}
