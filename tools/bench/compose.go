package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"time"

	"nudge/internal/compose"
	"nudge/internal/policy"
)

// The compose figures (the issue's "render + policy decision for 1,000,000
// recipients: >= 200,000 per second on one core"): compose.BenchRenderDecide
// for the send path's inner loop, beside two references measured in the
// same run, each in a child with GOMAXPROCS=1: the decision alone
// (policy.BenchDecide), and a bare loop that only copies the template text
// into a reused buffer per recipient, the least any render can cost.

func caseCompose(ctx context.Context, a caseArgs) (result, error) {
	b, err := compose.BenchRenderDecide(a.recipients)
	if err != nil {
		return result{}, err
	}
	return result{Rows: int64(b.Recipients), Seconds: float64(b.Recipients) / b.PerSecond, Extra: map[string]float64{
		"render_ns": b.RenderNs, "decide_ns": b.DecideNs,
		"allocs_render": b.AllocsPerRender, "allocs_decision": b.AllocsPerDecision,
		"segments": float64(b.Segments),
		"allow":    float64(b.Verdicts[0]), "defer": float64(b.Verdicts[1]), "suppress": float64(b.Verdicts[2]),
	}}, nil
}

func caseComposeDecide(ctx context.Context, a caseArgs) (result, error) {
	b, err := policy.BenchDecide(a.recipients)
	if err != nil {
		return result{}, err
	}
	return result{Rows: int64(b.Recipients), Seconds: float64(b.Recipients) / b.PerSecond,
		Extra: map[string]float64{"allocs_decision": b.AllocsPerDecision}}, nil
}

// copySink keeps the compiler from dropping the reference's copies.
var copySink int

func caseComposeCopy(ctx context.Context, a caseArgs) (result, error) {
	runtime.GC()
	buf := make([]byte, 0, 256)
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	start := time.Now()
	for range a.recipients {
		buf = append(buf[:0], compose.BenchTemplate...)
		copySink += len(buf)
	}
	d := time.Since(start)
	runtime.ReadMemStats(&m1)
	return result{Rows: int64(a.recipients), Seconds: d.Seconds(),
		Extra: map[string]float64{"allocs": float64(m1.Mallocs-m0.Mallocs) / float64(max(1, a.recipients))}}, nil
}

func composeFigures(ctx context.Context, a caseArgs, t *table) error {
	run := func(name string) (result, error) {
		fmt.Fprintf(os.Stderr, "compose: %s, %d recipients on one core...\n", name, a.recipients)
		return childEnv(ctx, a, name, "", "GOMAXPROCS=1")
	}
	rd, err := run("compose")
	if err != nil {
		return err
	}
	dec, err := run("compose-decide")
	if err != nil {
		return err
	}
	cp, err := run("compose-copy")
	if err != nil {
		return err
	}
	x := rd.Extra
	perSec := func(r result) string { return fmt.Sprintf("%.0f recipients/s", r.rate()) }
	t.section(fmt.Sprintf("Compose: render + policy decision for %d in-memory recipients, one core (GOMAXPROCS=1)", a.recipients))
	t.row(fmt.Sprintf("render + decision (compose.BenchRenderDecide; allow %.0f, defer %.0f, suppress %.0f; %.0f segments)", x["allow"], x["defer"], x["suppress"], x["segments"]),
		perSec(rd), "decision alone (policy.BenchDecide): "+perSec(dec), ratio(rd, dec), ">= 200,000 recipients/s", rss(rd))
	refNs := 1e9 / cp.rate()
	t.row("render step alone, per recipient (Renderer.Render, no lint)", fmt.Sprintf("%.0f ns", x["render_ns"]),
		fmt.Sprintf("bare copy of the template text: %.0f ns (%s)", refNs, perSec(cp)), fmt.Sprintf("%.0fx", x["render_ns"]/refNs), "", "")
	t.row("decision step alone, per recipient (policy.Evaluate)", fmt.Sprintf("%.0f ns", x["decide_ns"]),
		fmt.Sprintf("policy.BenchDecide: %.0f ns", 1e9/dec.rate()), fmt.Sprintf("%.1fx", x["decide_ns"]*dec.rate()/1e9), "", "")
	t.row("allocations per render", fmt.Sprintf("%.2f", x["allocs_render"]), fmt.Sprintf("bare copy: %.2f", cp.Extra["allocs"]), "", "1 (the message text)", "")
	t.row("allocations per decision", fmt.Sprintf("%.2f", x["allocs_decision"]), fmt.Sprintf("policy.BenchDecide: %.2f", dec.Extra["allocs_decision"]), "", "0", "")
	return nil
}
