package sms

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// optOutRef is the regular expression hasOptOut replaced; the tests hold
// the byte scan to it.
var optOutRef = regexp.MustCompile(`退订|拒收|STOP|(?i:unsubscribe|opt[ -]?out)`)

// composeRef is Compose as it was written before Composer, string
// operations and the regular expression, kept as the reference.
func composeRef(body string, opts ComposeOptions) string {
	text := strings.TrimSpace(body)
	sig, suffix := "", opts.Suffix
	if brand := strings.TrimSpace(opts.Brand); brand != "" {
		sig = Signature(brand)
		switch {
		case strings.HasPrefix(text, sig):
			text, suffix = strings.TrimSpace(strings.TrimPrefix(text, sig)), false
		case strings.HasSuffix(text, sig):
			text, suffix = strings.TrimSpace(strings.TrimSuffix(text, sig)), true
		}
	}
	if opts.Marketing && !optOutRef.MatchString(text) {
		line := opts.OptOut
		if line == "" {
			line = OptOutZH
			if isEnglish(opts.Locale) {
				line = OptOutEN
			}
		}
		if text == "" {
			text = line
		} else if last, _ := utf8.DecodeLastRuneInString(text); unicode.IsSpace(last) || (last >= utf8.RuneSelf && !unicode.IsLetter(last) && !unicode.IsDigit(last)) {
			text += line
		} else {
			text += " " + line
		}
	}
	switch {
	case sig == "":
		return text
	case suffix:
		return text + sig
	default:
		return sig + text
	}
}

func TestHasOptOut(t *testing.T) {
	for text, want := range map[string]bool{
		"回TD退订":                 true,
		"拒收请回复R":                true,
		"Reply STOP to opt out": true,
		"reply stop":            false, // STOP is a keyword only in upper case
		"Stop by our shop":      false,
		"UNSUBSCRIBE here":      true,
		"unſubſcribe":           true, // ſ folds to s, as in the regular expression
		"unsub":                 false,
		"Opt-Out":               true,
		"OPTOUT":                true,
		"opt  out":              false, // one space or hyphen at most
		"opt_out":               false,
		"退":                     false,
		"退 订":                   false,
		"\xe9退订":                true,
		"optimal outcome":       false,
		"adopt outside":         true, // "opt out" inside words: the expression finds substrings too
		"":                      false,
		"回T退定":                  false,
		"发送TD退订":                true,
		"\xc5unsubscribe\xbf":   true,
		"un\xc5\xbfub\xc5cribe": false,
		"unsubscrib":            false,
		"o":                     false,
		"op":                    false,
		"opt-":                  false,
		"opt-ou":                false,
		"STO":                   false,
		"退订"[:4]:                false,
		"拒收"[:5]:                false,
		"stop STOP":             true,
		"ＳＴＯＰ":                  false, // full-width letters are not folded
	} {
		if got := hasOptOut(text); got != want {
			t.Errorf("hasOptOut(%q) = %v, want %v", text, got, want)
		}
		if ref := optOutRef.MatchString(text); ref != want {
			t.Errorf("the reference expression says %v for %q; the table is wrong", ref, text)
		}
		if got := hasOptOut([]byte(text)); got != want {
			t.Errorf("hasOptOut([]byte(%q)) = %v, want %v", text, got, want)
		}
	}
}

// FuzzCompose holds Compose, Composer.Compose and Composer.Append to the
// reference, and hasOptOut to its regular expression.
func FuzzCompose(f *testing.F) {
	f.Add("【花语轩】立减200元 回TD退订", "花语轩", "", "", true, false)
	f.Add("  立减200元【花语轩】  ", "花语轩", "", "en", true, true)
	f.Add("20% off today", " Bloom ", "Text STOP to 1234", "en-US", true, false)
	f.Add("unſubſcribe \u00a0", "", "", "", true, true)
	f.Add("\u3000【a】\u3000", "a", "", "", true, false)
	f.Add("x\xe9", "", "", "", true, false)
	f.Add("【b】", "b", "", "", false, true)
	f.Fuzz(func(t *testing.T, body, brand, optOut, locale string, marketing, suffix bool) {
		opts := ComposeOptions{Brand: brand, Suffix: suffix, Marketing: marketing, OptOut: optOut, Locale: locale}
		want := composeRef(body, opts)
		if got := Compose(body, opts); got != want {
			t.Fatalf("Compose(%q, %+v) = %q, want %q", body, opts, got, want)
		}
		buf := []byte("prefix")
		if got := NewComposer(opts).Append(buf, []byte(body)); string(got) != "prefix"+want {
			t.Fatalf("Append(%q, %+v) = %q, want %q", body, opts, got, "prefix"+want)
		}
		if got, ref := hasOptOut(body), optOutRef.MatchString(body); got != ref {
			t.Fatalf("hasOptOut(%q) = %v, the expression says %v", body, got, ref)
		}
	})
}

// TestComposerAppendAllocates nothing when the buffer has room: the send
// loop's compose step.
func TestComposerAppendAllocates(t *testing.T) {
	c := NewComposer(ComposeOptions{Brand: "小店", Marketing: true})
	body := []byte("  王女士，金卡会员专享满199减30券A0000000已到账，立即点击 https://s.shop.example/l/00000000  ")
	buf := make([]byte, 0, 512)
	var out []byte
	if n := testing.AllocsPerRun(100, func() { out = c.Append(buf[:0], body) }); n != 0 {
		t.Errorf("Append allocates %.1f times, want 0", n)
	}
	if want := "【小店】王女士，金卡会员专享满199减30券A0000000已到账，立即点击 https://s.shop.example/l/00000000 回TD退订"; string(out) != want {
		t.Errorf("Append = %q, want %q", out, want)
	}
}

func TestIsEnglish(t *testing.T) {
	for locale, want := range map[string]bool{
		"en": true, "EN": true, "en-US": true, "En_gb": true, "en-": true,
		"": false, "e": false, "eng": false, "zh-CN": false, "fr": false, "enUS": false, "ｅｎ": false,
	} {
		if got := isEnglish(locale); got != want {
			t.Errorf("isEnglish(%q) = %v, want %v", locale, got, want)
		}
	}
}
