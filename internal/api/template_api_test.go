package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"nudge/internal/api"
	"nudge/internal/compose"
	"nudge/internal/customer"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

// newTemplateFixture is newFixture with the policy, link and compose
// services and two customers: A (王小明, male, nickname 小明) and B (no
// name, no attributes).
func newTemplateFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	b := newBase(t, db, time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC),
		customer.Customer{ExternalID: "A", Phone: "13800000001", Name: "王小明", Gender: "m", Attributes: json.RawMessage(`{"nickname":"小明","points":1200}`)},
		customer.Customer{ExternalID: "B", Phone: "13800000002"})
	pol, links := b.policy(b.log), b.links()
	cp, err := compose.New(context.Background(), db, compose.Options{Customers: b.cs, Links: links, Policy: pol, Clock: b.clk, Log: b.log})
	if err != nil {
		t.Fatal(err)
	}
	return b.fixture(api.Deps{Policy: pol, Links: links, Compose: cp})
}

func TestTemplateAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newTemplateFixture(t, db)
		pii := []string{"13800000001", "王小明"}
		f.run(t, []scenario{
			{name: "no token", method: "POST", path: "/api/v1/templates/preview", body: `{"text":"hi"}`, status: 401},

			{name: "count GSM-7 with an escape", method: "POST", path: "/api/v1/sms/count", token: "valid", status: 200,
				body: `{"text":"Hello €"}`, want: `{"encoding":"GSM-7","segments":1,"units":8,"per_segment":160}`},
			{name: "count UCS-2, split", method: "POST", path: "/api/v1/sms/count", token: "valid", status: 200,
				body: `{"text":"` + repeat("您", 71) + `"}`, want: `{"encoding":"UCS-2","segments":2,"units":71,"per_segment":67}`},
			{name: "count: unknown field", method: "POST", path: "/api/v1/sms/count", token: "valid", status: 400,
				body: `{"txt":"x"}`, want: `{"error":{"code":"bad_parameter","field":"txt"}}`},

			{name: "settings: defaults", method: "GET", path: "/api/v1/settings/compose", token: "valid", status: 200,
				want: `{"brand":"","signature_position":"start","opt_out":{"zh-CN":"回TD退订","en":"Reply STOP to opt out"},"default_locale":"zh-CN"}`},
			{name: "settings: brand", method: "PUT", path: "/api/v1/settings/compose", token: "valid", status: 200,
				body: `{"brand":"小店","sensitive_words":["秒杀"]}`,
				want: `{"brand":"小店","signature_position":"start","opt_out":{"zh-CN":"回TD退订","en":"Reply STOP to opt out"},"sensitive_words":["秒杀"]}`},
			{name: "settings: opt-out line without instruction", method: "PUT", path: "/api/v1/settings/compose", token: "valid", status: 422,
				body: `{"brand":"别家","opt_out":{"en":"Thanks"}}`, want: `{"error":{"code":"invalid","field":"opt_out.en"}}`},
			{name: "settings: bad position", method: "PUT", path: "/api/v1/settings/compose", token: "valid", status: 422,
				body: `{"signature_position":"middle"}`, want: `{"error":{"code":"invalid","field":"signature_position"}}`},
			{name: "settings: unknown key", method: "PUT", path: "/api/v1/settings/compose", token: "valid", status: 400,
				body: `{"brnd":"x"}`, want: `{"error":{"code":"bad_parameter","field":"brnd"}}`},
			{name: "settings: refused updates changed nothing", method: "GET", path: "/api/v1/settings/compose", token: "valid", status: 200,
				want: `{"brand":"小店","opt_out":{"zh-CN":"回TD退订","en":"Reply STOP to opt out"}}`},

			{name: "preview for a customer", method: "POST", path: "/api/v1/templates/preview", token: "valid", status: 200,
				body: `{"text":"{{surname_title}}，{{nickname}}专享满199减30，今日秒杀，点击 {{link}}","customer":"A","category":"marketing"}`,
				want: `{"text":"【小店】王先生，小明专享满199减30，今日秒杀，点击 https://s.shop.example/l/xxxxxxxx 回TD退订",
					"encoding":"UCS-2","segments":1,"units":67,"per_segment":70,"chars":67,
					"warnings":[{"code":"sensitive_word","start":22,"end":24}],
					"customer":{"external_id":"A","name":"王**","phone":"138****0001"}}`,
				absent: pii},
			{name: "preview by phone, masked name", method: "POST", path: "/api/v1/templates/preview", token: "valid", status: 200,
				body: `{"text":"{{name}}您好，积分{{points}}","customer":"138 0000 0001"}`,
				want: `{"text":"【小店】王**您好，积分1200","customer":{"external_id":"A"}}`, absent: pii},
			{name: "preview: English", method: "POST", path: "/api/v1/templates/preview", token: "valid", status: 200,
				body: `{"text":"Hi {{surname_title|there}}, 20% off today. Shop now","customer":"B","category":"promotions","locale":"en"}`,
				want: `{"text":"【小店】Hi there, 20% off today. Shop now Reply STOP to opt out"}`},
			{name: "preview: nobody", method: "POST", path: "/api/v1/templates/preview", token: "valid", status: 422,
				body: `{"text":"hi","customer":"C404"}`, want: `{"error":{"code":"invalid","field":"customer"}}`},
			{name: "preview: a field without value", method: "POST", path: "/api/v1/templates/preview", token: "valid", status: 422,
				body: `{"text":"您有{{points}}分","customer":"B"}`,
				want: `{"error":{"code":"invalid","field":"text","message":"template: field {{points}} at line 1, column 3 (byte 6) has no value and no fallback"}}`},
			{name: "preview: malformed template", method: "POST", path: "/api/v1/templates/preview", token: "valid", status: 422,
				body: `{"text":"您好{{name"}`, want: `{"error":{"code":"invalid","field":"text","message":"template: line 1, column 3 (byte 6): unclosed \"{{\": no \"}}\" follows"}}`},
			{name: "preview: unknown category", method: "POST", path: "/api/v1/templates/preview", token: "valid", status: 422,
				body: `{"text":"hi","category":"flyers"}`, want: `{"error":{"code":"invalid","field":"category"}}`},
			{name: "preview: no text", method: "POST", path: "/api/v1/templates/preview", token: "valid", status: 422,
				body: `{"text":" "}`, want: `{"error":{"code":"invalid","field":"text"}}`},

			{name: "lint: a late offer", method: "POST", path: "/api/v1/templates/lint", token: "valid", status: 200,
				body: `{"text":"感谢您一直以来的支持与信任，本店全场商品现已上新，满299减50，点击 {{link}}"}`,
				want: `{"text":"【小店】感谢您一直以来的支持与信任，本店全场商品现已上新，满299减50，点击 https://s.shop.example/l/xxxxxxxx 回TD退订",
					"warnings":[{"code":"length","start":0,"end":79},{"code":"offer_late","start":29,"end":36,"message":"the offer starts at character 26; put it in the first 20"}]}`},
			{name: "lint: transactional", method: "POST", path: "/api/v1/templates/lint", token: "valid", status: 200,
				body: `{"text":"您的订单已发货，查看 {{link}}","category":"order"}`,
				want: `{"text":"【小店】您的订单已发货，查看 https://s.shop.example/l/xxxxxxxx","warnings":[]}`},

			{name: "starters: English staff", method: "GET", path: "/api/v1/templates/starters?locale=en&category=staff", token: "valid", status: 200,
				want: `{"starters":[{"key":"staff_notice","category":"staff","locale":"en"}]}`},
			{name: "starters: bad category", method: "GET", path: "/api/v1/templates/starters?category=spam", token: "valid", status: 400,
				want: `{"error":{"code":"bad_parameter","field":"category"}}`},

			{name: "pool: create with codes", method: "POST", path: "/api/v1/coupons/pools", token: "valid", status: 201,
				body: `{"name":"spring","description":"春季","generate":{"count":3,"prefix":"SP"}}`,
				want: `{"name":"spring","description":"春季","total":3,"drawn":0,"remaining":3,"created_at":"2026-11-01T02:00:00Z"}`},
			{name: "pool: create again", method: "POST", path: "/api/v1/coupons/pools", token: "valid", status: 200,
				body: `{"name":"spring","description":"other"}`, want: `{"description":"春季","total":3}`},
			{name: "pool: bad name", method: "POST", path: "/api/v1/coupons/pools", token: "valid", status: 422,
				body: `{"name":"spring 2"}`, want: `{"error":{"code":"invalid","field":"name"}}`},
			{name: "pool: import", method: "POST", path: "/api/v1/coupons/pools/spring/codes", token: "valid", status: 200,
				body: `{"codes":["AAA111","AAA111","bad code"]}`,
				want: `{"added":1,"duplicates":1,"rejected":1,"problems":[{"line":3,"code":"bad code"}],"pool":{"total":4,"remaining":4}}`},
			{name: "pool: generate more", method: "POST", path: "/api/v1/coupons/pools/spring/codes", token: "valid", status: 200,
				body: `{"generate":{"count":2,"length":10}}`, want: `{"added":2,"duplicates":0,"pool":{"total":6}}`},
			{name: "pool: bad generate", method: "POST", path: "/api/v1/coupons/pools/spring/codes", token: "valid", status: 422,
				body: `{"generate":{"count":0}}`, want: `{"error":{"code":"invalid","field":"generate.count"}}`},
			{name: "pool: nothing to add", method: "POST", path: "/api/v1/coupons/pools/spring/codes", token: "valid", status: 422,
				body: `{}`, want: `{"error":{"code":"invalid","field":"codes"}}`},
			{name: "pool: status", method: "GET", path: "/api/v1/coupons/pools/spring", token: "valid", status: 200,
				want: `{"name":"spring","total":6,"drawn":0,"remaining":6}`},
			{name: "pool: unknown", method: "GET", path: "/api/v1/coupons/pools/autumn", token: "valid", status: 404,
				want: `{"error":{"code":"not_found"}}`},
			{name: "pool: import into unknown", method: "POST", path: "/api/v1/coupons/pools/autumn/codes", token: "valid", status: 404,
				body: `{"codes":["X1"]}`, want: `{"error":{"code":"not_found"}}`},
			{name: "pools", method: "GET", path: "/api/v1/coupons/pools", token: "valid", status: 200,
				want: `{"pools":[{"name":"spring","remaining":6}]}`},
			{name: "preview: a sample code as long as the pool's", method: "POST", path: "/api/v1/templates/preview", token: "valid", status: 200,
				body: `{"text":"券码{{coupon.spring}}","customer":"A"}`, want: `{"text":"【小店】券码XXXXXXXXXX"}`},
			{name: "preview: a pool that does not exist", method: "POST", path: "/api/v1/templates/preview", token: "valid", status: 422,
				body: `{"text":"券码{{coupon.autumn}}","customer":"A"}`,
				want: `{"error":{"code":"invalid","field":"text","message":"template: field {{coupon.autumn}} at line 1, column 3 (byte 6): coupon pool \"autumn\" does not exist"}}`},
			{name: "pool: nothing drawn by previews", method: "GET", path: "/api/v1/coupons/pools/spring", token: "valid", status: 200,
				want: `{"drawn":0,"remaining":6}`},
		})
		for _, s := range pii {
			if bytes.Contains([]byte(f.log.String()), []byte(s)) {
				t.Errorf("API log contains %q", s)
			}
		}
	})
}

// TestTemplateAPIWithoutCompose: the count and the starters need no
// service; the rest answers 503.
func TestTemplateAPIWithoutCompose(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	f.run(t, []scenario{
		{name: "count", method: "POST", path: "/api/v1/sms/count", token: "valid", status: 200, body: `{"text":""}`,
			want: `{"encoding":"GSM-7","segments":0,"units":0,"per_segment":160}`},
		{name: "starters", method: "GET", path: "/api/v1/templates/starters?locale=zh-CN&category=staff", token: "valid", status: 200,
			want: `{"starters":[{"key":"staff_notice"}]}`},
		{name: "preview", method: "POST", path: "/api/v1/templates/preview", token: "valid", status: 503, body: `{"text":"hi"}`,
			want: `{"error":{"code":"unavailable"}}`},
		{name: "settings", method: "GET", path: "/api/v1/settings/compose", token: "valid", status: 503},
		{name: "pools", method: "GET", path: "/api/v1/coupons/pools", token: "valid", status: 503},
	})
}

func repeat(s string, n int) string { return string(bytes.Repeat([]byte(s), n)) }
