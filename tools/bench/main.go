// Command bench prints nudge's benchmark table (`make bench`).
//
// Every figure is measured in a child process of its own, so that its peak
// RSS (from the kernel's rusage) belongs to that figure alone, and beside a
// reference measured in the same run on the same machine: these machines are
// shared and noisy, and the ratio is what counts.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"nudge/internal/outbox/outboxbench"
)

// result is what a child reports on its last line of stdout.
type result struct {
	Rows    int64              `json:"rows"`
	Seconds float64            `json:"seconds"`
	Extra   map[string]float64 `json:"extra,omitempty"`
	Note    string             `json:"note,omitempty"`
	// MaxRSSMB is filled in by the parent from the child's rusage.
	MaxRSSMB float64 `json:"-"`
}

func (r result) rate() float64 {
	if r.Seconds == 0 {
		return 0
	}
	return float64(r.Rows) / r.Seconds
}

// cases run inside a child process: `bench -case NAME -dsn DSN -dir DIR`.
var cases = map[string]func(ctx context.Context, a caseArgs) (result, error){
	"gen":              caseGenerate,
	"bare-customers":   caseBareCustomers,
	"import-customers": caseImportCustomers,
	"bare-orders":      caseBareOrders,
	"import-orders":    caseImportOrders,
	"build-intel":      caseBuildIntel,
	"intel":            caseIntel,
	"compose":          caseCompose,
	"compose-decide":   caseComposeDecide,
	"compose-copy":     caseComposeCopy,
	"links":            caseLinks,
	"delivery":         caseDelivery,
	"delivery-rtt":     caseDeliveryRTT,
}

type caseArgs struct {
	dsn        string
	dir        string
	customers  int
	lines      int
	intelLines int
	recipients int // compose
	messages   int // delivery, without delay
	delayed    int // delivery, with 50 ms added to every submit_sm_resp
}

