package sms

import (
	"errors"
	"reflect"
	"testing"
)

func TestRender(t *testing.T) {
	data := MapFields{
		"surname_title": "王女士", "level": "金卡", "points": "1280",
		"coupon": "HY200", "link": "https://n.example/x", "city": "杭州", "nickname": "  ",
	}
	tests := []struct {
		src  string
		want string
		why  string
	}{
		{"{{surname_title}}，您的{{level}}积分{{points}}", "王女士，您的金卡积分1280", "plain fields"},
		{"{{ nickname | 亲爱的会员 }}您好", "亲爱的会员您好", "a blank value counts as missing; spaces around name and fallback are layout"},
		{"{{birthday|}}生日快乐", "生日快乐", "an empty fallback is allowed and renders nothing"},
		{"{{city}}门店", "杭州门店", "any identifier is a customer attribute"},
		{"券码{{coupon}} {a} }} {", "券码HY200 {a} }} {", "single braces and a stray }} are text"},
		{"no fields", "no fields", "a template without fields renders as itself"},
	}
	for _, tc := range tests {
		tpl, err := ParseTemplate(tc.src)
		if err != nil {
			t.Fatalf("ParseTemplate(%q): %v", tc.src, err)
		}
		got, err := tpl.Render(data)
		if err != nil || got != tc.want {
			t.Errorf("Render(%q) = %q, %v; want %q (%s)", tc.src, got, err, tc.want, tc.why)
		}
	}
}

func TestRenderSpans(t *testing.T) {
	tpl, err := ParseTemplate("{{surname_title}}，点击{{link}}领{{nickname|会员}}券")
	if err != nil {
		t.Fatal(err)
	}
	r, err := tpl.RenderSpans(MapFields{"surname_title": "王女士", "link": "n.example/x"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Text != "王女士，点击n.example/x领会员券" {
		t.Fatalf("text = %q", r.Text)
	}
	// Spans are rune offsets: 王女士 0-3, "，点击" 3-6, the link 6-17, 领 17, 会员 18-20.
	want := []FieldSpan{
		{Name: "surname_title", Start: 0, End: 3},
		{Name: "link", Start: 6, End: 17, Link: true},
		{Name: "nickname", Start: 18, End: 20, Fallback: true},
	}
	if !reflect.DeepEqual(r.Spans, want) {
		t.Errorf("spans = %+v, want %+v", r.Spans, want)
	}
	if got := r.LinkFields(); !reflect.DeepEqual(got, []string{"link"}) {
		t.Errorf("LinkFields = %v", got)
	}
}

func TestRenderMissingField(t *testing.T) {
	tpl, err := ParseTemplate("您好，\n您的券码{{coupon}}")
	if err != nil {
		t.Fatal(err)
	}
	_, err = tpl.Render(MapFields{})
	var me *MissingFieldError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v, want *MissingFieldError", err)
	}
	// "您好，\n" is 3 runes + newline (10 bytes); "您的券码" 4 runes (12 bytes).
	want := Position{Offset: 22, Line: 2, Column: 5}
	if me.Name != "coupon" || me.Pos != want {
		t.Errorf("got %+v, want coupon at %+v", *me, want)
	}
	if err.Error() != "template: field {{coupon}} at line 2, column 5 (byte 22) has no value and no fallback" {
		t.Errorf("message = %q", err.Error())
	}
}

func TestParseTemplateErrors(t *testing.T) {
	tests := []struct {
		src  string
		want ParseError
	}{
		{"王女士{{name", ParseError{Position{9, 1, 4}, `unclosed "{{": no "}}" follows`}},
		{"ab{{ }}", ParseError{Position{2, 1, 3}, "empty field name"}},
		{"ab{{|兜底}}", ParseError{Position{2, 1, 3}, "empty field name"}},
		{"券{{ co upon}}", ParseError{Position{8, 1, 7}, `character ' ' cannot be part of a field name`}},
		{"{{1st}}", ParseError{Position{2, 1, 3}, `field name "1st" starts with a digit`}},
		{"{{a-b}}", ParseError{Position{3, 1, 4}, `character '-' cannot be part of a field name`}},
		{"{{{name}}}", ParseError{Position{2, 1, 3}, `character '{' cannot be part of a field name`}},
		{"{{a|x{{b}}", ParseError{Position{5, 1, 6}, `"{{" inside the fallback of a field`}},
	}
	for _, tc := range tests {
		_, err := ParseTemplate(tc.src)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("ParseTemplate(%q) err = %v, want *ParseError", tc.src, err)
			continue
		}
		if *pe != tc.want {
			t.Errorf("ParseTemplate(%q) = %+v, want %+v", tc.src, *pe, tc.want)
		}
	}
	_, err := ParseTemplate("王女士{{name")
	if err.Error() != `template: line 1, column 4 (byte 9): unclosed "{{": no "}}" follows` {
		t.Errorf("message = %q", err.Error())
	}
}

func TestTemplateFields(t *testing.T) {
	tpl, err := ParseTemplate("{{a}}x{{会员名|朋友}}")
	if err != nil {
		t.Fatal(err)
	}
	want := []FieldRef{
		{Name: "a", Pos: Position{0, 1, 1}, End: 5},
		{Name: "会员名", Fallback: "朋友", HasFallback: true, Pos: Position{6, 1, 7}, End: 26},
	}
	if got := tpl.Fields(); !reflect.DeepEqual(got, want) {
		t.Errorf("Fields = %+v, want %+v", got, want)
	}
}
