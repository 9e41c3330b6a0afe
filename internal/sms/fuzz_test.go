package sms

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzSplit checks the invariants every sender relies on: the parts put
// back together are the text, no part exceeds its limit, no part begins
// or ends inside an escape or surrogate pair (each part encodes on its
// own), the segment count agrees with CountText, and GSM text survives an
// encode/pack/unpack/decode round trip.
func FuzzSplit(f *testing.F) {
	for _, tc := range corpus {
		f.Add(tc.text)
	}
	f.Add(strings.Repeat("€", 90))
	f.Add(strings.Repeat("😀", 40))
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			// Messages are text; invalid bytes could not survive the
			// UCS-2 round trip, so the invariants are checked on text.
			text = strings.ToValidUTF8(text, "\uFFFD")
		}
		enc, parts := Split(text)
		if got := strings.Join(parts, ""); got != text {
			t.Fatalf("parts re-join to %q, want %q", got, text)
		}
		c := CountText(text)
		if c.Encoding != enc || c.Segments != len(parts) {
			t.Fatalf("CountText %+v disagrees with Split (%s, %d parts)", c, enc, len(parts))
		}
		limit := c.PerSegment
		total := 0
		for i, p := range parts {
			if p == "" {
				t.Fatalf("part %d is empty", i)
			}
			pe, units := measure(p)
			if enc == GSM7 && pe != GSM7 {
				t.Fatalf("part %d of a GSM-7 text is not GSM-7", i)
			}
			if enc == UCS2 {
				units = ucs2Len(p)
			}
			if units > limit {
				t.Fatalf("part %d has %d units, limit %d", i, units, limit)
			}
			total += units
		}
		if total != c.Units {
			t.Fatalf("parts hold %d units, CountText says %d", total, c.Units)
		}
		if enc == GSM7 {
			septets, err := EncodeGSM7(text)
			if err != nil {
				t.Fatalf("GSM-7 text does not encode: %v", err)
			}
			unpacked := Unpack7(Pack7(septets, 1), 1, len(septets))
			back, err := DecodeGSM7(unpacked)
			if err != nil || back != text {
				t.Fatalf("round trip = %q, %v; want %q", back, err, text)
			}
		} else {
			back, err := DecodeUCS2(EncodeUCS2(text))
			if err != nil || back != text {
				t.Fatalf("UCS-2 round trip = %q, %v", back, err)
			}
		}
	})
}

// FuzzLint checks that every warning points inside the text it was given,
// template or not, so a console can always underline it.
func FuzzLint(f *testing.F) {
	f.Add("【花语轩】{{surname_title}}，全场8折，点击{{link}}领券", true)
	f.Add("【花语轩】【双11】限时大促 可开发票", false)
	f.Add("{{a|x}}{{", true)
	f.Fuzz(func(t *testing.T, text string, marketing bool) {
		n := utf8.RuneCountInString(text)
		opts := LintOptions{Marketing: marketing, LinkFields: []string{"link"}, Samples: map[string]string{"product": "彩票 https://x.cn"}}
		for _, w := range Lint(text, opts) {
			if w.Start < 0 || w.Start > w.End || w.End > n {
				t.Fatalf("%s at [%d,%d) outside a %d-rune text", w.Code, w.Start, w.End, n)
			}
		}
	})
}
