package outbox

import (
	"bytes"
	"context"
	"testing"
	"time"

	"nudge/internal/clock"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

func TestEnqueueIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(t0)
		ledger := &recordingLedger{}
		s := newStore(t, db, clk, Options{Ledger: ledger, Router: staticRouter{"a"}})
		src := Source{SourceCampaign, "42"}
		in := msgs(src, 3, "marketing")
		in[2].Phone = "12345" // not a number
		res, err := s.Enqueue(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if res.New != 2 || res.Duplicates != 0 || len(res.Rejected) != 1 || res.Rejected[0].Index != 2 {
			t.Fatalf("first enqueue: %+v", res)
		}
		if res.Rejected[0].Reason != "bad phone: no such number (wrong length or prefix)" && res.Rejected[0].Reason != "bad phone: not a phone number" {
			t.Errorf("rejection reason %q", res.Rejected[0].Reason)
		}
		if len(ledger.sends) != 2 || ledger.sends[0].CustomerID != 1 || ledger.sends[1].CustomerID != 2 ||
			ledger.sends[0].Category != "marketing" || !ledger.sends[0].At.Equal(t0) {
			t.Fatalf("ledger got %+v", ledger.sends)
		}
		// The same keys again, plus a key repeated inside the call: nothing
		// new is queued, the ledger is not asked again, the ids are the
		// first ones.
		again := append(msgs(src, 2, "marketing"), msgs(src, 1, "marketing")...)
		res2, err := s.Enqueue(ctx, again)
		if err != nil {
			t.Fatal(err)
		}
		if res2.New != 0 || res2.Duplicates != 3 || res2.IDs[0] != res.IDs[0] || res2.IDs[1] != res.IDs[1] || res2.IDs[2] != res.IDs[0] {
			t.Fatalf("second enqueue: %+v (first %v)", res2, res.IDs)
		}
		if len(ledger.sends) != 2 {
			t.Fatalf("ledger recorded duplicates: %d sends", len(ledger.sends))
		}
		v, err := s.Get(ctx, res.IDs[1])
		if err != nil {
			t.Fatal(err)
		}
		want := View{ID: res.IDs[1], Key: "campaign:42:k1", Source: src, CustomerID: 2, Phone: "138****0001", Region: "CN",
			Carrier: "china_mobile", Category: "marketing", Text: "msg 1", Encoding: "GSM-7", Parts: 1, Gateway: "a",
			Status: Queued, NextAt: t0, ValidUntil: t0.Add(24 * time.Hour), QueuedAt: t0}
		if v.ID != want.ID || v.Key != want.Key || v.Source != want.Source || v.CustomerID != want.CustomerID || v.Phone != want.Phone ||
			v.Region != want.Region || v.Carrier != want.Carrier || v.Category != want.Category || v.Text != want.Text ||
			v.Encoding != want.Encoding || v.Parts != want.Parts || v.Gateway != want.Gateway || v.Status != want.Status ||
			!v.NextAt.Equal(want.NextAt) || !v.ValidUntil.Equal(want.ValidUntil) || !v.QueuedAt.Equal(want.QueuedAt) {
			t.Fatalf("stored message\n got %+v\nwant %+v", v, want)
		}
		// The number is sealed: the row holds no digits of it.
		var enc, idx []byte
		db.R.QueryRow(db.Rebind(`SELECT phone_enc, phone_index FROM messages WHERE id = ?`), res.IDs[1]).Scan(&enc, &idx)
		if bytes.Contains(enc, []byte("13800000001")) || len(idx) != 16 {
			t.Fatalf("phone not sealed: enc %x idx %x", enc, idx)
		}
	})
}

func TestEnqueueLongTextAndDeferral(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(t0)
		s := newStore(t, db, clk, Options{})
		long := ""
		for range 71 {
			long += "好"
		}
		later := t0.Add(6 * time.Hour)
		res, err := s.Enqueue(ctx, []Message{
			{Key: "a", Source: Source{SourceAPI, "cli"}, Phone: "13800000000", Text: long, Category: "transactional", NotBefore: later},
		})
		if err != nil || res.New != 1 {
			t.Fatal(res, err)
		}
		v, _ := s.Get(ctx, res.IDs[0])
		if v.Encoding != "UCS-2" || v.Parts != 2 || !v.NextAt.Equal(later) || !v.ValidUntil.IsZero() || v.Gateway != "" {
			t.Fatalf("got %+v", v)
		}
	})
}

func TestEnqueueMillionIsBatched(t *testing.T) {
	if testing.Short() {
		t.Skip("large enqueue")
	}
	// 20,000 messages cross several statements and transactions; each
	// appears once, and a re-run of the same batch is a no-op.
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newStore(t, db, clock.NewFake(t0), Options{})
		in := msgs(Source{SourceCampaign, "big"}, 20000, "marketing")
		res, err := s.Enqueue(ctx, in)
		if err != nil || res.New != 20000 {
			t.Fatal(res.New, err)
		}
		res, err = s.Enqueue(ctx, in)
		if err != nil || res.New != 0 || res.Duplicates != 20000 {
			t.Fatal(res.New, res.Duplicates, err)
		}
		var n int
		db.R.QueryRow(`SELECT COUNT(*) FROM messages`).Scan(&n)
		if n != 20000 {
			t.Fatalf("%d rows", n)
		}
		if db.Dialect == store.Postgres {
			// The fan-out analyzed the table (refreshStats): the planner
			// knows the queue is not empty and reads the claim index
			// instead of sorting every queued row for each claim. Only
			// ANALYZE (or VACUUM) sets reltuples; autovacuum does not
			// come within a test.
			var tuples float64
			if err := db.R.QueryRow(`SELECT reltuples FROM pg_class WHERE oid = 'messages'::regclass`).Scan(&tuples); err != nil || tuples < 10000 {
				t.Fatalf("messages not analyzed: reltuples %.0f, %v", tuples, err)
			}
		}
	})
}

func TestCancelledSourceEnqueuesCancelled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ledger := &recordingLedger{}
		s := newStore(t, db, clock.NewFake(t0), Options{Ledger: ledger})
		src := Source{SourceCampaign, "7"}
		if _, err := s.Enqueue(ctx, msgs(src, 2, "marketing")); err != nil {
			t.Fatal(err)
		}
		n, err := s.Cancel(ctx, src)
		if err != nil || n != 2 {
			t.Fatal(n, err)
		}
		in := msgs(src, 3, "marketing")
		res, err := s.Enqueue(ctx, in[2:])
		if err != nil {
			t.Fatal(err)
		}
		if got := statusOf(t, s, res.IDs[0]); got != Cancelled {
			t.Fatalf("late message of a cancelled source is %s", got)
		}
		if len(ledger.sends) != 2 {
			t.Fatalf("cancelled message counted against caps: %d sends", len(ledger.sends))
		}
		if err := s.Pause(ctx, src); err == nil {
			t.Fatal("paused a cancelled source")
		}
		if err := s.Pause(ctx, Source{SourceCampaign, "nope"}); err == nil {
			t.Fatal("paused an unknown source")
		}
	})
}
