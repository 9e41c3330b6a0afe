package predict

import (
	"math"
	"math/rand/v2"
	"time"
)

// Simulation of a customer base that follows BG/NBD and Gamma-Gamma exactly,
// for the benchmark and for the parameter-recovery test.

// simCohort describes the simulated cohort: first purchases spread over the
// first 12 weeks and a calibration period that ends on day 272, which is the
// CDNOW design (first purchases in 1997-Q1, calibration to 1997-09-30).
const (
	simCohortDays = 84
	simEndDay     = 272
)

// simulate draws n customers. Purchase times are continuous within the
// process and then, as in a real order table, read as calendar days:
// purchases on one day merge into one transaction, and t_x and T are whole
// days in weeks. This is also what makes grouping effective: the rows take
// few distinct values.
func simulate(n int, seed int64, bg BGNBD, gg GammaGamma, daily bool) ([]Summary, []Spend) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6e75646765))
	summaries := make([]Summary, n)
	spends := make([]Spend, n)
	for i := range n {
		first := rng.IntN(simCohortDays)
		ageDays := simEndDay - first
		ageWeeks := float64(ageDays) / 7
		lambda := gammaRand(rng, bg.R) / bg.Alpha
		u, v := gammaRand(rng, bg.A), gammaRand(rng, bg.B)
		p := u / (u + v)
		nu := gammaRand(rng, gg.Q) / gg.Gamma

		x, lastDay, lastT := 0, 0, 0.0
		total := 0.0
		for t := 0.0; ; {
			t += rng.ExpFloat64() / lambda
			if t >= ageWeeks {
				break
			}
			if !daily {
				x++
				lastT = t
				total += gammaRand(rng, gg.P) / nu
				if rng.Float64() < p {
					break
				}
				continue
			}
			// A purchase on the first day joins the first transaction,
			// whose value the spend model leaves out.
			if day := int(t * 7); day > 0 {
				if day != lastDay {
					x++
					lastDay = day
				}
				total += gammaRand(rng, gg.P) / nu
			}
			if rng.Float64() < p {
				break
			}
		}
		if daily {
			lastT = float64(lastDay) / 7
		}
		summaries[i] = Summary{X: float64(x), TX: lastT, T: ageWeeks, N: 1}
		mean := 0.0
		if x > 0 {
			// Values are money: keep them to the cent, as an order
			// table would.
			mean = total / float64(x)
			if daily {
				mean = math.Round(mean*100) / 100
			}
		}
		spends[i] = Spend{X: float64(x), MeanValue: mean, N: 1}
	}
	return summaries, spends
}

// gammaRand draws from gamma(shape, 1) by Marsaglia and Tsang's method,
// boosting shapes below one with a uniform power.
func gammaRand(rng *rand.Rand, shape float64) float64 {
	boost := 1.0
	if shape < 1 {
		boost = math.Pow(rng.Float64(), 1/shape)
		shape++
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		z := rng.NormFloat64()
		v := 1 + c*z
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if math.Log(u) < 0.5*z*z+d-d*v+d*math.Log(v) {
			return d * v * boost
		}
	}
}

// BenchResult is what BenchFit measured.
type BenchResult struct {
	Customers   int           // customers simulated
	GroupedRows int           // distinct BG/NBD rows after grouping
	SpendRows   int           // distinct Gamma-Gamma rows after grouping
	Group       time.Duration // grouping both inputs
	FitBG       time.Duration // fitting BG/NBD on the grouped rows
	FitGG       time.Duration // fitting Gamma-Gamma on the grouped rows
	Total       time.Duration // Group + FitBG + FitGG
	BG          BGNBD
	GG          GammaGamma
}

// BenchTruth are the parameters BenchFit simulates from: the published CDNOW
// estimates, so the simulated base looks like a real one.
var BenchTruth = struct {
	BG BGNBD
	GG GammaGamma
}{
	BG: BGNBD{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426},
	GG: GammaGamma{P: 6.25, Q: 3.74, Gamma: 15.44},
}

// BenchFit simulates n customers from BenchTruth with a fixed seed, then
// times grouping their rows and fitting both models, which is the work a
// nightly prediction job does after reading the summaries from the store.
// Simulation is not timed. Because the simulated purchases are read as
// calendar days, the estimates sit a few percent from BenchTruth; the
// recovery test simulates in continuous time instead.
func BenchFit(n int, seed int64) (BenchResult, error) {
	summaries, spends := simulate(n, seed, BenchTruth.BG, BenchTruth.GG, true)
	res := BenchResult{Customers: n}
	start := time.Now()
	grouped := GroupSummaries(summaries)
	groupedSpend := GroupSpends(spends)
	res.Group = time.Since(start)
	res.GroupedRows, res.SpendRows = len(grouped), len(groupedSpend)

	start = time.Now()
	bg, err := FitBGNBD(grouped)
	if err != nil {
		return res, err
	}
	res.FitBG = time.Since(start)

	start = time.Now()
	gg, err := FitGammaGamma(groupedSpend)
	if err != nil {
		return res, err
	}
	res.FitGG = time.Since(start)
	res.Total = res.Group + res.FitBG + res.FitGG
	res.BG, res.GG = bg, gg
	return res, nil
}
