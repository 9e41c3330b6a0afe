package predict

import (
	"errors"
	"math"
	"testing"
)

var cdnowGG = GammaGamma{P: 6.25, Q: 3.74, Gamma: 15.44}

func TestExpectedValue(t *testing.T) {
	population := cdnowGG.P * cdnowGG.Gamma / (cdnowGG.Q - 1)
	if got := cdnowGG.ExpectedValue(0, 0); math.Abs(got-population) > 1e-12 {
		t.Errorf("no history: %v, want the population mean %v", got, population)
	}
	// The estimate is a weighted average of the population mean and the
	// customer's own, leaning to the customer's as evidence grows.
	own := 20.0
	prev := population
	for _, x := range []float64{1, 2, 5, 20, 100} {
		got := cdnowGG.ExpectedValue(x, own)
		if !(got < prev && got > own) {
			t.Errorf("x=%v: %v not between %v and %v", x, got, own, prev)
		}
		prev = got
	}
	if got := cdnowGG.ExpectedValue(1e9, own); math.Abs(got-own) > 1e-6 {
		t.Errorf("overwhelming evidence: %v, want %v", got, own)
	}
	if got := (GammaGamma{P: 1, Q: 0.5, Gamma: 10}).ExpectedValue(0, 0); !math.IsInf(got, 1) {
		t.Errorf("q <= 1 without history has no mean: got %v", got)
	}
}

func TestFitGammaGammaInputs(t *testing.T) {
	if _, err := FitGammaGamma([]Spend{{X: 0, MeanValue: 0, N: 10}}); !errors.Is(err, ErrNoData) {
		t.Errorf("only one-off buyers: got %v, want ErrNoData", err)
	}
	if _, err := FitGammaGamma([]Spend{{X: 1, MeanValue: math.NaN()}}); err == nil {
		t.Error("NaN value accepted")
	}
	got := GroupSpends([]Spend{{X: 1, MeanValue: 9.9}, {X: 1, MeanValue: 9.9, N: 3}, {X: 2, MeanValue: 9.9}})
	if len(got) != 2 || got[0] != (Spend{X: 1, MeanValue: 9.9, N: 4}) || got[1].N != 1 {
		t.Errorf("GroupSpends = %+v", got)
	}
}

func TestCLV(t *testing.T) {
	x, tx, T, mean := 2.0, 30.43, 38.86, 22.35
	value := cdnowGG.ExpectedValue(x, mean)
	undiscounted := value * cdnowBG.ExpectedPurchases(52, x, tx, T)
	if got := CLV(cdnowBG, cdnowGG, x, tx, T, mean, 52, 0); math.Abs(got-undiscounted) > 1e-9*undiscounted {
		t.Errorf("zero discount: CLV = %v, want %v", got, undiscounted)
	}
	// With 10% a year, every week is worth between 1 and 1/1.1 of its
	// undiscounted value over a one-year horizon.
	got := CLV(cdnowBG, cdnowGG, x, tx, T, mean, 52, 0.10)
	if !(got < undiscounted && got > undiscounted/1.1) {
		t.Errorf("10%% discount: CLV = %v, want in (%v, %v)", got, undiscounted/1.1, undiscounted)
	}
	// Purchases decline over time as customers drop out, so the discount
	// falls on the smaller, later weeks: the loss is under half the rate.
	if loss := 1 - got/undiscounted; !(loss > 0.01 && loss < 0.05) {
		t.Errorf("discount loss %.4f, want between 1%% and 5%%", loss)
	}
	if longer := CLV(cdnowBG, cdnowGG, x, tx, T, mean, 104, 0.10); !(longer > got) {
		t.Errorf("two years (%v) should be worth more than one (%v)", longer, got)
	}
	if CLV(cdnowBG, cdnowGG, x, tx, T, mean, 0, 0.1) != 0 {
		t.Error("zero horizon has value")
	}
}
