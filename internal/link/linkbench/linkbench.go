// Package linkbench measures the short-link redirect under wrk, beside a
// reference: a bare Go handler answering the same 302s from memory, run in
// the same process, on the same loopback, with the same wrk script, one
// after the other. `make bench` calls Run and prints both figures, their
// ratio, and the number of clicks recorded, which must equal the requests
// wrk sent to the redirect.
package linkbench

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"nudge/internal/clock"
	"nudge/internal/link"
	"nudge/internal/pii"
	"nudge/internal/store"
)

// Options configure a run. Zero values take the defaults.
type Options struct {
	// DB is the store for links and clicks (default: a fresh SQLite file
	// in Dir).
	DB string
	// Dir holds the SQLite file and the wrk script (default: a temporary
	// directory, removed afterwards).
	Dir string
	// Duration of each measured wrk run (default 5 s), after a warm-up of
	// Warmup (default 2 s) against each server.
	Duration, Warmup time.Duration
	// Rounds alternates reference and redirect runs this many times
	// (default 3) and keeps each one's best: on a shared machine a burst
	// of load from elsewhere then spoils one round, not the comparison.
	Rounds int
	// Connections and Threads are wrk's -c and -t (default 32 and 1: on a
	// two-core machine one core drives wrk, the other serves).
	Connections, Threads int
	// Links is how many distinct tokens the requests rotate through
	// (default 1,000).
	Links int
	// Synchronous also measures the redirect with single-row synchronous
	// click inserts, for comparison.
	Synchronous bool
	// Wrk is the wrk binary (default "wrk" on PATH).
	Wrk string
	// Batch and Linger tune the click writer (link.Options); zero keeps
	// its defaults.
	Batch  int
	Linger time.Duration
}

// Figures are one wrk run's results.
type Figures struct {
	RequestsPerSec float64       `json:"requests_per_sec"`
	P99            time.Duration `json:"p99"`
	// Completed is wrk's count of responses; Sent counts the requests the
	// script issued, which includes those still in flight when wrk
	// stopped (the server answered them, wrk did not wait).
	Completed int64 `json:"completed"`
	Sent      int64 `json:"sent"`
	// Errors counts connect/read/write/timeout errors and non-2xx/3xx
	// answers.
	Errors int64 `json:"errors"`
}

// Result is a whole run.
type Result struct {
	Reference Figures `json:"reference"`
	Redirect  Figures `json:"redirect"`
	// Ratio is Redirect.RequestsPerSec / Reference.RequestsPerSec.
	Ratio float64 `json:"ratio"`
	// Handled counts requests the redirect handler answered, warm-up
	// included; Requests is what wrk sent it (warm-up included); Clicks is
	// the rows in link_clicks once the writer has flushed. All three must
	// be equal.
	Handled  int64 `json:"handled"`
	Requests int64 `json:"requests"`
	Clicks   int64 `json:"clicks"`
	// Sync is the synchronous-insert variant (Options.Synchronous).
	Sync *Figures `json:"sync,omitempty"`
	// SyncClicks is the synchronous variant's click count.
	SyncClicks int64  `json:"sync_clicks,omitempty"`
	Store      string `json:"store"`
}

func (r Result) String() string {
	s := fmt.Sprintf("reference %.0f req/s p99 %v; redirect %.0f req/s p99 %v (%.0f%% of reference); %d requests, %d handled, %d clicks recorded (%s)",
		r.Reference.RequestsPerSec, r.Reference.P99, r.Redirect.RequestsPerSec, r.Redirect.P99, 100*r.Ratio,
		r.Requests, r.Handled, r.Clicks, r.Store)
	if r.Sync != nil {
		s += fmt.Sprintf("; synchronous inserts %.0f req/s p99 %v, %d clicks", r.Sync.RequestsPerSec, r.Sync.P99, r.SyncClicks)
	}
	return s
}

// UserAgent is the phone the benchmark pretends to be, so that every
// request counts as a person's click.
const UserAgent = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"

