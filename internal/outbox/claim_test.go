package outbox

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"nudge/internal/clock"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

// Two dispatchers on PostgreSQL, as two processes would run them, claim
// disjoint sets: every message is claimed by exactly one of them, and both
// get work.
func TestPostgresClaimsAreDisjoint(t *testing.T) {
	db := storetest.Postgres(t)
	ctx := context.Background()
	s := newStore(t, db, clock.NewFake(t0), Options{Router: staticRouter{"a"}})
	src := Source{SourceCampaign, "pg"}
	if _, err := s.Enqueue(ctx, msgs(src, 3000, "transactional")); err != nil {
		t.Fatal(err)
	}
	var sid int64
	var st string
	db.R.QueryRow(`SELECT id, state FROM outbox_sources WHERE ref = 'pg'`).Scan(&sid, &st)

	var mu sync.Mutex
	claimedBy := map[int64]string{}
	counts := map[string]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := range 4 {
		owner := fmt.Sprintf("owner-%d", w)
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for {
				got, err := s.claim(ctx, "a", sid, owner, 37)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, c := range got {
					if prev, dup := claimedBy[c.ID]; dup {
						t.Errorf("message %d claimed by %s and %s", c.ID, prev, owner)
					}
					claimedBy[c.ID] = owner
					counts[owner]++
				}
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(claimedBy) != 3000 {
		t.Fatalf("claimed %d of 3000", len(claimedBy))
	}
	for w := range 4 {
		if counts[fmt.Sprintf("owner-%d", w)] == 0 {
			t.Errorf("claimer %d got nothing: %v", w, counts)
		}
	}
	// And every row is sending, owned by the one that claimed it.
	rows, _ := db.R.Query(`SELECT id, owner, status FROM messages`)
	defer rows.Close()
	for rows.Next() {
		var id int64
		var owner, status string
		rows.Scan(&id, &owner, &status)
		if status != "sending" || owner != claimedBy[id] {
			t.Fatalf("message %d: %s owned by %q, claimed by %q", id, status, owner, claimedBy[id])
		}
	}
}

// Two whole dispatchers on one PostgreSQL queue submit every message once.
func TestPostgresTwoDispatchers(t *testing.T) {
	db := storetest.Postgres(t)
	ctx := context.Background()
	s1 := newStore(t, db, clock.NewFake(t0), Options{Router: staticRouter{"a"}})
	s2 := newStore(t, db, clock.NewFake(t0), Options{Router: staticRouter{"a"}})
	if _, err := s1.Enqueue(ctx, msgs(Source{SourceCampaign, "two"}, 2000, "transactional")); err != nil {
		t.Fatal(err)
	}
	g1, g2 := slowFake(200*time.Microsecond), slowFake(200*time.Microsecond)
	startDispatcher(t, s1, DispatcherOptions{Batch: 50, Lines: func() []Line { return []Line{line(t, "a", "window=32", g1)} }})
	startDispatcher(t, s2, DispatcherOptions{Batch: 50, Lines: func() []Line { return []Line{line(t, "a", "window=32", g2)} }})
	waitFor(t, "all submitted", func() bool { return statusCounts(t, s1)["submitted"] == 2000 })
	for i := range 2000 {
		text := fmt.Sprintf("msg %d", i)
		if n := g1.count(text) + g2.count(text); n != 1 {
			t.Fatalf("%s submitted %d times", text, n)
		}
	}
	if g1.total() == 0 || g2.total() == 0 {
		t.Fatalf("one dispatcher did everything: %d / %d", g1.total(), g2.total())
	}
}

func TestOrphansHeldForReviewOrResent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(t0)
		s := newStore(t, db, clk, Options{Router: staticRouter{"a"}})
		src := Source{SourceAPI, "o"}
		res, _ := s.Enqueue(ctx, msgs(src, 4, "transactional"))
		var sid int64
		var st string
		db.R.QueryRow(`SELECT id, state FROM outbox_sources`).Scan(&sid, &st)
		// A dispatcher registered, claimed two, and stopped beating.
		dead := owner{id: "dead", host: "elsewhere", pid: 1, started: t0.Unix()}
		if err := s.heartbeat(ctx, dead); err != nil {
			t.Fatal(err)
		}
		got, err := s.claim(ctx, "a", sid, "dead", 2)
		if err != nil || len(got) != 2 {
			t.Fatal(got, err)
		}
		// A live one holds a third.
		live := owner{id: "live", host: "elsewhere", pid: 1, started: t0.Unix()}
		s.heartbeat(ctx, live)
		if got, _ := s.claim(ctx, "a", sid, "live", 1); len(got) != 1 {
			t.Fatal("claim")
		}
		clk.Advance(10 * time.Second)
		s.heartbeat(ctx, live)
		if r, q, err := s.RecoverOrphans(ctx, "me", 15*time.Second, nil); err != nil || r != 0 || q != 0 {
			t.Fatalf("within the lease: %d %d %v", r, q, err)
		}
		clk.Advance(10 * time.Second)
		s.heartbeat(ctx, live)
		r, q, err := s.RecoverOrphans(ctx, "me", 15*time.Second, nil)
		if err != nil || r != 2 || q != 0 {
			t.Fatalf("after the lease: %d %d %v", r, q, err)
		}
		ids, _ := s.ReviewIDs(ctx)
		if len(ids) != 2 || ids[0] != res.IDs[0] || ids[1] != res.IDs[1] {
			t.Fatalf("review %v", ids)
		}
		if statusOf(t, s, res.IDs[2]) != Sending {
			t.Fatal("the live dispatcher's message was taken")
		}
		// Resending after review puts them back in the queue.
		n, err := s.ResolveReview(ctx, ids, true)
		if err != nil || n != 2 || statusOf(t, s, ids[0]) != Queued {
			t.Fatal(n, err)
		}
		// With resend configured, orphans go straight back.
		dead2 := owner{id: "dead2", host: "elsewhere", pid: 1, started: clk.Now().Unix()}
		s.heartbeat(ctx, dead2)
		if got, _ := s.claim(ctx, "a", sid, "dead2", 1); len(got) != 1 {
			t.Fatal("claim")
		}
		clk.Advance(time.Minute)
		s.heartbeat(ctx, live)
		r, q, err = s.RecoverOrphans(ctx, "me", 15*time.Second, func(string) bool { return true })
		if err != nil || r != 0 || q != 1 {
			t.Fatalf("resend: %d %d %v", r, q, err)
		}
	})
}

// On the same host a dead process is recognised at once, without waiting
// for the lease.
func TestOrphanOfDeadProcessOnThisHost(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	clk := clock.NewFake(t0)
	s := newStore(t, db, clk, Options{Router: staticRouter{"a"}})
	s.Enqueue(ctx, msgs(Source{SourceAPI, "o"}, 1, "transactional"))
	var sid int64
	var st string
	db.R.QueryRow(`SELECT id, state FROM outbox_sources`).Scan(&sid, &st)
	me := newOwner(t0)
	gone := owner{id: "gone", host: me.host, pid: 1 << 22, started: t0.Unix()} // above pid_max
	s.heartbeat(ctx, gone)
	s.claim(ctx, "a", sid, "gone", 1)
	r, _, err := s.RecoverOrphans(ctx, me.id, time.Hour, nil)
	if err != nil || r != 1 {
		t.Fatal(r, err)
	}
}
