// Package predict holds the customer-base models behind nudge's predictions:
// BG/NBD for how many orders a customer will place and whether they are
// still active, Gamma-Gamma for how much an order is worth, their product as
// customer lifetime value, purchase cycles for replenishment reminders, and
// each customer's habitual shopping day and hour. It is pure numerics: the
// callers stream summaries out of the store and pass them in.
package predict

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mathext"
)

// Summary is one customer's purchase history as BG/NBD sees it, or a group
// of customers who share it exactly.
type Summary struct {
	// X is the number of repeat transactions (purchase days after the first).
	X float64
	// TX is the recency: weeks from the first purchase to the last one.
	TX float64
	// T is the age: weeks from the first purchase to the end of the
	// calibration period.
	T float64
	// N is how many customers share this exact row. Zero counts as one, so
	// that an ungrouped Summary literal means a single customer.
	N int
}

func (s Summary) weight() float64 {
	if s.N <= 0 {
		return 1
	}
	return float64(s.N)
}

// GroupSummaries merges rows with identical (X, TX, T) into one row whose N
// is the sum of theirs. Fitting cost then grows with the number of distinct
// histories rather than the number of customers. The output follows the
// order in which each history first appears.
func GroupSummaries(rows []Summary) []Summary {
	type key struct{ x, tx, t float64 }
	index := make(map[key]int, len(rows)/4+1)
	out := make([]Summary, 0, len(rows)/4+1)
	for _, r := range rows {
		k := key{r.X, r.TX, r.T}
		if i, ok := index[k]; ok {
			out[i].N += int(r.weight())
			continue
		}
		index[k] = len(out)
		out = append(out, Summary{X: r.X, TX: r.TX, T: r.T, N: int(r.weight())})
	}
	return out
}

// BGNBD holds the fitted parameters of the beta-geometric/negative binomial
// model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way").
// Purchase rates are gamma(R, Alpha) distributed across customers (per week),
// and the chance of dropping out after each purchase is beta(A, B)
// distributed. LogLik is the log-likelihood at the fit.
type BGNBD struct{ R, Alpha, A, B, LogLik float64 }

// ErrNoData is returned when there is nothing to fit.
var ErrNoData = errors.New("predict: no customers to fit")

// FitBGNBD fits the model by maximum likelihood. Rows should be grouped (see
// GroupSummaries); ungrouped rows give the same answer, only slower.
func FitBGNBD(rows []Summary) (BGNBD, error) {
	d, err := prepareBG(rows)
	if err != nil {
		return BGNBD{}, err
	}
	// Start at r = a = b = 1 and an alpha that matches the average purchase
	// rate, so the start scales with the time unit of the data.
	alpha0 := d.sumT / math.Max(d.sumX, 1)
	theta0 := []float64{0, math.Log(alpha0), 0, 0}
	theta, f, err := minimizeLogScale(d.negMeanLogLik, theta0)
	if err != nil {
		return BGNBD{}, err
	}
	return BGNBD{
		R: math.Exp(theta[0]), Alpha: math.Exp(theta[1]),
		A: math.Exp(theta[2]), B: math.Exp(theta[3]),
		LogLik: -f * d.total,
	}, nil
}

// LogLikelihood returns the model's log-likelihood of the rows, each row
// counted N times. It returns NaN if a row is invalid.
func (m BGNBD) LogLikelihood(rows []Summary) float64 {
	d, err := prepareBG(rows)
	if err != nil {
		return math.NaN()
	}
	theta := []float64{math.Log(m.R), math.Log(m.Alpha), math.Log(m.A), math.Log(m.B)}
	return -d.negMeanLogLik(theta, nil) * d.total
}

// ProbAlive returns the probability that a customer with x repeat purchases,
// recency tx and age T (weeks) has not dropped out:
//
//	1 / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+tx))^(r+x))
//
// The power is taken in logs so that heavy buyers do not overflow.
func (m BGNBD) ProbAlive(x, tx, T float64) float64 {
	if x <= 0 {
		return 1
	}
	lg := math.Log(m.A) - math.Log(m.B+x-1) +
		(m.R+x)*(math.Log(m.Alpha+T)-math.Log(m.Alpha+tx))
	return 1 / (1 + math.Exp(lg))
}

