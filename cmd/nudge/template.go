package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"nudge/internal/compose"
	"nudge/internal/sms"
)

// runTemplatePreview implements `nudge template preview --customer
// ID|PHONE [--category C] [--locale L] [--pool P] [--value K=V ...] [--json]
// FILE|TEXT|-`: the message as the customer would get it, its count and
// the lint's warnings. Nothing is sent, no coupon is drawn, no link is
// made, and the customer's full name shows masked.
func runTemplatePreview(ctx context.Context, e *env) error {
	const usage = "nudge template preview [--customer ID|PHONE] [--category C] [--locale L] [--pool P] [--value K=V] [--json] FILE|TEXT|-"
	fs := newFlags("template preview", e)
	cust := fs.String("customer", "", "the shop's customer id or a phone number (none: fallbacks and values only)")
	category := fs.String("category", "transactional", "message category (transactional, order, marketing, staff ...)")
	locale := fs.String("locale", "", "zh-CN, en ... (default: the shop's default locale)")
	pool := fs.String("pool", "", "coupon pool of a bare {{coupon}}")
	asJSON := fs.Bool("json", false, "print JSON")
	values := map[string]string{}
	fs.Func("value", "a per-message field, K=V (repeatable): --value order_no=O-1001", func(s string) error {
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			return errors.New("want K=V")
		}
		values[k] = v
		return nil
	})
	a, pos, err := openAppArgs(ctx, e, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	if len(pos) == 0 {
		return errors.New("no file or text given (usage: " + usage + ")")
	}
	text, err := lintInput(pos, e.stdin)
	if err != nil {
		return err
	}
	p, err := a.Compose.Preview(ctx, text, *cust, *category, compose.Extras{Values: values, Locale: *locale, CouponPool: *pool})
	if err != nil {
		return err
	}
	if *asJSON {
		if p.Warnings == nil {
			p.Warnings = []sms.Warning{}
		}
		return json.NewEncoder(e.stdout).Encode(p)
	}
	fmt.Fprintln(e.stdout, p.Text)
	unit := "septets"
	if p.Encoding == sms.UCS2 {
		unit = "UTF-16 units"
	}
	fmt.Fprintf(e.stdout, "%s, %d %s, %d %s (%d per segment), %d characters\n",
		p.Encoding, p.Segments, plural(p.Segments, "segment", "segments"), p.Units, unit, p.PerSegment, p.Chars)
	if c := p.Customer; c != nil {
		fmt.Fprintf(e.stdout, "customer %s (%s, %s)\n", c.ExternalID, c.Name, c.Phone)
	}
	for _, w := range p.Warnings {
		fmt.Fprintf(e.stdout, "%d-%d %s: %s\n", w.Start, w.End, w.Code, w.Message)
	}
	return nil
}

// runTemplateStarters implements `nudge template starters [--locale L]
// [--category C] [--json]`: the starter library.
func runTemplateStarters(ctx context.Context, e *env) error {
	fs := flag.NewFlagSet("nudge template starters", flag.ContinueOnError)
	locale := fs.String("locale", "", "only this locale's (zh-CN, en)")
	category := fs.String("category", "", "only this category's (transactional, marketing, staff)")
	asJSON := fs.Bool("json", false, "print JSON")
	if done, err := parseFlags(fs, e.args, e.stdout, "nudge template starters [--locale L] [--category C] [--json]"); done || err != nil {
		return err
	}
	out := struct {
		Starters []sms.Starter `json:"starters"`
	}{Starters: []sms.Starter{}}
	for _, s := range sms.Starters() {
		if (*locale == "" || strings.EqualFold(s.Locale, *locale)) && (*category == "" || s.Category == *category) {
			out.Starters = append(out.Starters, s)
		}
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(out)
	}
	for _, s := range out.Starters {
		if _, err := fmt.Fprintf(e.stdout, "%s (%s, %s): %s\n", s.Key, s.Category, s.Locale, s.Text); err != nil {
			return err
		}
	}
	return nil
}

