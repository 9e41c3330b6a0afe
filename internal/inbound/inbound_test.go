package inbound

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"nudge/internal/clock"
	"nudge/internal/customer"
	"nudge/internal/gateway"
	"nudge/internal/outbox"
	"nudge/internal/pii"
	"nudge/internal/policy"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

var t0 = time.Date(2025, 3, 10, 2, 0, 0, 0, time.UTC)

func TestNormalizeAndMatch(t *testing.T) {
	k := NewKeywords(DefaultOptOutWords)
	for text, want := range map[string]bool{
		"TD": true, "td": true, " T D ": true, "ＴＤ": true, "ｔｄ。": true, "退订": true, "退订！": true, "【退订】": true,
		"Stop": true, "STOP.": true, "opt out": true, "Opt-Out!": true, "OPTOUT": true, "unsubscribe": true, "t": true,
		"n": true, "R": true, "取消": true, "拒收": true,
		"取消订单": false, "stop by our shop": false, "好的": false, "": false, "。": false, "TDD": false, "不要退订": false,
	} {
		if got := k.Match(text); got != want {
			t.Errorf("Match(%q) = %v, want %v (normalised %q)", text, got, want, Normalize(text))
		}
	}
	custom := NewKeywords([]string{"不要了"})
	if !custom.Match("不要了！") || custom.Match("TD") {
		t.Error("configured words replace the defaults")
	}
}

// env is a store with policy, outbox, customers and the inbound service.
type env struct {
	db   *store.DB
	clk  *clock.Fake
	cust *customer.Store
	pol  *policy.Policy
	out  *outbox.Store
	in   *Service
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	keys, _ := pii.NewKeyring(make([]byte, 32))
	clk := clock.NewFake(t0)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cust, err := customer.NewStore(ctx, db, keys, clk, customer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.New(ctx, db, keys, clk, policy.Options{Log: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pol.Close() })
	kindOf := func(c string) string {
		k, _ := pol.Rules().Kind(policy.Category(c))
		return string(k)
	}
	out, err := outbox.NewStore(ctx, db, keys, clk, outbox.Options{KindOf: kindOf})
	if err != nil {
		t.Fatal(err)
	}
	in := New(db, keys, clk, out, PolicyConsent{P: pol, Customers: cust}, cust,
		Options{OptOutReply: DefaultOptOutReply, StartReply: DefaultStartReply}, log)
	return &env{db: db, clk: clk, cust: cust, pol: pol, out: out, in: in}
}

func (e *env) customer(t *testing.T, id, phone, consent string) int64 {
	t.Helper()
	ctx := context.Background()
	_, err := e.cust.UpsertCustomers(ctx, []customer.Customer{{ExternalID: id, Phone: phone, Name: "王芳", Consent: consent,
		ConsentAt: t0.Add(-time.Hour), ConsentSource: "import"}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.cust.GetByExternalID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if consent == "opted_in" {
		e.pol.RecordConsent(ctx, policy.ConsentEvent{CustomerID: c.ID, State: policy.ConsentOptedIn, Source: "web_form", At: t0.Add(-time.Hour)})
	}
	return c.ID
}

func (e *env) status(t *testing.T, id int64) outbox.Status {
	t.Helper()
	v, err := e.out.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return v.Status
}

func TestOptOutReply(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		cid := e.customer(t, "c1", "13812345678", "opted_in")
		queued, err := e.out.Enqueue(ctx, []outbox.Message{
			{Key: "promo", Source: outbox.Source{Kind: "campaign", Ref: "1"}, CustomerID: cid, Phone: "13812345678", Text: "sale", Category: "marketing"},
			{Key: "order", Source: outbox.Source{Kind: "flow", Ref: "order"}, CustomerID: cid, Phone: "13812345678", Text: "shipped", Category: "order"},
		})
		if err != nil {
			t.Fatal(err)
		}
		o, err := e.in.Handle(ctx, gateway.Reply{Gateway: "sim", From: "+8613812345678", To: "10690001", Text: "ＴＤ", At: t0})
		if err != nil {
			t.Fatal(err)
		}
		if o.Kind != KindOptOut || o.CustomerID != cid || o.Cancelled != 1 || o.Answer == 0 {
			t.Fatalf("%+v", o)
		}
		if r, _ := e.pol.CheckSuppressed(ctx, "13812345678", "marketing"); r != policy.ReasonOptedOut {
			t.Fatalf("not suppressed: %q", r)
		}
		c, _ := e.cust.Get(ctx, cid)
		if c.Consent != "opted_out" || c.ConsentSource != "reply" {
			t.Fatalf("customer %+v", c)
		}
		if e.status(t, queued.IDs[0]) != outbox.Cancelled || e.status(t, queued.IDs[1]) != outbox.Queued {
			t.Fatal("the marketing message was not cancelled, or the order update was")
		}
		ans, _ := e.out.Get(ctx, o.Answer)
		if ans.Text != DefaultOptOutReply || ans.Category != "service" || ans.Source.Kind != "reply" || ans.Phone != "138****5678" || ans.Status != outbox.Queued {
			t.Fatalf("confirmation %+v", ans)
		}
		// A second opt-out sends no second confirmation.
		o2, err := e.in.Handle(ctx, gateway.Reply{Gateway: "sim", From: "13812345678", Text: "退订", At: t0.Add(time.Minute)})
		if err != nil || o2.Kind != KindOptOut || o2.Answer != 0 {
			t.Fatalf("%+v %v", o2, err)
		}
		items, _ := e.in.Inbox(ctx, InboxFilter{})
		if len(items) != 2 || items[0].Text != "退订" || items[1].Text != "ＴＤ" || items[1].Status != StatusHandled ||
			items[1].AnswerID != o.Answer || items[1].Phone != "138****5678" || items[1].CustomerID != cid {
			t.Fatalf("inbox %+v", items)
		}
		// START restores the opt-in the customer had given.
		o3, err := e.in.Handle(ctx, gateway.Reply{Gateway: "sim", From: "13812345678", Text: "start", At: t0.Add(2 * time.Minute)})
		if err != nil || o3.Kind != KindStart || o3.Answer == 0 {
			t.Fatalf("%+v %v", o3, err)
		}
		c, _ = e.cust.Get(ctx, cid)
		if r, _ := e.pol.CheckSuppressed(ctx, "13812345678", "marketing"); r != "" || c.Consent != "opted_in" {
			t.Fatalf("after START: suppressed %q, consent %s", r, c.Consent)
		}
	})
}

func TestStartWithoutPriorConsentStaysUnknown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		cid := e.customer(t, "c2", "13912345678", "unknown")
		e.in.Handle(ctx, gateway.Reply{Gateway: "sim", From: "13912345678", Text: "STOP"})
		e.in.Handle(ctx, gateway.Reply{Gateway: "sim", From: "13912345678", Text: "START"})
		c, _ := e.cust.Get(ctx, cid)
		if c.Consent != "unknown" {
			t.Fatalf("consent %s after STOP, START without an opt-in before", c.Consent)
		}
	})
}

func TestOtherRepliesWaitInInbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		o, err := e.in.Handle(ctx, gateway.Reply{Gateway: "prov", ID: "mo-1", From: "+8613700000000", Text: "什么时候发货？"})
		if err != nil || o.Kind != KindMessage || o.Answer != 0 {
			t.Fatal(o, err)
		}
		// The same reply delivered again by the gateway is recognised.
		o2, err := e.in.Handle(ctx, gateway.Reply{Gateway: "prov", ID: "mo-1", From: "+8613700000000", Text: "什么时候发货？"})
		if err != nil || !o2.Duplicate {
			t.Fatal(o2, err)
		}
		items, _ := e.in.Inbox(ctx, InboxFilter{Status: StatusNew})
		if len(items) != 1 || items[0].Kind != KindMessage {
			t.Fatalf("%+v", items)
		}
		if ok, _ := e.in.MarkHandled(ctx, items[0].ID); !ok {
			t.Fatal("not marked")
		}
		if items, _ := e.in.Inbox(ctx, InboxFilter{Status: StatusNew}); len(items) != 0 {
			t.Fatal("still new")
		}
	})
}

// earlyGateway hands its receipt to the sink before it returns the id, so
// the receipt is always early.
type earlyGateway struct {
	mu    sync.Mutex
	seq   int
	sink  func(gateway.Receipt)
	state func(to string) (gateway.State, string)
}

func (g *earlyGateway) Submit(ctx context.Context, m gateway.Message) ([]string, error) {
	g.mu.Lock()
	g.seq++
	id := fmt.Sprintf("e%d", g.seq)
	g.mu.Unlock()
	st, reason := g.state(m.To)
	g.sink(gateway.Receipt{Gateway: "early", ID: id, State: st, Reason: reason, Err: "001", At: t0})
	time.Sleep(5 * time.Millisecond)
	return []string{id}, nil
}
func (g *earlyGateway) Status() gateway.Status { return gateway.Status{Up: true} }
func (g *earlyGateway) Close() error           { return nil }

