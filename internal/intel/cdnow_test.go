package intel_test

import (
	"context"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"nudge/internal/customer"
	"nudge/internal/predict/cdnow"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

// importCDNOW writes CDNOW_sample.txt into a real store (see
// cdnow.Import) and returns the customer store.
func importCDNOW(t *testing.T, db *store.DB) *customer.Store {
	t.Helper()
	cs := newCustomers(t, db)
	if n := cdnow.Import(t, context.Background(), cs); n != 6919 {
		t.Fatalf("%d CDNOW orders written, want 6919", n)
	}
	return cs
}

func within(got, want, rel float64) bool { return math.Abs(got-want) <= rel*math.Abs(want) }

// TestCDNOWFitFromStore is the validation the issue asks for: the
// published BG/NBD and Gamma-Gamma estimates (Fader, Hardie & Lee 2005)
// reproduced from orders stored in each dialect, streamed by Service.Fit.
func TestCDNOWFitFromStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cs := importCDNOW(t, db)
		svc := newService(t, db, cs.Location())
		fit, err := svc.Fit(ctx, time.Date(1997, 9, 30, 0, 0, 0, 0, cs.Location()))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d customers, %d BG/NBD rows, %d spend rows; r=%.4f alpha=%.4f a=%.4f b=%.4f loglik=%.3f; p=%.4f q=%.4f gamma=%.4f; read %v fit %v",
			fit.Customers, fit.Rows, fit.SpendRows, fit.BG.R, fit.BG.Alpha, fit.BG.A, fit.BG.B, fit.BG.LogLik,
			fit.GG.P, fit.GG.Q, fit.GG.Gamma, fit.Read, fit.Fitting)
		if fit.Customers != 2357 || fit.Rows >= 2357 {
			t.Errorf("customers %d, grouped rows %d", fit.Customers, fit.Rows)
		}
		for _, c := range []struct {
			name      string
			got, want float64
		}{
			{"r", fit.BG.R, 0.243}, {"alpha", fit.BG.Alpha, 4.414}, {"a", fit.BG.A, 0.793}, {"b", fit.BG.B, 2.426},
			{"p", fit.GG.P, 6.25}, {"q", fit.GG.Q, 3.74}, {"gamma", fit.GG.Gamma, 15.44},
		} {
			if !within(c.got, c.want, 0.01) {
				t.Errorf("%s = %.4f, want %v within 1%%", c.name, c.got, c.want)
			}
		}
		if math.Abs(fit.BG.LogLik - -9582.4) > 0.5 {
			t.Errorf("loglik = %.3f, want -9582.4 within 0.5", fit.BG.LogLik)
		}
		if fit.GGErr != nil {
			t.Errorf("spend model: %v", fit.GGErr)
		}
	})
}

// TestCDNOWRefresh stores predictions as of the calibration end and checks
// them against the published per-customer summaries and the models.
func TestCDNOWRefresh(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cs := importCDNOW(t, db)
		svc := newService(t, db, cs.Location())
		rep, err := svc.RefreshAsOf(ctx, time.Date(1997, 9, 30, 0, 0, 0, 0, cs.Location()))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Customers != 2357 || rep.FitErr != "" || rep.AsOf != "1997-09-30" || rep.Categories != 1 {
			t.Fatalf("report %+v", rep)
		}
		stored, err := svc.StoredFit(ctx)
		if err != nil || stored.BG != rep.Fit.BG || stored.Customers != 2357 {
			t.Fatalf("stored fit %+v %v", stored, err)
		}
		// Re-fitting from the stored histories gives the same models.
		again, err := svc.FitStored(ctx)
		if err != nil || again.Customers != 2357 || again.Rows != rep.Fit.Rows ||
			!within(again.BG.R, rep.Fit.BG.R, 1e-6) || !within(again.BG.B, rep.Fit.BG.B, 1e-6) ||
			!within(again.GG.Gamma, rep.Fit.GG.Gamma, 1e-6) || again.CalibrationEnd.Format(time.DateOnly) != "1997-09-30" {
			t.Errorf("stored fit %+v (%v), refresh fit %+v", again, err, rep.Fit)
		}
		f, err := os.Open(filepath.Join(cdnow.Dir(t), "cdnow_customers_summary_with_transactions.csv"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		recs, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs[1:] {
			var v [4]float64
			for i := range v {
				v[i], _ = strconv.ParseFloat(rec[i+1], 64)
			}
			c, err := cs.GetByExternalID(ctx, "cd"+rec[0])
			if err != nil {
				t.Fatal(err)
			}
			p, err := svc.PredictionOf(ctx, c.ID)
			if err != nil {
				t.Fatalf("cd%s: %v", rec[0], err)
			}
			// The file has two decimals, and zbar there is in dollars.
			if float64(p.X) != v[0] || math.Abs(p.TX-v[1]) > 0.0051 || math.Abs(p.T-v[2]) > 0.0051 || math.Abs(p.MeanValue/100-v[3]) > 0.0051 {
				t.Fatalf("cd%s: stored %+v, published %v", rec[0], p, v)
			}
			bg := stored.BG
			if p.ProbAlive == nil || math.Abs(*p.ProbAlive-bg.ProbAlive(float64(p.X), p.TX, p.T)) > 1e-12 ||
				math.Abs(*p.Expected90-bg.ExpectedPurchases(90.0/7, float64(p.X), p.TX, p.T)) > 1e-12 {
				t.Fatalf("cd%s: model values %+v", rec[0], p)
			}
			if p.CLV == nil || *p.CLV < 0 {
				t.Fatalf("cd%s: clv %v", rec[0], p.CLV)
			}
		}
	})
}
