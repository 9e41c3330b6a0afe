package sms

import (
	"errors"
	"testing"
)

// appendFields is a FieldAppender over a map, which also counts how the
// renderer asked for values.
type appendFields struct {
	m       MapFields
	appends int
}

func (a *appendFields) Field(name string) (string, bool) { return a.m.Field(name) }

func (a *appendFields) AppendField(dst []byte, name string) ([]byte, bool) {
	a.appends++
	v, ok := a.m[name]
	if !ok {
		return dst, false
	}
	return append(dst, v...), true
}

func TestAppendRenderAgreesWithRender(t *testing.T) {
	data := MapFields{
		"surname_title": "王女士", "level": "金卡", "points": "1280", "coupon": "HY200",
		"link": "https://n.example/x", "nickname": " \u3000\t", "empty": "",
	}
	for _, src := range []string{
		"{{surname_title}}，您的{{level}}积分{{points}}",
		"{{ nickname | 亲爱的会员 }}您好{{empty|}}",
		"券码{{coupon}} {a} }} {",
		"no fields",
		"",
		"{{link}}{{link}}{{missing|x}}",
	} {
		tpl, err := ParseTemplate(src)
		if err != nil {
			t.Fatal(err)
		}
		want, err := tpl.Render(data)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tpl.AppendRender([]byte(">"), data)
		if err != nil || string(got) != ">"+want {
			t.Errorf("AppendRender(%q) with MapFields = %q, %v; want %q", src, got, err, ">"+want)
		}
		af := &appendFields{m: data}
		got, err = tpl.AppendRender(nil, af)
		if err != nil || string(got) != want {
			t.Errorf("AppendRender(%q) with a FieldAppender = %q, %v; want %q", src, got, err, want)
		}
		if af.appends != len(tpl.Fields()) {
			t.Errorf("AppendRender(%q) appended %d values, want %d through AppendField", src, af.appends, len(tpl.Fields()))
		}
	}
}

func TestAppendRenderMissingField(t *testing.T) {
	tpl, err := ParseTemplate("您好\n{{name|x}}，{{nickname}}的积分{{points}}")
	if err != nil {
		t.Fatal(err)
	}
	buf := []byte("kept")
	got, err := tpl.AppendRender(buf, MapFields{"nickname": "  "})
	var me *MissingFieldError
	if !errors.As(err, &me) || me.Name != "nickname" || me.Pos != (Position{Offset: 20, Line: 2, Column: 12}) {
		t.Fatalf("error %#v", err)
	}
	if string(got) != "kept" {
		t.Fatalf("buffer after the error = %q, want it as given", got)
	}
}

func TestAppendRenderAllocatesNothing(t *testing.T) {
	tpl, err := ParseTemplate("{{surname_title|亲爱的会员}}，{{level}}会员专享券{{coupon}}，立即点击 {{link}}")
	if err != nil {
		t.Fatal(err)
	}
	af := &appendFields{m: MapFields{"level": "金卡", "coupon": "A7K2Q9", "link": "https://n.example/l/aZ3kQ9xP?utm_source=sms&utm_medium=nudge"}}
	buf := make([]byte, 0, 256)
	if n := testing.AllocsPerRun(100, func() { buf, _ = tpl.AppendRender(buf[:0], af) }); n != 0 {
		t.Errorf("AppendRender allocates %.1f times per render, want 0", n)
	}
	if want := "亲爱的会员，金卡会员专享券A7K2Q9，立即点击 https://n.example/l/aZ3kQ9xP?utm_source=sms&utm_medium=nudge"; string(buf) != want {
		t.Errorf("rendered %q, want %q", buf, want)
	}
}

// FuzzMayHoldURL checks that the quick test in front of the URL pattern
// never turns away a value the pattern would call a link.
func FuzzMayHoldURL(f *testing.F) {
	for _, s := range []string{"https://n.example/x", "www.shop", "t.cn", "金卡", "HTTPſ://x", "a.COM", "见shop.example/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if containsURL(v) && !mayHoldURL(v) {
			t.Fatalf("%q holds a link but the quick test says no", v)
		}
	})
}

func TestBlank(t *testing.T) {
	for v, want := range map[string]bool{
		"": true, " \t\n": true, "\u3000\u00a0\u0085": true, " x ": false, "\xe3\x80": false, "https://n.example/l/aZ3kQ9xP-long-enough": false,
	} {
		if got := blank([]byte(v)); got != want {
			t.Errorf("blank(%q) = %v, want %v", v, got, want)
		}
	}
}
