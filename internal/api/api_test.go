package api_test

import (
	"strings"
	"testing"

	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

const c1 = `{"external_id":"C1","phone":"138 1234 1234","name":"王小明","gender":"女","tags":["vip"],
	"registered_at":"2025-03-01","attributes":{"level":"gold"},"consent":"opted_in","consent_at":"2025-03-01T10:00:00+08:00"}`

var authScenarios = []scenario{
	{name: "no token", method: "GET", path: "/api/v1/customers", status: 401,
		want:       `{"error":{"code":"unauthorized"}}`,
		wantHeader: map[string]string{"WWW-Authenticate": `Bearer realm="nudge"`}},
	{name: "unknown token", method: "GET", path: "/api/v1/customers", token: "Bearer nudge_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", status: 401,
		want:       `{"error":{"code":"unauthorized","message":"invalid or revoked bearer token"}}`,
		wantHeader: map[string]string{"WWW-Authenticate": `Bearer realm="nudge", error="invalid_token"`}},
	{name: "basic auth is not a bearer token", method: "GET", path: "/api/v1/customers", token: "Basic dXNlcjpwYXNz", status: 401,
		want: `{"error":{"code":"unauthorized"}}`},
	{name: "writes need a token too", method: "POST", path: "/api/v1/customers", body: c1, status: 401,
		want: `{"error":{"code":"unauthorized"}}`},
	{name: "the scheme is case-insensitive", method: "GET", path: "/api/v1/customers", token: "bearer TOKEN", status: 200,
		want: `{"customers":[]}`},
	{name: "a token with a character changed", method: "GET", path: "/api/v1/customers", token: "Bearer TOKENx", status: 401},
	{name: "the OpenAPI document is public", method: "GET", path: "/api/openapi.json", status: 200,
		want: `{"openapi":"3.1.0","components":{"securitySchemes":{"bearer":{"type":"http","scheme":"bearer"}}}}`},
	{name: "unknown API path", method: "GET", path: "/api/v1/campaigns", token: "valid", status: 404,
		want: `{"error":{"code":"not_found","message":"no such API endpoint: /api/v1/campaigns"}}`},
	{name: "wrong method", method: "DELETE", path: "/api/v1/customers", token: "valid", status: 405,
		want:       `{"error":{"code":"method_not_allowed"}}`,
		wantHeader: map[string]string{"Allow": "GET, POST, HEAD"}},
	{name: "wrong method on a wildcard path", method: "PUT", path: "/api/v1/customers/C1", token: "valid", status: 405,
		wantHeader: map[string]string{"Allow": "GET, HEAD"}},
}

var customerScenarios = []scenario{
	{name: "one customer", method: "POST", path: "/api/v1/customers", token: "valid", body: c1, status: 200,
		want: `{"taken":1,"rejected":[],"inserted":1,"updated":0,"unchanged":0,"external_id":"C1"}`},
	{name: "the same customer again changes nothing", method: "POST", path: "/api/v1/customers", token: "valid", body: c1, status: 200,
		want: `{"taken":1,"rejected":[],"inserted":0,"updated":0,"unchanged":1}`},
	{name: "a phone-only customer gets an id", method: "POST", path: "/api/v1/customers", token: "valid",
		body: `{"phone":"+86 130 1234 5678","name":"赵六"}`, status: 200,
		want: `{"taken":1,"inserted":1}`, capture: []string{"external_id"}},
	{name: "the made-up id finds the phone-only customer", method: "GET", path: "/api/v1/customers/{{external_id}}", token: "valid", status: 200,
		want: `{"phone":"+8613012345678","name":"赵六","phone_masked":"130****5678","carrier":"china_unicom"}`},
	{name: "bulk with bad records: the good ones are written", method: "POST", path: "/api/v1/customers", token: "valid",
		body: `{"customers":[
			{"external_id":"C2","phone":"18912345678","name":"李娜","city":"杭州"},
			{"external_id":"C3","phone":"12345"},
			{"external_id":"C4","phone":"13912345678","nmae":"typo"},
			{"external_id":"C5","phone":"13912345679","birthday":"1990-13-01"},
			{"external_id":"C6","phone":"13912345680","lat":"31.2"},
			42,
			{"external_id":"C7","phone":"13912345681","registered_at":"yesterday"},
			{"external_id":"C8","phone":"13912345682","consent":"maybe"},
			{"external_id":"C2","phone":"18912345678","name":"李娜","city":"上海"}
		]}`, status: 200,
		// C2 twice: both taken, the later one wins, the earlier counts as unchanged.
		want: `{"taken":2,"inserted":1,"updated":0,"unchanged":1,"rejected":[
			{"index":1,"field":"phone","reason":"bad phone number (no such number (wrong length or prefix))"},
			{"index":2,"field":"nmae","reason":"unknown field"},
			{"index":3,"field":"birthday","reason":"\"1990-13-01\" is not a date (YYYY-MM-DD)"},
			{"index":4,"field":"lat","reason":"must be a number, not string"},
			{"index":5,"field":"","reason":"a record must be a JSON object, not number"},
			{"index":6,"field":"registered_at","reason":"\"yesterday\" is not a date (use 2006-01-02, 2006-01-02 15:04:05, 20060102 or RFC 3339)"},
			{"index":7,"field":"consent","reason":"\"maybe\" is not opted_in, opted_out or unknown"}]}`},
	{name: "bulk where every record is bad", method: "POST", path: "/api/v1/customers", token: "valid",
		body: `{"customers":[{"phone":""},{"phone":"abc"}]}`, status: 422,
		want: `{"taken":0,"inserted":0,"rejected":[{"index":0,"field":"phone"},{"index":1,"field":"phone"}],
			"error":{"code":"invalid","message":"all 2 records were rejected; see \"rejected\""}}`},
	{name: "one bad customer", method: "POST", path: "/api/v1/customers", token: "valid",
		body: `{"external_id":"C9","phone":"1381234"}`, status: 422,
		want: `{"taken":0,"rejected":[{"index":0,"field":"phone"}],"error":{"code":"invalid","field":"phone"}}`},
	{name: "malformed JSON names the byte", method: "POST", path: "/api/v1/customers", token: "valid",
		body: `{"phone": 138x}`, status: 400,
		want: `{"error":{"code":"malformed_json","offset":14,"message":"malformed JSON at byte 14: invalid character 'x' after object key:value pair"}}`},
	{name: "truncated JSON", method: "POST", path: "/api/v1/customers", token: "valid",
		body: `{"customers":[{"phone":"138`, status: 400,
		want: `{"error":{"code":"malformed_json","offset":27}}`},
	{name: "an array is not a request", method: "POST", path: "/api/v1/customers", token: "valid",
		body: `[{"phone":"13812341234"}]`, status: 400, want: `{"error":{"code":"malformed_json"}}`},
	{name: "customers must be an array", method: "POST", path: "/api/v1/customers", token: "valid",
		body: `{"customers":{"phone":"13812341234"}}`, status: 400, want: `{"error":{"code":"bad_parameter","field":"customers"}}`},
	{name: "stray key beside the list", method: "POST", path: "/api/v1/customers", token: "valid",
		body: `{"customers":[],"dry_run":true}`, status: 400, want: `{"error":{"code":"bad_parameter","field":"dry_run"}}`},
	{name: "empty bulk", method: "POST", path: "/api/v1/customers", token: "valid",
		body: `{"customers":[]}`, status: 200, want: `{"taken":0,"rejected":[],"inserted":0}`},
	{name: "not JSON", method: "POST", path: "/api/v1/customers", token: "valid",
		header: map[string]string{"Content-Type": "text/csv"}, body: "id,phone\n", status: 415,
		want: `{"error":{"code":"unsupported_media_type"}}`},
	{name: "more than 10,000 records", method: "POST", path: "/api/v1/customers", token: "valid",
		body: `{"customers":[` + strings.TrimSuffix(strings.Repeat(`{},`, 10001), ",") + `]}`, status: 413,
		want: `{"error":{"code":"too_large","field":"customers","message":"10001 records in one request; at most 10000"}}`},

	{name: "list masks phones and names", method: "GET", path: "/api/v1/customers", token: "valid", status: 200,
		want: `{"customers":[
			{"external_id":"C1","phone_masked":"138****1234","name_masked":"王**","gender":"f","tags":["vip"],"consent":"opted_in",
			 "carrier":"china_mobile","region":"CN","registered_at":"2025-02-28T16:00:00Z"},
			{"phone_masked":"130****5678","name_masked":"赵*"},
			{"external_id":"C2","phone_masked":"189****5678","name_masked":"李*","city":"上海","carrier":"china_telecom"}]}`,
		absent: []string{"+8613812341234", "13812341234", "王小明", "李娜", `"phone":`, `"name":`, "next_after", "attributes", "gold"}},
	{name: "first page of one", method: "GET", path: "/api/v1/customers?limit=1", token: "valid", status: 200,
		want: `{"customers":[{"external_id":"C1"}]}`, capture: []string{"next_after"}},
	{name: "next page", method: "GET", path: "/api/v1/customers?after={{next_after}}&limit=2", token: "valid", status: 200,
		want: `{"customers":[{"name_masked":"赵*"},{"external_id":"C2"}]}`, capture: []string{"next_after"}},
	{name: "past the end", method: "GET", path: "/api/v1/customers?after={{next_after}}&limit=2", token: "valid", status: 200,
		want: `{"customers":[]}`, absent: []string{"next_after"}},
	{name: "limit 0", method: "GET", path: "/api/v1/customers?limit=0", token: "valid", status: 400,
		want: `{"error":{"code":"bad_parameter","field":"limit","message":"limit must be an integer from 1 to 1000"}}`},
	{name: "limit too big", method: "GET", path: "/api/v1/customers?limit=1001", token: "valid", status: 400,
		want: `{"error":{"field":"limit"}}`},
	{name: "after not a number", method: "GET", path: "/api/v1/customers?after=C1", token: "valid", status: 400,
		want: `{"error":{"field":"after"}}`},
	{name: "find by phone as people write it", method: "GET", path: "/api/v1/customers?phone=%2B86%20138-1234-1234", token: "valid", status: 200,
		want:   `{"customers":[{"external_id":"C1","phone_masked":"138****1234","name_masked":"王**"}]}`,
		absent: []string{"13812341234", "王小明"}},
	{name: "find by an unknown phone", method: "GET", path: "/api/v1/customers?phone=13700000000", token: "valid", status: 200,
		want: `{"customers":[]}`},
	{name: "find by a bad phone", method: "GET", path: "/api/v1/customers?phone=123", token: "valid", status: 422,
		want: `{"error":{"code":"invalid","field":"phone"}}`},
	{name: "one customer in full", method: "GET", path: "/api/v1/customers/C1", token: "valid", status: 200,
		want: `{"external_id":"C1","phone":"+8613812341234","name":"王小明","phone_masked":"138****1234","gender":"f",
			"attributes":{"level":"gold"},"consent_at":"2025-03-01T02:00:00Z","registered_at":"2025-02-28T16:00:00Z",
			"created_at":"2026-11-01T10:00:00Z","lat":null,"birthday":""}`},
	{name: "unknown customer", method: "GET", path: "/api/v1/customers/NOPE", token: "valid", status: 404,
		want: `{"error":{"code":"not_found"}}`},
}

var orderScenarios = []scenario{
	{name: "one order, amounts in fen and in yuan", method: "POST", path: "/api/v1/orders", token: "valid",
		body: `{"order_id":"O1","customer_id":"C1","ordered_at":"2026-10-01T12:00:00+08:00","status":"Paid","lines":[
			{"sku":"CATFOOD","category":"pet","quantity":2,"amount":25980},
			{"sku":"TOY","quantity":1,"amount_yuan":"19.90"}]}`, status: 200,
		want: `{"taken":1,"rejected":[],"inserted":1,"updated":0,"unchanged":0,"lines":{"inserted":2,"updated":0,"unchanged":0}}`},
	{name: "bulk orders: unknown customer and bad lines are rejected by index", method: "POST", path: "/api/v1/orders", token: "valid",
		body: `{"orders":[
			{"order_id":"O2","customer_id":"C2","ordered_at":"2026-10-02 09:30:00","lines":[{"sku":"DIAPER","quantity":1,"amount":9900}]},
			{"order_id":"O3","customer_id":"C404","ordered_at":"2026-10-02T00:00:00Z","lines":[{"sku":"A","quantity":1,"amount":1},{"sku":"B","quantity":1,"amount":1}]},
			{"order_id":"O4","customer_id":"C1","ordered_at":"2026-10-02T00:00:00Z","lines":[{"sku":"A","quantity":1,"amount":1},{"sku":"B","quantity":0,"amount":1}]},
			{"order_id":"O5","customer_id":"C1","ordered_at":"2026-10-02T00:00:00Z","lines":[{"sku":"A","quantity":1,"amount":12990,"amount_yuan":"129.00"}]},
			{"order_id":"O6","customer_id":"C1","ordered_at":"2026-10-02T00:00:00Z","lines":[{"sku":"A","quantity":1}]},
			{"order_id":"O7","customer_id":"C1","ordered_at":"soon","lines":[{"sku":"A","quantity":1,"amount":1}]},
			{"order_id":"O8","customer_id":"C1","ordered_at":"2026-10-02T00:00:00Z","lines":[]},
			{"order_id":"O9","customer_id":"C1","ordered_at":"2026-10-02T00:00:00Z","lines":[{"sku":"A","quantity":1,"amount":"129.90"}]},
			{"order_id":"O10","customer_id":"C1","ordered_at":"2026-10-02T00:00:00Z","lines":[{"sku":"A","quantity":1,"amount":-5}]},
			{"order_id":"","customer_id":"C1","ordered_at":"2026-10-02T00:00:00Z","lines":[{"sku":"A","quantity":1,"amount":5}]},
			{"order_id":"O11","customer_id":"C1","ordered_at":"2026-10-03T00:00:00Z","currency":"RMB","lines":[{"sku":"A","quantity":3,"amount_yuan":"¥1,299.5"}]}
		]}`, status: 200,
		want: `{"taken":2,"inserted":2,"lines":{"inserted":2},"rejected":[
			{"index":1,"field":"customer_id","reason":"unknown customer \"C404\" (import customers first)"},
			{"index":2,"field":"lines[1].quantity","reason":"must be at least 1, got 0"},
			{"index":3,"field":"lines[0].amount","reason":"amount (fen) and amount_yuan disagree: 129.90 vs 129.00"},
			{"index":4,"field":"lines[0].amount","reason":"missing (integer fen, or amount_yuan as \"129.90\")"},
			{"index":5,"field":"ordered_at"},
			{"index":6,"field":"lines","reason":"an order needs at least one line"},
			{"index":7,"field":"lines[0].amount","reason":"must be an integer, not string"},
			{"index":8,"field":"lines[0].amount","reason":"negative amount -0.05"},
			{"index":9,"field":"order_id","reason":"missing"}]}`},
	{name: "an order for an unknown customer alone", method: "POST", path: "/api/v1/orders", token: "valid",
		body: `{"order_id":"O3","customer_id":"C404","ordered_at":"2026-10-02T00:00:00Z","lines":[{"sku":"A","quantity":1,"amount":1}]}`, status: 422,
		want: `{"taken":0,"error":{"code":"invalid","field":"customer_id"},"rejected":[{"index":0,"field":"customer_id"}]}`},
	{name: "a changed line updates the order", method: "POST", path: "/api/v1/orders", token: "valid",
		body: `{"order_id":"O1","customer_id":"C1","ordered_at":"2026-10-01T12:00:00+08:00","status":"paid","lines":[
			{"sku":"CATFOOD","category":"pet","quantity":2,"amount":25980},
			{"sku":"TOY","quantity":2,"amount":3980}]}`, status: 200,
		want: `{"taken":1,"inserted":0,"updated":0,"unchanged":1,"lines":{"inserted":0,"updated":1,"unchanged":1}}`},
	{name: "a customer's orders, newest first", method: "GET", path: "/api/v1/customers/C1/orders", token: "valid", status: 200,
		want: `{"customer_id":"C1","orders":[
			{"order_id":"O11","amount":129950,"items":3,"currency":"CNY","ordered_at":"2026-10-03T00:00:00Z","lines":[{"sku":"A","quantity":3,"amount":129950,"category":""}]},
			{"order_id":"O1","amount":29960,"items":4,"status":"paid","currency":"CNY","ordered_at":"2026-10-01T04:00:00Z","lines":[
				{"sku":"CATFOOD","category":"pet","quantity":2,"amount":25980},{"sku":"TOY","quantity":2,"amount":3980}]}]}`},
	{name: "limit on orders", method: "GET", path: "/api/v1/customers/C1/orders?limit=1", token: "valid", status: 200,
		want: `{"orders":[{"order_id":"O11"}]}`},
	{name: "orders limit over 500", method: "GET", path: "/api/v1/customers/C1/orders?limit=501", token: "valid", status: 400,
		want: `{"error":{"field":"limit","message":"limit must be an integer from 1 to 500"}}`},
	{name: "a date without a zone is the shop's", method: "GET", path: "/api/v1/customers/C2/orders", token: "valid", status: 200,
		want: `{"orders":[{"order_id":"O2","ordered_at":"2026-10-02T01:30:00Z","amount":9900}]}`},
	{name: "orders of an unknown customer", method: "GET", path: "/api/v1/customers/C404/orders", token: "valid", status: 404,
		want: `{"error":{"code":"not_found"}}`},
}

var productScenarios = []scenario{
	{name: "one product priced in yuan", method: "POST", path: "/api/v1/products", token: "valid",
		body: `{"sku":"CATFOOD","name":"猫粮 2kg","category":"pet","price_yuan":"129.90","stock":40,"safety_stock":10}`, status: 200,
		want: `{"taken":1,"inserted":1,"rejected":[]}`},
	{name: "bulk products", method: "POST", path: "/api/v1/products", token: "valid",
		body: `{"products":[
			{"sku":"DIAPER","name":"纸尿裤 L","price":9900,"stock":5,"safety_stock":20},
			{"sku":"BAD","price":-1},
			{"sku":"","name":"no sku"},
			{"sku":"CATFOOD","name":"猫粮 2kg","category":"pet","price":12990,"stock":40,"safety_stock":10},
			{"sku":"X","price_yuan":"1.234"}]}`, status: 200,
		want: `{"taken":2,"inserted":1,"unchanged":1,"rejected":[
			{"index":1,"field":"price","reason":"negative price -0.01"},
			{"index":2,"field":"sku","reason":"missing"},
			{"index":4,"field":"price_yuan"}]}`},
	{name: "products in sku order", method: "GET", path: "/api/v1/products", token: "valid", status: 200,
		want: `{"products":[
			{"sku":"CATFOOD","name":"猫粮 2kg","category":"pet","price":12990,"stock":40,"safety_stock":10,"updated_at":"2026-11-01T10:00:00Z"},
			{"sku":"DIAPER","price":9900,"stock":5,"safety_stock":20}]}`, absent: []string{"next_after"}},
	{name: "product pages", method: "GET", path: "/api/v1/products?limit=1", token: "valid", status: 200,
		want: `{"products":[{"sku":"CATFOOD"}],"next_after":"CATFOOD"}`},
	{name: "second product page", method: "GET", path: "/api/v1/products?limit=1&after=CATFOOD", token: "valid", status: 200,
		want: `{"products":[{"sku":"DIAPER"}],"next_after":"DIAPER"}`},
}

func TestAPIScenarios(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for _, table := range []struct {
			name string
			sc   []scenario
		}{{"auth", authScenarios}, {"customers", customerScenarios}, {"orders", orderScenarios}, {"products", productScenarios}} {
			t.Run(table.name, func(t *testing.T) { f.run(t, table.sc) })
		}
		// Nothing personal reaches the log in the clear.
		log := f.log.String()
		for _, s := range []string{"13812341234", "138 1234 1234", "王小明", "李娜", "18912345678", "赵六"} {
			if strings.Contains(log, s) {
				t.Errorf("log contains %q:\n%s", s, log)
			}
		}
		if !strings.Contains(log, `msg="customer read" component=api token=test-erp customer=`) || !strings.Contains(log, "phone=138****1234") {
			t.Errorf("the read of C1 is not logged with the token and the masked phone:\n%s", log)
		}
		if !strings.Contains(log, `msg="customers written" component=api token=test-erp records=9 taken=2 rejected=7 inserted=1 updated=0 unchanged=1`) {
			t.Errorf("bulk write summary missing:\n%s", log)
		}
	})
}
