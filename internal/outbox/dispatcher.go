package outbox

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"time"

	"nudge/internal/gateway"
	"nudge/internal/store"
)

// Line is one gateway as a dispatcher drives it: the running gateway and
// the configuration that sets its rate, window, price and retry rules.
type Line struct {
	Gateway gateway.Gateway
	Config  gateway.Config
}

// Name is the gateway's name.
func (l Line) Name() string { return l.Config.Name }

// Recipient is a claimed message's addressee as the suppression check sees
// it.
type Recipient struct {
	CustomerID int64
	Phone      string // E.164
	PhoneIndex []byte
	Category   string
	Kind       string // transactional, marketing, staff
}

// Suppressor answers, just before a submit, whether a recipient may still
// get a message: an opt-out that arrived mid-campaign must stop what is not
// yet submitted. It returns one entry per recipient, "" to send or a reason
// not to.
type Suppressor interface {
	Suppressed(ctx context.Context, rs []Recipient) ([]string, error)
}

// DispatcherOptions configure a Dispatcher.
type DispatcherOptions struct {
	// Lines returns the gateways to dispatch to; it is called about once
	// a second so that gateways added or removed take effect.
	Lines func() []Line
	// Router picks the next gateway when one refuses a message or stays
	// down; nil means no failover.
	Router Router
	// Suppressor is asked just before each submit; nil skips the check.
	Suppressor Suppressor
	Log        *slog.Logger
	// Lease is how long a dead dispatcher's heartbeat may be stale before
	// its sending messages are recovered; default DefaultLease.
	Lease time.Duration
	// Poll is how often an idle line looks for new work (other processes
	// enqueue without waking this one); default 500 ms.
	Poll time.Duration
	// Batch caps one claim; default 256.
	Batch int
	// Grace is how long in-flight submits may take to finish after the
	// dispatcher is told to stop; default 10 s. Submits still running
	// then are cut off and held for review.
	Grace time.Duration
	// RetryBase and RetryMax shape the backoff between attempts after a
	// temporary error: RetryBase doubling per attempt, capped at
	// RetryMax, with jitter; defaults 2 s and 10 min.
	RetryBase, RetryMax time.Duration
}

// Dispatcher claims queued messages and submits them through the
// gateways, one line per gateway, keeping each gateway's rate and window.
type Dispatcher struct {
	s     *Store
	opt   DispatcherOptions
	log   *slog.Logger
	owner owner

	outcomes chan outcome

	linesWG      sync.WaitGroup // every line started, until its run returns
	mu           sync.Mutex
	lines        map[string]*lineRun
	stats        map[string]*LineStats
	lastStatus   map[string]int64 // submitted count at the last status write
	lastStatusAt time.Time
}

// NewDispatcher builds a dispatcher on a store.
func NewDispatcher(s *Store, opt DispatcherOptions) *Dispatcher {
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if opt.Lease <= 0 {
		opt.Lease = DefaultLease
	}
	if opt.Poll <= 0 {
		opt.Poll = 500 * time.Millisecond
	}
	if opt.Batch <= 0 {
		opt.Batch = 256
	}
	if opt.Grace <= 0 {
		opt.Grace = 10 * time.Second
	}
	if opt.RetryBase <= 0 {
		opt.RetryBase = 2 * time.Second
	}
	if opt.RetryMax <= 0 {
		opt.RetryMax = 10 * time.Minute
	}
	if opt.Lines == nil {
		opt.Lines = func() []Line { return nil }
	}
	return &Dispatcher{
		s: s, opt: opt, log: opt.Log.With("component", "dispatcher"),
		owner:    newOwner(s.clock.Now()),
		outcomes: make(chan outcome, 4096),
		lines:    map[string]*lineRun{},
		stats:    map[string]*LineStats{},
	}
}

// ID identifies this dispatcher in the store (the owner of its sending
// messages).
func (d *Dispatcher) ID() string { return d.owner.id }

