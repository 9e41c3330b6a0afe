package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"nudge/internal/customer"
)

func TestHeaderAliases(t *testing.T) {
	cases := []struct {
		kind   Kind
		header string
		want   string
	}{
		{Customers, "会员ID", "id"}, {Customers, "手机号码", "phone"}, {Customers, " Mobile ", "phone"},
		{Customers, "客户姓名", "name"}, {Customers, "出生日期", "birthday"}, {Customers, "所在城市", "city"},
		{Customers, "纬度", "lat"}, {Customers, "Longitude", "lon"}, {Customers, "开卡时间", "registered_at"},
		{Customers, "Registered At", "registered_at"}, {Customers, "REGISTERED-AT", "registered_at"},
		{Customers, "标签", "tags"}, {Customers, "是否同意营销", "consent"}, {Customers, "consent_source", "consent_source"},
		{Customers, "\ufeffid", "id"}, {Customers, "会员 ID", "id"}, {Customers, "会员等级", ""},
		{Orders, "会员ID", "customer_id"}, {Orders, "买家ID", "customer_id"}, {Orders, "订单编号", "order_id"},
		{Orders, "付款时间", "ordered_at"}, {Orders, "SKU", "sku"}, {Orders, "货号", "sku"}, {Orders, "品类", "category"},
		{Orders, "购买数量", "quantity"}, {Orders, "实付金额", "amount"}, {Orders, "id", ""},
		{Products, "商品名称", "name"}, {Products, "售价", "price"}, {Products, "库存", "stock"}, {Products, "安全库存", "safety_stock"},
	}
	for _, c := range cases {
		s := specs[c.kind]
		got := ""
		if col := s.column(c.header); col >= 0 {
			got = s.columns[col]
		}
		if got != c.want {
			t.Errorf("%s %q -> %q, want %q", c.kind, c.header, got, c.want)
		}
	}
}

// The fast path must agree with customer.ParseTime on everything it takes,
// and leave everything else (including impossible dates) to it.
func TestParseTimeMatchesCustomer(t *testing.T) {
	loc, _ := customer.LoadLocation("Asia/Shanghai")
	for _, s := range []string{
		"2026-10-01 12:00:00", "2026-10-01", "20261001", "2024-02-29", "2023-02-29", "2026-13-01", "2026-00-10",
		"2026-04-31", "20261301", "2026-10-01 24:00:00", "2026-10-01 23:59:60", "2026/10/01", "2026/1/2 3:04",
		"2026-10-01T12:00:00+08:00", "2026-10-01T04:00:00Z", "abcd-ef-gh", "2026-1-01", "", "1900-01-01",
	} {
		want, werr := customer.ParseTime(s, loc)
		got, gerr := parseTime(s, loc)
		if !got.Equal(want) || (werr == nil) != (gerr == nil) {
			t.Errorf("%q: got %v %v, want %v %v", s, got, gerr, want, werr)
		}
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", `q"uote`, `back\slash`, "tab\tnl\ncr\r", "\x01\x1f", "中文；标签", "</script>"} {
		got := appendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil || back != s {
			t.Errorf("%q -> %s (%v)", s, got, err)
		}
	}
}

func TestSplitTags(t *testing.T) {
	for in, want := range map[string]string{
		"": "", " ": "", "vip": "vip", "vip;猫粮": "vip|猫粮", "a；b": "a|b", "a,b，c": "a|b|c", "a|b、c": "a|b|c", ";;a;": "a",
	} {
		if got := strings.Join(splitTags(in), "|"); got != want {
			t.Errorf("%q -> %q, want %q", in, got, want)
		}
	}
}

func TestReason(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{&customer.FieldError{Field: "phone", Reason: "bad phone number (empty)"}, "bad phone number (empty)"},
		{&customer.FieldError{Field: "quantity", Reason: "must be at least 1, got 0"}, "quantity must be at least 1, got 0"},
		{&customer.FieldError{Field: "consent", Reason: `"maybe" is not opted_in, opted_out or unknown`}, `consent "maybe" is not opted_in, opted_out or unknown`},
		{&customer.FieldError{Field: "timezone", Reason: `unknown time zone "Mars"`}, `unknown time zone "Mars"`},
		{&customer.FieldError{Field: "lat", Reason: "latitude and longitude must be given together"}, "latitude and longitude must be given together"},
		{errors.New("plain"), "plain"},
	} {
		if got := Reason(c.err); got != c.want {
			t.Errorf("%v -> %q, want %q", c.err, got, c.want)
		}
	}
}

func TestParseCount(t *testing.T) {
	for in, want := range map[string]int64{"3": 3, "3.0": 3, "3.00": 3, "1,200": 1200, "-2": -2} {
		if got, err := parseCount(in); err != nil || got != want {
			t.Errorf("%q -> %d %v", in, got, err)
		}
	}
	for _, in := range []string{"3.5", "x", "1e3"} {
		if _, err := parseCount(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestProgressPlainAndTerminal(t *testing.T) {
	start := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	read := int64(0)
	var plain bytes.Buffer
	p := newProgress(&plain, false, Customers, 1000, func() int64 { return read }, start)
	read = 250
	p.update(5000, start.Add(time.Second)) // too soon: nothing
	p.update(10000, start.Add(2*time.Second))
	read = 1000
	p.done(40000, start.Add(8*time.Second))
	want := "customers: 10000 rows, 5000 rows/s, 25%, ETA 6s\ncustomers: 40000 rows, done in 8.0s\n"
	if plain.String() != want {
		t.Fatalf("plain progress\n got %q\nwant %q", plain.String(), want)
	}

	var term bytes.Buffer
	read = 500
	p = newProgress(&term, true, Orders, 1000, func() int64 { return read }, start)
	p.update(1000, start.Add(time.Second))
	p.done(2000, start.Add(2*time.Second))
	want = "\rorders [===============               ]  50%  1000 rows  1000 rows/s  ETA 1s\x1b[K\r\x1b[K"
	if term.String() != want {
		t.Fatalf("terminal progress\n got %q\nwant %q", term.String(), want)
	}

	// Standard input has no size: no percentage, no ETA.
	var stdin bytes.Buffer
	p = newProgress(&stdin, false, Products, 0, func() int64 { return 0 }, start)
	p.update(300, start.Add(3*time.Second))
	if stdin.String() != "products: 300 rows, 100 rows/s\n" {
		t.Fatalf("stdin progress %q", stdin.String())
	}
}
