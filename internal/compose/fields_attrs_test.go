package compose

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"nudge/internal/customer"
)

// attributeRef is how Fields read an attribute before the index: the
// whole object decoded into a map. The tests hold the index to it.
func attributeRef(doc []byte, name string) (string, bool) {
	var attrs map[string]json.RawMessage
	if len(doc) > 2 {
		_ = json.Unmarshal(doc, &attrs)
	}
	raw, ok := attrs[name]
	if !ok {
		return "", false
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return s, s != ""
	case '{', '[', 'n':
		return "", false
	}
	return string(raw), true
}

// checkAttribute compares Field and AppendField with the reference for
// one document and name.
func checkAttribute(t *testing.T, doc, name string) {
	t.Helper()
	want, wantOK := attributeRef([]byte(doc), name)
	f := NewFields(&customer.Customer{Attributes: json.RawMessage(doc)}, "zh-CN", nil, t0, nil)
	if got, ok := f.Field(name); got != want || ok != wantOK {
		t.Errorf("Field(%q) of %q = %q, %v; want %q, %v", name, doc, got, ok, want, wantOK)
	}
	f = NewFields(&customer.Customer{Attributes: json.RawMessage(doc)}, "zh-CN", nil, t0, nil)
	got, ok := f.AppendField([]byte("x"), name)
	if !wantOK {
		want = ""
	}
	if string(got) != "x"+want || ok != wantOK {
		t.Errorf("AppendField(%q) of %q = %q, %v; want %q, %v", name, doc, got, ok, "x"+want, wantOK)
	}
}

func TestAttributesAsJSONDecodes(t *testing.T) {
	docs := []string{
		`{"level":"金卡","points":1200}`,
		`{"level":"金卡","level":"银卡"}`,           // the last of duplicate keys wins
		`{"le\u0076el":"escaped key","x":1}`,    // keys compare decoded
		`{"level":"a\"b\\c\u00e9\ud83d\ude00"}`, // escapes in values
		`{"level":"\ud800"}`,                    // a lone surrogate decodes to U+FFFD
		"{\"level\":\"bad \xff utf-8\"}",
		"{\"lev\xffel\":1}",
		`{"level":""}`,
		`{"level":null,"tags":["a"],"profile":{"a":[1,{"b":null}]}}`,
		`{"level":-0.5e+10,"vip":false,"n":0}`,
		` { "level" : true } `,
		`{"level":1,}`, // invalid: no attributes at all
		`{"level":01}`,
		`{"level":1.}`,
		`{"level":"金卡"} x`,
		`{"level":"tab	in string"}`,
		`{"level":tru}`,
		`{"level":"\x"}`,
		`{"level":"\u12G4"}`,
		`["level"]`,
		`"level"`,
		`null`,
		`{}`,
		``,
		`{"a":{}}`,
		`{"level":[],"a":[1,2,]}`,
		`{"level":1 "a":2}`,
		`{"level":{"a":1,"a":2},"b":[true,false,null,"s",-1,2.5E-3]}`,
		"\ufeff{\"level\":1}",
		`{"level":"1"}` + "\n",
		`{"level"  :  "  "}`,
	}
	for _, doc := range docs {
		for _, name := range []string{"level", "points", "vip", "n", "x", "tags", "profile", "a", "b", "lev\ufffdel", "missing"} {
			checkAttribute(t, doc, name)
		}
	}
}

func TestAttributesDepthLimit(t *testing.T) {
	// encoding/json refuses more than 10,000 levels of nesting; the
	// top-level object is the first.
	for _, depth := range []int{9999, 10000} {
		doc := `{"level":"金卡","deep":` + strings.Repeat("[", depth-1) + strings.Repeat("]", depth-1) + `}`
		checkAttribute(t, doc, "level")
	}
}

// FuzzAttributes holds the index to json.Unmarshal on any document.
func FuzzAttributes(f *testing.F) {
	f.Add(`{"level":"金卡","points":1200,"nickname":"会员5"}`, "level")
	f.Add(`{"a":{"b":[1,2,{"c":"\u00e9"}]},"a":"x"}`, "a")
	f.Add(`{"le\u0076el":"v"}`, "level")
	f.Add(`{"x":1e5,"y":-0,"z":"\/"}`, "x")
	f.Fuzz(func(t *testing.T, doc, name string) {
		checkAttribute(t, doc, name)
	})
}

// TestFieldsAppendAsField: every field appends what Field returns.
func TestFieldsAppendAsField(t *testing.T) {
	c := &customer.Customer{ExternalID: "C1", Phone: "+8613812345678", Name: "欧阳娜娜", Gender: "f", City: "上海",
		Birthday: "1990-03-05", RegisteredAt: t0.Add(-400 * 24 * 60 * 60 * 1e9),
		Attributes: json.RawMessage(`{"nickname":"娜娜","points":1200,"vip":true,"empty":"","none":null,"blank":"  "}`)}
	names := []string{"name", "surname_title", "phone", "phone_last4", "city", "birthday", "external_id", "member_since",
		"member_days", "nickname", "points", "vip", "empty", "none", "blank", "missing", "order_no", "coupon"}
	for _, preview := range []bool{false, true} {
		f := NewFields(c, "en", map[string]string{"order_no": "O-1", "city": ""}, t0, nil)
		f.maskName = preview
		f.special = map[string]string{"coupon": "A1"}
		for _, name := range names {
			want, wantOK := f.Field(name)
			got, ok := f.AppendField([]byte("<"), name)
			if !wantOK && len(got) > 1 {
				t.Errorf("AppendField(%q) appended %q for a field without value", name, got)
			}
			if ok != wantOK || (ok && string(got) != "<"+want) {
				t.Errorf("AppendField(%q) = %q, %v; Field says %q, %v", name, got, ok, want, wantOK)
			}
		}
	}
	// Registered in the future: no member_days, as Field says.
	f := NewFields(&customer.Customer{RegisteredAt: t0.Add(1e9)}, "zh-CN", nil, t0, nil)
	if got, ok := f.AppendField(nil, "member_days"); ok || len(got) != 0 {
		t.Errorf("member_days of a future registration = %q, %v", got, ok)
	}
}
