// Package outboxbench measures the send path end to end for `make bench`:
// a million queued messages go through the dispatcher and the SMPP client
// to a local SMSC over loopback (one bind, window 256), in SQLite and in
// PostgreSQL. The SMSC counts what it receives, so the run also proves that
// every message was submitted exactly once; and it measures its own
// ceiling in the same run, so that the figure is known to be nudge's and
// not the SMSC's.
package outboxbench

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"nudge/internal/clock"
	"nudge/internal/gateway"
	"nudge/internal/gateway/smppgw"
	"nudge/internal/outbox"
	"nudge/internal/pii"
	"nudge/internal/store"
)

// Options configure a run.
type Options struct {
	// DB is "sqlite" (a fresh file in a temporary directory) or a
	// postgres:// URL (a fresh schema in that database, dropped after).
	DB       string
	Messages int           // default 1,000,000
	Window   int           // default 256
	Delay    time.Duration // added to every submit_sm_resp (a carrier's round trip)
	// Progress, when set, gets a line every few seconds.
	Progress io.Writer
	// SMSC starts the SMSC for n messages and the delay; nil is Local.
	// make bench uses Spawn: a carrier's SMSC is not in nudge's process.
	SMSC func(n int, delay time.Duration) (SMSC, error)
}

// Result is one run's figures.
type Result struct {
	Dialect   string
	Messages  int
	Window    int
	Delay     time.Duration
	Enqueue   float64 // messages per second queued (batched enqueue)
	Rate      float64 // submit_sm per second, first submit to last answer recorded
	Steady    float64 // submit_sm per second between 10% and 90% of the run
	Elapsed   time.Duration
	Ceiling   float64 // the SMSC's own submit_sm/s with a bare pipelined client
	Target    float64 // window / RTT when Delay is set, else 0
	PeakRSSMB float64 // of the whole process (SMSC included) at the end
	Once      bool    // every message reached the SMSC exactly once and is recorded submitted
	Problems  string  // what was wrong when Once is false
}

// String prints the result as one line of the bench table.
func (r Result) String() string {
	s := fmt.Sprintf("outbox %-8s %8d msgs window %d delay %-5s: %7.0f submit_sm/s (steady %7.0f), enqueue %7.0f/s, SMSC ceiling %7.0f/s, peak RSS %4.0f MB, exactly once: %v",
		r.Dialect, r.Messages, r.Window, r.Delay, r.Rate, r.Steady, r.Enqueue, r.Ceiling, r.PeakRSSMB, r.Once)
	if r.Target > 0 {
		// Both ratios: to the nominal window/RTT the issue names, and to
		// what the SMSC itself allows at that delay (its answers come a
		// little after 50 ms), measured in the same run.
		s += fmt.Sprintf(", %.1f%% of window/RTT (%.0f/s), %.1f%% of the SMSC's ceiling", 100*r.Steady/r.Target, r.Target, 100*r.Steady/r.Ceiling)
	}
	if r.Problems != "" {
		s += " (" + r.Problems + ")"
	}
	return s
}

