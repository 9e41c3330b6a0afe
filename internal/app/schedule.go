package app

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"nudge/internal/clock"
	"nudge/internal/intel"
	"nudge/internal/segment"
	"nudge/internal/store"
)

// The scheduler runs the nightly jobs: RFM scores and groups, and the
// stored predictions (purchase cycles, habits, CLV). A job's freshness is
// read from what it stored (the date its result is as of), not kept in
// memory, so a restart, a second process or a run by hand (`nudge rfm`)
// counts: a job runs when its result is missing, at once, or when it is
// older than today and the shop's local refresh time has passed. On
// PostgreSQL, where several processes may have the scheduler role, an
// advisory lock per job lets one of them run it; the others find the
// result fresh afterwards.

// Job is one scheduled piece of work.
type Job struct {
	Name string
	// AsOf is the shop-local date (2006-01-02) of the stored result, "" when
	// there is none yet.
	AsOf func(ctx context.Context) (string, error)
	Run  func(ctx context.Context) error
}

// JobStatus is what the scheduler knows of a job, for /metrics and logs.
type JobStatus struct {
	Name     string
	Runs     int
	Failures int
	LastRun  time.Time // start of the last run, zero if none
	LastTook time.Duration
	LastErr  string
}

// Scheduler runs Jobs when they are due.
type Scheduler struct {
	jobs  []Job
	at    time.Duration // after local midnight; negative: only missing results are computed
	loc   *time.Location
	clock clock.Clock
	log   *slog.Logger
	db    *store.DB
	retry time.Duration // wait after a failure before trying again

	mu     sync.Mutex
	status map[string]*JobStatus
	failed map[string]time.Time // when a job last failed
	done   map[string]string    // the local day of a job's last success
}

// NewScheduler schedules jobs daily at `at` after local midnight in loc.
func NewScheduler(db *store.DB, clk clock.Clock, loc *time.Location, at time.Duration, log *slog.Logger, jobs ...Job) *Scheduler {
	s := &Scheduler{jobs: jobs, at: at, loc: loc, clock: clk, log: log.With("component", "scheduler"), db: db,
		retry: 10 * time.Minute, status: map[string]*JobStatus{}, failed: map[string]time.Time{}, done: map[string]string{}}
	for _, j := range jobs {
		s.status[j.Name] = &JobStatus{Name: j.Name}
	}
	return s
}

// Run checks the jobs every tick until ctx ends; each check runs the due
// jobs one after another, so no job ever runs twice at once in a process.
func (s *Scheduler) Run(ctx context.Context, tick <-chan time.Time) {
	for {
		s.Check(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
	}
}

// Check runs every job that is due now.
func (s *Scheduler) Check(ctx context.Context) {
	for _, j := range s.jobs {
		if ctx.Err() != nil {
			return
		}
		due, err := s.due(ctx, j)
		if err != nil {
			s.log.Warn("cannot tell whether a job is due", "job", j.Name, "err", err)
			continue
		}
		if due {
			s.run(ctx, j)
		}
	}
}

// due: the result is missing, or it is older than today and today's
// refresh time has passed; and the job has not failed within the retry
// wait.
func (s *Scheduler) due(ctx context.Context, j Job) (bool, error) {
	now := s.clock.Now().In(s.loc)
	today := now.Format(time.DateOnly)
	s.mu.Lock()
	failedAt, failed := s.failed[j.Name]
	doneToday := s.done[j.Name] == today
	s.mu.Unlock()
	// A job that succeeded today is not run again today, even when it
	// stored nothing (a store without orders has no model to fit).
	if doneToday || failed && now.Sub(failedAt) < s.retry {
		return false, nil
	}
	asOf, err := j.AsOf(ctx)
	if err != nil {
		return false, err
	}
	if asOf == "" {
		return true, nil
	}
	if s.at < 0 {
		return false, nil
	}
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.loc)
	return asOf < today && !now.Before(midnight.Add(s.at)), nil
}

