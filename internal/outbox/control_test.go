package outbox

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"nudge/internal/clock"
	"nudge/internal/gateway"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

// slowFake answers each submit after d, so that a test can act while a
// source is half sent.
func slowFake(d time.Duration) *fakeGateway {
	g := newFake()
	g.delay = d
	return g
}

func TestPauseResumeCancelWithinASecond(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newStore(t, db, clock.NewFake(t0), Options{Router: staticRouter{"a"}})
		camp := Source{SourceCampaign, "flash"}
		other := Source{SourceStaff, "ops"}
		if _, err := s.Enqueue(ctx, msgs(camp, 2000, "marketing")); err != nil {
			t.Fatal(err)
		}
		g := slowFake(time.Millisecond)
		startDispatcher(t, s, DispatcherOptions{Lines: func() []Line { return []Line{line(t, "a", "window=4", g)} }})
		waitFor(t, "sending started", func() bool { return g.total() >= 20 })

		if err := s.Pause(ctx, camp); err != nil {
			t.Fatal(err)
		}
		paused := time.Now()
		// Within a second nothing more of the campaign is submitted;
		// what was in flight (a window) may still finish.
		time.Sleep(time.Second)
		atPause := g.total()
		time.Sleep(300 * time.Millisecond)
		if g.total() != atPause {
			t.Fatalf("still sending %s after pause: %d then %d", time.Since(paused), atPause, g.total())
		}
		// Another source goes while the campaign is paused.
		if _, err := s.Enqueue(ctx, []Message{{Key: "staff1", Source: other, Phone: phoneN(9000), Text: "shift change", Category: "staff"}}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "staff message sent during pause", func() bool { return g.count("shift change") == 1 })

		if err := s.Resume(ctx, camp); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "resumed", func() bool { return g.total() > atPause+20 })

		n, err := s.Cancel(ctx, camp)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		atCancel := g.total()
		time.Sleep(300 * time.Millisecond)
		if g.total() != atCancel {
			t.Fatalf("still sending after cancel")
		}
		c := statusCounts(t, s)
		if c["cancelled"] != n || c["submitted"] != int64(atCancel) || c["queued"] != 0 || c["sending"] != 0 ||
			c["cancelled"]+c["submitted"] != 2001 {
			t.Fatalf("after cancel (%d cancelled): %v, gateway saw %d", n, c, atCancel)
		}
		// No cancelled message ever reached the gateway.
		rows, _ := db.R.Query(`SELECT text FROM messages WHERE status = 'cancelled'`)
		defer rows.Close()
		for rows.Next() {
			var text string
			rows.Scan(&text)
			if g.count(text) != 0 {
				t.Fatalf("cancelled %q was submitted", text)
			}
		}
	})
}

// optOutSuppressor refuses numbers put on its list, except for
// transactional messages, like policy does for an opt-out.
type optOutSuppressor struct {
	mu  sync.Mutex
	out map[string]bool
}

func (o *optOutSuppressor) Suppressed(ctx context.Context, rs []Recipient) ([]string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	res := make([]string, len(rs))
	for i, r := range rs {
		if o.out[r.Phone] && r.Kind == "marketing" {
			res[i] = "opted_out"
		}
	}
	return res, nil
}

