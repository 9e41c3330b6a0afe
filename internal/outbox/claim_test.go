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
				got, err := s.claim(ctx, "a", sid, owner, 37, claimCursor{})
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
		got, err := s.claim(ctx, "a", sid, "dead", 2, claimCursor{})
		if err != nil || len(got) != 2 {
			t.Fatal(got, err)
		}
		// A live one holds a third.
		live := owner{id: "live", host: "elsewhere", pid: 1, started: t0.Unix()}
		s.heartbeat(ctx, live)
		if got, _ := s.claim(ctx, "a", sid, "live", 1, claimCursor{}); len(got) != 1 {
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
		if got, _ := s.claim(ctx, "a", sid, "dead2", 1, claimCursor{}); len(got) != 1 {
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
	s.claim(ctx, "a", sid, "gone", 1, claimCursor{})
	r, _, err := s.RecoverOrphans(ctx, me.id, time.Hour, nil)
	if err != nil || r != 1 {
		t.Fatal(r, err)
	}
}

// A claim after a cursor takes what comes after it in claim order; a
// message put back behind the cursor is taken once the cursor starts
// again, which a short claim makes a line do.
func TestClaimCursor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newStore(t, db, clock.NewFake(t0), Options{Router: staticRouter{"a"}})
		res, err := s.Enqueue(ctx, msgs(Source{SourceCampaign, "cur"}, 10, "transactional"))
		if err != nil {
			t.Fatal(err)
		}
		var sid int64
		db.R.QueryRow(`SELECT id FROM outbox_sources WHERE ref = 'cur'`).Scan(&sid)
		ids := func(cs []Claimed) []int64 {
			var out []int64
			for _, c := range cs {
				out = append(out, c.ID)
			}
			return out
		}
		first, err := s.claim(ctx, "a", sid, "me", 4, claimCursor{})
		if err != nil || fmt.Sprint(ids(first)) != fmt.Sprint(res.IDs[:4]) {
			t.Fatalf("first claim %v, %v", ids(first), err)
		}
		second, _ := s.claim(ctx, "a", sid, "me", 4, first[3].at)
		if fmt.Sprint(ids(second)) != fmt.Sprint(res.IDs[4:8]) {
			t.Fatalf("after the cursor %v", ids(second))
		}
		// The second message goes back to the queue, behind the cursor.
		if _, err := db.W.Exec(db.Rebind(`UPDATE messages SET status = 'queued' WHERE id = ?`), res.IDs[1]); err != nil {
			t.Fatal(err)
		}
		third, _ := s.claim(ctx, "a", sid, "me", 4, second[3].at)
		if fmt.Sprint(ids(third)) != fmt.Sprint(res.IDs[8:]) {
			t.Fatalf("short claim %v", ids(third))
		}
		again, _ := s.claim(ctx, "a", sid, "me", 4, claimCursor{})
		if len(again) != 1 || again[0].ID != res.IDs[1] {
			t.Fatalf("from the start %v", ids(again))
		}
	})
}

// A line's cursor in a source follows full claims, goes back to the start
// after a short one, and after a second whatever the claims.
func TestLineCursor(t *testing.T) {
	r := &lineRun{cursors: map[int64]sourceCursor{}}
	now := time.Now()
	batch := func(ids ...int64) []Claimed {
		var out []Claimed
		for _, id := range ids {
			out = append(out, Claimed{ID: id, at: claimCursor{nextAt: 100, id: id}})
		}
		return out
	}
	if c := r.cursor(7, now); c != (claimCursor{}) {
		t.Fatalf("a new source starts at %v", c)
	}
	r.advance(7, batch(1, 2), 2)
	if c := r.cursor(7, now); c != (claimCursor{100, 2}) {
		t.Fatalf("after a full claim %v", c)
	}
	r.advance(7, batch(3), 2)
	if c := r.cursor(7, now); c != (claimCursor{}) {
		t.Fatalf("after a short claim %v", c)
	}
	r.advance(7, batch(4, 5), 2)
	if c := r.cursor(7, now.Add(999*time.Millisecond)); c != (claimCursor{100, 5}) {
		t.Fatalf("within the second %v", c)
	}
	if c := r.cursor(7, now.Add(time.Second)); c != (claimCursor{}) {
		t.Fatalf("a second on %v", c)
	}
}
