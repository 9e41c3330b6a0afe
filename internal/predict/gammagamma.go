package predict

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mathext"
)

// Spend is one customer's input to the Gamma-Gamma spend model, or a group of
// customers who share it exactly.
type Spend struct {
	// X is the number of repeat transactions.
	X float64
	// MeanValue is zbar, the mean value of those repeat transactions.
	MeanValue float64
	// N is how many customers share this row; zero counts as one.
	N int
}

func (s Spend) weight() float64 {
	if s.N <= 0 {
		return 1
	}
	return float64(s.N)
}

// GroupSpends merges rows with identical (X, MeanValue) into one row whose N
// is the sum of theirs, in order of first appearance.
func GroupSpends(rows []Spend) []Spend {
	type key struct{ x, m float64 }
	index := make(map[key]int, len(rows)/4+1)
	out := make([]Spend, 0, len(rows)/4+1)
	for _, r := range rows {
		k := key{r.X, r.MeanValue}
		if i, ok := index[k]; ok {
			out[i].N += int(r.weight())
			continue
		}
		index[k] = len(out)
		out = append(out, Spend{X: r.X, MeanValue: r.MeanValue, N: int(r.weight())})
	}
	return out
}

// GammaGamma holds the fitted parameters of the Gamma-Gamma spend model
// (Fader, Hardie & Lee 2005, "RFM and CLV: Using Iso-Value Curves for
// Customer Base Analysis", JMR 42(4)). A transaction's value is gamma(P, ν)
// distributed, and the customer's ν is gamma(Q, Gamma) distributed across
// customers. LogLik is the log-likelihood at the fit.
type GammaGamma struct{ P, Q, Gamma, LogLik float64 }

// FitGammaGamma fits the model by maximum likelihood on the customers with at
// least one repeat transaction. Rows with X = 0 are skipped, as in the paper,
// since they carry no repeat value; so are rows whose MeanValue is not
// positive (all-free repeat orders), because a gamma density has no mass at
// zero and a single such row would make the likelihood zero.
func FitGammaGamma(rows []Spend) (GammaGamma, error) {
	d, err := prepareGG(rows)
	if err != nil {
		return GammaGamma{}, err
	}
	// Start at p = 1, q = 2 and the gamma that makes the population mean
	// p*gamma/(q-1) equal to the mean observed value, so the start follows
	// the currency unit.
	theta0 := []float64{0, math.Log(2), math.Log(d.meanZ)}
	theta, f, err := minimizeLogScale(d.negMeanLogLik, theta0)
	if err != nil {
		return GammaGamma{}, err
	}
	return GammaGamma{
		P: math.Exp(theta[0]), Q: math.Exp(theta[1]), Gamma: math.Exp(theta[2]),
		LogLik: -f * d.total,
	}, nil
}

// ExpectedValue returns the expected value of a transaction by a customer
// with x repeat transactions of mean value mean:
//
//	p (gamma + x mean) / (p x + q - 1),
//
// a weighted average of the population mean p*gamma/(q-1) and the
// customer's own mean, which gets more weight the more repeat transactions
// there are. It returns +Inf when p x + q <= 1, where the mean does not exist.
func (m GammaGamma) ExpectedValue(x, mean float64) float64 {
	den := m.P*x + m.Q - 1
	if den <= 0 {
		return math.Inf(1)
	}
	return m.P * (m.Gamma + x*mean) / den
}

// ggData is a Gamma-Gamma fitting set with the distinct x values factored
// out, so that log-gammas and digammas are computed once per x.
type ggData struct {
	xs    []float64
	rows  []ggRow
	total float64
	meanZ float64
	perX  []ggXTerms // scratch, reused across evaluations
}

type ggRow struct {
	ix   int32
	n    float64
	xz   float64 // x * zbar
	logZ float64 // log zbar, fixed during the fit
}

type ggXTerms struct{ lg, dp, dq float64 }

func prepareGG(rows []Spend) (*ggData, error) {
	d := &ggData{}
	index := map[float64]int32{}
	var sumZ float64
	for i, r := range rows {
		if r.N < 0 || math.IsNaN(r.X) || math.IsNaN(r.MeanValue) || math.IsInf(r.MeanValue, 0) {
			return nil, fmt.Errorf("predict: invalid spend at row %d: %+v", i, r)
		}
		if r.X <= 0 || r.MeanValue <= 0 {
			continue
		}
		ix, ok := index[r.X]
		if !ok {
			ix = int32(len(d.xs))
			index[r.X] = ix
			d.xs = append(d.xs, r.X)
		}
		w := r.weight()
		d.rows = append(d.rows, ggRow{ix: ix, n: w, xz: r.X * r.MeanValue, logZ: math.Log(r.MeanValue)})
		d.total += w
		sumZ += w * r.MeanValue
	}
	if d.total == 0 {
		return nil, ErrNoData
	}
	d.meanZ = sumZ / d.total
	d.perX = make([]ggXTerms, len(d.xs))
	return d, nil
}

// negMeanLogLik returns minus the mean log-likelihood at theta =
// log(p, q, gamma) and, if grad is not nil, its gradient in theta. Since
// x*zbar is gamma(p x, ν) distributed, each row contributes
//
//	lgamma(px+q) - lgamma(px) - lgamma(q) + q log(gamma)
//	+ (px-1) log(zbar) + px log(x) - (px+q) log(x zbar + gamma).
func (d *ggData) negMeanLogLik(theta, grad []float64) float64 {
	p, q, g := math.Exp(theta[0]), math.Exp(theta[1]), math.Exp(theta[2])
	lgQ, _ := math.Lgamma(q)
	psiQ := 0.0
	if grad != nil {
		psiQ = mathext.Digamma(q)
	}
	for k, x := range d.xs {
		px := p * x
		l1, _ := math.Lgamma(px + q)
		l2, _ := math.Lgamma(px)
		t := ggXTerms{lg: l1 - l2 - lgQ + px*math.Log(x)}
		if grad != nil {
			psi := mathext.Digamma(px + q)
			t.dp = x * (psi - mathext.Digamma(px) + math.Log(x))
			t.dq = psi - psiQ
		}
		d.perX[k] = t
	}
	logG := math.Log(g)
	var ll, gp, gq, gg float64
	for _, r := range d.rows {
		x := d.xs[r.ix]
		t := &d.perX[r.ix]
		px := p * x
		den := r.xz + g
		lden := math.Log(den)
		ll += r.n * (t.lg + q*logG + (px-1)*r.logZ - (px+q)*lden)
		if grad != nil {
			gp += r.n * (t.dp + x*(r.logZ-lden))
			gq += r.n * (t.dq + logG - lden)
			gg += r.n * (q/g - (px+q)/den)
		}
	}
	if grad != nil {
		s := -1 / d.total
		grad[0] = s * gp * p
		grad[1] = s * gq * q
		grad[2] = s * gg * g
	}
	return -ll / d.total
}
