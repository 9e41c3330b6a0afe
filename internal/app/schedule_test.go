package app

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"nudge/internal/clock"
	"nudge/internal/demo"
	"nudge/internal/ingest"
	"nudge/internal/store/storetest"
)

// fakeJob stores its result's date like the real jobs do.
type fakeJob struct {
	asOf  string
	runs  int
	fail  bool
	clock *clock.Fake
	loc   *time.Location
	store bool // whether a run stores a result (an empty shop stores none)
}

func (f *fakeJob) job(name string) Job {
	return Job{Name: name,
		AsOf: func(context.Context) (string, error) { return f.asOf, nil },
		Run: func(context.Context) error {
			f.runs++
			if f.fail {
				return errors.New("store unavailable")
			}
			if f.store {
				f.asOf = f.clock.Now().In(f.loc).Format(time.DateOnly)
			}
			return nil
		}}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestSchedulerRunsJobsWhenDue(t *testing.T) {
	ctx := context.Background()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	clk := clock.NewFake(time.Date(2026, 11, 23, 1, 0, 0, 0, loc)) // 01:00 shop time
	missing := &fakeJob{clock: clk, loc: loc, store: true}
	old := &fakeJob{asOf: "2026-11-22", clock: clk, loc: loc, store: true}
	s := NewScheduler(nil, clk, loc, 3*time.Hour, quiet(), missing.job("missing"), old.job("old"))

	s.Check(ctx)
	if missing.runs != 1 || old.runs != 0 {
		t.Fatalf("at 01:00: missing ran %d, yesterday's ran %d; want 1 and 0", missing.runs, old.runs)
	}
	clk.Set(time.Date(2026, 11, 23, 2, 59, 0, 0, loc))
	s.Check(ctx)
	if old.runs != 0 {
		t.Fatal("ran before the refresh time")
	}
	clk.Set(time.Date(2026, 11, 23, 3, 0, 0, 0, loc))
	s.Check(ctx)
	s.Check(ctx)
	if old.runs != 1 || missing.runs != 1 {
		t.Fatalf("at 03:00, twice: yesterday's ran %d, missing ran %d; want 1 and 1", old.runs, missing.runs)
	}
	// The next night both run once more.
	clk.Set(time.Date(2026, 11, 24, 3, 30, 0, 0, loc))
	s.Check(ctx)
	if old.runs != 2 || missing.runs != 2 {
		t.Fatalf("next night: %d and %d runs, want 2 and 2", old.runs, missing.runs)
	}
	st := s.Status()
	if st[1].Name != "old" || st[1].Runs != 2 || st[1].Failures != 0 || !st[1].LastRun.Equal(clk.Now()) {
		t.Fatalf("status %+v", st[1])
	}
}

func TestSchedulerRetriesAFailedJobAfterAWait(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC))
	j := &fakeJob{fail: true, clock: clk, loc: time.UTC, store: true}
	s := NewScheduler(nil, clk, time.UTC, 3*time.Hour, quiet(), j.job("rfm"))
	s.Check(ctx)
	clk.Advance(time.Minute)
	s.Check(ctx)
	if j.runs != 1 {
		t.Fatalf("%d runs within the retry wait, want 1", j.runs)
	}
	j.fail = false
	clk.Advance(s.retry)
	s.Check(ctx)
	if st := s.Status()[0]; j.runs != 2 || st.Failures != 1 || st.LastErr != "" || j.asOf != "2026-11-23" {
		t.Fatalf("after the wait: %d runs, status %+v, as of %q", j.runs, st, j.asOf)
	}
}

// A job that stores nothing (a shop without orders) runs once a day, not
// every minute.
func TestSchedulerDoesNotRepeatAJobThatStoredNothing(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	j := &fakeJob{clock: clk, loc: time.UTC}
	s := NewScheduler(nil, clk, time.UTC, -1, quiet(), j.job("predictions"))
	for range 5 {
		s.Check(ctx)
		clk.Advance(time.Minute)
	}
	if j.runs != 1 {
		t.Fatalf("%d runs in five minutes, want 1", j.runs)
	}
	clk.Advance(24 * time.Hour)
	s.Check(ctx)
	if j.runs != 2 {
		t.Fatalf("%d runs the next day, want 2", j.runs)
	}
}

