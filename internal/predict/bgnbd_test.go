package predict

import (
	"errors"
	"math"
	"testing"
)

var cdnowBG = BGNBD{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}

func TestProbAlive(t *testing.T) {
	// Worked by hand from the closed form for CDNOW's first customer.
	if got := cdnowBG.ProbAlive(2, 30.43, 38.86); math.Abs(got-0.726578570080673) > 1e-12 {
		t.Errorf("ProbAlive(2, 30.43, 38.86) = %.15f, want 0.726578570080673", got)
	}
	if got := cdnowBG.ProbAlive(0, 0, 38.86); got != 1 {
		t.Errorf("a customer with no repeat purchase cannot have dropped out: got %v", got)
	}
	// The longer the silence since the last purchase, the less likely the
	// customer is still there.
	if a, b := cdnowBG.ProbAlive(5, 10, 20), cdnowBG.ProbAlive(5, 10, 38); !(a > b) {
		t.Errorf("ProbAlive should fall with age at fixed recency: %v then %v", a, b)
	}
	// A heavy buyer does not overflow: (alpha+T)/(alpha+tx) to the 300th.
	if got := cdnowBG.ProbAlive(300, 5, 39); !(got >= 0 && got < 1e-30) {
		t.Errorf("heavy buyer long silent: ProbAlive = %v, want a tiny non-negative number", got)
	}
}

// expectedByIntegral computes E[Y(t) | x, tx, T] without the hypergeometric
// function. Given that the customer is alive, the posterior is
// lambda ~ gamma(r+x, alpha+T) and p ~ beta(a, b+x), and a live customer
// makes (1 - exp(-lambda p t))/p purchases in expectation. Integrating
// lambda out leaves a one-dimensional integral over p, which is computed by
// Simpson's rule after p = u^(1/a) removes the p^(a-1) singularity.
func expectedByIntegral(m BGNBD, t, x, tx, T float64) float64 {
	const n = 200_000
	g := func(u float64) float64 {
		p := math.Pow(u, 1/m.A)
		var h float64
		if p == 0 {
			h = (m.R + x) * t / (m.Alpha + T)
		} else {
			h = -math.Expm1(-(m.R+x)*math.Log1p(p*t/(m.Alpha+T))) / p
		}
		return h * math.Pow(1-p, m.B+x-1)
	}
	step := 1.0 / n
	sum := g(0) + g(1)
	for i := 1; i < n; i++ {
		w := 2.0
		if i%2 == 1 {
			w = 4
		}
		sum += w * g(float64(i)*step)
	}
	integral := sum * step / 3
	lb1, _ := math.Lgamma(m.A)
	lb2, _ := math.Lgamma(m.B + x)
	lb3, _ := math.Lgamma(m.A + m.B + x)
	beta := math.Exp(lb1 + lb2 - lb3)
	return m.ProbAlive(x, tx, T) * integral / (m.A * beta)
}

func TestExpectedPurchasesAgainstIntegral(t *testing.T) {
	for _, c := range []struct {
		name        string
		m           BGNBD
		t, x, tx, T float64
	}{
		{"CDNOW customer 1, 39 weeks", cdnowBG, 39, 2, 30.43, 38.86},
		{"one-off buyer", cdnowBG, 52, 0, 0, 38.86},
		{"heavy buyer", cdnowBG, 52, 40, 38, 39},
		{"ten years", cdnowBG, 520, 3, 20, 30},
		{"far horizon, z near 1", cdnowBG, 1e6, 1, 10, 30},
		{"a above 1", BGNBD{R: 1.2, Alpha: 3, A: 1.6, B: 4}, 26, 4, 12, 20},
		{"a exactly 1", BGNBD{R: 0.5, Alpha: 6, A: 1, B: 3}, 26, 2, 12, 20},
		{"a just above 1", BGNBD{R: 0.5, Alpha: 6, A: 1 + 3e-7, B: 3}, 26, 2, 12, 20},
	} {
		got := c.m.ExpectedPurchases(c.t, c.x, c.tx, c.T)
		want := expectedByIntegral(c.m, c.t, c.x, c.tx, c.T)
		if !(math.Abs(got-want) <= 1e-6*math.Abs(want)) {
			t.Errorf("%s: ExpectedPurchases = %.10g, integral = %.10g", c.name, got, want)
		}
	}
	if got := cdnowBG.ExpectedPurchases(0, 2, 30.43, 38.86); got != 0 {
		t.Errorf("no time, no purchases: got %v", got)
	}
}