// ExpectedPurchases returns the expected number of transactions in the next
// t weeks for a customer with history (x, tx, T), equation (10) of the paper:
//
//	(a+b+x-1)/(a-1) [1 - ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)] / D
//
// with z = t/(α+T+t) and D the denominator of ProbAlive. Euler's
// transformation rewrites the bracket as
//
//	1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z),
//
// whose upper parameters do not grow with x, so the series stays short and
// free of huge intermediate terms for heavy buyers. At a = 1 the formula is
// 0/0 with a finite limit; there it is evaluated on both sides and averaged.
func (m BGNBD) ExpectedPurchases(t, x, tx, T float64) float64 {
	if t <= 0 {
		return 0
	}
	const step = 1e-5
	if math.Abs(m.A-1) < step/10 {
		lo, hi := m, m
		lo.A, hi.A = 1-step, 1+step
		return 0.5 * (lo.ExpectedPurchases(t, x, tx, T) + hi.ExpectedPurchases(t, x, tx, T))
	}
	a, b, r := m.A, m.B, m.R
	z := t / (m.Alpha + T + t)
	c := a + b + x - 1
	f := hyp2f1(a+b-1-r, a-1, c, z)
	bracket := -math.Expm1((a-1)*math.Log1p(-z)) - math.Pow(1-z, a-1)*(f-1)
	return c / (a - 1) * bracket * m.ProbAlive(x, tx, T)
}

// bgData is a fitting data set with the distinct values of x, tx and T
// factored out, so that log-gammas, digammas and logarithms are computed
// once per distinct value rather than once per row.
type bgData struct {
	xs, txs, ts []float64
	rows        []bgRow
	total       float64 // customers
	sumX, sumT  float64 // weighted, for the starting point

	// Scratch space per distinct value, reused across evaluations.
	xTerm                []xTerms
	lT, invT, lTx, invTx []float64
}

type bgRow struct {
	ix, itx, it int32
	n           float64
}

// xTerms are the parts of a row's log-likelihood and gradient that depend on
// x alone.
type xTerms struct {
	base       float64 // A1 + A2 without r log(alpha)
	dr, da, db float64 // derivatives of base
	c4, dc4b   float64 // log(a) - log(b+x-1) and its derivative in b
}

func prepareBG(rows []Summary) (*bgData, error) {
	d := &bgData{}
	xi := map[float64]int32{}
	txi := map[float64]int32{}
	ti := map[float64]int32{}
	intern := func(m map[float64]int32, vals *[]float64, v float64) int32 {
		if i, ok := m[v]; ok {
			return i
		}
		i := int32(len(*vals))
		m[v] = i
		*vals = append(*vals, v)
		return i
	}
	d.rows = make([]bgRow, 0, len(rows))
	for i, r := range rows {
		if r.N < 0 || !(r.X >= 0) || !(r.TX >= 0) || !(r.T > 0) || r.TX > r.T ||
			math.IsInf(r.X, 0) || math.IsInf(r.T, 0) || (r.X > 0 && r.TX == 0) {
			return nil, fmt.Errorf("predict: invalid summary at row %d: %+v", i, r)
		}
		w := r.weight()
		d.rows = append(d.rows, bgRow{
			ix:  intern(xi, &d.xs, r.X),
			itx: intern(txi, &d.txs, r.TX),
			it:  intern(ti, &d.ts, r.T),
			n:   w,
		})
		d.total += w
		d.sumX += w * r.X
		d.sumT += w * r.T
	}
	if d.total == 0 {
		return nil, ErrNoData
	}
	d.xTerm = make([]xTerms, len(d.xs))
	d.lT, d.invT = make([]float64, len(d.ts)), make([]float64, len(d.ts))
	d.lTx, d.invTx = make([]float64, len(d.txs)), make([]float64, len(d.txs))
	return d, nil
}

