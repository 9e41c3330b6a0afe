package predict

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"nudge/internal/predict/cdnow"
)

// cdnowCustomer is one customer of the sample, keyed by the sample's own id
// (the second column, 1..2357), which the summary CSV files use.
type cdnowCustomer struct {
	summary Summary
	spend   Spend
}

// loadCDNOW summarises CDNOW_sample.txt with the Builder, streaming each
// customer's lines, which the file keeps together in date order.
func loadCDNOW(t *testing.T) map[int]cdnowCustomer {
	t.Helper()
	end := time.Date(1997, 9, 30, 0, 0, 0, 0, time.UTC)
	b := NewBuilder(end)
	out := map[int]cdnowCustomer{}
	current := -1
	flush := func() {
		if current < 0 {
			return
		}
		s, ok := b.Summary()
		if !ok {
			t.Fatalf("customer %d has no purchase in the calibration period", current)
		}
		out[current] = cdnowCustomer{summary: s, spend: b.Spend()}
		b.Reset()
	}
	for _, p := range cdnow.Purchases(t) {
		date, err := time.Parse("20060102", p.Day)
		if err != nil {
			t.Fatalf("line %d: %v", p.Line, err)
		}
		value, err := strconv.ParseFloat(p.Dollars, 64)
		if err != nil {
			t.Fatalf("line %d: %v", p.Line, err)
		}
		if p.Customer != current {
			flush()
			if _, seen := out[p.Customer]; seen {
				t.Fatalf("line %d: customer %d is not contiguous", p.Line, p.Customer)
			}
			current = p.Customer
		}
		if err := b.Add(date, value); err != nil {
			t.Fatalf("line %d: %v", p.Line, err)
		}
	}
	flush()
	return out
}

func within(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Abs(want)
}

// TestCDNOWSummaries checks the summarisation against the published
// per-customer file, which rounds to two decimals.
func TestCDNOWSummaries(t *testing.T) {
	dir := cdnow.Dir(t)
	customers := loadCDNOW(t)
	if len(customers) != 2357 {
		t.Fatalf("got %d customers, want 2357", len(customers))
	}
	f, err := os.Open(filepath.Join(dir, "cdnow_customers_summary_with_transactions.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 2358 {
		t.Fatalf("summary file has %d records, want 2358", len(records))
	}
	// The file was written with two decimals; half a unit in the last
	// place, plus room for binary rounding, is the most it can differ.
	const tol = 0.005 + 1e-9
	for _, rec := range records[1:] {
		id, _ := strconv.Atoi(rec[0])
		var want [4]float64
		for i := range want {
			want[i], err = strconv.ParseFloat(rec[i+1], 64)
			if err != nil {
				t.Fatalf("id %d: %v", id, err)
			}
		}
		c, ok := customers[id]
		if !ok {
			t.Fatalf("id %d missing from the summarised sample", id)
		}
		s := c.summary
		if s.X != want[0] || math.Abs(s.TX-want[1]) > tol || math.Abs(s.T-want[2]) > tol ||
			math.Abs(c.spend.MeanValue-want[3]) > tol {
			t.Errorf("id %d: got x=%v tx=%.4f T=%.4f zbar=%.4f, want %v", id, s.X, s.TX, s.T, c.spend.MeanValue, want)
		}
	}
}

// TestCDNOWFit reproduces the published BG/NBD and Gamma-Gamma estimates.
func TestCDNOWFit(t *testing.T) {
	customers := loadCDNOW(t)
	summaries := make([]Summary, 0, len(customers))
	spends := make([]Spend, 0, len(customers))
	for _, c := range customers {
		summaries = append(summaries, c.summary)
		spends = append(spends, c.spend)
	}
	grouped := GroupSummaries(summaries)
	if len(grouped) >= len(summaries) {
		t.Errorf("grouping did not merge any rows: %d of %d", len(grouped), len(summaries))
	}
	bg, err := FitBGNBD(grouped)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("BG/NBD: r=%.4f alpha=%.4f a=%.4f b=%.4f loglik=%.3f", bg.R, bg.Alpha, bg.A, bg.B, bg.LogLik)
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"r", bg.R, 0.243}, {"alpha", bg.Alpha, 4.414}, {"a", bg.A, 0.793}, {"b", bg.B, 2.426}} {
		if !within(c.got, c.want, 0.01) {
			t.Errorf("%s = %.4f, want %.3f within 1%%", c.name, c.got, c.want)
		}
	}
	if math.Abs(bg.LogLik - -9582.4) > 0.5 {
		t.Errorf("loglik = %.3f, want -9582.4 within 0.5", bg.LogLik)
	}
	// Grouped and ungrouped rows are the same likelihood.
	if ll := bg.LogLikelihood(summaries); math.Abs(ll-bg.LogLik) > 1e-6 {
		t.Errorf("ungrouped loglik %.6f differs from the fit's %.6f", ll, bg.LogLik)
	}

	gg, err := FitGammaGamma(spends)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Gamma-Gamma: p=%.4f q=%.4f gamma=%.4f loglik=%.3f", gg.P, gg.Q, gg.Gamma, gg.LogLik)
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"p", gg.P, 6.25}, {"q", gg.Q, 3.74}, {"gamma", gg.Gamma, 15.44}} {
		if !within(c.got, c.want, 0.01) {
			t.Errorf("%s = %.4f, want %.2f within 1%%", c.name, c.got, c.want)
		}
	}
}
