package sim

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"nudge/internal/clock"
	"nudge/internal/gateway"
)

var t0 = time.Date(2025, 3, 10, 2, 0, 0, 0, time.UTC)

type sink struct {
	mu       sync.Mutex
	receipts []gateway.Receipt
	replies  []gateway.Reply
}

func (s *sink) Receipt(r gateway.Receipt) {
	s.mu.Lock()
	s.receipts = append(s.receipts, r)
	s.mu.Unlock()
}
func (s *sink) Reply(r gateway.Reply) { s.mu.Lock(); s.replies = append(s.replies, r); s.mu.Unlock() }

func newSim(t *testing.T, query string, clk clock.Clock) (*Sim, *sink) {
	t.Helper()
	cfg, err := gateway.ParseURL("sim", "sim://?"+query)
	if err != nil {
		t.Fatal(err)
	}
	o, err := ParseOptions(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := &sink{}
	g := New("sim", o, gateway.Deps{Clock: clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Sink: s, Trace: func(gateway.Exchange) {}})
	t.Cleanup(func() { g.Close() })
	return g, s
}

// outcomes sends n messages and returns the receipts' reasons, counted.
func outcomes(t *testing.T, query string, n int) (map[string]int, []gateway.Receipt) {
	clk := clock.NewFake(t0)
	g, s := newSim(t, query, clk)
	for i := range n {
		if _, err := g.Submit(context.Background(), gateway.Message{ID: int64(i), To: fmt.Sprintf("+86138%08d", i), Text: "hi", Parts: 1}); err != nil {
			t.Fatal(err)
		}
	}
	clk.Advance(time.Hour)
	g.Flush()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for _, r := range s.receipts {
		out[string(r.State)+"/"+r.Reason]++
	}
	return out, append([]gateway.Receipt(nil), s.receipts...)
}

func TestDeterministicFailureShares(t *testing.T) {
	q := "latency=0&seed=7&fail_empty=0.02&fail_off=0.03&fail_black=0.01&fail_carrier=0.04&reply_rate=0"
	a, ra := outcomes(t, q, 20000)
	b, rb := outcomes(t, q, 20000)
	for i := range ra {
		if ra[i].State != rb[i].State || ra[i].Reason != rb[i].Reason || !ra[i].At.Equal(rb[i].At) {
			t.Fatalf("run differs at %d: %+v vs %+v", i, ra[i], rb[i])
		}
	}
	near := func(key string, share float64) {
		got := float64(a[key]) / 20000
		if got < share*0.8 || got > share*1.2 {
			t.Errorf("%s: %.4f, want about %.3f (%v)", key, got, share, a)
		}
	}
	near("undelivered/empty_number", 0.02)
	near("undelivered/switched_off", 0.03)
	near("undelivered/blacklisted", 0.01)
	near("undelivered/carrier_error", 0.04)
	near("delivered/", 0.90)
	if a != nil && b != nil && fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("same seed, different counts: %v %v", a, b)
	}
	c, _ := outcomes(t, "latency=0&seed=8&fail_empty=0.02&fail_off=0.03&fail_black=0.01&fail_carrier=0.04&reply_rate=0", 20000)
	if fmt.Sprint(a) == fmt.Sprint(c) {
		t.Error("another seed tells the same story")
	}
}

func TestReceiptsFollowTheClock(t *testing.T) {
	clk := clock.NewFake(t0)
	g, s := newSim(t, "latency=0&receipt_delay=5s&receipt_jitter=0&fail_empty=0&fail_off=0&fail_black=0&fail_carrier=0&reply_rate=1&replies=TD&reply_delay=1m", clk)
	ids, err := g.Submit(context.Background(), gateway.Message{ID: 1, To: "+8613800000001", Text: "long", Parts: 2})
	if err != nil || len(ids) != 2 || ids[0] == ids[1] {
		t.Fatal(ids, err)
	}
	clk.Advance(4 * time.Second)
	if g.Flush() != 0 {
		t.Fatal("receipt before its delay")
	}
	clk.Advance(time.Second)
	if g.Flush() != 2 {
		t.Fatal("two receipts due")
	}
	s.mu.Lock()
	if s.receipts[0].ID != ids[0] || s.receipts[1].ID != ids[1] || s.receipts[0].State != gateway.Delivered || !s.receipts[0].At.Equal(t0.Add(5*time.Second)) {
		t.Fatalf("%+v", s.receipts)
	}
	s.mu.Unlock()
	clk.Advance(time.Minute)
	g.Flush()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.replies) != 1 || s.replies[0].From != "+8613800000001" || s.replies[0].Text != "TD" || !s.replies[0].At.Equal(t0.Add(65*time.Second)) {
		t.Fatalf("%+v", s.replies)
	}
}

func TestSwitchedOffExpiresPastValidity(t *testing.T) {
	clk := clock.NewFake(t0)
	g, s := newSim(t, "latency=0&receipt_delay=2h&receipt_jitter=0&fail_off=1&fail_empty=0&fail_black=0&fail_carrier=0", clk)
	g.Submit(context.Background(), gateway.Message{To: "+8613800000001", Text: "sale", Parts: 1, ValidUntil: t0.Add(time.Hour)})
	clk.Advance(3 * time.Hour)
	g.Flush()
	if len(s.receipts) != 1 || s.receipts[0].State != gateway.Expired {
		t.Fatalf("%+v", s.receipts)
	}
}

func TestThroughputDownAndSubmitFailures(t *testing.T) {
	g, _ := newSim(t, "latency=0&throughput=5", clock.NewFake(t0))
	throttled := 0
	for i := range 20 {
		_, err := g.Submit(context.Background(), gateway.Message{ID: int64(i), To: "+8613800000001", Text: fmt.Sprint(i), Parts: 1})
		if err != nil {
			if ge := gateway.Decide(err); ge.Action != gateway.Retry || ge.Code != "throttled" {
				t.Fatal(err)
			}
			throttled++
		}
	}
	if throttled != 15 {
		t.Fatalf("throttled %d of 20 at 5/s", throttled)
	}
	g.SetDown(true)
	_, err := g.Submit(context.Background(), gateway.Message{To: "+8613800000001", Text: "x"})
	if gateway.Decide(err).Action != gateway.Failover || g.Status().Up {
		t.Fatal(err)
	}
	// A message refused temporarily goes through on a later attempt.
	f, _ := newSim(t, "latency=0&fail_submit=0.5&seed=3", clock.NewFake(t0))
	for i := range 50 {
		m := gateway.Message{ID: int64(i), To: "+8613800000001", Text: fmt.Sprint(i), Parts: 1}
		ok := false
		for range 30 {
			if _, err := f.Submit(context.Background(), m); err == nil {
				ok = true
				break
			}
		}
		if !ok {
			t.Fatalf("message %d refused 30 times at fail_submit=0.5", i)
		}
	}
}

func TestParseOptionsErrors(t *testing.T) {
	for _, q := range []string{"latency=fast", "fail_empty=2", "fail_empty=0.6&fail_off=0.6", "seed=-1", "throughput=x", "down=maybe"} {
		cfg, _ := gateway.ParseURL("s", "sim://?"+q)
		if _, err := ParseOptions(cfg); err == nil {
			t.Errorf("%s accepted", q)
		}
	}
}