// TestGradient compares the analytic gradient with central differences, so
// a sign slip in the derivation cannot hide behind a converging optimiser.
func TestGradient(t *testing.T) {
	rows := []Summary{
		{X: 0, TX: 0, T: 38, N: 120}, {X: 1, TX: 5, T: 30, N: 40}, {X: 3, TX: 20, T: 39, N: 12},
		{X: 7, TX: 33, T: 35, N: 3}, {X: 2, TX: 2, T: 28, N: 9},
	}
	d, err := prepareBG(rows)
	if err != nil {
		t.Fatal(err)
	}
	theta := []float64{math.Log(0.4), math.Log(3), math.Log(0.9), math.Log(2.2)}
	checkGradient(t, "BG/NBD", d.negMeanLogLik, theta)

	spends := []Spend{{X: 1, MeanValue: 20, N: 30}, {X: 2, MeanValue: 35.5, N: 10}, {X: 6, MeanValue: 12.25, N: 2}}
	g, err := prepareGG(spends)
	if err != nil {
		t.Fatal(err)
	}
	checkGradient(t, "Gamma-Gamma", g.negMeanLogLik, []float64{math.Log(5), math.Log(3), math.Log(14)})
}

func checkGradient(t *testing.T, name string, f objective, theta []float64) {
	t.Helper()
	grad := make([]float64, len(theta))
	f(theta, grad)
	for i := range theta {
		const h = 1e-6
		up := append([]float64(nil), theta...)
		down := append([]float64(nil), theta...)
		up[i] += h
		down[i] -= h
		num := (f(up, nil) - f(down, nil)) / (2 * h)
		if math.Abs(num-grad[i]) > 1e-6*math.Max(1, math.Abs(num)) {
			t.Errorf("%s: d/dtheta[%d] analytic %.10g, numeric %.10g", name, i, grad[i], num)
		}
	}
}

func TestGroupSummaries(t *testing.T) {
	rows := []Summary{
		{X: 0, TX: 0, T: 30}, {X: 1, TX: 2, T: 30}, {X: 0, TX: 0, T: 30, N: 4}, {X: 1, TX: 2, T: 31},
	}
	got := GroupSummaries(rows)
	want := []Summary{{X: 0, TX: 0, T: 30, N: 5}, {X: 1, TX: 2, T: 30, N: 1}, {X: 1, TX: 2, T: 31, N: 1}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestFitBGNBDRejects(t *testing.T) {
	if _, err := FitBGNBD(nil); !errors.Is(err, ErrNoData) {
		t.Errorf("no rows: got %v, want ErrNoData", err)
	}
	for _, bad := range []Summary{
		{X: 1, TX: 5, T: 4},  // recency after the end of calibration
		{X: -1, TX: 0, T: 4}, // negative count
		{X: 0, TX: 0, T: 0},  // no age
		{X: 2, TX: 0, T: 10}, // repeat purchases need a recency
		{X: 1, TX: 1, T: 5, N: -2},
		{X: math.NaN(), TX: 1, T: 5},
	} {
		if _, err := FitBGNBD([]Summary{{X: 0, TX: 0, T: 10}, bad}); err == nil {
			t.Errorf("row %+v was accepted", bad)
		}
	}
}

// TestFitRecoversSimulatedParameters fits BG/NBD and Gamma-Gamma to 200,000
// customers simulated in continuous time from known parameters. At that size
// the sampling error of each estimate is a few percent, so 10% is a
// tolerance a correct fitter always meets with this seed and a wrong
// likelihood does not.
func TestFitRecoversSimulatedParameters(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates 200,000 customers")
	}
	truth := BenchTruth
	summaries, spends := simulate(200_000, 42, truth.BG, truth.GG, false)
	bg, err := FitBGNBD(GroupSummaries(summaries))
	if err != nil {
		t.Fatal(err)
	}
	gg, err := FitGammaGamma(GroupSpends(spends))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("recovered %+v and %+v", bg, gg)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"r", bg.R, truth.BG.R}, {"alpha", bg.Alpha, truth.BG.Alpha}, {"a", bg.A, truth.BG.A}, {"b", bg.B, truth.BG.B},
		{"p", gg.P, truth.GG.P}, {"q", gg.Q, truth.GG.Q}, {"gamma", gg.Gamma, truth.GG.Gamma},
	} {
		if !within(c.got, c.want, 0.10) {
			t.Errorf("%s = %.4f, true value %.4f", c.name, c.got, c.want)
		}
	}
}