// runCouponImport implements `nudge coupon import POOL FILE|-
// [--description D]`: one code per line (or the first CSV column), into
// the pool, made if it does not exist. Codes already in a pool are
// skipped, so an interrupted import can be run again. Rejected codes go to
// stderr and make the exit status 2.
func runCouponImport(ctx context.Context, e *env) error {
	fs := newFlags("coupon import", e)
	desc := fs.String("description", "", "the pool's description, when the import makes it")
	a, pos, err := openAppArgs(ctx, e, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	if len(pos) != 2 {
		return errors.New("usage: nudge coupon import POOL FILE|- [--description D]")
	}
	if _, _, err := a.Compose.CreatePool(ctx, pos[0], *desc); err != nil {
		return err
	}
	in := e.stdin
	if pos[1] != "-" {
		f, err := os.Open(pos[1])
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	res, err := a.Compose.ImportFile(ctx, pos[0], in)
	if err != nil {
		return err
	}
	return couponResult(ctx, e, a.Compose, pos[0], res)
}

// runCouponGenerate implements `nudge coupon generate POOL --count N
// [--prefix P] [--length 8]`: random codes of the alphabet A-Z and 2-9
// without 0, O, 1 and I, into the pool, made if it does not exist.
func runCouponGenerate(ctx context.Context, e *env) error {
	fs := newFlags("coupon generate", e)
	n := fs.Int("count", 0, "how many codes")
	prefix := fs.String("prefix", "", "what every code starts with")
	length := fs.Int("length", 8, "random characters after the prefix (6-32)")
	a, pos, err := openAppArgs(ctx, e, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	if len(pos) != 1 {
		return errors.New("usage: nudge coupon generate POOL --count N [--prefix P] [--length 8]")
	}
	if _, _, err := a.Compose.CreatePool(ctx, pos[0], ""); err != nil {
		return err
	}
	res, err := a.Compose.Generate(ctx, pos[0], *n, *prefix, *length)
	if err != nil {
		return err
	}
	return couponResult(ctx, e, a.Compose, pos[0], res)
}

// couponResult prints what an import or a generation did and the pool's
// counts; rejected codes make the exit status 2.
func couponResult(ctx context.Context, e *env, c *compose.Service, pool string, res compose.ImportResult) error {
	p, err := c.PoolStatus(ctx, pool)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %d added, %d duplicates, %d rejected; %d of %d codes left\n",
		pool, res.Added, res.Duplicates, res.Rejected, p.Remaining, p.Total)
	for _, pr := range res.Problems {
		fmt.Fprintf(e.stderr, "line %d: %q: %s\n", pr.Line, pr.Code, pr.Reason)
	}
	if res.Rejected > 0 {
		return &exitError{code: 2}
	}
	return nil
}

// runCouponStatus implements `nudge coupon status [POOL] [--json]`: each
// pool's total, drawn and remaining codes.
func runCouponStatus(ctx context.Context, e *env) error {
	fs := newFlags("coupon status", e)
	asJSON := fs.Bool("json", false, "print JSON")
	a, pos, err := openAppArgs(ctx, e, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	var pools []compose.Pool
	switch len(pos) {
	case 0:
		if pools, err = a.Compose.Pools(ctx); err != nil {
			return err
		}
	case 1:
		p, err := a.Compose.PoolStatus(ctx, pos[0])
		if err != nil {
			return err
		}
		pools = []compose.Pool{p}
	default:
		return errors.New("usage: nudge coupon status [POOL] [--json]")
	}
	if *asJSON {
		if pools == nil {
			pools = []compose.Pool{}
		}
		return json.NewEncoder(e.stdout).Encode(struct {
			Pools []compose.Pool `json:"pools"`
		}{pools})
	}
	if len(pools) == 0 {
		fmt.Fprintln(e.stdout, "no coupon pools (nudge coupon import POOL FILE makes one)")
		return nil
	}
	fmt.Fprintf(e.stdout, "%-24s %10s %10s %10s\n", "POOL", "TOTAL", "DRAWN", "REMAINING")
	for _, p := range pools {
		fmt.Fprintf(e.stdout, "%-24s %10d %10d %10d\n", p.Name, p.Total, p.Drawn, p.Remaining)
	}
	return nil
}
