package api_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"nudge/internal/api"
	"nudge/internal/customer"
	"nudge/internal/segment"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

// newSegmentFixture is newFixture with the segment service and three
// customers: A and B in Shanghai, C in Beijing; A bought twice, B once.
func newSegmentFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	b := newBase(t, db, time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC),
		customer.Customer{ExternalID: "A", Phone: "13800000001", City: "上海"},
		customer.Customer{ExternalID: "B", Phone: "13800000002", City: "上海"},
		customer.Customer{ExternalID: "C", Phone: "13800000003", City: "北京"})
	var orders []customer.Order
	for i, c := range []string{"A", "A", "B"} {
		o := customer.Order{OrderID: "O" + string(rune('1'+i)), CustomerID: c, OrderedAt: time.Date(2026, 10, 20+i, 4, 0, 0, 0, time.UTC),
			Lines: []customer.Line{{SKU: "X", Category: "x", Quantity: 1, Amount: 10000 * int64(i+1)}}}
		if err := o.Normalize(); err != nil {
			t.Fatal(err)
		}
		orders = append(orders, o)
	}
	if _, err := b.cs.UpsertOrders(ctx, orders); err != nil {
		t.Fatal(err)
	}
	seg, err := segment.NewService(ctx, db, segment.Options{Clock: b.clk, Location: b.cs.Location(), Phones: b.cs, Log: b.log})
	if err != nil {
		t.Fatal(err)
	}
	return b.fixture(api.Deps{Segments: seg})
}

func TestSegmentAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newSegmentFixture(t, db)
		shanghai := `{"field":"city","op":"eq","value":"上海"}`
		f.run(t, []scenario{
			{name: "no token", method: "GET", path: "/api/v1/segments", status: 401},
			{name: "built-in segments", method: "GET", path: "/api/v1/segments", token: "valid", status: 200,
				want: `{"segments":[{"name":"dormant","builtin":true},{"name":"potential","builtin":true},{"name":"value","builtin":true}]}`},
			{name: "create", method: "POST", path: "/api/v1/segments", token: "valid", status: 200,
				body: `{"name":"shanghai","description":"in Shanghai","rule":` + shanghai + `}`,
				want: `{"name":"shanghai","description":"in Shanghai","builtin":false,"rule":` + shanghai + `}`},
			{name: "name taken", method: "POST", path: "/api/v1/segments", token: "valid", status: 409,
				body: `{"name":"shanghai","rule":` + shanghai + `}`, want: `{"error":{"code":"invalid","field":"name"}}`},
			{name: "bad name", method: "POST", path: "/api/v1/segments", token: "valid", status: 422,
				body: `{"name":"a/b","rule":` + shanghai + `}`, want: `{"error":{"code":"invalid","field":"name"}}`},
			{name: "rule error by path", method: "POST", path: "/api/v1/segments", token: "valid", status: 422,
				body: `{"name":"x","rule":{"all":[{"field":"city","op":"eq","value":"a"},{"field":"citty","op":"eq","value":"b"}]}}`,
				want: `{"error":{"code":"invalid","field":"rules.all[1].field","message":"rules.all[1].field: unknown field \"citty\" (did you mean \"city\"?)"}}`},
			{name: "missing rule", method: "POST", path: "/api/v1/segments", token: "valid", status: 422,
				body: `{"name":"x"}`, want: `{"error":{"code":"invalid","field":"rule"}}`},
			{name: "unknown key", method: "POST", path: "/api/v1/segments", token: "valid", status: 400,
				body: `{"name":"x","rule":{},"colour":1}`, want: `{"error":{"code":"bad_parameter","field":"colour"}}`},
			{name: "show", method: "GET", path: "/api/v1/segments/shanghai", token: "valid", status: 200, want: `{"name":"shanghai"}`},
			{name: "show missing", method: "GET", path: "/api/v1/segments/nope", token: "valid", status: 404, want: `{"error":{"code":"not_found"}}`},
			{name: "count", method: "GET", path: "/api/v1/segments/shanghai/count", token: "valid", status: 200, want: `{"customers":2}`},
			{name: "preview masks phones", method: "GET", path: "/api/v1/segments/shanghai/preview?limit=1", token: "valid", status: 200,
				want: `{"customers":[{"external_id":"A","phone":"138****0001","city":"上海"}]}`, absent: []string{"13800000001"}},
			{name: "rule count", method: "POST", path: "/api/v1/rules/count", token: "valid", status: 200,
				body: `{"rule":{"field":"orders.count","op":"gte","value":1}}`, want: `{"customers":2}`},
			{name: "rule preview", method: "POST", path: "/api/v1/rules/preview", token: "valid", status: 200,
				body: `{"rule":{"field":"orders.count","op":"eq","value":0}}`, want: `{"customers":[{"external_id":"C","phone":"138****0003"}]}`},
			{name: "update", method: "PUT", path: "/api/v1/segments/shanghai", token: "valid", status: 200,
				body: `{"rule":{"field":"city","op":"eq","value":"北京"}}`, want: `{"name":"shanghai","rule":{"field":"city","op":"eq","value":"北京"}}`},
			{name: "no rename", method: "PUT", path: "/api/v1/segments/shanghai", token: "valid", status: 400,
				body: `{"name":"other","rule":` + shanghai + `}`, want: `{"error":{"code":"bad_parameter","field":"name"}}`},
			{name: "freeze", method: "POST", path: "/api/v1/segments/shanghai/snapshots", token: "valid", status: 200, want: `{"members":1}`},
			{name: "in use", method: "DELETE", path: "/api/v1/segments/shanghai", token: "valid", status: 409, want: `{"error":{"field":"name"}}`},
			{name: "built in", method: "DELETE", path: "/api/v1/segments/value", token: "valid", status: 409},
			{name: "create another", method: "POST", path: "/api/v1/segments", token: "valid", status: 200, body: `{"name":"tmp","rule":{"all":[]}}`},
			{name: "delete", method: "DELETE", path: "/api/v1/segments/tmp", token: "valid", status: 200, want: `{"deleted":"tmp"}`},
			{name: "no RFM yet", method: "GET", path: "/api/v1/rfm", token: "valid", status: 404},
			{name: "refresh RFM", method: "POST", path: "/api/v1/rfm", token: "valid", status: 200, body: `{"as_of":"2026-11-01"}`,
				want: `{"as_of":"2026-11-01","window_days":365,"scored":2,"no_orders":1,"groups":[{"key":"important_value","customers":0},{},{},{},{},{"key":"general_develop","customers":1,"revenue":30000},{"key":"general_retain","customers":1,"revenue":30000,"customer_share":0.5},{}]}`},
			{name: "show RFM", method: "GET", path: "/api/v1/rfm", token: "valid", status: 200,
				want: `{"scored":2,"heat_map":[{"r":1,"f":3,"customers":1,"revenue":30000},{"r":3,"f":1,"customers":1,"revenue":30000}]}`},
		})
	})
}

func TestSegmentExportAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newSegmentFixture(t, db)
		f.run(t, []scenario{{name: "create", method: "POST", path: "/api/v1/segments", token: "valid", status: 200,
			body: `{"name":"buyers","rule":{"field":"orders.count","op":"gte","value":1}}`}})
		for _, c := range []struct {
			query, want string
		}{
			{"", "external_id,phone\nA,138****0001\nB,138****0002\n"},
			{"?clear_phones=true", "external_id,phone\nA,+8613800000001\nB,+8613800000002\n"},
		} {
			req := httptest.NewRequest("GET", "/api/v1/segments/buyers/export"+c.query, nil)
			req.Header.Set("Authorization", "Bearer "+f.token)
			rec := httptest.NewRecorder()
			f.mux.ServeHTTP(rec, req)
			if rec.Code != 200 || rec.Body.String() != c.want || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" {
				t.Errorf("export%s: %d %q %q", c.query, rec.Code, rec.Body.String(), rec.Header().Get("Content-Type"))
			}
		}
		if log := f.log.String(); !strings.Contains(log, "actor=api:test-erp") || !strings.Contains(log, "rows=2") || strings.Contains(log, "13800000001") {
			t.Errorf("clear export log: %s", log)
		}
	})
}
