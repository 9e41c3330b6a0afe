package api_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"nudge/internal/api"
	"nudge/internal/customer"
	"nudge/internal/gateway"
	"nudge/internal/gateway/sim"
	"nudge/internal/outbox"
	"nudge/internal/outbox/direct"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

// newDeliveryFixture is newFixture with the send path: an outbox, the
// direct sender, the policy and the gateway configuration (sim only).
func newDeliveryFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	// 10:00 in Shanghai.
	b := newBase(t, db, time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC),
		customer.Customer{ExternalID: "A", Phone: "13800000001", Name: "王芳", Gender: "f", Consent: "opted_in", ConsentSource: "pos", ConsentAt: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)})
	pol := b.policy(slog.New(slog.NewTextHandler(io.Discard, nil)))
	out, err := outbox.NewStore(context.Background(), db, b.kr, b.clk, outbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	reg, _ := gateway.NewRegistry(sim.Kind)
	d := &api.Delivery{Outbox: out, Gateways: gateway.NewStore(db, b.kr, b.clk), Registry: reg,
		Direct: &direct.Service{Outbox: out, Policy: pol, Customers: b.cs, Clock: b.clk, Region: "CN"}}
	return b.fixture(api.Deps{Delivery: d})
}

func TestDeliveryAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newDeliveryFixture(t, db)
		send := `{"request_id":"r1","category":"order","text":"{{surname_title}}，订单{{order}}已发货",
			"recipients":[{"phone":"13800000001","fields":{"order":"A1"}},{"phone":"12345","fields":{"order":"A2"}},{"phone":"13900000000"}]}`
		f.run(t, []scenario{
			{name: "no token", method: "POST", path: "/api/v1/messages", body: `{}`, status: 401},
			{name: "send a list", method: "POST", path: "/api/v1/messages", token: "valid", body: send, status: 200,
				want: `{"request_id":"r1","ids":[1],"queued":1,"duplicates":0,"deferred":0,"problems":[
					{"index":1,"phone":"*****","reason":"bad phone: no such number (wrong length or prefix)"},
					{"index":2,"phone":"139****0000","reason":"template: field {{surname_title}} at line 1, column 1 (byte 0) has no value and no fallback"}]}`},
			{name: "the same request again queues nothing", method: "POST", path: "/api/v1/messages", token: "valid", body: send, status: 200,
				want: `{"request_id":"r1","ids":[1],"queued":0,"duplicates":1}`},
			{name: "one number", method: "POST", path: "/api/v1/messages", token: "valid", status: 200,
				body: `{"to":"+86 138 0000 0001","text":"hello","request_id":"r2"}`, want: `{"ids":[2],"queued":1,"problems":[]}`},
			{name: "to and recipients", method: "POST", path: "/api/v1/messages", token: "valid", status: 422,
				body: `{"to":"13800000001","recipients":[{"phone":"1"}],"text":"x"}`, want: `{"error":{"code":"invalid","field":"to"}}`},
			{name: "no text", method: "POST", path: "/api/v1/messages", token: "valid", status: 422,
				body: `{"to":"13800000001"}`, want: `{"error":{"code":"invalid","field":"text"}}`},
			{name: "unknown category", method: "POST", path: "/api/v1/messages", token: "valid", status: 422,
				body: `{"to":"13800000001","text":"x","category":"gossip"}`, want: `{"error":{"code":"invalid","field":"category"}}`},
			{name: "bad template", method: "POST", path: "/api/v1/messages", token: "valid", status: 422,
				body: `{"to":"13800000001","text":"{{unclosed"}`, want: `{"error":{"code":"invalid","field":"text"}}`},
			{name: "unknown field", method: "POST", path: "/api/v1/messages", token: "valid", status: 422,
				body: `{"to":"13800000001","text":"x","colour":"red"}`, want: `{"error":{"code":"invalid"}}`},
			{name: "list", method: "GET", path: "/api/v1/messages?status=queued", token: "valid", status: 200,
				want: `{"messages":[{"id":2,"phone":"138****0001","text":"hello","status":"queued","source":{"kind":"api","ref":"r2"}},
					{"id":1,"phone":"138****0001","text":"王女士，订单A1已发货","category":"order","parts":1,"encoding":"UCS-2"}]}`,
				absent: []string{"13800000001"}},
			{name: "list by phone", method: "GET", path: "/api/v1/messages?phone=13800000001&source=api:r1", token: "valid", status: 200,
				want: `{"messages":[{"id":1}]}`},
			{name: "list: bad status", method: "GET", path: "/api/v1/messages?status=lost", token: "valid", status: 400,
				want: `{"error":{"code":"bad_parameter","field":"status"}}`},
			{name: "show", method: "GET", path: "/api/v1/messages/1", token: "valid", status: 200,
				want: `{"id":1,"key":"direct:r1:0","status":"queued","history":[{"at":"2026-11-01T02:00:00Z","status":"queued"}]}`},
			{name: "show: unknown", method: "GET", path: "/api/v1/messages/99", token: "valid", status: 404},
			{name: "add a gateway", method: "POST", path: "/api/v1/gateways", token: "valid", status: 200,
				body: `{"name":"sim","url":"sim://?seed=3&key=abc"}`,
				want: `{"name":"sim","kind":"sim","url":"sim://?key=***&seed=3","enabled":true}`, absent: []string{"abc"}},
			{name: "add it again", method: "POST", path: "/api/v1/gateways", token: "valid", status: 409,
				body: `{"name":"sim","url":"sim://"}`, want: `{"error":{"field":"name"}}`},
			{name: "a kind this server does not know", method: "POST", path: "/api/v1/gateways", token: "valid", status: 422,
				body: `{"name":"x","url":"smpp://a:secretpw@h:1"}`, want: `{"error":{"field":"url"}}`, absent: []string{"secretpw"}},
			{name: "list gateways", method: "GET", path: "/api/v1/gateways", token: "valid", status: 200,
				want: `{"gateways":[{"name":"sim","kind":"sim","url":"sim://?key=***&seed=3","enabled":true,"dispatchers":[]}]}`, absent: []string{"abc"}},
			{name: "remove", method: "DELETE", path: "/api/v1/gateways/sim", token: "valid", status: 200, want: `{"removed":"sim"}`},
			{name: "remove again", method: "DELETE", path: "/api/v1/gateways/sim", token: "valid", status: 404},
		})
	})
}

func TestDeliveryUnavailable(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	f.run(t, []scenario{
		{name: "no delivery", method: "GET", path: "/api/v1/messages", token: "valid", status: 503, want: `{"error":{"code":"unavailable"}}`},
	})
}