// Run dispatches until ctx ends, then lets in-flight submits finish (up to
// Grace), records every outcome and unregisters. Messages it had claimed
// but not yet submitted go back to the queue.
func (d *Dispatcher) Run(ctx context.Context) error {
	// Register before the first claim, so that no other dispatcher can
	// take this one's sending messages for orphans.
	if err := d.s.heartbeat(ctx, d.owner); err != nil {
		return err
	}
	d.recoverOrphans(ctx)
	// SQLite has one writer, so one recorder; PostgreSQL takes several
	// transactions at once, and recording is what bounds its throughput.
	recorders := 1
	if d.s.db.Dialect == store.Postgres {
		recorders = 3
	}
	recDone := make(chan struct{})
	var recWG sync.WaitGroup
	for range recorders {
		recWG.Add(1)
		go func() { defer recWG.Done(); d.recorder() }()
	}
	go func() { recWG.Wait(); close(recDone) }()

	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	beat := time.NewTicker(max(d.opt.Lease/5, 200*time.Millisecond))
	defer beat.Stop()
	reroute := time.NewTicker(5 * time.Second)
	defer reroute.Stop()
	d.syncLines(ctx)
	d.reroute(ctx)
	for running := true; running; {
		select {
		case <-ctx.Done():
			running = false
		case <-tick.C:
			d.syncLines(ctx)
			d.writeStatus(ctx)
		case <-beat.C:
			if err := d.s.heartbeat(ctx, d.owner); err != nil && ctx.Err() == nil {
				d.log.Warn("heartbeat failed", "err", err)
			}
			d.recoverOrphans(ctx)
		case <-reroute.C:
			d.reroute(ctx)
		}
	}
	d.mu.Lock()
	runs := make([]*lineRun, 0, len(d.lines))
	for _, r := range d.lines {
		runs = append(runs, r)
	}
	d.mu.Unlock()
	for _, r := range runs {
		r.stop()
	}
	// Lines stopped earlier by syncLines may still be finishing.
	d.linesWG.Wait()
	close(d.outcomes)
	<-recDone
	bg := context.WithoutCancel(ctx)
	d.s.removeOwner(bg, d.owner.id)
	d.s.db.W.ExecContext(bg, d.s.db.Rebind(`DELETE FROM gateway_status WHERE owner = ?`), d.owner.id)
	return nil
}

func (d *Dispatcher) recoverOrphans(ctx context.Context) {
	resend := func(gw string) bool {
		for _, l := range d.opt.Lines() {
			if l.Name() == gw {
				return l.Config.Resend
			}
		}
		return false
	}
	review, requeued, err := d.s.RecoverOrphans(ctx, d.owner.id, d.opt.Lease, resend)
	switch {
	case err != nil && ctx.Err() == nil:
		d.log.Warn("orphan recovery failed", "err", err)
	case review > 0 || requeued > 0:
		d.log.Warn("messages of a stopped dispatcher recovered", "held_for_review", review, "requeued", requeued)
	}
}

// syncLines starts a line for each new gateway and stops lines whose
// gateway is gone or was rebuilt.
func (d *Dispatcher) syncLines(ctx context.Context) {
	want := map[string]Line{}
	for _, l := range d.opt.Lines() {
		want[l.Name()] = l
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for name, r := range d.lines {
		if l, ok := want[name]; !ok || l.Gateway != r.line.Gateway || l.Config.Raw != r.line.Config.Raw {
			go r.stop()
			delete(d.lines, name)
		}
	}
	for name, l := range want {
		if _, ok := d.lines[name]; ok {
			continue
		}
		st := d.stats[name]
		if st == nil {
			st = &LineStats{Gateway: name}
			d.stats[name] = st
		}
		r := newLineRun(d, l, st)
		d.lines[name] = r
		d.linesWG.Add(1)
		go func() {
			defer d.linesWG.Done()
			r.run(ctx)
		}()
	}
}

// recorder writes outcomes in batches: up to 512, or whatever arrived in
// the 5 ms after the first of a batch. A failed write is retried, since the
// outcomes it holds (gateway ids above all) must not be lost while the
// process lives.
func (d *Dispatcher) recorder() {
	ctx := context.Background()
	var batch []outcome
	for o := range d.outcomes {
		batch = append(batch[:0], o)
		timer := time.NewTimer(d.linger())
	fill:
		for len(batch) < 512 {
			select {
			case o, ok := <-d.outcomes:
				if !ok {
					break fill
				}
				batch = append(batch, o)
			case <-timer.C:
				break fill
			}
		}
		timer.Stop()
		for attempt := 0; ; attempt++ {
			err := d.s.record(ctx, batch)
			if err == nil {
				break
			}
			d.log.Error("recording submit outcomes failed; retrying", "messages", len(batch), "attempt", attempt+1, "err", err)
			time.Sleep(min(time.Duration(attempt+1)*100*time.Millisecond, 5*time.Second))
		}
	}
}

// linger is how long the recorder waits for more outcomes before it
// writes a batch. On SQLite every write holds the only writer, which the
// feeders' claims need too: fewer, larger record transactions leave it free
// more often. NUDGE_OUTBOX_LINGER overrides it, for measurements.
func (d *Dispatcher) linger() time.Duration {
	if v, err := time.ParseDuration(os.Getenv("NUDGE_OUTBOX_LINGER")); err == nil {
		return v
	}
	if d.s.db.Dialect == store.SQLite {
		return 20 * time.Millisecond
	}
	return 5 * time.Millisecond
}
