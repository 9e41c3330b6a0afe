package outbox

import (
	"context"
	"strings"
	"testing"
	"time"

	"nudge/internal/clock"
	"nudge/internal/gateway"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

// sendAll enqueues in and dispatches it through a fake whose ids are
// "<text>#<part>", returning the message ids once all are submitted.
func sendAll(t *testing.T, s *Store, in []Message) []int64 {
	t.Helper()
	res, err := s.Enqueue(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	g := newFake()
	g.fn = func(m gateway.Message, n int) ([]string, error) {
		ids := []string{}
		for p := 1; p <= m.Parts; p++ {
			ids = append(ids, m.Text[:3]+"#"+string(rune('0'+p)))
		}
		return ids, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := NewDispatcher(s, DispatcherOptions{Log: quietLog(), Poll: 10 * time.Millisecond,
		Lines: func() []Line { return []Line{line(t, "a", "", g)} }})
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	waitFor(t, "submitted", func() bool { return statusCounts(t, s)["submitted"] == int64(len(in)) })
	cancel()
	<-done
	return res.IDs
}

func TestReceipts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(t0)
		s := newStore(t, db, clk, Options{Router: staticRouter{"a"}})
		src := Source{SourceAPI, "r"}
		long := "two" + strings.Repeat("x", 200) // GSM-7, 2 parts
		ids := sendAll(t, s, []Message{
			{Key: "1", Source: src, Phone: phoneN(1), CustomerID: 11, Text: "one", Category: "transactional"},
			{Key: "2", Source: src, Phone: phoneN(2), Text: long, Category: "transactional"},
			{Key: "3", Source: src, Phone: phoneN(3), Text: "thr", Category: "transactional"},
		})
		at := t0.Add(5 * time.Second)
		rc := func(id string, st gateway.State, reason string) gateway.Receipt {
			return gateway.Receipt{Gateway: "a", ID: id, State: st, Reason: reason, Err: "000", At: at}
		}
		out, err := s.ApplyReceipts(ctx, []gateway.Receipt{
			rc("one#1", gateway.Delivered, ""),
			rc("one#1", gateway.Delivered, ""),                          // duplicate
			rc("one#1", gateway.Undelivered, gateway.ReasonEmptyNumber), // a final state never goes back
			rc("two#1", gateway.Delivered, ""),
			rc("thr#1", gateway.Unknown, ""), // en route: changes nothing
			rc("zzz#1", gateway.Delivered, ""),
			{Gateway: "b", ID: "one#1", State: gateway.Delivered}, // another gateway's id space
		})
		if err != nil {
			t.Fatal(err)
		}
		want := []ReceiptResult{
			{Found: true, Changed: true, MessageID: ids[0], Status: Delivered, Final: true, CustomerID: 11, Phone: phoneN(1), Category: "transactional"},
			{Found: true, MessageID: ids[0], Status: Delivered, CustomerID: 11, Category: "transactional"},
			{Found: true, MessageID: ids[0], Status: Delivered, CustomerID: 11, Category: "transactional"},
			{Found: true, Changed: true, MessageID: ids[1], Status: Submitted, Category: "transactional"},
			{Found: true, MessageID: ids[2], Status: Submitted, Category: "transactional"},
			{},
			{},
		}
		for i := range want {
			if out[i] != want[i] {
				t.Errorf("receipt %d:\n got %+v\nwant %+v", i, out[i], want[i])
			}
		}
		v, _ := s.Get(ctx, ids[0])
		if v.Status != Delivered || !v.FinishedAt.Equal(at) || v.PartList[0].State != "delivered" || v.PartList[0].Err != "000" {
			t.Fatalf("%+v", v)
		}
		// The second part of the long message fails: the message is
		// undelivered with the receipt's reason.
		out, err = s.ApplyReceipts(ctx, []gateway.Receipt{rc("two#2", gateway.Undelivered, gateway.ReasonSwitchedOff)})
		if err != nil || !out[0].Final || out[0].Status != Undelivered || out[0].Reason != "switched_off" {
			t.Fatalf("%+v %v", out, err)
		}
		// No receipt for the third within 72 hours: expired by the sweep.
		clk.Advance(71 * time.Hour)
		if n, _ := s.ExpireUnconfirmed(ctx); n != 0 {
			t.Fatalf("expired %d too early", n)
		}
		clk.Advance(2 * time.Hour)
		if n, err := s.ExpireUnconfirmed(ctx); n != 1 || err != nil {
			t.Fatal(n, err)
		}
		v, _ = s.Get(ctx, ids[2])
		if v.Status != Expired || v.Reason != "no_receipt" {
			t.Fatalf("%+v", v)
		}
		// A late receipt does not bring it back.
		out, _ = s.ApplyReceipts(ctx, []gateway.Receipt{rc("thr#1", gateway.Delivered, "")})
		if !out[0].Changed || out[0].Final || statusOf(t, s, ids[2]) != Expired {
			t.Fatalf("late receipt: %+v", out[0])
		}
		h := v.History()
		if len(h) != 4 || h[0].Status != "queued" || h[1].Status != "sending" || h[2].Status != "submitted" || h[3].Status != "expired" {
			t.Fatalf("history %+v", h)
		}
	})
}
