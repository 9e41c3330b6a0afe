package main

import (
	"context"
	"fmt"

	"nudge/internal/app"
)

// runServe is `nudge serve`: open the store (applying pending migrations),
// then serve the console, the API, /healthz and /metrics until SIGTERM or
// SIGINT, letting requests in flight finish.
func runServe(ctx context.Context, e *env) error {
	cfg := app.DefaultConfig()
	fs := newFlags("serve", e)
	cfg.Flags(fs)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address HOST:PORT [NUDGE_ADDR]")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", cfg.ShutdownTimeout, "how long to wait for requests in flight on SIGTERM")
	if err := fs.Parse(e.args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	a, err := app.Open(ctx, cfg, e.log)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Serve(ctx, cfg.Addr, func(url string) {
		e.log.Info("nudge is serving", "component", "http", "url", url, "store", a.DB.Location)
		fmt.Fprintf(e.stdout, "nudge is serving on %s (console %s/, API %s/api/v1, docs %s/api/openapi.json)\n", url, url, url, url)
	})
}