// negMeanLogLik returns minus the mean log-likelihood per customer at the
// log-scale parameters theta = log(r, alpha, a, b) and, if grad is not nil,
// its gradient in theta. Each row's likelihood is
//
//	log L = A1 + A2 + log(exp(A3) + [x>0] exp(A4))
//	A1 = lgamma(r+x) - lgamma(r) + r log(alpha)
//	A2 = lgamma(a+b) + lgamma(b+x) - lgamma(b) - lgamma(a+b+x)
//	A3 = -(r+x) log(alpha+T)
//	A4 = log(a) - log(b+x-1) - (r+x) log(alpha+tx)
//
// and the last term is a log-sum-exp, so neither exponential can overflow
// or underflow to a useless zero.
func (d *bgData) negMeanLogLik(theta, grad []float64) float64 {
	r, alpha, a, b := math.Exp(theta[0]), math.Exp(theta[1]), math.Exp(theta[2]), math.Exp(theta[3])
	lgR, _ := math.Lgamma(r)
	lgB, _ := math.Lgamma(b)
	lgAB, _ := math.Lgamma(a + b)
	var psiR, psiB, psiAB float64
	if grad != nil {
		psiR, psiB, psiAB = mathext.Digamma(r), mathext.Digamma(b), mathext.Digamma(a+b)
	}
	for k, x := range d.xs {
		lg1, _ := math.Lgamma(r + x)
		lg2, _ := math.Lgamma(b + x)
		lg3, _ := math.Lgamma(a + b + x)
		t := xTerms{base: lg1 - lgR + lgAB + lg2 - lgB - lg3}
		if x > 0 {
			t.c4 = math.Log(a) - math.Log(b+x-1)
			t.dc4b = -1 / (b + x - 1)
		}
		if grad != nil {
			p3 := mathext.Digamma(a + b + x)
			t.dr = mathext.Digamma(r+x) - psiR
			t.da = psiAB - p3
			t.db = psiAB + mathext.Digamma(b+x) - psiB - p3
		}
		d.xTerm[k] = t
	}
	for i, v := range d.ts {
		d.lT[i] = math.Log(alpha + v)
		d.invT[i] = 1 / (alpha + v)
	}
	for i, v := range d.txs {
		d.lTx[i] = math.Log(alpha + v)
		d.invTx[i] = 1 / (alpha + v)
	}
	logAlpha := math.Log(alpha)
	var ll, gr, ga, gA, gB float64
	for _, row := range d.rows {
		x := d.xs[row.ix]
		xt := &d.xTerm[row.ix]
		rx := r + x
		a3 := -rx * d.lT[row.it]
		l := xt.base + r*logAlpha
		w4 := 0.0
		if x > 0 {
			a4 := xt.c4 - rx*d.lTx[row.itx]
			// log(e^a3 + e^a4) and the share w4 of the second term,
			// computed from their difference with one exp and one log.
			if diff := a4 - a3; diff > 0 {
				e := math.Exp(-diff)
				l += a4 + math.Log1p(e)
				w4 = 1 / (1 + e)
			} else {
				e := math.Exp(diff)
				l += a3 + math.Log1p(e)
				w4 = e / (1 + e)
			}
		} else {
			l += a3
		}
		ll += row.n * l
		if grad == nil {
			continue
		}
		w3 := 1 - w4
		n := row.n
		gr += n * (xt.dr + logAlpha - w3*d.lT[row.it] - w4*d.lTx[row.itx])
		ga += n * (r/alpha - rx*(w3*d.invT[row.it]+w4*d.invTx[row.itx]))
		gA += n * (xt.da + w4/a)
		gB += n * (xt.db + w4*xt.dc4b)
	}
	if grad != nil {
		// Chain rule to log scale, sign flip, and the mean.
		s := -1 / d.total
		grad[0] = s * gr * r
		grad[1] = s * ga * alpha
		grad[2] = s * gA * a
		grad[3] = s * gB * b
	}
	return -ll / d.total
}
