package direct

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"nudge/internal/clock"
	"nudge/internal/compose"
	"nudge/internal/customer"
	"nudge/internal/outbox"
	"nudge/internal/pii"
	"nudge/internal/policy"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

// 02:00 UTC is 10:00 in Shanghai: inside the marketing hours.
var t0 = time.Date(2025, 3, 10, 2, 0, 0, 0, time.UTC)

func service(t *testing.T, db *store.DB, clk *clock.Fake) (*Service, *customer.Store, *policy.Policy) {
	t.Helper()
	ctx := context.Background()
	keys, _ := pii.NewKeyring(make([]byte, 32))
	cs, err := customer.NewStore(ctx, db, keys, clk, customer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.New(ctx, db, keys, clk, policy.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pol.Close() })
	out, err := outbox.NewStore(ctx, db, keys, clk, outbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cs.UpsertCustomers(ctx, []customer.Customer{
		{ExternalID: "c1", Phone: "13812345678", Name: "王芳", Gender: "f", Consent: "opted_in", ConsentAt: t0.Add(-time.Hour), ConsentSource: "form"},
		{ExternalID: "c2", Phone: "13912345678", Name: "李雷", Gender: "m", Consent: "opted_in", ConsentAt: t0.Add(-time.Hour), ConsentSource: "form"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pol.OptOut(ctx, "13912345678", "reply", "reply: TD"); err != nil {
		t.Fatal(err)
	}
	return &Service{Outbox: out, Policy: pol, Customers: cs, Clock: clk, Region: "CN"}, cs, pol
}

func TestSendList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _, _ := service(t, db, clock.NewFake(t0))
		req := Request{RequestID: "batch-7", Category: "order", Text: "{{surname_title}}，您的订单{{order}}已发货",
			Recipients: []Recipient{
				{Phone: "13812345678", Fields: map[string]string{"order": "A1001"}, Line: 2},
				{Phone: "12345", Fields: map[string]string{"order": "A1002"}, Line: 3},
				{Phone: "13700000000", Fields: map[string]string{"surname_title": "张先生"}, Line: 4},
				{Phone: "13912345678", Fields: map[string]string{"order": "A1004"}, Line: 5},
			}}
		res, err := s.Send(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		// The opted-out number still gets its order update (transactional).
		if res.Queued != 2 || len(res.IDs) != 2 || res.Duplicates != 0 || len(res.Problems) != 2 {
			t.Fatalf("%+v", res)
		}
		if p := res.Problems[0]; p.Line != 3 || p.Reason != "bad phone: no such number (wrong length or prefix)" && p.Reason != "bad phone: not a phone number" {
			t.Errorf("problem %+v", p)
		}
		if p := res.Problems[1]; p.Line != 4 || p.Phone != "137****0000" || p.Reason != "template: field {{order}} at line 1, column 23 (byte 32) has no value and no fallback" {
			t.Errorf("problem %+v", p)
		}
		v, _ := s.Outbox.Get(ctx, res.IDs[0])
		if v.Text != "王女士，您的订单A1001已发货" || v.Category != "order" || v.Source != (outbox.Source{Kind: "api", Ref: "batch-7"}) || v.CustomerID == 0 {
			t.Fatalf("%+v", v)
		}
		// The same request again is a no-op with the same ids.
		again, err := s.Send(ctx, req)
		if err != nil || again.Queued != 0 || again.Duplicates != 2 || again.IDs[0] != res.IDs[0] || again.IDs[1] != res.IDs[1] {
			t.Fatalf("retry: %+v %v", again, err)
		}
	})
}

func TestSendMarketingRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(t0.Add(12 * time.Hour)) // 22:00 in Shanghai
		s, _, _ := service(t, db, clk)
		res, err := s.Send(ctx, Request{Category: "marketing", Text: "春季上新，全场8折",
			Recipients: []Recipient{{Phone: "13812345678"}, {Phone: "13912345678"}, {Phone: "13600000000"}}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Queued != 1 || res.Deferred != 1 || len(res.Problems) != 2 {
			t.Fatalf("%+v", res)
		}
		if res.Problems[0].Reason != "suppressed: consent_opted_out, suppressed_opted_out, quiet_hours" ||
			res.Problems[1].Reason != "suppressed: consent_missing, quiet_hours, inactive" {
			t.Errorf("problems %+v", res.Problems)
		}
		v, _ := s.Outbox.Get(ctx, res.IDs[0])
		// Held to 08:00 Shanghai (00:00 UTC), with the opt-out line.
		if v.Text != "春季上新，全场8折 回TD退订" || !v.NextAt.Equal(time.Date(2025, 3, 11, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("%q next %s", v.Text, v.NextAt)
		}
		if _, err := s.Send(ctx, Request{Category: "nonsense", Text: "x", Recipients: []Recipient{{Phone: "13812345678"}}}); err == nil {
			t.Fatal("unknown category accepted")
		}
	})
}

// With the compose service, rendering is compose's: the same fields, and
// its errors for rows that cannot be filled.
func TestSendThroughCompose(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(t0)
		s, cs, pol := service(t, db, clk)
		c, err := compose.New(ctx, db, compose.Options{Customers: cs, Policy: pol, Clock: clk})
		if err != nil {
			t.Fatal(err)
		}
		s.Compose = c
		res, err := s.Send(ctx, Request{RequestID: "c1", Category: "order", Text: "{{surname_title}}，您的订单{{order}}已发货",
			Recipients: []Recipient{
				{Phone: "13812345678", Fields: map[string]string{"order": "A1001"}, Line: 2},
				{Phone: "13700000000", Line: 3},
			}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Queued != 1 || len(res.Problems) != 1 || res.Problems[0].Line != 3 ||
			!strings.Contains(res.Problems[0].Reason, "has no value and no fallback") {
			t.Fatalf("%+v", res)
		}
		want, err := c.Render(ctx, "{{surname_title}}，您的订单{{order}}已发货", mustCustomer(t, cs, "c1"), "order",
			compose.Extras{Values: map[string]string{"order": "A1001"}, NoLint: true})
		if err != nil {
			t.Fatal(err)
		}
		v, _ := s.Outbox.Get(ctx, res.IDs[0])
		if v.Text != want.Text || !strings.Contains(v.Text, "王女士，您的订单A1001已发货") {
			t.Fatalf("sent %q, compose renders %q", v.Text, want.Text)
		}
	})
}

func mustCustomer(t *testing.T, cs *customer.Store, id string) *customer.Customer {
	t.Helper()
	c, err := cs.GetByExternalID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return &c
}
