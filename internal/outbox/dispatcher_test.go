package outbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"nudge/internal/clock"
	"nudge/internal/gateway"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

func TestDispatchSubmitsEachOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newStore(t, db, clock.NewFake(t0), Options{Router: staticRouter{"a"}})
		res, err := s.Enqueue(ctx, msgs(Source{SourceCampaign, "1"}, 300, "transactional"))
		if err != nil {
			t.Fatal(err)
		}
		g := newFake()
		startDispatcher(t, s, DispatcherOptions{Lines: func() []Line { return []Line{line(t, "a", "window=16&price=0.035", g)} }})
		waitFor(t, "300 submitted", func() bool { return statusCounts(t, s)["submitted"] == 300 })
		for i := range 300 {
			if n := g.count(fmt.Sprintf("msg %d", i)); n != 1 {
				t.Fatalf("msg %d submitted %d times", i, n)
			}
		}
		v, err := s.Get(ctx, res.IDs[7])
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != Submitted || v.Cost != 3500 || v.Attempts != 1 || len(v.PartList) != 1 ||
			v.PartList[0].Gateway != "a" || !strings.HasPrefix(v.PartList[0].GatewayID, "gw-") || !v.SubmittedAt.Equal(t0) {
			t.Fatalf("got %+v", v)
		}
	})
}

func TestDispatchKeepsWindowAndRate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newStore(t, db, clock.NewFake(t0), Options{Router: staticRouter{"a"}})
		if _, err := s.Enqueue(ctx, msgs(Source{SourceCampaign, "1"}, 120, "transactional")); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		inflight, peak := 0, 0
		g := newFake()
		g.fn = func(m gateway.Message, n int) ([]string, error) {
			mu.Lock()
			inflight++
			peak = max(peak, inflight)
			mu.Unlock()
			time.Sleep(20 * time.Millisecond)
			mu.Lock()
			inflight--
			mu.Unlock()
			return []string{"x" + m.Text}, nil
		}
		start := time.Now()
		startDispatcher(t, s, DispatcherOptions{Lines: func() []Line { return []Line{line(t, "a", "window=8&rate=200", g)} }})
		waitFor(t, "120 submitted", func() bool { return statusCounts(t, s)["submitted"] == 120 })
		took := time.Since(start)
		if peak > 8 || peak < 4 {
			t.Errorf("peak in flight %d, window 8", peak)
		}
		// 120 at 200/s take at least 0.6 s (less one gap for the first).
		if took < 590*time.Millisecond {
			t.Errorf("120 messages at rate 200 took %s", took)
		}
	})
}