func (s *Scheduler) run(ctx context.Context, j Job) {
	unlock, ok, err := s.lock(ctx, j.Name)
	if err != nil || !ok {
		if err != nil {
			s.log.Warn("job lock", "job", j.Name, "err", err)
		}
		return // another process is running it
	}
	defer unlock()
	start := s.clock.Now()
	s.log.Info("job started", "job", j.Name)
	err = j.Run(ctx)
	took := s.clock.Now().Sub(start)
	s.mu.Lock()
	st := s.status[j.Name]
	st.Runs++
	st.LastRun, st.LastTook, st.LastErr = start, took, ""
	if err != nil {
		st.Failures++
		st.LastErr = err.Error()
		s.failed[j.Name] = start
	} else {
		delete(s.failed, j.Name)
		s.done[j.Name] = start.In(s.loc).Format(time.DateOnly)
	}
	s.mu.Unlock()
	if err != nil {
		s.log.Error("job failed; retrying later", "job", j.Name, "took", took, "retry_in", s.retry, "err", err)
		return
	}
	s.log.Info("job done", "job", j.Name, "took", took)
}

// lock takes the job's PostgreSQL advisory lock on a connection of its own
// (SQLite: one process owns the file, nothing to take).
func (s *Scheduler) lock(ctx context.Context, name string) (unlock func(), ok bool, err error) {
	if s.db == nil || s.db.Dialect != store.Postgres {
		return func() {}, true, nil
	}
	conn, err := s.db.W.Conn(ctx)
	if err != nil {
		return nil, false, err
	}
	id := jobLockID(name)
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, id).Scan(&ok); err != nil || !ok {
		conn.Close()
		return nil, false, err
	}
	return func() {
		conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, id)
		conn.Close()
	}, true, nil
}

// jobLockID keys a job's advisory lock: a fixed prefix (nudge's migration
// lock is 7_245_001) and a hash of the name.
func jobLockID(name string) int64 {
	h := fnv.New32a()
	h.Write([]byte(name))
	return 7_245_100_000_000 + int64(h.Sum32())
}

// Status returns a copy of every job's status, in job order.
func (s *Scheduler) Status() []JobStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]JobStatus, 0, len(s.jobs))
	for _, j := range s.jobs {
		out = append(out, *s.status[j.Name])
	}
	return out
}

// ParseRefreshAt reads NUDGE_REFRESH_AT: "HH:MM" shop-local time, or "off"
// (results are still computed once when missing). It returns the offset
// after midnight, negative for off.
func ParseRefreshAt(s string) (time.Duration, error) {
	if s == "off" {
		return -1, nil
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("config: NUDGE_REFRESH_AT %q is not HH:MM or off", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// nightlyJobs are the App's scheduled jobs: RFM, then the predictions.
func (a *App) nightlyJobs(ctx context.Context) ([]Job, error) {
	iv, err := intel.NewService(ctx, a.DB, intel.Options{Clock: a.Clock, Location: a.Customers.Location(), Log: a.Log})
	if err != nil {
		return nil, err
	}
	return []Job{
		{Name: "rfm", Run: a.Segments.Refresh, AsOf: func(ctx context.Context) (string, error) {
			rep, err := a.Segments.RFM(ctx)
			if errors.Is(err, segment.ErrNoRFM) {
				return "", nil
			}
			return rep.AsOf, err
		}},
		{Name: "predictions", Run: iv.Refresh, AsOf: func(ctx context.Context) (string, error) {
			return iv.LatestRun(ctx)
		}},
	}, nil
}

// RefreshNow runs the nightly jobs once, now (a fresh demo store has its
// RFM and predictions before the console opens).
func (a *App) RefreshNow(ctx context.Context) error {
	jobs, err := a.nightlyJobs(ctx)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		if err := j.Run(ctx); err != nil {
			return fmt.Errorf("%s: %w", j.Name, err)
		}
	}
	return nil
}

// schedulerTick is how often the scheduler looks at its jobs.
const schedulerTick = time.Minute

// startScheduler runs the nightly jobs in the background until stop.
func (a *App) startScheduler(ctx context.Context) (stop func(), err error) {
	jobs, err := a.nightlyJobs(ctx)
	if err != nil {
		return nil, err
	}
	at, err := ParseRefreshAt(a.Config.RefreshAt)
	if err != nil {
		return nil, err
	}
	s := NewScheduler(a.DB, a.Clock, a.Customers.Location(), at, a.Log, jobs...)
	a.Scheduler = s
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	t := time.NewTicker(schedulerTick)
	done := make(chan struct{})
	go func() { defer close(done); s.Run(ctx, t.C) }()
	return func() { cancel(); t.Stop(); <-done }, nil
}
