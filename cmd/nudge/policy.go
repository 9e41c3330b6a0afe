package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"nudge/internal/app"
	"nudge/internal/customer"
	"nudge/internal/pii"
	"nudge/internal/policy"
)

// policyService builds the policy service for a command. Commands only
// read rules or write through their own transactions, so the decision log
// writer it starts has nothing to flush when the command closes it.
func policyService(ctx context.Context, a *app.App) (*policy.Policy, error) {
	return policy.New(ctx, a.DB, a.Keys, a.Clock, policy.Options{Region: a.Config.Region, Timezone: a.Config.Timezone, Log: a.Log})
}

// whyJSON is the JSON of `nudge why`: until is present only for a defer.
type whyJSON struct {
	Decision string     `json:"decision"`
	Until    *time.Time `json:"until,omitempty"`
	Reasons  []string   `json:"reasons"`
}

// runWhy implements `nudge why PHONE [--category C] [--at TIME] [--json]`:
// what the policy decides for a message to that number now (or at TIME),
// one line per rule. It explains; it records nothing.
func runWhy(ctx context.Context, e *env) error {
	const usage = "usage: nudge why PHONE [--category marketing] [--at TIME] [--gateway-window HH:MM-HH:MM] [--json]"
	fs := newFlags("why", e)
	cat := fs.String("category", "marketing", "message category (order, logistics, service, marketing, promotions, staff, ...)")
	at := fs.String("at", "", "decide at this time (RFC 3339, or 2006-01-02 15:04 in the shop's zone); default now")
	gw := fs.String("gateway-window", "", "a gateway's sending window that narrows quiet hours, HH:MM-HH:MM")
	asJSON := fs.Bool("json", false, `print {"decision":..,"until":..,"reasons":[..]}`)
	a, pos, err := openAppArgs(ctx, e, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	if len(pos) != 1 {
		return errors.New(usage)
	}
	p, err := policyService(ctx, a)
	if err != nil {
		return err
	}
	defer p.Close()
	now := a.Clock.Now()
	if *at != "" {
		if now, err = customer.ParseTime(*at, a.Customers.Location()); err != nil {
			return fmt.Errorf("--at: %w", err)
		}
	}
	var window *policy.Window
	if *gw != "" {
		w, err := policy.ParseWindow(*gw)
		if err != nil {
			return fmt.Errorf("--gateway-window: %w", err)
		}
		window = &w
	}
	r, number, customers, err := p.RecipientByPhone(ctx, pos[0], now)
	if err != nil {
		return err
	}
	d, lines := policy.Explain(&r, policy.Category(*cat), now, p.Rules(), window)
	if *asJSON {
		out := whyJSON{Decision: d.Verdict.String(), Reasons: lines}
		if d.Verdict == policy.Defer {
			u := d.Until.UTC()
			out.Until = &u
		}
		return json.NewEncoder(e.stdout).Encode(out)
	}
	who := "not a customer"
	switch {
	case customers == 1:
		who = fmt.Sprintf("customer %d", r.CustomerID)
	case customers > 1:
		who = fmt.Sprintf("customer %d, first of %d with this number", r.CustomerID, customers)
	}
	zone := "zone unknown"
	if r.Location != nil {
		zone = r.Location.String()
	}
	fmt.Fprintf(e.stdout, "%s (%s, %s, %s): %s message at %s\n", pii.MaskPhone(number.E164), who, number.Region, zone,
		*cat, now.In(a.Customers.Location()).Format("2006-01-02 15:04 MST"))
	verdict := d.Verdict.String()
	if d.Verdict == policy.Defer {
		loc := a.Customers.Location()
		if r.Location != nil {
			loc = r.Location
		}
		verdict += " until " + d.Until.In(loc).Format(time.RFC3339)
	}
	fmt.Fprintf(e.stdout, "decision: %s\n", verdict)
	for _, l := range lines {
		fmt.Fprintf(e.stdout, "  %s\n", l)
	}
	return nil
}

func runSuppressAdd(ctx context.Context, e *env) error {
	fs := newFlags("suppress add", e)
	reason := fs.String("reason", "manual", "opted_out, invalid_number, complaint or manual")
	note := fs.String("note", "", "a note kept with the entry (no personal data)")
	a, pos, err := openAppArgs(ctx, e, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	if len(pos) != 1 {
		return errors.New("usage: nudge suppress add PHONE [--reason manual] [--note TEXT]")
	}
	r, err := policy.ParseReason(*reason)
	if err != nil {
		return err
	}
	p, err := policyService(ctx, a)
	if err != nil {
		return err
	}
	defer p.Close()
	added, err := p.Suppress(ctx, pos[0], r, "cli:"+os.Getenv("USER"), *note)
	if err != nil {
		return err
	}
	what := "added"
	if !added {
		what = "already suppressed"
	}
	fmt.Fprintf(e.stdout, "%s %s (%s)\n", pii.MaskPhone(pos[0]), what, r)
	return nil
}

func runSuppressRemove(ctx context.Context, e *env) error {
	fs := newFlags("suppress remove", e)
	reason := fs.String("reason", "", "remove only this reason (default: every reason)")
	a, pos, err := openAppArgs(ctx, e, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	if len(pos) != 1 {
		return errors.New("usage: nudge suppress remove PHONE [--reason R]")
	}
	p, err := policyService(ctx, a)
	if err != nil {
		return err
	}
	defer p.Close()
	n, err := p.Unsuppress(ctx, pos[0], policy.Reason(*reason))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %d %s removed\n", pii.MaskPhone(pos[0]), n, plural(int(n), "entry", "entries"))
	if n == 0 {
		return &exitError{code: 2}
	}
	return nil
}

func runSuppressList(ctx context.Context, e *env) error {
	fs := newFlags("suppress list", e)
	reason := fs.String("reason", "", "only this reason")
	limit := fs.Int("limit", 100, "entries to show")
	asJSON := fs.Bool("json", false, "print JSON (phones masked)")
	a, _, err := openAppArgs(ctx, e, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	p, err := policyService(ctx, a)
	if err != nil {
		return err
	}
	defer p.Close()
	list, err := p.Suppressions(ctx, 0, *limit, policy.Reason(*reason))
	if err != nil {
		return err
	}
	total, err := p.CountSuppressions(ctx, policy.Reason(*reason))
	if err != nil {
		return err
	}
	for i := range list {
		list[i].Phone = pii.MaskPhone(list[i].Phone)
	}
	if *asJSON {
		if list == nil {
			list = []policy.Suppressed{}
		}
		return json.NewEncoder(e.stdout).Encode(map[string]any{"total": total, "entries": list})
	}
	for _, s := range list {
		fmt.Fprintf(e.stdout, "%-14s %-15s %-12s %s %s\n", s.Phone, s.Reason, s.Source, s.CreatedAt.In(a.Customers.Location()).Format("2006-01-02 15:04"), s.Note)
	}
	fmt.Fprintf(e.stdout, "%d shown of %d\n", len(list), total)
	return nil
}

// runSuppressImport implements `nudge suppress import FILE|- [--reason R]`.
// Exit status 0 when every row was taken, 2 when some were rejected.
func runSuppressImport(ctx context.Context, e *env) error {
	fs := newFlags("suppress import", e)
	reason := fs.String("reason", "manual", "reason for rows without one")
	a, pos, err := openAppArgs(ctx, e, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	if len(pos) != 1 {
		return errors.New("usage: nudge suppress import FILE|- [--reason manual]")
	}
	r, err := policy.ParseReason(*reason)
	if err != nil {
		return err
	}
	var in io.Reader = e.stdin
	if pos[0] != "-" {
		f, err := os.Open(pos[0])
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	p, err := policyService(ctx, a)
	if err != nil {
		return err
	}
	defer p.Close()
	res, err := p.ImportSuppressions(ctx, in, r, "import")
	if err != nil {
		return err
	}
	for _, rj := range res.Rejected {
		fmt.Fprintf(e.stderr, "line %d: %s\n", rj.Line, rj.Reason)
	}
	fmt.Fprintf(e.stdout, "%d added, %d already suppressed, %d rejected\n", res.Added, res.Existing, len(res.Rejected))
	if len(res.Rejected) > 0 {
		return &exitError{code: 2}
	}
	return nil
}

// runSuppressExport implements `nudge suppress export [FILE|-] [--clear]`:
// CSV with masked phones unless --clear.
func runSuppressExport(ctx context.Context, e *env) error {
	fs := newFlags("suppress export", e)
	clear := fs.Bool("clear", false, "write phone numbers in the clear (for moving the list to another system)")
	a, pos, err := openAppArgs(ctx, e, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	w := e.stdout
	if len(pos) == 1 && pos[0] != "-" {
		// 0600: the file holds phone numbers, masked or not.
		f, err := os.OpenFile(pos[0], os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	} else if len(pos) > 1 {
		return errors.New("usage: nudge suppress export [FILE|-] [--clear]")
	}
	p, err := policyService(ctx, a)
	if err != nil {
		return err
	}
	defer p.Close()
	n, err := p.ExportSuppressions(ctx, w, *clear)
	if err != nil {
		return err
	}
	if *clear {
		a.Log.Warn("suppression list exported with clear phone numbers", "component", "policy", "entries", n, "user", os.Getenv("USER"))
	}
	if w != e.stdout {
		fmt.Fprintf(e.stderr, "%d entries written to %s\n", n, strings.TrimSpace(pos[0]))
	}
	return nil
}
