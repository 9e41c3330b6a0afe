package predict

import "testing"

// BenchmarkFitBGNBD times the BG/NBD fit alone on 100,000 simulated
// customers, grouped; simulation and grouping are outside the timer.
func BenchmarkFitBGNBD(b *testing.B) {
	summaries, _ := simulate(100_000, 1, BenchTruth.BG, BenchTruth.GG, true)
	grouped := GroupSummaries(summaries)
	b.ReportMetric(float64(len(grouped)), "rows")
	b.ResetTimer()
	for b.Loop() {
		if _, err := FitBGNBD(grouped); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFitGammaGamma times the spend fit on the same simulated customers.
func BenchmarkFitGammaGamma(b *testing.B) {
	_, spends := simulate(100_000, 1, BenchTruth.BG, BenchTruth.GG, true)
	grouped := GroupSpends(spends)
	b.ReportMetric(float64(len(grouped)), "rows")
	b.ResetTimer()
	for b.Loop() {
		if _, err := FitGammaGamma(grouped); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBenchFitMillion is the figure make bench reports: one million
// customers grouped and fitted. It is skipped in -short runs.
func TestBenchFitMillion(t *testing.T) {
	if testing.Short() {
		t.Skip("one million customers take a few seconds to simulate")
	}
	res, err := BenchFit(1_000_000, 7)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
}