func TestEarlyReceiptsAndHardFailures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		g := &earlyGateway{sink: e.in.Receipt, state: func(to string) (gateway.State, string) {
			if to == "+8613800000009" {
				return gateway.Undelivered, gateway.ReasonEmptyNumber
			}
			return gateway.Delivered, ""
		}}
		var msgs []outbox.Message
		for i := range 10 {
			msgs = append(msgs, outbox.Message{Key: fmt.Sprint(i), Source: outbox.Source{Kind: "api", Ref: "t"},
				Phone: fmt.Sprintf("+86138000000%02d", i), Text: "hi", Category: "order"})
		}
		// Three more to the empty number, for the hard-failure count.
		for i := range 2 {
			msgs = append(msgs, outbox.Message{Key: fmt.Sprint("again", i), Source: outbox.Source{Kind: "api", Ref: "t"},
				Phone: "+8613800000009", Text: fmt.Sprint("again ", i), Category: "order"})
		}
		res, _ := e.out.Enqueue(ctx, msgs)
		runCtx, stop := context.WithCancel(ctx)
		defer stop()
		go e.in.Run(runCtx)
		cfg, _ := gateway.ParseURL("early", "sim://?window=1")
		rtr := route("early")
		d := outbox.NewDispatcher(e.out, outbox.DispatcherOptions{Router: rtr, Poll: 10 * time.Millisecond,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Lines: func() []outbox.Line { return []outbox.Line{{Gateway: g, Config: cfg}} }})
		go d.Run(runCtx)
		deadline := time.Now().Add(15 * time.Second)
		for {
			done := 0
			for _, id := range res.IDs {
				if s := e.status(t, id); s == outbox.Delivered || s == outbox.Undelivered {
					done++
				}
			}
			if done == len(res.IDs) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d settled", done, len(res.IDs))
			}
			time.Sleep(20 * time.Millisecond)
		}
		if e.status(t, res.IDs[9]) != outbox.Undelivered || e.status(t, res.IDs[0]) != outbox.Delivered {
			t.Fatal("wrong states")
		}
		// Three hard failures: the number is now suppressed as invalid. The
		// count follows the status update, so it may land a moment later.
		for {
			r, _ := e.pol.CheckSuppressed(ctx, "+8613800000009", "order")
			if r == policy.ReasonInvalidNumber {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("after 3 hard failures: %q", r)
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

type route string

func (r route) Route(to, carrier, category string, exclude []string) string { return string(r) }

func TestUnknownReceiptIsStoredAndAppliedLater(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		saved := holdDelays
		holdDelays = []time.Duration{10 * time.Millisecond, 20 * time.Millisecond}
		defer func() { holdDelays = saved }()
		e.in.applyBatch(ctx, []gateway.Receipt{{Gateway: "g", ID: "late-1", State: gateway.Delivered, At: t0}})
		time.Sleep(15 * time.Millisecond)
		e.in.retryHeld(ctx)
		time.Sleep(25 * time.Millisecond)
		e.in.retryHeld(ctx)
		var n int
		db.R.QueryRow(`SELECT COUNT(*) FROM pending_receipts`).Scan(&n)
		if n != 1 || len(e.in.held) != 0 {
			t.Fatalf("pending %d, held %d", n, len(e.in.held))
		}
		// The message and its id appear (a dispatcher that was slow to
		// record): the stored receipt is applied.
		res, _ := e.out.Enqueue(ctx, []outbox.Message{{Key: "x", Source: outbox.Source{Kind: "api", Ref: "t"}, Phone: "+8613800000001", Text: "hi", Category: "order"}})
		cfg, _ := gateway.ParseURL("g", "sim://")
		runCtx, stop := context.WithCancel(ctx)
		d := outbox.NewDispatcher(e.out, outbox.DispatcherOptions{Router: route("g"), Poll: 10 * time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Lines: func() []outbox.Line { return []outbox.Line{{Gateway: idGateway{"late-1"}, Config: cfg}} }})
		done := make(chan struct{})
		go func() { d.Run(runCtx); close(done) }()
		for deadline := time.Now().Add(5 * time.Second); e.status(t, res.IDs[0]) != outbox.Submitted; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("not submitted")
			}
		}
		stop()
		<-done
		e.in.applyPending(ctx)
		if s := e.status(t, res.IDs[0]); s != outbox.Delivered {
			t.Fatalf("status %s", s)
		}
		db.R.QueryRow(`SELECT COUNT(*) FROM pending_receipts`).Scan(&n)
		if n != 0 {
			t.Fatalf("pending %d after apply", n)
		}
		// After the TTL, receipts that never matched are dropped.
		e.in.store(ctx, []heldReceipt{{r: gateway.Receipt{Gateway: "g", ID: "never", State: gateway.Delivered, At: t0}}})
		e.clk.Advance(8 * 24 * time.Hour)
		e.in.Sweep(ctx)
		db.R.QueryRow(`SELECT COUNT(*) FROM pending_receipts`).Scan(&n)
		if n != 0 {
			t.Fatalf("stale pending %d", n)
		}
	})
}

// idGateway accepts every message with a fixed id.
type idGateway struct{ id string }

func (g idGateway) Submit(ctx context.Context, m gateway.Message) ([]string, error) {
	return []string{g.id}, nil
}
func (g idGateway) Status() gateway.Status { return gateway.Status{Up: true} }
func (g idGateway) Close() error           { return nil }
