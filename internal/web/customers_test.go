package web_test

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"nudge/internal/customer"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

// clearForms are the ways the fixture customer's number and name could leak.
var clearForms = []string{"13812341234", "138 1234 1234", "+86", "1234 1234", "王小明", "小明"}

func TestCustomersListIsMasked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, false)
		res := f.signedIn(t).get("/customers")
		if res.status != http.StatusOK {
			t.Fatalf("GET /customers: %d", res.status)
		}
		mustContain(t, res.body,
			"共 1 位客户",
			`<a href="`+customerPath(f.c1)+`">C1</a>`,
			"<td>王**</td>",
			`<td class="mono">138****1234</td>`,
			"<td>中国移动</td>", "<td>上海</td>",
			`<td class="state-opted_in">已同意</td>`,
			`<span class="tag">vip</span><span class="tag">猫粮</span>`)
		mustNotContain(t, res.body, clearForms...)
	})
}

var rowLink = regexp.MustCompile(`<a href="/customers/(\d+)">`)

func TestCustomersListPages(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), false)
	more := make([]customer.Customer, 120)
	for i := range more {
		more[i] = customer.Customer{ExternalID: fmt.Sprintf("P%03d", i), Phone: fmt.Sprintf("1390000%04d", i), Name: "李四"}
	}
	if _, err := f.customers.UpsertCustomers(context.Background(), more); err != nil {
		t.Fatal(err)
	}
	b := f.signedIn(t)
	path := "/customers"
	var sizes []int
	seen := map[string]bool{}
	for page := 0; page < 5 && path != ""; page++ {
		res := b.get(path)
		if res.status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, res.status)
		}
		rows := rowLink.FindAllStringSubmatch(res.body, -1)
		sizes = append(sizes, len(rows))
		for _, r := range rows {
			if seen[r[1]] {
				t.Errorf("customer %s on two pages", r[1])
			}
			seen[r[1]] = true
		}
		mustContain(t, res.body, "共 121 位客户")
		if page > 0 {
			mustContain(t, res.body, `<a href="/customers">第一页</a>`)
		}
		path = ""
		if m := regexp.MustCompile(`<a href="(/customers\?after=\d+)" rel="next">`).FindStringSubmatch(res.body); m != nil {
			path = m[1]
		}
	}
	if fmt.Sprint(sizes) != "[50 50 21]" || len(seen) != 121 {
		t.Errorf("pages of %v, %d customers in all; want [50 50 21], 121", sizes, len(seen))
	}
	if res := b.get("/customers?after=x"); res.status != http.StatusBadRequest {
		t.Errorf("after=x: %d, want 400", res.status)
	}
}

func TestSearchByPhone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, false)
		b := f.signedIn(t)
		for _, q := range []string{"138 1234 1234", "+86 138-1234-1234", "008613812341234", "C1"} {
			res := b.get("/customers?q=" + url.QueryEscape(q))
			if res.status != http.StatusOK {
				t.Fatalf("search %q: %d", q, res.status)
			}
			mustContain(t, res.body, "找到 1 位", `<a href="`+customerPath(f.c1)+`">C1</a>`, "138****1234")
			// The query is echoed in the search box, as typed; the stored
			// number never appears.
			echo := `name="q" value="` + strings.ReplaceAll(template.HTMLEscapeString(q), "+", "&#43;") + `"`
			mustContain(t, res.body, echo)
			mustNotContain(t, strings.Replace(res.body, echo, "", 1), clearForms...)
		}
		res := b.get("/customers?q=" + url.QueryEscape("139 9999 0000"))
		mustContain(t, res.body, "找到 0 位", "没有客户使用这个手机号或店铺编号。")
		mustNotContain(t, res.body, "/customers/"+fmt.Sprint(f.c1.ID))
	})
}

func TestSearchWithHTMXReturnsTheTableOnly(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), false)
	b := f.signedIn(t)
	res := b.get("/customers?q="+url.QueryEscape("138 1234 1234"), "HX-Request", "true", "HX-Target", "results")
	if res.status != http.StatusOK {
		t.Fatalf("htmx search: %d", res.status)
	}
	mustContain(t, res.body, `<table class="customers">`, "138****1234", `<a href="`+customerPath(f.c1)+`">C1</a>`)
	mustNotContain(t, res.body, "<html", "<nav", `<form class="search"`)
	if v := res.header.Get("Vary"); !strings.Contains(v, "HX-Request") {
		t.Errorf("Vary %q lacks HX-Request", v)
	}
	// A history restore asks for the whole page.
	full := b.get("/customers", "HX-Request", "true", "HX-History-Restore-Request", "true")
	mustContain(t, full.body, "<!doctype html>", `<form class="search"`)
}

func TestCustomerPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, false)
		b := f.signedIn(t)
		res := b.get(customerPath(f.c1))
		if res.status != http.StatusOK {
			t.Fatalf("GET %s: %d", customerPath(f.c1), res.status)
		}
		mustContain(t, res.body,
			`<span class="customer-name">王**</span> <span class="mono customer-phone">138****1234</span>`,
			"时间按 Asia/Shanghai 显示。",
			"<dt>性别</dt><dd>男</dd>",
			`<dd class="state-opted_in">已同意</dd>`,
			"<dt>来源</dt><dd>pos</dd>",
			// 03:04 UTC is 11:04 in Shanghai.
			"<dt>授权或变更时间</dt><dd>2025-01-02 11:04</dd>",
			`<dt class="mono">level</dt><dd>gold</dd>`, `<dt class="mono">points</dt><dd>1200</dd>`,
			"最近 1 笔订单。",
			`<td class="mono">O-1001</td>`,
			"<td>2026-10-31 00:30</td>",
			`<td class="num order-amount">¥299.00</td>`,
			`<td class="mono">CAT-FOOD-2KG</td>`, `<td class="num">¥199.00</td>`, `<td class="num">¥100.00</td>`)
		mustNotContain(t, res.body, clearForms...)

		for _, p := range []string{"/customers/999999", "/customers/abc", "/customers/0"} {
			res := b.get(p)
			if res.status != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", p, res.status)
			}
			mustContain(t, res.body, "页面不存在，或该记录已被删除。")
		}
	})
}

func TestCustomerWithoutOrders(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), false)
	if _, err := f.customers.UpsertCustomers(context.Background(), []customer.Customer{{ExternalID: "C2", Phone: "+1 415 555 2671"}}); err != nil {
		t.Fatal(err)
	}
	c2, err := f.customers.GetByExternalID(context.Background(), "C2")
	if err != nil {
		t.Fatal(err)
	}
	res := f.signedIn(t).get(customerPath(c2))
	mustContain(t, res.body, "还没有订单。", "没有自定义属性。", "<dt>运营商</dt><dd>—</dd>", "<dt>性别</dt><dd>未填写</dd>", "415***2671")
	mustNotContain(t, res.body, "4155552671", "555 2671")
}
