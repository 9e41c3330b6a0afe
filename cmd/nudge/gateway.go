package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"nudge/internal/app"
	"nudge/internal/gateway"
	"nudge/internal/outbox"
)

// gatewayConfig opens the app and the gateway configuration store.
func gatewayConfig(ctx context.Context, e *env, name string, nargs int, usage string) (*app.App, *gateway.Store, *gateway.Registry, []string, error) {
	fs := newFlags(name, e)
	a, err := openApp(ctx, e, fs)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if fs.NArg() != nargs {
		a.Close()
		return nil, nil, nil, nil, &exitError{code: 2, err: fmt.Errorf("usage: nudge %s", usage)}
	}
	reg, err := gateway.NewRegistry(app.GatewayKinds()...)
	if err != nil {
		a.Close()
		return nil, nil, nil, nil, err
	}
	return a, gateway.NewStore(a.DB, a.Keys, a.Clock), reg, fs.Args(), nil
}

// runGatewayAdd is `nudge gateway add NAME URL`: the URL is checked
// without connecting, sealed and stored; running servers pick it up within
// seconds.
func runGatewayAdd(ctx context.Context, e *env) error {
	return writeGateway(ctx, e, "add", "gateway add NAME URL (smpp://, smpps://, http(s)://, sim://)", "added", (*gateway.Store).Add)
}

// runGatewaySet is `nudge gateway set NAME URL`: replace a gateway's URL.
func runGatewaySet(ctx context.Context, e *env) error {
	return writeGateway(ctx, e, "set", "gateway set NAME URL", "changed", (*gateway.Store).Update)
}

// writeGateway checks NAME URL and writes it with write.
func writeGateway(ctx context.Context, e *env, verb, usage, done string, write func(*gateway.Store, context.Context, gateway.Config) error) error {
	a, st, reg, args, err := gatewayConfig(ctx, e, "gateway "+verb, 2, usage)
	if err != nil {
		return err
	}
	defer a.Close()
	cfg, err := reg.Check(args[0], args[1])
	if err != nil {
		return err
	}
	if err := write(st, ctx, cfg); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "gateway %s %s: %s\n", cfg.Name, done, cfg.Redacted())
	return nil
}

// runGatewayRemove is `nudge gateway remove NAME`. Messages queued for it
// are routed to another gateway by the dispatcher.
func runGatewayRemove(ctx context.Context, e *env) error {
	a, st, _, args, err := gatewayConfig(ctx, e, "gateway remove", 1, "gateway remove NAME")
	if err != nil {
		return err
	}
	defer a.Close()
	if err := st.Remove(ctx, args[0]); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "gateway %s removed\n", args[0])
	return nil
}

// gatewayRow is one gateway as `nudge gateway list` shows it.
type gatewayRow struct {
	Name    string              `json:"name"`
	Kind    string              `json:"kind"`
	URL     string              `json:"url"` // secrets redacted
	Enabled bool                `json:"enabled"`
	State   string              `json:"state"`
	Problem string              `json:"problem,omitempty"`
	Routes  string              `json:"routes"`
	Lines   []outbox.LineStatus `json:"dispatchers,omitempty"`
}

