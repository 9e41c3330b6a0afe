// Command outboxbench prints the send path's benchmark lines for `make
// bench`: go run ./internal/outbox/outboxbench/cmd/outboxbench [-pg URL]
// [-n 1000000] [-delayed 200000]. It exits 1 when a target is missed.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"nudge/internal/outbox/outboxbench"
)

func main() {
	pg := flag.String("pg", os.Getenv("NUDGE_TEST_POSTGRES"), "PostgreSQL URL (a fresh schema is made and dropped); empty skips PostgreSQL")
	n := flag.Int("n", 1_000_000, "messages per run without delay")
	delayed := flag.Int("delayed", 200_000, "messages per run with 50 ms added to each submit_sm_resp")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rs, err := outboxbench.Suite(ctx, *pg, *n, *delayed, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "outboxbench:", err)
		os.Exit(1)
	}
	if miss := outboxbench.Targets(rs); len(miss) > 0 {
		for _, m := range miss {
			fmt.Fprintln(os.Stderr, "missed:", m)
		}
		os.Exit(1)
	}
}
