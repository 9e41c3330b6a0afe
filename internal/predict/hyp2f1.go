package predict

import "math"

// The Gaussian hypergeometric function 2F1(a, b; c; z) for real arguments
// and z < 1, which is all the BG/NBD conditional expectation needs.
//
// The strategy, in order:
//
//  1. z < 0 is mapped into (0, 1) by Pfaff's transformation
//     2F1(a, b; c; z) = (1-z)^-a 2F1(a, c-b; c; z/(z-1)).
//  2. The Gauss series sum (a)_n (b)_n / ((c)_n n!) z^n is summed directly.
//     For z <= 1/2 it converges at least as fast as 2^-n. For larger z it
//     still converges, and when c is large (a frequent buyer in BG/NBD) it
//     converges quickly, so it is tried first with a bounded budget of
//     terms.
//  3. When the budget runs out (z near 1), the connection formula to 1-z is
//     used (Abramowitz & Stegun 15.3.6): two Gauss series in 1-z, which is
//     small there, weighted by gamma-function ratios.
//  4. That formula divides by Γ(a+b-c) and Γ(c-a-b), which have poles when
//     c-a-b is an integer. Near such a point the function is evaluated at
//     c±δ and c±2δ: the function is smooth in c, so each symmetric average
//     is off by Cδ² + O(δ⁴), and Richardson extrapolation (4·avg(δ) -
//     avg(2δ))/3 removes the δ² term. Every evaluation stays at least δ/2
//     away from the pole, so the two large terms of the formula cancel with
//     a loss of only about log10(2/δ) of the 16 digits.

const (
	// hypEps is the relative size of the last term at which a series stops.
	hypEps = 1e-16
	// hypSmallZBudget bounds the series for z <= 1/2, where a well-posed
	// series has converged long before.
	hypSmallZBudget = 100000
	// hypLargeZBudget is how many terms the direct series may take for
	// z > 1/2 before the connection formula is used instead.
	hypLargeZBudget = 5000
	// hypPoleStep is the δ of step 4, which takes over when c-a-b is
	// within δ/2 of an integer.
	hypPoleStep = 1e-4
)

// hyp2f1 returns 2F1(a, b; c; z) for z < 1. It returns NaN when z >= 1, when
// c is a non-positive integer (the function is undefined there), or when no
// method converges.
func hyp2f1(a, b, c, z float64) float64 {
	switch {
	case math.IsNaN(a) || math.IsNaN(b) || math.IsNaN(c) || math.IsNaN(z):
		return math.NaN()
	case z >= 1:
		return math.NaN()
	case isNonPositiveInt(c):
		return math.NaN()
	case z == 0:
		return 1
	case z < 0:
		// Pfaff's transformation keeps a, so a terminating series in a
		// stays terminating.
		w := z / (z - 1)
		return math.Pow(1-z, -a) * hyp2f1(a, c-b, c, w)
	}
	budget := hypSmallZBudget
	if z > 0.5 {
		budget = hypLargeZBudget
	}
	if s, ok := gaussSeries(a, b, c, z, budget); ok {
		return s
	}
	if z <= 0.5 {
		return math.NaN()
	}
	return hyp2f1NearOne(a, b, c, z)
}

// gaussSeries sums the hypergeometric series at z and reports whether it
// converged within maxTerms terms.
func gaussSeries(a, b, c, z float64, maxTerms int) (float64, bool) {
	sum, term := 1.0, 1.0
	for n := 0; n < maxTerms; n++ {
		fn := float64(n)
		ratio := (a + fn) * (b + fn) / ((c + fn) * (fn + 1)) * z
		term *= ratio
		sum += term
		if term == 0 {
			// a or b is a non-positive integer: a polynomial.
			return sum, true
		}
		// Stop only once the terms are shrinking, so that a slow start
		// with growing terms is not mistaken for convergence.
		if math.Abs(term) <= hypEps*math.Abs(sum) && math.Abs(ratio) < 1 {
			return sum, !math.IsInf(sum, 0) && !math.IsNaN(sum)
		}
	}
	return math.NaN(), false
}

// hyp2f1NearOne evaluates 2F1 for 1/2 < z < 1 through the connection formula
// to 1-z, extrapolating around c when c-a-b is (nearly) an integer.
func hyp2f1NearOne(a, b, c, z float64) float64 {
	s := c - a - b
	if math.Abs(s-math.Round(s)) < hypPoleStep/2 {
		avg := func(h float64) float64 {
			return 0.5 * (connect(a, b, c+h, z) + connect(a, b, c-h, z))
		}
		return (4*avg(hypPoleStep) - avg(2*hypPoleStep)) / 3
	}
	return connect(a, b, c, z)
}

// connect is Abramowitz & Stegun 15.3.6:
//
//	2F1(a,b;c;z) = Γ(c)Γ(c-a-b)/(Γ(c-a)Γ(c-b)) 2F1(a, b; a+b-c+1; 1-z)
//	             + (1-z)^(c-a-b) Γ(c)Γ(a+b-c)/(Γ(a)Γ(b)) 2F1(c-a, c-b; c-a-b+1; 1-z)
//
// The gamma ratios are formed from log-gammas with their signs so that large
// parameters do not overflow; a reciprocal gamma at a pole is zero, which
// removes the term, as it should.
func connect(a, b, c, z float64) float64 {
	w := 1 - z
	s := c - a - b
	var total float64
	if g, ok := gammaRatio(c, s, c-a, c-b); ok && g != 0 {
		f, conv := gaussSeries(a, b, 1-s, w, hypSmallZBudget)
		if !conv {
			return math.NaN()
		}
		total += g * f
	}
	if g, ok := gammaRatio(c, -s, a, b); ok && g != 0 {
		f, conv := gaussSeries(c-a, c-b, s+1, w, hypSmallZBudget)
		if !conv {
			return math.NaN()
		}
		total += g * f * math.Pow(w, s)
	}
	return total
}

// gammaRatio returns Γ(p)Γ(q)/(Γ(u)Γ(v)). It reports false when a gamma in
// the numerator sits on a pole, and returns 0 when one in the denominator
// does.
func gammaRatio(p, q, u, v float64) (float64, bool) {
	if isNonPositiveInt(p) || isNonPositiveInt(q) {
		return math.NaN(), false
	}
	if isNonPositiveInt(u) || isNonPositiveInt(v) {
		return 0, true
	}
	lp, sp := math.Lgamma(p)
	lq, sq := math.Lgamma(q)
	lu, su := math.Lgamma(u)
	lv, sv := math.Lgamma(v)
	return float64(sp*sq*su*sv) * math.Exp(lp+lq-lu-lv), true
}

func isNonPositiveInt(x float64) bool {
	return x <= 0 && x == math.Floor(x)
}
