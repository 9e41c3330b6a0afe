package compose

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"nudge/internal/sms"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

func TestSettingsRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		if got := f.svc.Settings(); !reflect.DeepEqual(got, DefaultSettings()) {
			t.Fatalf("fresh store: %+v, want the defaults", got)
		}
		st := Settings{Brand: " 小店 ", SignaturePosition: "END", DefaultLocale: "en_us",
			OptOut:         map[string]string{"zh-cn": "拒收请回复R", "en": " Text STOP to end ", "fr": ""},
			SensitiveWords: []string{"秒杀", " 秒杀", "", "invoice"}}
		if err := f.svc.SetSettings(ctx, st); err != nil {
			t.Fatal(err)
		}
		want := Settings{Brand: "小店", SignaturePosition: "end", DefaultLocale: "en-US",
			OptOut:         map[string]string{"zh-CN": "拒收请回复R", "en": "Text STOP to end"},
			SensitiveWords: []string{"秒杀", "invoice"}}
		if got := f.svc.Settings(); !reflect.DeepEqual(got, want) {
			t.Fatalf("in force: %+v\nwant %+v", got, want)
		}
		// A caller editing the copy changes nothing.
		got := f.svc.Settings()
		got.OptOut["en"] = "x"
		got.SensitiveWords[0] = "x"
		// Another service over the same store reads what was saved.
		again, err := New(ctx, db, Options{Customers: f.customers})
		if err != nil {
			t.Fatal(err)
		}
		if got := again.Settings(); !reflect.DeepEqual(got, want) {
			t.Fatalf("reloaded: %+v\nwant %+v", got, want)
		}
		// An empty list turns the sensitive-word check off and stays empty.
		want.SensitiveWords = []string{}
		if err := f.svc.SetSettings(ctx, want); err != nil {
			t.Fatal(err)
		}
		again, _ = New(ctx, db, Options{})
		if got := again.Settings().SensitiveWords; got == nil || len(got) != 0 {
			t.Fatalf("sensitive words after saving none: %#v", got)
		}
	})
}

func TestSettingsRejectNamingTheField(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*Settings)
		field string
		why   string
	}{
		{"long brand", func(s *Settings) { s.Brand = strings.Repeat("店", 21) }, "brand", "21 characters"},
		{"brackets", func(s *Settings) { s.Brand = "【小店】" }, "brand", "without 【】"},
		{"two lines", func(s *Settings) { s.Brand = "小\n店" }, "brand", "one line"},
		{"position", func(s *Settings) { s.SignaturePosition = "middle" }, "signature_position", `"middle"`},
		{"locale", func(s *Settings) { s.DefaultLocale = "not a locale" }, "default_locale", "not a locale such as"},
		{"empty locale", func(s *Settings) { s.DefaultLocale = "" }, "default_locale", "empty locale"},
		{"opt-out without instruction", func(s *Settings) { s.OptOut["en"] = "Thanks for shopping" }, "opt_out.en", "does not tell how to opt out"},
		{"opt-out locale", func(s *Settings) { s.OptOut["??"] = "回TD退订" }, "opt_out.??", "not a locale"},
		{"opt-out too long", func(s *Settings) { s.OptOut["zh-CN"] = "回TD退订" + strings.Repeat("谢", 40) }, "opt_out.zh-CN", "at most 40"},
		{"long word", func(s *Settings) { s.SensitiveWords = []string{strings.Repeat("赌", 21)} }, "sensitive_words", "at most 20"},
	} {
		st := DefaultSettings()
		tc.edit(&st)
		err := st.Normalize()
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field || !strings.Contains(fe.Reason, tc.why) {
			t.Errorf("%s: %v; want field %s saying %q", tc.name, err, tc.field, tc.why)
		}
	}
}

func TestOptOutLineByLocale(t *testing.T) {
	st := Settings{OptOut: map[string]string{"zh-CN": "拒收请回复R", "en": "Text STOP to end"}}
	for locale, want := range map[string]string{
		"zh-CN": "拒收请回复R", "zh": "拒收请回复R", "zh-TW": "拒收请回复R",
		"en": "Text STOP to end", "en-US": "Text STOP to end",
		"fr": "", "": "",
	} {
		if got := st.optOutFor(locale); got != want {
			t.Errorf("optOutFor(%q) = %q, want %q", locale, got, want)
		}
	}
	// The defaults are sms's own lines.
	d := DefaultSettings()
	if d.optOutFor("zh-CN") != sms.OptOutZH || d.optOutFor("en-GB") != sms.OptOutEN {
		t.Errorf("default lines: %q, %q", d.optOutFor("zh-CN"), d.optOutFor("en-GB"))
	}
}
