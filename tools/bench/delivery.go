package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"nudge/internal/outbox/outboxbench"
)

// The delivery figures: queued messages through the dispatcher and the SMPP
// client to outboxbench's counting SMSC over loopback (one bind, window
// 256), in SQLite and in PostgreSQL, then again with 50 ms added to every
// submit_sm_resp. Each run is a child of its own, so that its peak RSS is
// its own (SMSC and its counters included, except in the delayed runs,
// whose SMSC is a process apart); each also measures the SMSC's ceiling
// with a bare pipelined client, the reference.

// rttDelay is what the RTT runs add to every submit_sm_resp.
const rttDelay = 50 * time.Millisecond

func caseDelivery(ctx context.Context, a caseArgs) (result, error) {
	return deliver(ctx, a.dsn, a.messages, 0)
}

func caseDeliveryRTT(ctx context.Context, a caseArgs) (result, error) {
	return deliver(ctx, a.dsn, a.delayedMessages(), rttDelay)
}

func (a caseArgs) delayedMessages() int {
	if a.delayed > 0 {
		return a.delayed
	}
	return max(1, a.messages/5)
}

func deliver(ctx context.Context, db string, n int, delay time.Duration) (result, error) {
	self, err := os.Executable()
	if err != nil {
		return result{}, err
	}
	opt := outboxbench.Options{DB: db, Messages: n, Delay: delay, Progress: os.Stderr}
	if delay > 0 {
		// With a delay the SMSC runs in a process of its own, as a
		// carrier's does: in this one its readers and its 50 ms timers
		// would take the Go scheduler's two processors from the
		// dispatcher and, with SQLite, from the store engine, and every
		// late wake-up would lengthen the round trip being hidden.
		// Without a delay it stays here: what is measured is throughput,
		// and between two processes on two cores every exchange would
		// also pay for a switch between them.
		opt.SMSC = func(n int, delay time.Duration) (outboxbench.SMSC, error) {
			cmd := exec.CommandContext(ctx, self, "-case", "smsc", "-messages", strconv.Itoa(n), "-smsc-delay", delay.String())
			cmd.Stderr = os.Stderr
			return outboxbench.Spawn(cmd)
		}
	}
	r, err := outboxbench.Run(ctx, opt)
	if err != nil {
		return result{}, err
	}
	once := 0.0
	if r.Once {
		once = 1
	}
	return result{Rows: int64(r.Messages), Seconds: r.Elapsed.Seconds(), Note: r.Problems, Extra: map[string]float64{
		"window": float64(r.Window), "delay_s": r.Delay.Seconds(), "enqueue": r.Enqueue, "rate": r.Rate, "steady": r.Steady,
		"ceiling": r.Ceiling, "target": r.Target, "rss": r.PeakRSSMB, "once": once,
	}}, nil
}

// outboxResult rebuilds the figures outboxbench.Targets checks.
func outboxResult(label string, r result) outboxbench.Result {
	x := r.Extra
	return outboxbench.Result{Dialect: label, Messages: int(r.Rows), Window: int(x["window"]),
		Delay: time.Duration(x["delay_s"] * float64(time.Second)), Enqueue: x["enqueue"], Rate: x["rate"], Steady: x["steady"],
		Elapsed: time.Duration(r.Seconds * float64(time.Second)), Ceiling: x["ceiling"], Target: x["target"],
		PeakRSSMB: max(x["rss"], r.MaxRSSMB), Once: x["once"] == 1, Problems: r.Note}
}

