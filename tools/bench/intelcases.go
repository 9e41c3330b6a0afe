package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"nudge/internal/demo"
	"nudge/internal/ingest"
	"nudge/internal/intel"
)

// The intelligence figures (issue 3) need a store of a million customers and
// ten million order lines. build-intel streams the demo generator straight
// into the importer (no file: ten million lines are most of a gigabyte);
// intel then times RFM, segment counts, a prediction refresh and the fits.

func caseBuildIntel(ctx context.Context, a caseArgs) (result, error) {
	cs, db, err := openCustomers(ctx, a.dsn)
	if err != nil {
		return result{}, err
	}
	defer db.Close()
	opt := demo.Options{Seed: 1, Customers: a.customers, Now: benchNow}
	start := time.Now()
	var rows int64
	for _, k := range []struct {
		kind  ingest.Kind
		write func(io.Writer, demo.Options) (int, error)
		limit int
	}{
		{ingest.Products, demo.WriteProducts, 0},
		{ingest.Customers, demo.WriteCustomers, 0},
		{ingest.Orders, demo.WriteOrders, a.intelLines},
	} {
		pr, pw := io.Pipe()
		go func() {
			var w io.Writer = pw
			var lw *lineLimit
			if k.limit > 0 {
				lw = &lineLimit{w: nil, max: k.limit + 1}
				w = &pipeLimit{pw: pw, lim: lw}
			}
			_, err := k.write(w, opt)
			if err == errEnough {
				err = nil
			}
			pw.CloseWithError(err)
		}()
		sum, err := ingest.Import(ctx, cs, pr, ingest.Options{Kind: k.kind, Format: "csv", Name: "bench " + string(k.kind), RejectsPath: os.DevNull, Indexes: ingest.IndexesDefer})
		pr.Close()
		if err != nil {
			return result{}, err
		}
		if sum.Rejected > 0 {
			return result{}, fmt.Errorf("%s: %d rows rejected", k.kind, sum.Rejected)
		}
		rows += int64(sum.Rows)
		fmt.Fprintf(os.Stderr, "  %s\n", sum)
	}
	if err := intel.PrepareBench(ctx, db); err != nil {
		return result{}, err
	}
	return result{Rows: rows, Seconds: time.Since(start).Seconds()}, nil
}

// pipeLimit writes whole lines into a pipe until the limit is reached.
type pipeLimit struct {
	pw  *io.PipeWriter
	lim *lineLimit
}

func (p *pipeLimit) Write(b []byte) (int, error) {
	for i, c := range b {
		if c == '\n' {
			p.lim.lines++
			if p.lim.lines == p.lim.max {
				p.pw.Write(b[:i+1])
				return i + 1, errEnough
			}
		}
	}
	return p.pw.Write(b)
}

func caseIntel(ctx context.Context, a caseArgs) (result, error) {
	cs, db, err := openCustomers(ctx, a.dsn)
	if err != nil {
		return result{}, err
	}
	defer db.Close()
	loc := cs.Location()
	var lines int64
	if _, l, err := cs.Counts(ctx); err == nil {
		lines = l
	}
	ex := map[string]float64{"lines": float64(lines)}
	rfm, rep, err := intel.BenchRFM(ctx, db, loc, benchNow)
	if err != nil {
		return result{}, fmt.Errorf("rfm: %w", err)
	}
	ex["rfm_s"] = rfm.Seconds()
	ex["rfm_scored"] = float64(rep.Scored)
	counts, err := intel.BenchSegmentCount(ctx, db, loc, benchNow)
	if err != nil {
		return result{}, err
	}
	for i, c := range counts {
		ex[fmt.Sprintf("count%d_ms", i)] = float64(c.Took.Microseconds()) / 1000
	}
	refresh, _, err := intel.BenchRefresh(ctx, db, loc, benchNow)
	if err != nil {
		return result{}, fmt.Errorf("refresh: %w", err)
	}
	ex["refresh_s"] = refresh.Seconds()
	fit, err := intel.BenchFit(ctx, db, loc, benchNow)
	if err != nil {
		return result{}, err
	}
	ex["fit_stored_s"] = fit.Stored.Seconds()
	ex["fit_streamed_s"] = fit.Streamed.Seconds()
	n, _ := cs.Count(ctx)
	return result{Rows: n, Extra: ex}, nil
}

func intelFigures(ctx context.Context, a caseArgs, t *table, label, dsn string) error {
	fresh, cleanup, err := freshStore(ctx, label, dsn)
	if err != nil {
		return err
	}
	defer cleanup()
	fmt.Fprintf(os.Stderr, "%s: building the intelligence store (%d customers, %d order lines)...\n", label, a.customers, a.intelLines)
	build, err := child(ctx, a, "build-intel", fresh)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s: RFM, segment counts, refresh, fits...\n", label)
	r, err := child(ctx, a, "intel", fresh)
	if err != nil {
		return err
	}
	x := r.Extra
	ms := func(v float64) string { return fmt.Sprintf("%.0f ms", v) }
	s := func(v float64) string { return fmt.Sprintf("%.1f s", v) }
	t.row(label+": build the store through the importer", fmt.Sprintf("%.0f rows/s (%s)", build.rate(), s(build.Seconds)), "", "", "", rss(build))
	t.row(fmt.Sprintf("%s: RFM scores and groups, %d customers (%.0f scored), %.0f lines", label, r.Rows, x["rfm_scored"], x["lines"]), s(x["rfm_s"]), "", "", "<= 15 s", rss(r))
	for i, rule := range intel.BenchSegmentRules {
		t.row(fmt.Sprintf("%s: three-condition segment count (%s)", label, rule.Name), ms(x[fmt.Sprintf("count%d_ms", i)]), "", "", "<= 500 ms", "")
	}
	t.row(label+": BG/NBD + Gamma-Gamma fit, grouped (x, t_x, T) from stored histories", s(x["fit_stored_s"]), "", "", "<= 3 s", "")
	t.row(label+": the same fit streaming every order through one cursor", s(x["fit_streamed_s"]), "", "", "", "")
	t.row(label+": prediction refresh (cycles, habits, CLV per customer)", s(x["refresh_s"]), "", "", "", "")
	return nil
}
