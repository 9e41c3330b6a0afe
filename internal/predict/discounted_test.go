package predict

import (
	"math"
	"testing"
)

// TestDiscountedPurchasesTimesValueIsCLV checks the factorisation the
// prediction job relies on, for a few histories and discount rates.
func TestDiscountedPurchasesTimesValueIsCLV(t *testing.T) {
	bg := BenchTruth.BG
	gg := BenchTruth.GG
	for _, c := range []struct{ x, tx, T, mean, d float64 }{
		{0, 0, 10, 0, 0.1}, {2, 30.43, 38.86, 22.5, 0.1}, {7, 20, 39, 41.1, 0}, {1, 1, 52, 9.99, 0.15},
	} {
		want := CLV(bg, gg, c.x, c.tx, c.T, c.mean, 52, c.d)
		got := gg.ExpectedValue(c.x, c.mean) * DiscountedPurchases(bg, c.x, c.tx, c.T, 52, c.d)
		if math.Abs(got-want) > 1e-9*math.Abs(want) {
			t.Errorf("%+v: %v, CLV %v", c, got, want)
		}
	}
	if DiscountedPurchases(bg, 1, 1, 2, 0, 0.1) != 0 {
		t.Error("zero horizon is not zero")
	}
}