func deliveryFigures(ctx context.Context, a caseArgs, t *table, stores []struct{ label, dsn string }) error {
	type run struct {
		label string
		r     result
	}
	var plain, rtt []run
	for _, delayed := range []bool{false, true} {
		for _, s := range stores {
			db, name, n := s.dsn, "delivery", a.messages
			if s.label == "SQLite" {
				db = "sqlite" // outboxbench makes a fresh file of its own
			}
			if delayed {
				name, n = "delivery-rtt", a.delayedMessages()
			}
			fmt.Fprintf(os.Stderr, "%s: %s, %d messages...\n", s.label, name, n)
			r, err := child(ctx, a, name, db)
			if err != nil {
				return err
			}
			if delayed {
				rtt = append(rtt, run{s.label, r})
			} else {
				plain = append(plain, run{s.label, r})
			}
		}
	}
	per := func(v float64) string { return fmt.Sprintf("%.0f submit_sm/s", v) }
	t.section(fmt.Sprintf("Delivery: %d queued messages to a local SMSC over loopback (one bind, window 256); %d with %s added to every submit_sm_resp",
		a.messages, a.delayedMessages(), rttDelay))
	if len(plain) > 0 {
		c := plain[0].r.Extra["ceiling"]
		t.row(fmt.Sprintf("SMSC ceiling: bare pipelined client, no delay (measured after the %s run)", plain[0].label), per(c),
			"", fmt.Sprintf("%.1fx the 10,000 target", c/10000), "well above every figure below", "")
	}
	var all []outboxbench.Result
	for _, p := range plain {
		x := p.r.Extra
		t.row(fmt.Sprintf("%s: submit_sm/s, steady (10%%-90%%); overall %.0f/s in %.0f s; enqueue %.0f/s", p.label, x["rate"], p.r.Seconds, x["enqueue"]),
			per(x["steady"]), "SMSC ceiling: "+per(x["ceiling"]), fmt.Sprintf("%.0f%%", 100*x["steady"]/x["ceiling"]), ">= 10,000 submit_sm/s", rss(p.r))
		all = append(all, outboxResult(p.label, p.r))
	}
	for _, p := range rtt {
		x := p.r.Extra
		// The SMSC answers a little after the delay, so its own ceiling at
		// that delay is shown too: the part of the gap that is not nudge's.
		t.row(fmt.Sprintf("%s: with %s per submit_sm_resp (the SMSC in a process of its own), steady submit_sm/s", p.label, rttDelay),
			per(x["steady"]), fmt.Sprintf("window/RTT: %.0f/s (the SMSC's own ceiling at that delay: %.0f/s)", x["target"], x["ceiling"]),
			fmt.Sprintf("%.1f%% (%.1f%% of the SMSC's)", 100*x["steady"]/x["target"], 100*x["steady"]/x["ceiling"]), ">= 95% of window/RTT", rss(p.r))
		all = append(all, outboxResult(p.label, p.r))
	}
	for _, p := range append(plain, rtt...) {
		x := p.r.Extra
		what := "each submitted exactly once"
		if x["once"] != 1 {
			what = "NOT exactly once: " + p.r.Note
		}
		delay := ""
		if x["delay_s"] > 0 {
			delay = fmt.Sprintf(" (%s delay)", rttDelay)
		}
		t.row(fmt.Sprintf("%s%s: the SMSC's counts", p.label, delay), fmt.Sprintf("%d messages, %s", p.r.Rows, what),
			fmt.Sprintf("%d queued", p.r.Rows), "", "every message exactly once", "")
	}
	for _, p := range append(plain, rtt...) {
		delay := ""
		if p.r.Extra["delay_s"] > 0 {
			delay = fmt.Sprintf(" (%s delay)", rttDelay)
		}
		what := "dispatcher, store driver, SMSC and its counters"
		if delay != "" {
			what = "dispatcher and store driver; the SMSC is a process apart"
		}
		t.row(fmt.Sprintf("%s%s: peak RSS of the run (%s)", p.label, delay, what),
			rss(p.r), fmt.Sprintf("VmHWM at the end: %.0f MB", p.r.Extra["rss"]), "", "<= 300 MB", "")
	}
	miss := outboxbench.Targets(all)
	verdict := "all met"
	if len(miss) > 0 {
		verdict = "missed: " + strings.Join(miss, "; ")
	}
	t.row("targets (outboxbench.Targets)", verdict, "", "", "", "")
	return nil
}