func TestOptOutMidCampaignStopsUnsubmitted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newStore(t, db, clock.NewFake(t0), Options{Router: staticRouter{"a"}})
		camp := Source{SourceCampaign, "series"}
		// Three steps of a series to the same ten numbers, sent in order.
		var in []Message
		for step := range 3 {
			for c := range 10 {
				in = append(in, Message{Key: fmt.Sprintf("s%d-c%d", step, c), Source: camp, CustomerID: int64(c + 1),
					Phone: phoneN(c), Text: fmt.Sprintf("step %d to %d", step, c), Category: "marketing"})
			}
		}
		in = append(in, Message{Key: "order", Source: Source{SourceFlow, "order"}, Phone: phoneN(3), Text: "order shipped", Category: "transactional"})
		if _, err := s.Enqueue(ctx, in); err != nil {
			t.Fatal(err)
		}
		sup := &optOutSuppressor{out: map[string]bool{}}
		g := slowFake(2 * time.Millisecond)
		var once sync.Once
		g.fn = func(m gateway.Message, n int) ([]string, error) {
			if m.Text == "step 0 to 3" {
				// The customer replies TD the moment step 0 reaches them.
				once.Do(func() {
					sup.mu.Lock()
					sup.out[phoneN(3)] = true
					sup.mu.Unlock()
				})
			}
			return []string{"id-" + m.Text}, nil
		}
		startDispatcher(t, s, DispatcherOptions{Suppressor: sup, Batch: 1,
			Lines: func() []Line { return []Line{line(t, "a", "window=1", g)} }})
		waitFor(t, "all settled", func() bool {
			c := statusCounts(t, s)
			return c["queued"] == 0 && c["sending"] == 0
		})
		for step := range 3 {
			want := 1
			if step > 0 {
				want = 0
			}
			if got := g.count(fmt.Sprintf("step %d to 3", step)); got != want {
				t.Errorf("step %d to the opted-out number submitted %d times", step, got)
			}
			if got := g.count(fmt.Sprintf("step %d to 4", step)); got != 1 {
				t.Errorf("step %d to another number submitted %d times", step, got)
			}
		}
		if g.count("order shipped") != 1 {
			t.Error("the transactional message was stopped by a marketing opt-out")
		}
		c := statusCounts(t, s)
		if c["cancelled"] != 2 || c["submitted"] != 29 {
			t.Fatalf("%v", c)
		}
	})
}

func TestValidityExpiresUnsent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(t0)
		s := newStore(t, db, clk, Options{Router: staticRouter{"a"}, MarketingValidity: 2 * time.Hour})
		res, err := s.Enqueue(ctx, []Message{
			{Key: "sale", Source: Source{SourceCampaign, "1"}, Phone: phoneN(1), Text: "flash sale", Category: "marketing"},
			{Key: "paused", Source: Source{SourceCampaign, "2"}, Phone: phoneN(2), Text: "later sale", Category: "marketing"},
			{Key: "order", Source: Source{SourceAPI, "x"}, Phone: phoneN(3), Text: "order", Category: "transactional"},
		})
		if err != nil {
			t.Fatal(err)
		}
		s.Pause(ctx, Source{SourceCampaign, "2"})
		// The gateway was down for three hours.
		clk.Advance(3 * time.Hour)
		g := newFake()
		startDispatcher(t, s, DispatcherOptions{Lines: func() []Line { return []Line{line(t, "a", "", g)} }})
		waitFor(t, "settled", func() bool { return statusOf(t, s, res.IDs[0]) == Expired && statusOf(t, s, res.IDs[2]) == Submitted })
		if g.count("flash sale") != 0 {
			t.Fatal("an expired flash sale went out")
		}
		// The sweep catches what no dispatcher claims (a paused source).
		n, err := s.ExpireStale(ctx)
		if err != nil || n != 1 || statusOf(t, s, res.IDs[1]) != Expired {
			t.Fatal(n, err)
		}
		v, _ := s.Get(ctx, res.IDs[0])
		if v.Reason != "validity" || !v.FinishedAt.Equal(t0.Add(3*time.Hour)) {
			t.Fatalf("%+v", v)
		}
	})
}

func TestGatewayDownFailsOverQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newStore(t, db, clock.NewFake(t0), Options{Router: staticRouter{"a", "b"}})
		if _, err := s.Enqueue(ctx, msgs(Source{SourceCampaign, "1"}, 50, "transactional")); err != nil {
			t.Fatal(err)
		}
		a, b := newFake(), newFake()
		a.setUp(false)
		startDispatcher(t, s, DispatcherOptions{Router: staticRouter{"a", "b"}, Lines: func() []Line {
			return []Line{line(t, "a", "failover_after=200ms", a), line(t, "b", "", b)}
		}})
		waitFor(t, "moved to b and sent", func() bool { return b.total() == 50 })
		if a.total() != 0 {
			t.Fatal("a was down but got submits")
		}
	})
}

func TestUnroutedMessagesRoutedWhenAGatewayAppears(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newStore(t, db, clock.NewFake(t0), Options{})
		if _, err := s.Enqueue(ctx, msgs(Source{SourceAPI, "1"}, 5, "transactional")); err != nil {
			t.Fatal(err)
		}
		g := newFake()
		startDispatcher(t, s, DispatcherOptions{Router: staticRouter{"late"}, Lines: func() []Line { return []Line{line(t, "late", "", g)} }})
		waitFor(t, "sent", func() bool { return g.total() == 5 })
	})
}