// Run starts the reference and the redirect, runs wrk against each and
// returns the figures. It needs wrk (Debian's package) on PATH.
func Run(ctx context.Context, o Options) (Result, error) {
	o.defaults()
	var res Result
	wrk, err := exec.LookPath(o.Wrk)
	if err != nil {
		return res, fmt.Errorf("linkbench: wrk not found (apt-get install wrk): %w", err)
	}
	o.Wrk = wrk
	if o.Dir == "" {
		dir, err := os.MkdirTemp("", "linkbench")
		if err != nil {
			return res, err
		}
		defer os.RemoveAll(dir)
		o.Dir = dir
	}
	main, err := run(ctx, o, false)
	if err != nil {
		return res, err
	}
	res = main
	if o.Synchronous {
		o.DB = "" // a fresh store for the variant
		sub := filepath.Join(o.Dir, "sync")
		if err := os.MkdirAll(sub, 0o700); err != nil {
			return res, err
		}
		o.Dir = sub
		s, err := run(ctx, o, true)
		if err != nil {
			return res, err
		}
		res.Sync, res.SyncClicks = &s.Redirect, s.Clicks
	}
	return res, nil
}

func (o *Options) defaults() {
	if o.Duration <= 0 {
		o.Duration = 5 * time.Second
	}
	if o.Rounds <= 0 {
		o.Rounds = 3
	}
	if o.Warmup < 0 {
		o.Warmup = 0
	} else if o.Warmup == 0 {
		o.Warmup = 2 * time.Second
	}
	if o.Connections <= 0 {
		o.Connections = 32
	}
	if o.Threads <= 0 {
		o.Threads = 1
	}
	if o.Links <= 0 {
		o.Links = 1000
	}
	if o.Wrk == "" {
		o.Wrk = "wrk"
	}
}

func run(ctx context.Context, o Options, synchronous bool) (Result, error) {
	var res Result
	dsn := o.DB
	if dsn == "" {
		dsn = "sqlite:" + filepath.Join(o.Dir, "links.db")
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return res, err
	}
	defer db.Close()
	res.Store = db.Location
	if _, err := db.Migrate(ctx); err != nil {
		return res, err
	}
	master := make([]byte, pii.MasterKeySize)
	rand.Read(master)
	keys, err := pii.NewKeyring(master)
	if err != nil {
		return res, err
	}

	// Two listeners on loopback: the reference and the redirect.
	refLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	linkLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		refLn.Close()
		return res, err
	}
	svc, err := link.New(ctx, db, keys, clock.System{}, link.Options{BaseURL: "http://" + linkLn.Addr().String(),
		Synchronous: synchronous, Batch: o.Batch, Linger: o.Linger})
	if err != nil {
		return res, err
	}
	specs := make([]link.Spec, o.Links)
	for i := range specs {
		specs[i] = link.Spec{Target: fmt.Sprintf("https://shop.example/p?id=%d#reviews", i), Campaign: "bench", Content: "v1", CustomerID: 0}
	}
	urls, err := svc.CreateBatch(ctx, specs)
	if err != nil {
		return res, err
	}
	tokens := make([]string, len(urls))
	locations := make(map[string]string, len(urls))
	for i, u := range urls {
		tokens[i] = u[strings.LastIndexByte(u, '/')+1:]
		if locations[tokens[i]], err = svc.Resolve(ctx, tokens[i]); err != nil {
			return res, err
		}
	}

	var refHandled, linkHandled atomic.Int64
	refMux := http.NewServeMux()
	refMux.HandleFunc("GET /l/{token}", func(w http.ResponseWriter, r *http.Request) {
		refHandled.Add(1)
		loc, ok := locations[r.PathValue("token")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		hdr := w.Header()
		hdr["Location"] = []string{loc}
		hdr["Cache-Control"] = []string{"no-store"}
		hdr["Referrer-Policy"] = []string{"no-referrer"}
		w.WriteHeader(http.StatusFound)
	})
	linkMux := http.NewServeMux()
	svc.Handler().Register(linkMux)
	counted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		linkHandled.Add(1)
		linkMux.ServeHTTP(w, r)
	})
	refSrv := &http.Server{Handler: refMux}
	linkSrv := &http.Server{Handler: counted}
	go refSrv.Serve(refLn)
	go linkSrv.Serve(linkLn)
	defer refSrv.Close()

	script := filepath.Join(o.Dir, "tokens.lua")
	if err := writeScript(script, tokens); err != nil {
		return res, err
	}
	refAddr, linkAddr := refLn.Addr().String(), linkLn.Addr().String()
	if o.Warmup > 0 {
		for _, addr := range []string{refAddr, linkAddr} {
			w, err := runWrk(ctx, o, script, addr, o.Warmup)
			if err != nil {
				return res, err
			}
			if addr == linkAddr {
				res.Requests += w.Sent
			}
		}
	}
	for round := 0; round < o.Rounds; round++ {
		f, err := runWrk(ctx, o, script, refAddr, o.Duration)
		if err != nil {
			return res, err
		}
		res.Reference = best(res.Reference, f)
		if f, err = runWrk(ctx, o, script, linkAddr, o.Duration); err != nil {
			return res, err
		}
		res.Requests += f.Sent
		res.Redirect = best(res.Redirect, f)
	}
	// Stop the server (in-flight requests finish), then the writer: every
	// click is in the store when Close returns.
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := linkSrv.Shutdown(sctx); err != nil {
		return res, err
	}
	if err := svc.Close(); err != nil {
		return res, err
	}
	res.Handled = linkHandled.Load()
	if res.Clicks, err = svc.JournalCount(ctx); err != nil {
		return res, err
	}
	human, bot, err := svc.ClickCounts(ctx)
	if err != nil {
		return res, err
	}
	if bot != 0 || human != res.Clicks {
		return res, fmt.Errorf("linkbench: counts say %d human and %d bot clicks, the journal %d", human, bot, res.Clicks)
	}
	if res.Reference.RequestsPerSec > 0 {
		res.Ratio = res.Redirect.RequestsPerSec / res.Reference.RequestsPerSec
	}
	if res.Reference.Errors+res.Redirect.Errors > 0 {
		return res, fmt.Errorf("linkbench: wrk reported errors (reference %d, redirect %d)", res.Reference.Errors, res.Redirect.Errors)
	}
	return res, nil
}