func main() {
	var a caseArgs
	name := flag.String("case", "", "run one case (used by the parent)")
	flag.StringVar(&a.dsn, "dsn", "", "store for the case")
	flag.StringVar(&a.dir, "dir", ".bench", "working directory for generated files and stores")
	flag.IntVar(&a.customers, "customers", 1_000_000, "customers to generate")
	flag.IntVar(&a.lines, "lines", 1_000_000, "order lines to import")
	flag.IntVar(&a.intelLines, "intel-lines", 10_000_000, "order lines in the intelligence store")
	flag.IntVar(&a.recipients, "recipients", 1_000_000, "recipients rendered and decided")
	flag.IntVar(&a.messages, "messages", 1_000_000, "messages delivered per store without delay")
	flag.IntVar(&a.delayed, "delayed", 0, "messages delivered per store with 50 ms added to every submit_sm_resp (default a fifth of -messages)")
	smscDelay := flag.Duration("smsc-delay", 0, "with -case smsc: what the SMSC adds to every submit_sm_resp")
	only := flag.String("only", "", "comma-separated sections to run: import,intel,compose,links,delivery (default all)")
	pg := flag.String("postgres", envOr("NUDGE_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"), "PostgreSQL server for the PostgreSQL column ('' to skip)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *name == "smsc" {
		// The delivery runs' SMSC, in a process of its own (outboxbench.Spawn).
		if err := outboxbench.ServeSMSC(os.Stdin, os.Stdout, a.messages, *smscDelay); err != nil {
			fmt.Fprintln(os.Stderr, "bench: smsc:", err)
			os.Exit(1)
		}
		return
	}
	if *name != "" {
		fn, ok := cases[*name]
		if !ok {
			fmt.Fprintln(os.Stderr, "bench: unknown case", *name)
			os.Exit(1)
		}
		stopProfile, err := profileCase(*name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		r, err := fn(ctx, a)
		stopProfile()
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", *name+":", err)
			os.Exit(1)
		}
		json.NewEncoder(os.Stdout).Encode(r)
		return
	}
	if err := runAll(ctx, a, *pg, sections(*only)); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// profileCase writes a CPU profile of the case to
// $NUDGE_BENCH_CPUPROFILE/NAME.pprof when that variable names a directory,
// for finding where a figure's time goes.
func profileCase(name string) (stop func(), err error) {
	dir := os.Getenv("NUDGE_BENCH_CPUPROFILE")
	if dir == "" {
		return func() {}, nil
	}
	f, err := os.Create(filepath.Join(dir, name+".pprof"))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// child runs one case in a fresh process and returns its result with the
// child's peak RSS.
func child(ctx context.Context, a caseArgs, name, dsn string) (result, error) {
	return childEnv(ctx, a, name, dsn)
}

// childEnv is child with variables added to the child's environment (such
// as GOMAXPROCS=1 for the one-core figures).
func childEnv(ctx context.Context, a caseArgs, name, dsn string, env ...string) (result, error) {
	self, err := os.Executable()
	if err != nil {
		return result{}, err
	}
	cmd := exec.CommandContext(ctx, self, "-case", name, "-dsn", dsn, "-dir", a.dir,
		"-customers", fmt.Sprint(a.customers), "-lines", fmt.Sprint(a.lines), "-intel-lines", fmt.Sprint(a.intelLines),
		"-recipients", fmt.Sprint(a.recipients), "-messages", fmt.Sprint(a.messages), "-delayed", fmt.Sprint(a.delayed))
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return result{}, fmt.Errorf("%s: %w", name, err)
	}
	var r result
	if err := json.Unmarshal(lastLine(out), &r); err != nil {
		return result{}, fmt.Errorf("%s: bad output %q: %w", name, out, err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.MaxRSSMB = float64(ru.Maxrss) / 1024 // Linux reports kilobytes
	}
	return r, nil
}

func lastLine(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == '\n' {
		b = b[:len(b)-1]
	}
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == '\n' {
			return b[i+1:]
		}
	}
	return b
}

func sections(only string) map[string]bool {
	m := map[string]bool{}
	for _, s := range []string{"import", "intel", "compose", "links", "delivery"} {
		m[s] = only == ""
	}
	for _, s := range strings.Split(only, ",") {
		if s != "" {
			m[strings.TrimSpace(s)] = true
		}
	}
	return m
}

func runAll(ctx context.Context, a caseArgs, pgURL string, run map[string]bool) error {
	if err := os.MkdirAll(a.dir, 0o700); err != nil {
		return err
	}
	start := time.Now()
	stores := []struct{ label, dsn string }{{"SQLite", "sqlite:" + filepath.Join(a.dir, "bench.db")}}
	if pgURL != "" {
		stores = append(stores, struct{ label, dsn string }{"PostgreSQL", pgURL})
	}
	t := &table{}
	if run["import"] {
		fmt.Fprintf(os.Stderr, "generating %d customers and %d order lines with the demo generator...\n", a.customers, a.lines)
		gen, err := child(ctx, a, "gen", "")
		if err != nil {
			return err
		}
		t.section(fmt.Sprintf("Import (issue 2): %d customers, %d order lines from the demo generator", a.customers, a.lines))
		t.row("demo generator (reference: writing CSV)", fmt.Sprintf("%.0f rows/s", gen.rate()), "", "", "", rss(gen))
		for _, s := range stores {
			if err := importFigures(ctx, a, t, s.label, s.dsn); err != nil {
				return err
			}
		}
	}
	if run["intel"] {
		t.section(fmt.Sprintf("Customer intelligence (issue 3): %d customers, %d order lines", a.customers, a.intelLines))
		for _, s := range stores {
			if err := intelFigures(ctx, a, t, s.label, s.dsn); err != nil {
				return err
			}
		}
	}
	if err := moreSections(ctx, a, t, run, stores); err != nil {
		return err
	}
	t.print(os.Stdout)
	fmt.Printf("\n(total bench time %s; machine: %s)\n", time.Since(start).Round(time.Second), machine())
	return nil
}
