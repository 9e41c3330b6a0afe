package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"nudge/internal/app"
	"nudge/internal/customer"
	"nudge/internal/intel"
	"nudge/internal/segment"
)

// Customer intelligence commands: nudge rfm, nudge segment ..., nudge
// predict refresh, nudge clv fit.

// openAppArgs is openApp for commands with positional arguments: flags may
// come before or after them (nudge segment count vip --json).
func openAppArgs(ctx context.Context, e *env, fs *flag.FlagSet) (*app.App, []string, error) {
	cfg := app.DefaultConfig()
	cfg.Flags(fs)
	var pos []string
	args := e.args
	for {
		if err := fs.Parse(args); err != nil {
			return nil, nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	a, err := app.Open(ctx, cfg, e.log)
	return a, pos, err
}

// segmentService is the app's segment service (built by app.Open).
func segmentService(ctx context.Context, a *app.App) (*segment.Service, error) {
	if a.Segments != nil {
		return a.Segments, nil
	}
	return segment.NewService(ctx, a.DB, segment.Options{Clock: a.Clock, Location: a.Customers.Location(), Phones: a.Customers, Log: a.Log})
}

func intelService(ctx context.Context, a *app.App) (*intel.Service, error) {
	return intel.NewService(ctx, a.DB, intel.Options{Clock: a.Clock, Location: a.Customers.Location(), Log: a.Log})
}

// parseDay reads a YYYY-MM-DD flag in the shop's zone; "" is the zero time.
func parseDay(flagName, s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		return t, fmt.Errorf("--%s %q: want a date YYYY-MM-DD", flagName, s)
	}
	return t, nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// round4 keeps shares readable in JSON: 0.0833, not 0.08333333333333333.
func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

func runRFM(ctx context.Context, e *env) error {
	fs := newFlags("rfm", e)
	asOf := fs.String("as-of", "", "date the scores describe, YYYY-MM-DD in the shop's zone (default today)")
	window := fs.Int("window", segment.DefaultWindowDays, "days of orders, ending with --as-of, that frequency and monetary count")
	asJSON := fs.Bool("json", false, "print JSON")
	a, err := openApp(ctx, e, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	day, err := parseDay("as-of", *asOf, a.Customers.Location())
	if err != nil {
		return err
	}
	svc, err := segmentService(ctx, a)
	if err != nil {
		return err
	}
	rep, err := svc.RefreshRFM(ctx, segment.RFMOptions{AsOf: day, WindowDays: *window})
	if err != nil {
		return err
	}
	if *asJSON {
		type group struct {
			Key           string  `json:"key"`
			Name          string  `json:"name"`
			NameEN        string  `json:"name_en"`
			Customers     int64   `json:"customers"`
			Revenue       int64   `json:"revenue"`
			CustomerShare float64 `json:"customer_share"`
			RevenueShare  float64 `json:"revenue_share"`
		}
		out := struct {
			AsOf   string  `json:"as_of"`
			Groups []group `json:"groups"`
		}{AsOf: rep.AsOf}
		for _, g := range rep.Groups {
			out.Groups = append(out.Groups, group{g.Key, g.Name, g.NameEN, g.Customers, g.Revenue, round4(g.CustomerShare), round4(g.RevenueShare)})
		}
		return writeJSON(e.stdout, out)
	}
	printRFM(e.stdout, rep)
	return nil
}

func printRFM(w io.Writer, rep segment.RFMReport) {
	fmt.Fprintf(w, "RFM as of %s over the last %d days: %d customers scored", rep.AsOf, rep.WindowDays, rep.Scored)
	if rep.NoOrders > 0 {
		fmt.Fprintf(w, " (%d more without an order in the window are not scored)", rep.NoOrders)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "averages: last order %.1f days ago, %.2f orders, %s yuan\n\n", rep.AvgRecency, rep.AvgFrequency,
		customer.FormatMoney(int64(math.Round(rep.AvgMonetary))))
	// Fixed widths rather than a tabwriter: Chinese names are two columns
	// wide on a terminal, so they go last, where they cannot push others.
	fmt.Fprintf(w, "%-18s %10s %7s %16s %7s  %s\n", "group", "customers", "share", "revenue (yuan)", "share", "分组")
	for _, g := range rep.Groups {
		fmt.Fprintf(w, "%-18s %10d %6.1f%% %16s %6.1f%%  %s\n", g.NameEN, g.Customers, 100*g.CustomerShare,
			customer.FormatMoney(g.Revenue), 100*g.RevenueShare, g.Name)
	}
	if h := headline(rep); h != "" {
		fmt.Fprintln(w, "\n"+h)
	}
}

// headline is the sentence a merchant reads first: how much of the
// revenue the best customers bring. The best are the important-value
// group, or the group with the most revenue per customer when it is empty.
func headline(rep segment.RFMReport) string {
	var best *segment.GroupStat
	for i := range rep.Groups {
		g := &rep.Groups[i]
		if g.Customers == 0 {
			continue
		}
		if g.Key == "important_value" {
			best = g
			break
		}
		if best == nil || float64(g.Revenue)/float64(g.Customers) > float64(best.Revenue)/float64(best.Customers) {
			best = g
		}
	}
	if best == nil {
		return ""
	}
	return fmt.Sprintf("%s (%s): %s of customers bring %s of revenue.", best.Name, best.NameEN,
		percent(best.CustomerShare), percent(best.RevenueShare))
}

func percent(x float64) string {
	if x > 0 && x < 0.01 {
		return "<1%"
	}
	return fmt.Sprintf("%.0f%%", 100*x)
}

// readRule takes a rule as inline JSON (starting with "{") or a file name
// ("-" for standard input).
func readRule(arg string, stdin io.Reader) ([]byte, error) {
	s := strings.TrimSpace(arg)
	switch {
	case strings.HasPrefix(s, "{"):
		return []byte(s), nil
	case s == "-":
		return io.ReadAll(stdin)
	case s == "":
		return nil, errors.New("--rule is required: a JSON rule or a file holding one")
	default:
		return os.ReadFile(s)
	}
}

func runSegmentCreate(ctx context.Context, e *env) error {
	fs := newFlags("segment create", e)
	ruleArg := fs.String("rule", "", "the rule: JSON, or a file holding it (- for standard input)")
	desc := fs.String("description", "", "what the segment is for")
	update := fs.Bool("update", false, "replace the rule of an existing segment (built-in ones too)")
	a, pos, err := openAppArgs(ctx, e, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	if len(pos) != 1 {
		return errors.New("usage: nudge segment create NAME --rule FILE|JSON [--description TEXT] [--update]")
	}
	rule, err := readRule(*ruleArg, e.stdin)
	if err != nil {
		return err
	}
	svc, err := segmentService(ctx, a)
	if err != nil {
		return err
	}
	var sg segment.Segment
	if *update {
		sg, err = svc.Update(ctx, pos[0], *desc, rule)
	} else {
		sg, err = svc.Create(ctx, pos[0], *desc, rule)
		if errors.Is(err, segment.ErrExists) {
			return fmt.Errorf("segment %q already exists (use --update to change its rule)", pos[0])
		}
	}
	if err != nil {
		return err
	}
	r, _ := sg.Parsed()
	n, err := svc.Count(ctx, r)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "segment %q saved: %d customers match now\n", sg.Name, n)
	return nil
}

func runSegmentList(ctx context.Context, e *env) error {
	fs := newFlags("segment list", e)
	counts := fs.Bool("count", false, "also count each segment's customers now")
	asJSON := fs.Bool("json", false, "print JSON")
	a, err := openApp(ctx, e, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	svc, err := segmentService(ctx, a)
	if err != nil {
		return err
	}
	list, err := svc.List(ctx)
	if err != nil {
		return err
	}
	type row struct {
		segment.Segment
		Customers *int64 `json:"customers,omitempty"`
	}
	rows := make([]row, len(list))
	for i, sg := range list {
		rows[i].Segment = sg
		if *counts {
			r, err := sg.Parsed()
			if err != nil {
				return fmt.Errorf("segment %s: %w", sg.Name, err)
			}
			n, err := svc.Count(ctx, r)
			if err != nil {
				return fmt.Errorf("segment %s: %w", sg.Name, err)
			}
			rows[i].Customers = &n
		}
	}
	if *asJSON {
		return writeJSON(e.stdout, rows)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	header := "NAME\tBUILT-IN\tDESCRIPTION"
	if *counts {
		header = "NAME\tBUILT-IN\tCUSTOMERS\tDESCRIPTION"
	}
	fmt.Fprintln(tw, header)
	for _, r := range rows {
		builtin := ""
		if r.Builtin {
			builtin = "yes"
		}
		if *counts {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", r.Name, builtin, *r.Customers, r.Description)
		} else {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Name, builtin, r.Description)
		}
	}
	return tw.Flush()
}

// segmentRule resolves NAME or --rule into a parsed rule and a label.
func segmentRule(ctx context.Context, svc *segment.Service, pos []string, ruleArg string, stdin io.Reader, usage string) (*segment.Rule, string, error) {
	switch {
	case len(pos) == 1 && ruleArg == "":
		sg, err := svc.Get(ctx, pos[0])
		if err != nil {
			return nil, "", fmt.Errorf("segment %q: %w", pos[0], err)
		}
		r, err := sg.Parsed()
		return r, sg.Name, err
	case len(pos) == 0 && ruleArg != "":
		src, err := readRule(ruleArg, stdin)
		if err != nil {
			return nil, "", err
		}
		r, err := segment.ParseRule(src)
		return r, "ad-hoc rule", err
	}
	return nil, "", errors.New(usage)
}

func runSegmentCount(ctx context.Context, e *env) error {
	fs := newFlags("segment count", e)
	ruleArg := fs.String("rule", "", "count an unsaved rule: JSON, or a file holding it")
	asJSON := fs.Bool("json", false, `print {"customers":N}`)
	a, pos, err := openAppArgs(ctx, e, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	svc, err := segmentService(ctx, a)
	if err != nil {
		return err
	}
	r, _, err := segmentRule(ctx, svc, pos, *ruleArg, e.stdin, "usage: nudge segment count NAME | --rule FILE|JSON")
	if err != nil {
		return err
	}
	n, err := svc.Count(ctx, r)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, map[string]int64{"customers": n})
	}
	fmt.Fprintln(e.stdout, n)
	return nil
}

func runSegmentExport(ctx context.Context, e *env) error {
	fs := newFlags("segment export", e)
	ruleArg := fs.String("rule", "", "export an unsaved rule: JSON, or a file holding it")
	out := fs.String("out", "", "write the CSV to this file (default standard output)")
	clearPhones := fs.Bool("clear-phones", false, "write phone numbers in the clear instead of masked (the export is logged)")
	a, pos, err := openAppArgs(ctx, e, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	svc, err := segmentService(ctx, a)
	if err != nil {
		return err
	}
	r, label, err := segmentRule(ctx, svc, pos, *ruleArg, e.stdin, "usage: nudge segment export NAME | --rule FILE|JSON [--out FILE] [--clear-phones]")
	if err != nil {
		return err
	}
	w := e.stdout
	if *out != "" {
		// 0600: the file holds customer data, masked or not.
		f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	n, err := svc.Export(ctx, r, w, segment.ExportOptions{ClearPhones: *clearPhones, Actor: "cli:" + os.Getenv("USER"), Label: label})
	if err != nil {
		return err
	}
	if *out != "" {
		fmt.Fprintf(e.stderr, "%d customers written to %s\n", n, *out)
	}
	return nil
}

// openIntel parses fs, opens the app and the intelligence service, and
// reads the date flag dateFlag, whose value *date is once fs is parsed
// (zero: today). The caller closes the app.
func openIntel(ctx context.Context, e *env, fs *flag.FlagSet, dateFlag string, date *string) (*app.App, *intel.Service, time.Time, error) {
	a, err := openApp(ctx, e, fs)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	day, err := parseDay(dateFlag, *date, a.Customers.Location())
	var svc *intel.Service
	if err == nil {
		svc, err = intelService(ctx, a)
	}
	if err != nil {
		a.Close()
		return nil, nil, time.Time{}, err
	}
	return a, svc, day, nil
}

func runPredictRefresh(ctx context.Context, e *env) error {
	fs := newFlags("predict refresh", e)
	asOf := fs.String("as-of", "", "use the orders up to this date, YYYY-MM-DD (default today)")
	asJSON := fs.Bool("json", false, "print JSON")
	a, svc, day, err := openIntel(ctx, e, fs, "as-of", asOf)
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := svc.RefreshAsOf(ctx, day)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, rep)
	}
	fmt.Fprintf(e.stdout, "predictions as of %s: %d customers, %d purchase cycles in %d categories (%v)\n",
		rep.AsOf, rep.Customers, rep.Cycles, rep.Categories, rep.Took.Round(time.Millisecond))
	if rep.FitErr != "" {
		fmt.Fprintf(e.stdout, "no lifetime-value model: %s\n", rep.FitErr)
	} else {
		printFit(e.stdout, rep.Fit)
	}
	return nil
}

func runCLVFit(ctx context.Context, e *env) error {
	fs := newFlags("clv fit", e)
	end := fs.String("calibration-end", "", "last day of orders to fit, YYYY-MM-DD (default today)")
	asJSON := fs.Bool("json", false, "print JSON")
	a, svc, day, err := openIntel(ctx, e, fs, "calibration-end", end)
	if err != nil {
		return err
	}
	defer a.Close()
	fit, err := svc.Fit(ctx, day)
	if err != nil {
		return err
	}
	if *asJSON {
		type bg struct {
			R      float64 `json:"r"`
			Alpha  float64 `json:"alpha"`
			A      float64 `json:"a"`
			B      float64 `json:"b"`
			LogLik float64 `json:"loglik"`
		}
		type gg struct {
			P     float64 `json:"p"`
			Q     float64 `json:"q"`
			Gamma float64 `json:"gamma"`
		}
		out := struct {
			BG bg  `json:"bgnbd"`
			GG *gg `json:"gammagamma"`
		}{BG: bg{fit.BG.R, fit.BG.Alpha, fit.BG.A, fit.BG.B, fit.BG.LogLik}}
		if fit.GGErr == nil {
			out.GG = &gg{fit.GG.P, fit.GG.Q, fit.GG.Gamma}
		}
		return writeJSON(e.stdout, out)
	}
	printFit(e.stdout, fit)
	return nil
}

func printFit(w io.Writer, f intel.Fit) {
	fmt.Fprintf(w, "BG/NBD over %d customers (%d distinct histories), orders to %s, weeks:\n", f.Customers, f.Rows,
		f.CalibrationEnd.Format(time.DateOnly))
	fmt.Fprintf(w, "  r %.4f  alpha %.4f  a %.4f  b %.4f  log-likelihood %.3f\n", f.BG.R, f.BG.Alpha, f.BG.A, f.BG.B, f.BG.LogLik)
	if f.GGErr != nil {
		fmt.Fprintf(w, "Gamma-Gamma: not fitted (%v)\n", f.GGErr)
		return
	}
	fmt.Fprintf(w, "Gamma-Gamma over %d distinct spend rows, yuan:\n", f.SpendRows)
	fmt.Fprintf(w, "  p %.4f  q %.4f  gamma %.4f  log-likelihood %.3f\n", f.GG.P, f.GG.Q, f.GG.Gamma, f.GG.LogLik)
}
