package api_test

import (
	"testing"
	"time"

	"nudge/internal/api"
	"nudge/internal/customer"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

// newPolicyFixture is newFixture with the policy and link services and two
// customers: A opted in at the till, B with no consent.
func newPolicyFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	// 21:30 in Shanghai: marketing is deferred to 08:00.
	b := newBase(t, db, time.Date(2026, 11, 1, 13, 30, 0, 0, time.UTC),
		customer.Customer{ExternalID: "A", Phone: "13800000001", Consent: "opted_in", ConsentSource: "pos", ConsentAt: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)},
		customer.Customer{ExternalID: "B", Phone: "13800000002"})
	links := b.links()
	f := b.fixture(api.Deps{Policy: b.policy(b.log), Links: links})
	links.Handler().Register(f.mux)
	return f
}

func TestPolicyAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newPolicyFixture(t, db)
		f.run(t, []scenario{
			{name: "no token", method: "GET", path: "/api/v1/why?phone=13800000001", status: 401},
			{name: "why: deferred by quiet hours", method: "GET", path: "/api/v1/why?phone=138%200000%200001", token: "valid", status: 200,
				want: `{"decision":"defer","until":"2026-11-02T00:00:00Z","reasons":[
					"consent pass: opted in at 2026-10-01T00:00:00Z, source recorded",
					"suppression pass: the number is not on the suppression list",
					"preference pass: marketing messages not refused",
					"cap_7d pass: 0 of at most 3 marketing messages queued in the last 7d",
					"cap_30d pass: 0 of at most 4 marketing messages queued in the last 30d",
					"quiet_hours defer quiet_hours: 21:30 Asia/Shanghai outside 08:00-20:00; next allowed 2026-11-02 08:00 Asia/Shanghai",
					"hygiene pass: last interaction 2026-10-01T00:00:00Z, 31 days ago (limit 180d)"]}`,
				absent: []string{"13800000001"}},
			{name: "why: order at noon", method: "GET", path: "/api/v1/why?phone=13800000002&category=order&at=2026-11-01%2012:00", token: "valid", status: 200,
				want: `{"decision":"allow"}`, absent: []string{`"until"`}},
			{name: "why: unknown category", method: "GET", path: "/api/v1/why?phone=13800000002&category=flyers", token: "valid", status: 400,
				want: `{"error":{"code":"bad_parameter","field":"category"}}`},
			{name: "why: bad phone", method: "GET", path: "/api/v1/why?phone=12345", token: "valid", status: 422,
				want: `{"error":{"code":"invalid","field":"phone"}}`},

			{name: "suppress", method: "POST", path: "/api/v1/suppressions", token: "valid", status: 201,
				body: `{"phone":"13800000002","reason":"complaint","note":"12321"}`, want: `{"added":true}`},
			{name: "suppress again", method: "POST", path: "/api/v1/suppressions", token: "valid", status: 200,
				body: `{"phone":"+86 138 0000 0002","reason":"complaint"}`, want: `{"added":false}`},
			{name: "suppress, default manual", method: "POST", path: "/api/v1/suppressions", token: "valid", status: 201,
				body: `{"phone":"13900000009"}`, want: `{"added":true}`},
			{name: "suppress: bad reason", method: "POST", path: "/api/v1/suppressions", token: "valid", status: 422,
				body: `{"phone":"13900000009","reason":"spam"}`, want: `{"error":{"code":"invalid","field":"reason"}}`},
			{name: "suppress: bad phone", method: "POST", path: "/api/v1/suppressions", token: "valid", status: 422,
				body: `{"phone":"abc"}`, want: `{"error":{"code":"invalid","field":"phone"}}`},
			{name: "list, masked", method: "GET", path: "/api/v1/suppressions", token: "valid", status: 200,
				want: `{"total":2,"entries":[{"phone":"138****0002","reason":"complaint","source":"api:test-erp","note":"12321","created_at":"2026-11-01T13:30:00Z"},
					{"phone":"139****0009","reason":"manual"}]}`,
				absent: []string{"13800000002", "next_after"}},
			{name: "list a page", method: "GET", path: "/api/v1/suppressions?limit=1", token: "valid", status: 200,
				want: `{"total":2,"entries":[{"reason":"complaint"}]}`, capture: []string{"next_after"}},
			{name: "next page", method: "GET", path: "/api/v1/suppressions?limit=1&after={{next_after}}", token: "valid", status: 200,
				want: `{"entries":[{"reason":"manual"}]}`},
			{name: "list one reason", method: "GET", path: "/api/v1/suppressions?reason=manual", token: "valid", status: 200,
				want: `{"total":1}`},
			{name: "why: complaint stops marketing", method: "GET", path: "/api/v1/why?phone=13800000002&at=2026-11-01%2012:00", token: "valid", status: 200,
				want: `{"decision":"suppress"}`},
			{name: "remove", method: "DELETE", path: "/api/v1/suppressions/%2B8613900000009", token: "valid", status: 200, want: `{"removed":1}`},
			{name: "remove again", method: "DELETE", path: "/api/v1/suppressions/13900000009", token: "valid", status: 200, want: `{"removed":0}`},

			{name: "consent: opt out", method: "POST", path: "/api/v1/customers/A/consent", token: "valid", status: 200,
				body: `{"state":"opted_out","source":"call","proof":"agent 7","at":"2026-11-01 20:00:00"}`,
				want: `{"events":[{"state":"opted_out","source":"call","proof":"agent 7","at":"2026-11-01T12:00:00Z"}]}`},
			{name: "consent: opted out is suppressed", method: "GET", path: "/api/v1/suppressions?reason=opted_out", token: "valid", status: 200,
				want: `{"total":1,"entries":[{"phone":"138****0001","source":"call"}]}`},
			{name: "consent: no source", method: "POST", path: "/api/v1/customers/A/consent", token: "valid", status: 422,
				body: `{"state":"opted_in"}`, want: `{"error":{"field":"source"}}`},
			{name: "consent: bad state", method: "POST", path: "/api/v1/customers/A/consent", token: "valid", status: 422,
				body: `{"state":"pending","source":"x"}`, want: `{"error":{"field":"state"}}`},
			{name: "consent: unknown customer", method: "POST", path: "/api/v1/customers/Z/consent", token: "valid", status: 404,
				body: `{"state":"opted_in","source":"x"}`},

			{name: "policy settings", method: "GET", path: "/api/v1/policy", token: "valid", status: 200,
				want: `{"hygiene_after":"180d","caps":[{"applies":"marketing","window":"7d","max":3},{"applies":"marketing","window":"30d","max":4}],
					"quiet_hours":{"kinds":["marketing"],"default":"08:00-20:00"}}`},
			{name: "policy: change caps", method: "PUT", path: "/api/v1/policy", token: "valid", status: 200,
				body: `{"caps":[{"applies":"marketing","window":"7d","max":2}],"quiet_hours":{"countries":{"CN":"09:00-20:00"}}}`,
				want: `{"caps":[{"applies":"marketing","window":"7d","max":2}],"hygiene_after":"180d"}`},
			{name: "policy: the CN window changed, the US one stayed", method: "GET", path: "/api/v1/policy", token: "valid", status: 200,
				want: `{"quiet_hours":{"countries":{"CN":"09:00-20:00","US":"08:00-21:00"}}}`},
			{name: "policy: refused", method: "PUT", path: "/api/v1/policy", token: "valid", status: 422,
				body: `{"quiet_hours":{"countries":{"CN":"20:00-08:00"}}}`, want: `{"error":{"code":"invalid","field":"policy"}}`},
			{name: "policy: refused update changed nothing", method: "GET", path: "/api/v1/policy", token: "valid", status: 200,
				want: `{"quiet_hours":{"countries":{"CN":"09:00-20:00"}}}`},

			{name: "link", method: "POST", path: "/api/v1/links", token: "valid", status: 201,
				body: `{"target":"https://shop.example/p?id=1#reviews","campaign":"spring","content":"v1","customer_id":"A"}`},
			{name: "link: bad target", method: "POST", path: "/api/v1/links", token: "valid", status: 422,
				body: `{"target":"javascript:alert(1)"}`, want: `{"error":{"field":"target"}}`},
			{name: "link: unknown customer", method: "POST", path: "/api/v1/links", token: "valid", status: 404,
				body: `{"target":"https://shop.example/","customer_id":"Z"}`},
			{name: "link stats", method: "GET", path: "/api/v1/links/stats?campaign=spring", token: "valid", status: 200,
				want: `{"links":1,"clicks":0,"clickers":0,"bot_hits":0}`},
			{name: "link stats: no campaign", method: "GET", path: "/api/v1/links/stats", token: "valid", status: 400},
		})
	})
}

func TestPolicyAPIWithoutServices(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	f.run(t, []scenario{
		{name: "why", method: "GET", path: "/api/v1/why?phone=13800000001", token: "valid", status: 503, want: `{"error":{"code":"unavailable"}}`},
		{name: "links", method: "POST", path: "/api/v1/links", token: "valid", status: 503, body: `{"target":"https://x.example/"}`},
	})
}