// runGatewayList is `nudge gateway list [--json]`: every gateway with its
// state as the running dispatchers last reported it.
func runGatewayList(ctx context.Context, e *env) error {
	fs := newFlags("gateway list", e)
	asJSON := fs.Bool("json", false, "print JSON")
	a, err := openApp(ctx, e, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	reg, err := gateway.NewRegistry(app.GatewayKinds()...)
	if err != nil {
		return err
	}
	recs, err := gateway.NewStore(a.DB, a.Keys, a.Clock).List(ctx)
	if err != nil {
		return err
	}
	statuses, err := outbox.GatewayStatuses(ctx, a.DB, a.Clock.Now(), 15*time.Second)
	if err != nil {
		return err
	}
	rows := make([]gatewayRow, 0, len(recs))
	for _, r := range recs {
		row := gatewayRow{Name: r.Name, Kind: reg.KindOf(r.Scheme), URL: gateway.RedactURL(r.URL), Enabled: r.Enabled}
		cfg, err := reg.Check(r.Name, r.URL)
		if err != nil {
			row.Problem = err.Error()
		}
		row.Routes = routesText(cfg)
		for _, s := range statuses {
			if s.Gateway == r.Name {
				row.Lines = append(row.Lines, s)
			}
		}
		row.State = stateText(r.Enabled, row.Lines)
		rows = append(rows, row)
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	if len(rows) == 0 {
		fmt.Fprintln(e.stdout, "no gateway configured; try: nudge gateway add sim sim://")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tSTATE\tROUTES\tURL")
	for _, r := range rows {
		state := r.State
		if r.Problem != "" {
			state = "misconfigured: " + r.Problem
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Name, r.Kind, state, r.Routes, r.URL)
	}
	return tw.Flush()
}

// stateText sums up the dispatchers' reports of one gateway.
func stateText(enabled bool, lines []outbox.LineStatus) string {
	if !enabled {
		return "disabled"
	}
	if len(lines) == 0 {
		return "not running (no dispatcher: start nudge serve)"
	}
	var parts []string
	for _, l := range lines {
		s := "down"
		if l.Up {
			s = "up"
		}
		if l.Binds > 0 {
			s += fmt.Sprintf(", %d binds", l.Binds)
		}
		s += fmt.Sprintf(", %d/%d in flight, %.0f/s, %d sent, %d errors", l.InFlight, l.Window, l.Rate, l.Submitted, l.Errors)
		if !l.Up && l.Detail != "" {
			s += " (" + l.Detail + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// routesText writes what a gateway serves and what it costs.
func routesText(c gateway.Config) string {
	var p []string
	if len(c.Carriers) > 0 {
		p = append(p, "carriers="+strings.Join(c.Carriers, ","))
	}
	if len(c.Prefixes) > 0 {
		p = append(p, "prefixes="+strings.Join(c.Prefixes, ","))
	}
	if len(c.Categories) > 0 {
		p = append(p, "categories="+strings.Join(c.Categories, ","))
	}
	if len(p) == 0 {
		p = append(p, "all")
	}
	p = append(p, fmt.Sprintf("priority=%d", c.Priority))
	if c.Price > 0 {
		p = append(p, "price="+gateway.FormatMilliFen(c.Price))
	}
	if c.Rate > 0 {
		p = append(p, fmt.Sprintf("rate=%g", c.Rate))
	}
	p = append(p, fmt.Sprintf("window=%d", c.Window))
	return strings.Join(p, " ")
}

// runGatewayLog is `nudge gateway log NAME [-n 50] [--errors] [--detail]
// [--follow]`: the interaction log, oldest first, numbers masked and
// secrets redacted.
func runGatewayLog(ctx context.Context, e *env) error {
	fs := newFlags("gateway log", e)
	n := fs.Int("n", 50, "how many of the newest exchanges")
	failed := fs.Bool("errors", false, "only failed exchanges")
	detail := fs.Bool("detail", false, "also print the bytes (PDU hex, HTTP bodies)")
	follow := fs.Bool("follow", false, "keep printing new exchanges until interrupted")
	a, err := openApp(ctx, e, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	if fs.NArg() != 1 {
		return &exitError{code: 2, err: errors.New("usage: nudge gateway log [-n 50] [--errors] [--detail] [--follow] NAME")}
	}
	name := fs.Arg(0)
	loc := a.Customers.Location()
	entries, err := gateway.ReadLog(ctx, a.DB, name, 0, *n, *failed)
	if err != nil {
		return err
	}
	var last int64
	print := func(es []gateway.LogEntry) {
		for _, x := range es {
			mark := " "
			if x.Failed {
				mark = "!"
			}
			fmt.Fprintf(e.stdout, "%s %s %-3s %-5s %s\n", x.At.In(loc).Format("2006-01-02 15:04:05.000"), mark, x.Direction, x.Kind, x.Summary)
			if *detail && x.Detail != "" {
				fmt.Fprintf(e.stdout, "    %s\n", x.Detail)
			}
			last = max(last, x.ID)
		}
	}
	if len(entries) == 0 && !*follow {
		fmt.Fprintf(e.stdout, "no exchanges logged for gateway %s\n", name)
		return nil
	}
	print(entries)
	for *follow {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
		es, err := gateway.ReadLog(ctx, a.DB, name, last, 1000, *failed)
		if err != nil {
			return err
		}
		print(es)
	}
	return nil
}

// sortedKeys returns a map's keys in order, for stable output.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
