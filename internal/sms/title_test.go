package sms

import "testing"

func TestSurnameTitle(t *testing.T) {
	tests := []struct {
		name, gender, locale, want, why string
	}{
		{"王芳", "f", "zh-CN", "王女士", "single-character surname"},
		{"张伟", "男", "zh-CN", "张先生", "Chinese gender word"},
		{"欧阳娜娜", "female", "", "欧阳女士", "compound surname; empty locale is zh-CN"},
		{"司马光", "M", "zh", "司马先生", "compound surname, gender case-insensitive"},
		{"诸葛亮", "male", "zh-CN", "诸葛先生", "compound surname"},
		{"上官婉儿", "女", "zh-CN", "上官女士", "compound surname"},
		{"欧阳", "f", "zh-CN", "欧阳女士", "a compound surname alone is kept whole"},
		{"李娜", "", "zh-CN", "李娜", "unknown gender: the full name, no guessed title"},
		{"李娜", "other", "zh-CN", "李娜", "unknown gender value"},
		{"王女士", "f", "zh-CN", "王女士", "already titled"},
		{"", "f", "zh-CN", "", "no name: empty, so a template fallback applies"},
		{"Jane Smith", "f", "en", "Ms Smith", "last word"},
		{"John Ronald Tolkien", "m", "en-GB", "Mr Tolkien", "last word of three"},
		{"Jane Smith", "", "en", "Jane Smith", "unknown gender: the full name"},
		{"王芳", "f", "en-US", "Ms 王", "a Han name in English keeps its Han surname"},
		{"Jane Smith", "f", "zh-CN", "Smith女士", "a Latin name in Chinese uses its last word"},
	}
	for _, tc := range tests {
		if got := SurnameTitle(tc.name, tc.gender, tc.locale); got != tc.want {
			t.Errorf("SurnameTitle(%q, %q, %q) = %q, want %q (%s)", tc.name, tc.gender, tc.locale, got, tc.want, tc.why)
		}
	}
}

func TestAppendSurnameTitle(t *testing.T) {
	for _, tc := range []struct{ name, gender, locale, want string }{
		{"欧阳娜娜", "f", "zh-CN", "欧阳女士"},
		{"John Ronald\u3000Tolkien", "m", "en-GB", "Mr Tolkien"},
		{"李娜", "", "zh-CN", "李娜"},
		{" ", "f", "en", ""},
	} {
		if got := string(AppendSurnameTitle([]byte("你好"), tc.name, tc.gender, tc.locale)); got != "你好"+tc.want {
			t.Errorf("AppendSurnameTitle(%q, %q, %q) = %q, want %q", tc.name, tc.gender, tc.locale, got, "你好"+tc.want)
		}
		if got := SurnameTitle(tc.name, tc.gender, tc.locale); got != tc.want {
			t.Errorf("SurnameTitle(%q, %q, %q) = %q, want %q", tc.name, tc.gender, tc.locale, got, tc.want)
		}
	}
	buf := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() { buf = AppendSurnameTitle(buf[:0], "Jane Smith", "f", "zh-CN") }); n != 0 {
		t.Errorf("AppendSurnameTitle allocates %.1f times, want 0", n)
	}
}
