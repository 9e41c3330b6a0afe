package sms

import "testing"

func TestCompose(t *testing.T) {
	tests := []struct {
		body string
		opts ComposeOptions
		want string
		why  string
	}{
		{"王女士，立减200元", ComposeOptions{Brand: "花语轩"}, "【花语轩】王女士，立减200元", "prefix signature by default; transactional: no opt-out"},
		{"立减200元，点击 https://n.example/x", ComposeOptions{Brand: "花语轩", Marketing: true},
			"【花语轩】立减200元，点击 https://n.example/x 回TD退订", "a space keeps 回TD退订 out of the link"},
		{"立减200元！", ComposeOptions{Brand: "花语轩", Marketing: true}, "【花语轩】立减200元！回TD退订", "no space after Chinese punctuation"},
		{"立减200元，点击领取", ComposeOptions{Brand: "花语轩", Marketing: true}, "【花语轩】立减200元，点击领取 回TD退订", "a space after a Chinese word keeps the opt-out apart"},
		{"立减200元！", ComposeOptions{Brand: "花语轩", Marketing: true, Suffix: true}, "立减200元！回TD退订【花语轩】", "suffix signature stays last"},
		{"【花语轩】立减200元 回TD退订", ComposeOptions{Brand: "花语轩", Marketing: true}, "【花语轩】立减200元 回TD退订", "neither doubled"},
		{"立减200元 退订回T【花语轩】", ComposeOptions{Brand: "花语轩", Marketing: true}, "立减200元 退订回T【花语轩】", "existing suffix signature and another opt-out wording are kept"},
		{"立减200元【花语轩】", ComposeOptions{Brand: "花语轩", Marketing: true}, "立减200元 回TD退订【花语轩】", "opt-out goes before an existing suffix signature"},
		{"20% off today", ComposeOptions{Brand: "Bloom", Marketing: true, Locale: "en"}, "【Bloom】20% off today Reply STOP to opt out", "English opt-out line"},
		{"20% off today", ComposeOptions{Marketing: true, OptOut: "Text STOP to 1234"}, "20% off today Text STOP to 1234", "custom opt-out, no brand"},
		{"  hi  ", ComposeOptions{}, "hi", "nothing to add; surrounding spaces trimmed"},
	}
	for _, tc := range tests {
		if got := Compose(tc.body, tc.opts); got != tc.want {
			t.Errorf("Compose(%q) = %q, want %q (%s)", tc.body, got, tc.want, tc.why)
		}
	}
}
