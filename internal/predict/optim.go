package predict

import (
	"errors"
	"math"
)

// objective evaluates a negative mean log-likelihood and, when grad is not
// nil, its gradient with respect to log-scale parameters, in one pass over
// the data. Computing both together halves the work, because every term of
// the gradient reuses the logarithms and weights that the value needs.
type objective func(theta, grad []float64) float64

const (
	// maxLogParam bounds the log-scale parameters. exp(±30) covers every
	// model worth fitting, and keeping a line search out of the region
	// where exp overflows lets the objective stay finite wherever it looks.
	maxLogParam = 30
	// maxStep bounds one step in log scale (a factor of e^4 per parameter),
	// so that an early, poorly scaled quasi-Newton direction cannot throw
	// the search into a flat, far-away region.
	maxStep = 4
	// gradTol ends the search when the largest gradient component of the
	// mean log-likelihood is this small. The objective is a mean over
	// customers, so the threshold does not depend on how many were passed.
	gradTol = 1e-9
	maxIter = 500
)

// errNoProgress is returned when the line search cannot lower the objective
// at a point that is not a stationary point.
var errNoProgress = errors.New("predict: optimiser made no progress")

// minimizeLogScale minimises f from theta0 and returns the minimiser and the
// minimum.
//
// The method is BFGS with the analytic gradient and a backtracking (Armijo)
// line search. BFGS suits these models: they have three or four
// parameters, their log-likelihoods are smooth, and the gradient costs about
// as much as the value, so convergence takes a few dozen evaluations where
// Nelder-Mead needs hundreds and finite differences would multiply every
// gradient by five evaluations and lose accuracy near the optimum.
//
// gonum's optimize package would be the first choice, but it imports
// stat/distmv, which pulls golang.org/x/tools into the build, and the
// module's go.sum does not list that. The loop below is small enough to own;
// swapping it for optimize.Minimize with optimize.BFGS is a change to this
// function only.
func minimizeLogScale(f objective, theta0 []float64) ([]float64, float64, error) {
	n := len(theta0)
	eval := func(x, g []float64) float64 {
		for _, v := range x {
			if !(math.Abs(v) <= maxLogParam) {
				return math.Inf(1)
			}
		}
		v := f(x, g)
		if math.IsNaN(v) {
			return math.Inf(1)
		}
		return v
	}
	x := append([]float64(nil), theta0...)
	g := make([]float64, n)
	fx := eval(x, g)
	if math.IsInf(fx, 0) {
		return nil, 0, errors.New("predict: log-likelihood is not finite at the starting point")
	}
	h := identity(n) // inverse Hessian approximation
	fresh := true    // h is the identity, not yet scaled by curvature
	p := make([]float64, n)
	xn := make([]float64, n)
	gn := make([]float64, n)
	s := make([]float64, n)
	y := make([]float64, n)
	for iter := 0; iter < maxIter; iter++ {
		if normInf(g) < gradTol {
			return x, fx, nil
		}
		mulVec(p, h, g, -1)
		slope := dot(g, p)
		if !(slope < 0) {
			// The approximation lost positive definiteness; fall back to
			// steepest descent.
			h, fresh = identity(n), true
			mulVec(p, h, g, -1)
			slope = dot(g, p)
		}
		step := 1.0
		if m := normInf(p); m > maxStep {
			step = maxStep / m
		}
		var fn float64
		accepted := false
		for k := 0; k < 60; k++ {
			for i := range xn {
				xn[i] = x[i] + step*p[i]
			}
			fn = eval(xn, gn)
			if fn <= fx+1e-4*step*slope {
				accepted = true
				break
			}
			step /= 2
		}
		if !accepted {
			if !fresh {
				// Retry from steepest descent before giving up.
				h, fresh = identity(n), true
				continue
			}
			// Rounding makes tiny improvements invisible near the
			// optimum; a small gradient there is a converged fit.
			if normInf(g) < 1e-6 {
				return x, fx, nil
			}
			return nil, 0, errNoProgress
		}
		for i := range s {
			s[i] = xn[i] - x[i]
			y[i] = gn[i] - g[i]
		}
		change := fx - fn
		copy(x, xn)
		copy(g, gn)
		fx = fn
		sy := dot(s, y)
		if sy > 1e-12*math.Sqrt(dot(s, s)*dot(y, y)) {
			if fresh {
				// Scale the first approximation to the observed curvature
				// (Nocedal & Wright, eq. 6.20) so the first full step has
				// a sensible length.
				scale := sy / dot(y, y)
				for i := range h {
					h[i][i] = scale
				}
				fresh = false
			}
			bfgsUpdate(h, s, y, sy)
		}
		if change >= 0 && change < 1e-16*(1+math.Abs(fx)) && normInf(g) < 1e-6 {
			return x, fx, nil
		}
	}
	if normInf(g) < 1e-6 {
		return x, fx, nil
	}
	return nil, 0, errors.New("predict: optimiser did not converge")
}

// bfgsUpdate applies H <- (I - ρ s yᵀ) H (I - ρ y sᵀ) + ρ s sᵀ with ρ = 1/(sᵀy).
func bfgsUpdate(h [][]float64, s, y []float64, sy float64) {
	n := len(s)
	rho := 1 / sy
	hy := make([]float64, n)
	mulVec(hy, h, y, 1)
	yhy := dot(y, hy)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			h[i][j] += -rho*(hy[i]*s[j]+s[i]*hy[j]) + (rho*rho*yhy+rho)*s[i]*s[j]
		}
	}
}

func identity(n int) [][]float64 {
	m := make([][]float64, n)
	for i := range m {
		m[i] = make([]float64, n)
		m[i][i] = 1
	}
	return m
}

// mulVec sets dst = scale * m v.
func mulVec(dst []float64, m [][]float64, v []float64, scale float64) {
	for i := range dst {
		var sum float64
		for j, vj := range v {
			sum += m[i][j] * vj
		}
		dst[i] = scale * sum
	}
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func normInf(v []float64) float64 {
	var m float64
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}
