// Command linkbench runs the short-link redirect benchmark
// (internal/link/linkbench) and prints its figures, as text or JSON.
//
//	go run ./internal/link/linkbench/cmd [-d 10s] [-c 32] [-sync] [-json]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"nudge/internal/link/linkbench"
)

func main() {
	var o linkbench.Options
	flag.DurationVar(&o.Duration, "d", 0, "duration of each measured run (default 5s)")
	flag.IntVar(&o.Rounds, "rounds", 0, "alternating rounds, best of each kept (default 3)")
	flag.IntVar(&o.Connections, "c", 0, "wrk connections (default 32)")
	flag.IntVar(&o.Threads, "t", 0, "wrk threads (default 1)")
	flag.StringVar(&o.DB, "db", "", "store (default: a fresh SQLite file)")
	flag.BoolVar(&o.Synchronous, "sync", false, "also measure synchronous single-row click inserts")
	flag.IntVar(&o.Batch, "batch", 0, "click writer batch (default: the link package's)")
	flag.DurationVar(&o.Linger, "linger", 0, "click writer linger (default: the link package's)")
	asJSON := flag.Bool("json", false, "print JSON")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := linkbench.Run(ctx, o)
	if *asJSON {
		json.NewEncoder(os.Stdout).Encode(res)
	} else {
		fmt.Println(res)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "linkbench:", err)
		os.Exit(1)
	}
}