func TestSchedulerStopsWhenCancelled(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	j := &fakeJob{asOf: "2026-11-23", clock: clk, loc: time.UTC}
	s := NewScheduler(nil, clk, time.UTC, 0, quiet(), j.job("rfm"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx, make(chan time.Time)); close(done) }()
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

// On PostgreSQL a job another process is running (it holds the job's
// advisory lock) is skipped.
func TestSchedulerSkipsAJobLockedByAnotherProcess(t *testing.T) {
	db := storetest.Postgres(t)
	ctx := context.Background()
	other, err := db.W.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, jobLockID("rfm")); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	j := &fakeJob{clock: clk, loc: time.UTC, store: true}
	s := NewScheduler(db, clk, time.UTC, 0, quiet(), j.job("rfm"))
	s.Check(ctx)
	if j.runs != 0 {
		t.Fatal("ran while another process held the lock")
	}
	other.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, jobLockID("rfm"))
	s.Check(ctx)
	if j.runs != 1 {
		t.Fatalf("%d runs once the lock was free, want 1", j.runs)
	}
}

func TestParseRefreshAt(t *testing.T) {
	if d, err := ParseRefreshAt("03:30"); err != nil || d != 3*time.Hour+30*time.Minute {
		t.Fatalf("03:30: %v %v", d, err)
	}
	if d, err := ParseRefreshAt("off"); err != nil || d >= 0 {
		t.Fatalf("off: %v %v", d, err)
	}
	if _, err := ParseRefreshAt("3am"); err == nil {
		t.Fatal("3am accepted")
	}
}

// The App's nightly jobs compute RFM and the predictions of a store that
// has orders, and afterwards find them fresh.
func TestNightlyJobsComputeRFMAndPredictions(t *testing.T) {
	a, _ := testApp(t)
	ctx := context.Background()
	seedOrders(t, a)
	jobs, err := a.nightlyJobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := NewScheduler(a.DB, a.Clock, a.Customers.Location(), 3*time.Hour, quiet(), jobs...)
	s.Check(ctx)
	today := a.Clock.Now().In(a.Customers.Location()).Format(time.DateOnly)
	for _, j := range jobs {
		asOf, err := j.AsOf(ctx)
		if err != nil || asOf != today {
			t.Errorf("%s: as of %q (%v), want %s", j.Name, asOf, err, today)
		}
	}
	for _, st := range s.Status() {
		if st.Runs != 1 || st.LastErr != "" {
			t.Errorf("%+v", st)
		}
	}
	rep, err := a.Segments.RFM(ctx)
	if err != nil || rep.Scored == 0 {
		t.Fatalf("RFM after the job: %+v %v", rep, err)
	}
}

// seedOrders fills the store with a small demo shop.
func seedOrders(t *testing.T, a *App) {
	t.Helper()
	ctx := context.Background()
	opt := demo.Options{Seed: 1, Customers: 400, Now: demo.Today(a.Clock.Now())}
	for _, step := range []struct {
		kind  ingest.Kind
		write func(io.Writer, demo.Options) (int, error)
	}{{ingest.Customers, demo.WriteCustomers}, {ingest.Orders, demo.WriteOrders}} {
		var b bytes.Buffer
		if _, err := step.write(&b, opt); err != nil {
			t.Fatal(err)
		}
		sum, err := ingest.Import(ctx, a.Customers, &b, ingest.Options{Kind: step.kind, Format: "csv", RejectsPath: filepath.Join(t.TempDir(), "rejects.csv")})
		if err != nil || sum.Rejected > 0 {
			t.Fatalf("%s: %s %v", step.kind, sum, err)
		}
	}
}
