package compose

import (
	"encoding/json"
	"testing"
	"time"

	"nudge/internal/customer"
)

func TestFieldsOfACustomer(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	c := &customer.Customer{ExternalID: "C1", Phone: "+8613812345678", Name: "王小明", Gender: "m", City: "上海",
		Birthday: "1990-03-05", RegisteredAt: time.Date(2025, 11, 1, 2, 0, 0, 0, time.UTC),
		Attributes: json.RawMessage(`{"nickname":"小明","level":"金卡","points":1200,"big":12345678901234567890,
			"ratio":0.25,"vip":true,"phone":"13812345678","name":"X","tags":["a"],"profile":{"a":1},"none":null,"empty":""}`)}
	f := NewFields(c, "zh-CN", map[string]string{"order_no": "O-1001", "city": "杭州"}, t0, sh)
	for name, want := range map[string]string{
		"name":          "王小明",
		"surname_title": "王先生",
		"phone":         "138****5678", // masked: the attribute "phone" cannot override it
		"phone_last4":   "5678",
		"city":          "杭州", // the sender's value wins
		"birthday":      "1990-03-05",
		"external_id":   "C1",
		"member_since":  "2025-11-01",
		"member_days":   "365",
		"nickname":      "小明",
		"level":         "金卡",
		"points":        "1200",
		"big":           "12345678901234567890", // as written, not 1.2345678901234567e+19
		"ratio":         "0.25",
		"vip":           "true",
		"order_no":      "O-1001",
	} {
		if got, ok := f.Field(name); !ok || got != want {
			t.Errorf("%s = %q, %v; want %q", name, got, ok, want)
		}
	}
	for _, name := range []string{"tags", "profile", "none", "empty", "missing", "coupon", "link"} {
		if got, ok := f.Field(name); ok {
			t.Errorf("%s = %q; want no value", name, got)
		}
	}
	// English titles, and a customer with no gender keeps the full name.
	en := NewFields(&customer.Customer{Name: "Jane Smith", Gender: "f"}, "en", nil, t0, nil)
	if got, _ := en.Field("surname_title"); got != "Ms Smith" {
		t.Errorf("en surname_title = %q", got)
	}
	neutral := NewFields(&customer.Customer{Name: "李雷"}, "zh-CN", nil, t0, nil)
	if got, _ := neutral.Field("surname_title"); got != "李雷" {
		t.Errorf("neutral surname_title = %q", got)
	}
	// Empty built-ins have no value, so fallbacks apply.
	bare := NewFields(&customer.Customer{ExternalID: "C9"}, "zh-CN", nil, t0, nil)
	for _, name := range []string{"name", "surname_title", "phone", "phone_last4", "member_since", "member_days", "nickname"} {
		if got, ok := bare.Field(name); ok {
			t.Errorf("bare %s = %q; want no value", name, got)
		}
	}
	// No customer: only the sender's values.
	none := NewFields(nil, "zh-CN", map[string]string{"amount": "99.00"}, t0, nil)
	if got, ok := none.Field("amount"); !ok || got != "99.00" {
		t.Errorf("amount = %q", got)
	}
	if _, ok := none.Field("name"); ok {
		t.Error("a message without customer has a name")
	}
}

func TestLastDigits(t *testing.T) {
	for in, want := range map[string]string{"+8613812345678": "5678", "12-34": "1234", "123": "", "": ""} {
		if got := lastDigits(in, 4); got != want {
			t.Errorf("lastDigits(%q) = %q, want %q", in, got, want)
		}
	}
}
