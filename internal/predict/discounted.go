package predict

import "math"

// DiscountedPurchases returns the purchases a customer with BG/NBD history
// (x, tx, T) in weeks is expected to make over the next horizonWeeks
// weeks, each week's expectation discounted to today as CLV does. It is
// the part of CLV that does not depend on spend:
//
//	CLV(bg, gg, x, tx, T, mean, h, d) = gg.ExpectedValue(x, mean) * DiscountedPurchases(bg, x, tx, T, h, d)
//
// so that a job valuing many customers can compute it once per distinct
// history and multiply by each customer's expected order value.
func DiscountedPurchases(bg BGNBD, x, tx, T float64, horizonWeeks int, annualDiscount float64) float64 {
	if horizonWeeks <= 0 {
		return 0
	}
	weekly := math.Log1p(annualDiscount) / weeksPerYear
	var total, prev float64
	for k := 1; k <= horizonWeeks; k++ {
		cur := bg.ExpectedPurchases(float64(k), x, tx, T)
		total += (cur - prev) * math.Exp(-weekly*float64(k))
		prev = cur
	}
	return total
}