// best keeps the run with more requests per second, adding up errors.
func best(a, b Figures) Figures {
	errs := a.Errors + b.Errors
	if b.RequestsPerSec > a.RequestsPerSec {
		a = b
	}
	a.Errors = errs
	return a
}

// writeScript writes the wrk script: requests rotate through the tokens
// with a phone's User-Agent; each thread counts what it sends, and done()
// prints one line with the totals for runWrk to read.
func writeScript(path string, tokens []string) error {
	var b bytes.Buffer
	b.WriteString("local tokens = {")
	for i, t := range tokens {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(t))
	}
	b.WriteString("}\n")
	fmt.Fprintf(&b, `local threads = {}
wrk.headers["User-Agent"] = %q
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  sent = 0
end
function request()
  sent = sent + 1
  return wrk.format("GET", "/l/" .. tokens[(sent %% #tokens) + 1])
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do
    total = total + t:get("sent")
  end
  local e = summary.errors
  io.write(string.format("NUDGEBENCH %%d %%d %%d %%d %%d\n", total, summary.requests, summary.duration,
    latency:percentile(99), e.connect + e.read + e.write + e.status + e.timeout))
end
`, UserAgent)
	return os.WriteFile(path, b.Bytes(), 0o600)
}

func runWrk(ctx context.Context, o Options, script, addr string, d time.Duration) (Figures, error) {
	secs := max(1, int(d.Round(time.Second)/time.Second))
	cmd := exec.CommandContext(ctx, o.Wrk, "-t", strconv.Itoa(o.Threads), "-c", strconv.Itoa(o.Connections),
		"-d", strconv.Itoa(secs)+"s", "--timeout", "5s", "-s", script, "http://"+addr+"/")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return Figures{}, fmt.Errorf("linkbench: wrk: %w: %s", err, out)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 6 || f[0] != "NUDGEBENCH" {
			continue
		}
		var n [5]int64
		for i := range n {
			if n[i], err = strconv.ParseInt(f[i+1], 10, 64); err != nil {
				return Figures{}, fmt.Errorf("linkbench: wrk output %q", sc.Text())
			}
		}
		return Figures{Sent: n[0], Completed: n[1], RequestsPerSec: float64(n[1]) / (float64(n[2]) / 1e6),
			P99: time.Duration(n[3]) * time.Microsecond, Errors: n[4]}, nil
	}
	return Figures{}, errors.New("linkbench: no summary in wrk output: " + string(out))
}
