package predict

import (
	"math"
	"testing"
)

func TestHyp2F1ClosedForms(t *testing.T) {
	for _, c := range []struct {
		name       string
		a, b, c, z float64
		want       float64
	}{
		// log: c-a-b = 0, so near 1 this exercises the pole averaging.
		{"log small z", 1, 1, 2, 0.3, -math.Log(0.7) / 0.3},
		{"log z=0.9", 1, 1, 2, 0.9, -math.Log(0.1) / 0.9},
		{"log z=0.9999", 1, 1, 2, 0.9999, -math.Log(1e-4) / 0.9999},
		{"log negative z", 1, 1, 2, -1, math.Log(2)},
		{"log z=-50", 1, 1, 2, -50, math.Log(51) / 50},
		// binomial: c-a-b = -a, not an integer.
		{"binomial z=0.5", 0.7, 2.3, 2.3, 0.5, math.Pow(0.5, -0.7)},
		{"binomial z=0.999", 0.7, 2.3, 2.3, 0.999, math.Pow(0.001, -0.7)},
		{"binomial z=-3", 0.7, 2.3, 2.3, -3, math.Pow(4, -0.7)},
		// c-a-b = -1: 1/(1-z), a pole of the other gamma.
		{"geometric z=0.99999", 1, 1, 1, 0.99999, 1e5},
		// arcsin: c-a-b = 1/2.
		{"arcsin", 0.5, 0.5, 1.5, 0.99, math.Asin(math.Sqrt(0.99)) / math.Sqrt(0.99)},
		{"arcsin near 1", 0.5, 0.5, 1.5, 1 - 1e-10, math.Asin(math.Sqrt(1-1e-10)) / math.Sqrt(1-1e-10)},
		// a terminating series: (1-z)^2 (1-4z).
		{"polynomial", -3, 2, 1, 0.8, 0.04 * (1 - 3.2)},
		{"polynomial negative", -3, 2, 1, -2, 9 * 9},
	} {
		got := hyp2f1(c.a, c.b, c.c, c.z)
		if math.Abs(got-c.want) > 1e-9*math.Max(1, math.Abs(c.want)) {
			t.Errorf("%s: 2F1(%v,%v;%v;%v) = %.15g, want %.15g", c.name, c.a, c.b, c.c, c.z, got, c.want)
		}
	}
}

// TestHyp2F1PathsAgree compares the direct series with the connection
// formula where both are valid, for parameters like those BG/NBD produces.
func TestHyp2F1PathsAgree(t *testing.T) {
	for _, p := range [][3]float64{
		{2.219 - 0.243, -0.207, 3.219},  // CDNOW a+b-1-r, a-1, a+b+x-1 at x=0
		{2.219 - 0.243, -0.207, 13.219}, // x = 10
		{0.3, 1.7, 2.45},
		{1.2, 3.4, 5.6},
		{0.5, 0.5, 1.0 + 1e-5}, // c-a-b within the pole gap of 0
	} {
		for _, z := range []float64{0.55, 0.7, 0.9} {
			direct, ok := gaussSeries(p[0], p[1], p[2], z, 1_000_000)
			if !ok {
				t.Fatalf("direct series did not converge for %v at %v", p, z)
			}
			near := hyp2f1NearOne(p[0], p[1], p[2], z)
			if math.Abs(direct-near) > 1e-8*math.Abs(direct) {
				t.Errorf("2F1%v at z=%v: series %.15g, connection formula %.15g", p, z, direct, near)
			}
		}
	}
}

func TestHyp2F1Undefined(t *testing.T) {
	for _, c := range [][4]float64{{1, 1, 2, 1}, {1, 1, 2, 1.5}, {1, 1, -2, 0.3}, {1, 1, 0, 0.3}} {
		if got := hyp2f1(c[0], c[1], c[2], c[3]); !math.IsNaN(got) {
			t.Errorf("2F1%v = %v, want NaN", c, got)
		}
	}
}
