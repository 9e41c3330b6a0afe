package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"nudge/internal/customer"
	"nudge/internal/segment"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
	"nudge/internal/web"
)

// newSegmentFixture is a console with the segment service over three
// customers: A (Shanghai, two orders), B (Shanghai, one), C (Beijing, none).
func newSegmentFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	b := newConsoleBase(t, db,
		customer.Customer{ExternalID: "A", Phone: "13800000001", City: "上海"},
		customer.Customer{ExternalID: "B", Phone: "13800000002", City: "上海"},
		customer.Customer{ExternalID: "C", Phone: "13800000003", City: "北京"})
	var orders []customer.Order
	for i, c := range []string{"A", "A", "B"} {
		o := customer.Order{OrderID: "O" + string(rune('1'+i)), CustomerID: c, OrderedAt: time.Date(2026, 10, 20+i, 4, 0, 0, 0, time.UTC),
			Lines: []customer.Line{{SKU: "X", Category: "猫粮", Quantity: 1, Amount: 10000 * int64(i+1)}}}
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
	return b.serve(web.Deps{Segments: seg})
}

func TestRFMPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newSegmentFixture(t, db)
		b := f.signedIn(t)
		page := b.get("/rfm")
		if page.status != http.StatusOK {
			t.Fatalf("GET /rfm: %d", page.status)
		}
		mustContain(t, page.body, "尚未计算 RFM。", `action="/rfm"`, `href="/rfm" aria-current="page"`)
		res := b.post("/rfm", url.Values{"csrf": {csrf(t, page.body)}})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/rfm" {
			t.Fatalf("POST /rfm: %d %s", res.status, res.header.Get("Location"))
		}
		page = b.get("/rfm")
		// A: two orders, last 10-21, 30000 fen; B: one order 10-22, 30000.
		// A is above the frequency average, B below; both at the monetary
		// average, hence general groups; each is half of everything.
		mustContain(t, page.body, "截至 2026-11-01，统计近 365 天的订单：2 位客户参与评分，1 位在此期间没有订单。",
			"<tr><td>一般发展客户</td><td>1</td><td>50%</td><td>¥300.00</td><td>50%</td></tr>",
			"<tr><td>一般保持客户</td><td>1</td><td>50%</td><td>¥300.00</td><td>50%</td></tr>",
			"<tr><td>重要价值客户</td><td>0</td><td>0%</td><td>¥0.00</td><td>0%</td></tr>",
			// Heat map rows R 5..1, columns F 1..5: A is R1 F3, B R3 F1.
			"<tr><th>3</th><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>",
			"<tr><th>1</th><td>0</td><td>0</td><td>1</td><td>0</td><td>0</td></tr>",
			`data-rfm="{&#34;groups&#34;:[{&#34;name&#34;:&#34;重要价值客户&#34;,&#34;customers&#34;:0,&#34;revenue&#34;:0}`,
			"/static/rfm.", "/static/vendor/echarts.min.")
		if res := f.browser(t).post("/rfm", url.Values{}); res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/login") {
			t.Errorf("POST /rfm signed out: %d", res.status)
		}
	})
}

func TestSegmentPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newSegmentFixture(t, db)
		b := f.signedIn(t)
		list := b.get("/segments")
		mustContain(t, list.body, `<a href="/segments/edit?name=dormant">dormant</a> <span class="tag">内置</span>`,
			`hx-get="/segments/count?name=value" hx-trigger="load"`)
		if res := b.get("/segments/count?name=value", "HX-Request", "true"); res.status != 200 || !strings.Contains(res.body, "当前匹配 0 位客户") {
			t.Errorf("count fragment: %d %s", res.status, res.body)
		}
		edit := b.get("/segments/edit")
		token := csrf(t, edit.body)
		mustContain(t, edit.body, `<option>orders.count</option>`, `name="rule_json"`, `hx-post="/segments/count"`)

		// The live count of the rows as typed, and a rule error by path.
		form := url.Values{"csrf": {token}, "name": {"上海回头客"}, "match": {"all"},
			"field": {"city", "orders.count", ""}, "op": {"eq", "gte", "eq"}, "value": {"上海", "2", ""},
			"within_days": {"", "30", ""}, "category": {"", "猫粮", ""}, "sku": {"", "", ""}, "key": {"", "", ""},
			"lat": {"", "", ""}, "lon": {"", "", ""}}
		res := b.post("/segments/count", form, "HX-Request", "true")
		if res.status != 200 || !strings.Contains(res.body, "当前匹配 1 位客户") {
			t.Errorf("live count: %d %s", res.status, res.body)
		}
		bad := url.Values{}
		for k, v := range form {
			bad[k] = append([]string(nil), v...)
		}
		bad["field"][0] = "gender"
		bad["value"][0] = "女"
		if res := b.post("/segments/count", bad, "HX-Request", "true"); !strings.Contains(res.body, `rules.all[0].value: &#34;女&#34; is not one of`) {
			t.Errorf("live count error: %s", res.body)
		}
		if res := b.post("/segments", bad); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `rules.all[0].value`) {
			t.Errorf("save of a bad rule: %d", res.status)
		}

		if res := b.post("/segments", form); res.status != http.StatusSeeOther || res.header.Get("Location") != "/segments" {
			t.Fatalf("save: %d %s", res.status, res.body)
		}
		sg, err := segmentByName(t, db, "上海回头客")
		if err != nil || string(sg.Rule) != `{"all":[{"field":"city","op":"eq","value":"上海"},{"category":"猫粮","field":"orders.count","op":"gte","value":2,"within_days":30}]}` {
			t.Fatalf("saved %s %v", sg.Rule, err)
		}
		// Editing shows the rows again, and the name stays fixed.
		page := b.get("/segments/edit?name=" + url.QueryEscape("上海回头客"))
		mustContain(t, page.body, `<input type="hidden" name="existing" value="1">`, `value="上海回头客" maxlength="64" required readonly`,
			`<option selected>orders.count</option>`, `name="category" value="猫粮"`, "当前匹配 1 位客户")
		form.Set("existing", "1")
		form["value"][1] = "1"
		if res := b.post("/segments", form); res.status != http.StatusSeeOther {
			t.Fatalf("update: %d %s", res.status, res.body)
		}
		if res := b.get("/segments/count?name="+url.QueryEscape("上海回头客"), "HX-Request", "true"); !strings.Contains(res.body, "当前匹配 2 位客户") {
			t.Errorf("after update: %s", res.body)
		}
		if res := b.post("/segments", url.Values{"csrf": {token}, "name": {"上海回头客"}, "rule_json": {`{"all":[]}`}}); res.status != http.StatusUnprocessableEntity ||
			!strings.Contains(res.body, "已存在同名的分群。") {
			t.Errorf("duplicate name: %d", res.status)
		}
	})
}

func segmentByName(t *testing.T, db *store.DB, name string) (segment.Segment, error) {
	t.Helper()
	svc, err := segment.NewService(context.Background(), db, segment.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return svc.Get(context.Background(), name)
}