func TestDispatchRetryFailFailoverReview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(t0)
		s := newStore(t, db, clk, Options{Router: staticRouter{"a", "b"}})
		src := Source{SourceAPI, "t"}
		in := []Message{
			{Key: "retry", Source: src, Phone: phoneN(1), Text: "retry", Category: "transactional"},
			{Key: "fail", Source: src, Phone: phoneN(2), Text: "fail", Category: "transactional"},
			{Key: "failover", Source: src, Phone: phoneN(3), Text: "failover", Category: "transactional"},
			{Key: "lost", Source: src, Phone: phoneN(4), Text: "lost", Category: "transactional"},
			{Key: "partial", Source: src, Phone: phoneN(5), Text: "partial", Category: "transactional"},
		}
		res, err := s.Enqueue(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		a, b := newFake(), newFake()
		a.fn = func(m gateway.Message, n int) ([]string, error) {
			switch m.Text {
			case "retry":
				if n == 1 {
					return nil, &gateway.Error{Action: gateway.Retry, Code: "ESME_RSYSERR", RetryAfter: time.Minute}
				}
			case "fail":
				return nil, &gateway.Error{Action: gateway.Fail, Code: "ESME_RINVDSTADR", Reason: gateway.ReasonInvalid}
			case "failover":
				return nil, &gateway.Error{Action: gateway.Failover, Code: "ESME_RX_R_APPN"}
			case "lost":
				return nil, errors.New("connection reset after write")
			case "partial":
				return nil, &gateway.Error{Action: gateway.Retry, Code: "ESME_RSYSERR", Accepted: []string{"p1"}}
			}
			return []string{"a-" + m.Text}, nil
		}
		startDispatcher(t, s, DispatcherOptions{Router: staticRouter{"a", "b"}, Lines: func() []Line {
			return []Line{line(t, "a", "price=0.05", a), line(t, "b", "price=0.04", b)}
		}})
		waitFor(t, "first round", func() bool {
			c := statusCounts(t, s)
			return c["failed"] == 2 && c["submitted"] == 1 && c["review"] == 1 && c["queued"] == 1
		})
		get := func(i int) View {
			v, err := s.Get(ctx, res.IDs[i])
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		if v := get(0); v.Status != Queued || v.Attempts != 1 || !v.NextAt.Equal(t0.Add(time.Minute)) && v.NextAt.Before(t0.Add(time.Minute)) {
			t.Fatalf("retry: %+v", v)
		}
		if v := get(1); v.Status != Failed || v.Reason != "invalid_number" || !strings.Contains(v.Error, "ESME_RINVDSTADR") {
			t.Fatalf("fail: %+v", v)
		}
		if v := get(2); v.Status != Submitted || v.Gateway != "b" || strings.Join(v.Tried, ",") != "a" || v.Cost != 4000 {
			t.Fatalf("failover: %+v", v)
		}
		if v := get(3); v.Status != Sending || !v.Review || b.count("lost") != 0 || a.count("lost") != 1 {
			t.Fatalf("lost answer: %+v", v)
		}
		if v := get(4); v.Status != Failed || v.Reason != "partly_sent" || len(v.PartList) != 1 || v.PartList[0].GatewayID != "p1" {
			t.Fatalf("partial: %+v", v)
		}
		// The retry waits for its backoff on the clock.
		time.Sleep(100 * time.Millisecond)
		if a.count("retry") != 1 {
			t.Fatalf("retried before its time: %d", a.count("retry"))
		}
		clk.Advance(2 * time.Minute)
		waitFor(t, "retry submitted", func() bool { return statusOf(t, s, res.IDs[0]) == Submitted })
		if v := get(0); v.Attempts != 2 || a.count("retry") != 2 {
			t.Fatalf("after retry: %+v", v)
		}
		// Review: dismissing fails it for good; it is never resent.
		n, err := s.ResolveReview(ctx, []int64{res.IDs[3]}, false)
		if err != nil || n != 1 || statusOf(t, s, res.IDs[3]) != Failed {
			t.Fatal(n, err)
		}
	})
}

func TestDispatchAttemptsExhausted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(t0)
		s := newStore(t, db, clk, Options{Router: staticRouter{"a"}})
		res, _ := s.Enqueue(ctx, msgs(Source{SourceAPI, "x"}, 1, "transactional"))
		g := newFake()
		g.fn = func(m gateway.Message, n int) ([]string, error) {
			return nil, &gateway.Error{Action: gateway.Retry, Code: "busy"}
		}
		startDispatcher(t, s, DispatcherOptions{Lines: func() []Line { return []Line{line(t, "a", "attempts=3", g)} }})
		for i := 1; i <= 3; i++ {
			waitFor(t, fmt.Sprintf("attempt %d", i), func() bool { return g.total() == i })
			clk.Advance(time.Hour)
		}
		waitFor(t, "failed", func() bool { return statusOf(t, s, res.IDs[0]) == Failed })
		v, _ := s.Get(ctx, res.IDs[0])
		if v.Reason != "attempts" || v.Attempts != 3 {
			t.Fatalf("%+v", v)
		}
	})
}

func TestResendUncertainWhenConfigured(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newStore(t, db, clock.NewFake(t0), Options{Router: staticRouter{"a"}})
		res, _ := s.Enqueue(ctx, msgs(Source{SourceAPI, "x"}, 1, "transactional"))
		g := newFake()
		g.fn = func(m gateway.Message, n int) ([]string, error) {
			if n == 1 {
				return nil, errors.New("timeout waiting for the answer")
			}
			return []string{"ok"}, nil
		}
		startDispatcher(t, s, DispatcherOptions{Lines: func() []Line { return []Line{line(t, "a", "resend=1", g)} }})
		waitFor(t, "resent and submitted", func() bool { return statusOf(t, s, res.IDs[0]) == Submitted })
		if g.count("msg 0") != 2 {
			t.Fatalf("submits %d", g.count("msg 0"))
		}
	})
}