// Run performs one measurement.
func Run(ctx context.Context, opt Options) (Result, error) {
	if opt.Messages <= 0 {
		opt.Messages = 1_000_000
	}
	if opt.Window <= 0 {
		opt.Window = 256
	}
	res := Result{Messages: opt.Messages, Window: opt.Window, Delay: opt.Delay}
	db, cleanup, err := openFresh(ctx, opt.DB)
	if err != nil {
		return res, err
	}
	defer cleanup()
	res.Dialect = db.Dialect.String()
	keys, err := pii.NewKeyring(pii.GenerateMasterKey())
	if err != nil {
		return res, err
	}
	s, err := outbox.NewStore(ctx, db, keys, clock.System{}, outbox.Options{Router: onlyRoute("smsc")})
	if err != nil {
		return res, err
	}

	// The SMSC counts each message by the number in its text.
	newSMSC := opt.SMSC
	if newSMSC == nil {
		newSMSC = Local
	}
	smsc, err := newSMSC(opt.Messages, opt.Delay)
	if err != nil {
		return res, err
	}
	defer smsc.Close()

	start := time.Now()
	if err := enqueue(ctx, s, opt.Messages); err != nil {
		return res, err
	}
	res.Enqueue = float64(opt.Messages) / time.Since(start).Seconds()
	progress(opt.Progress, "%s: %d queued at %.0f/s", res.Dialect, opt.Messages, res.Enqueue)
	runtime.GC()

	cfg, err := gateway.ParseURL("smsc", fmt.Sprintf("smpp://bench:pw@%s?window=%d&timeout=30s", smsc.Addr(), opt.Window))
	if err != nil {
		return res, err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	g, err := smppgw.New(cfg, gateway.Deps{Clock: clock.System{}, Log: log, Sink: gateway.SinkFuncs{}, Trace: func(gateway.Exchange) {}})
	if err != nil {
		return res, err
	}
	defer g.Close()
	for deadline := time.Now().Add(10 * time.Second); !g.Status().Up; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			return res, fmt.Errorf("bench: gateway did not bind: %+v", g.Status())
		}
	}
	d := outbox.NewDispatcher(s, outbox.DispatcherOptions{Log: log, Batch: opt.Window,
		Lines: func() []outbox.Line { return []outbox.Line{{Gateway: g, Config: cfg}} }})
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan struct{})
	t0 := time.Now()
	go func() { d.Run(runCtx); close(done) }()
	var t10, t90 time.Time
	n := int64(opt.Messages)
	lastReport := time.Now()
	for {
		got, err := smsc.Seen()
		if err != nil {
			return res, err
		}
		if t10.IsZero() && got >= n/10 {
			t10 = time.Now()
		}
		if t90.IsZero() && got >= n*9/10 {
			t90 = time.Now()
		}
		if got >= n {
			break
		}
		if time.Since(lastReport) > 5*time.Second {
			progress(opt.Progress, "%s: %d submitted, %.0f/s", res.Dialect, got, float64(got)/time.Since(t0).Seconds())
			lastReport = time.Now()
		}
		select {
		case <-ctx.Done():
			stop()
			return res, ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
	// The run ends when the last outcome is recorded, not when the SMSC
	// has the last message.
	for {
		var left int
		if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages WHERE status <> 'submitted'`).Scan(&left); err != nil {
			return res, err
		}
		if left == 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	res.Elapsed = time.Since(t0)
	stop()
	<-done
	res.Rate = float64(opt.Messages) / res.Elapsed.Seconds()
	if !t90.IsZero() && t90.After(t10) {
		res.Steady = float64(n*8/10) / t90.Sub(t10).Seconds()
	}
	if opt.Delay > 0 {
		res.Target = float64(opt.Window) / (opt.Delay.Seconds())
	}
	res.PeakRSSMB = peakRSSMB()

	dup, missing, err := smsc.Tally()
	if err != nil {
		return res, err
	}
	seen, err := smsc.Seen()
	if err != nil {
		return res, err
	}
	var parts int
	db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM message_parts`).Scan(&parts)
	res.Once = dup == 0 && missing == 0 && parts == opt.Messages && seen == n
	if !res.Once {
		res.Problems = fmt.Sprintf("%d duplicated, %d missing, %d submits seen, %d ids recorded", dup, missing, seen, parts)
	}

	// The SMSC's ceiling, with the same delay, measured on a fresh
	// instance after the run so that the two do not share the CPU.
	if res.Ceiling, err = smsc.Ceiling(min(opt.Messages, 300_000), opt.Window); err != nil {
		return res, err
	}
	return res, nil
}

func progress(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}

// enqueue queues n messages "b<i>" to distinct numbers, in batches of
// 10,000, the way a campaign's fan-out would.
func enqueue(ctx context.Context, s *outbox.Store, n int) error {
	const batch = 10_000
	src := outbox.Source{Kind: outbox.SourceCampaign, Ref: "bench"}
	msgs := make([]outbox.Message, 0, batch)
	for i := 0; i < n; i++ {
		msgs = append(msgs, outbox.Message{Key: "bench:" + strconv.Itoa(i), Source: src, CustomerID: int64(i + 1),
			Phone: fmt.Sprintf("+86139%08d", i), Text: "b" + strconv.Itoa(i), Category: "transactional"})
		if len(msgs) == batch || i == n-1 {
			res, err := s.Enqueue(ctx, msgs)
			if err != nil {
				return err
			}
			if res.New != len(msgs) {
				return fmt.Errorf("bench: enqueued %d of %d (%v)", res.New, len(msgs), res.Rejected)
			}
			msgs = msgs[:0]
		}
	}
	return nil
}

type onlyRoute string

func (r onlyRoute) Route(to, carrier, category string, exclude []string) string { return string(r) }

// openFresh opens an empty, migrated store.
func openFresh(ctx context.Context, spec string) (*store.DB, func(), error) {
	if spec == "" || spec == "sqlite" {
		dir, err := os.MkdirTemp("", "nudge-outboxbench-")
		if err != nil {
			return nil, nil, err
		}
		db, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "bench.db"))
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, err
		}
		if _, err := db.Migrate(ctx); err != nil {
			db.Close()
			os.RemoveAll(dir)
			return nil, nil, err
		}
		return db, func() { db.Close(); os.RemoveAll(dir) }, nil
	}
	admin, err := sql.Open("pgx", spec)
	if err != nil {
		return nil, nil, err
	}
	b := make([]byte, 5)
	rand.Read(b)
	schema := "nudge_bench_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		return nil, nil, err
	}
	drop := func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE"); admin.Close() }
	u, err := url.Parse(spec)
	if err != nil {
		drop()
		return nil, nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := store.Open(ctx, u.String())
	if err != nil {
		drop()
		return nil, nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		drop()
		return nil, nil, err
	}
	return db, func() { db.Close(); drop() }, nil
}

// peakRSSMB reads the process's high-water resident set (VmHWM) on Linux;
// 0 elsewhere.
func peakRSSMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

// Targets checks results against the targets: >= 10,000
// submit_sm/s without delay, >= 95% of window/RTT with it, exactly once,
// peak RSS <= 300 MB. It returns what was missed, empty when all were met.
func Targets(rs []Result) []string {
	var miss []string
	for _, r := range rs {
		name := fmt.Sprintf("%s delay %s", r.Dialect, r.Delay)
		switch {
		case !r.Once:
			miss = append(miss, name+": not exactly once: "+r.Problems)
		case r.Delay == 0 && r.Steady < 10000:
			miss = append(miss, fmt.Sprintf("%s: %.0f submit_sm/s, target 10,000", name, r.Steady))
		case r.Delay > 0 && r.Steady < 0.95*r.Target:
			miss = append(miss, fmt.Sprintf("%s: %.1f%% of window/RTT, target 95%%", name, 100*r.Steady/r.Target))
		}
		if r.PeakRSSMB > 300 {
			miss = append(miss, fmt.Sprintf("%s: peak RSS %.0f MB, target 300", name, r.PeakRSSMB))
		}
	}
	return miss
}
