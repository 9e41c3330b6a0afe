package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"nudge/internal/link/linkbench"
)

// The short-link figures: the redirect endpoint under wrk on loopback,
// beside a bare Go handler answering the same 302s from memory, run
// alternately in the same child by linkbench.Run (three rounds of 5 s
// each, best kept), with every click recorded in the store.

func caseLinks(ctx context.Context, a caseArgs) (result, error) {
	dir, err := os.MkdirTemp(a.dir, "links-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	r, err := linkbench.Run(ctx, linkbench.Options{DB: a.dsn, Dir: dir})
	if err != nil {
		return result{}, err
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return result{Rows: r.Clicks, Extra: map[string]float64{
		"ref_rps": r.Reference.RequestsPerSec, "ref_p99_ms": ms(r.Reference.P99),
		"rps": r.Redirect.RequestsPerSec, "p99_ms": ms(r.Redirect.P99),
		"ratio": r.Ratio, "handled": float64(r.Handled), "requests": float64(r.Requests), "clicks": float64(r.Clicks),
	}}, nil
}

func linkFigures(ctx context.Context, a caseArgs, t *table, stores []struct{ label, dsn string }) error {
	t.section("Short links: the redirect under wrk on loopback (32 connections, 1 thread; best of 3 rounds of 5 s)")
	for _, s := range stores {
		dsn := s.dsn
		if s.label == "SQLite" {
			dsn = "sqlite:" + filepath.Join(a.dir, "links.db")
		}
		fresh, cleanup, err := freshStore(ctx, s.label, dsn)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "%s: redirect and reference under wrk (about 40 s)...\n", s.label)
		r, err := child(ctx, a, "links", fresh)
		cleanup()
		if err != nil {
			return err
		}
		x := r.Extra
		t.row(s.label+": redirect, every click recorded (302 with Location)", fmt.Sprintf("%.0f req/s", x["rps"]),
			fmt.Sprintf("bare Go 302 from memory: %.0f req/s", x["ref_rps"]), fmt.Sprintf("%.0f%%", 100*x["ratio"]), ">= 60% of reference", rss(r))
		t.row(s.label+": redirect p99 latency", fmt.Sprintf("%.2f ms", x["p99_ms"]), fmt.Sprintf("%.2f ms", x["ref_p99_ms"]), "", "<= 10 ms", "")
		// wrk counts a request when its script makes it; the few still
		// unsent or unanswered when wrk stops never reach the handler.
		lost := "none lost"
		if d := x["handled"] - x["clicks"]; d != 0 {
			lost = fmt.Sprintf("%.0f not recorded", d)
		}
		t.row(s.label+": clicks in the store after shutdown, vs redirects answered (warm-up included)",
			fmt.Sprintf("%.0f clicks", x["clicks"]), fmt.Sprintf("%.0f answered (%.0f issued by wrk)", x["handled"], x["requests"]),
			lost, "every click recorded", "")
	}
	return nil
}
