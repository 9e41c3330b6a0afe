package sms

import (
	"reflect"
	"strings"
	"testing"
)

// pos is a warning reduced to what a console underlines.
type pos struct {
	Code       string
	Start, End int
}

func only(ws []Warning, code string) []pos {
	var out []pos
	for _, w := range ws {
		if w.Code == code {
			out = append(out, pos{w.Code, w.Start, w.End})
		}
	}
	return out
}

// TestLintRules gives each code firing and non-firing cases; positions are
// counted by hand in runes, the signature 【花语轩】 being 0-4.
func TestLintRules(t *testing.T) {
	mkt := LintOptions{Marketing: true}
	tests := []struct {
		name string
		code string
		text string
		opts LintOptions
		want []pos
	}{
		// offer_late: the window counts from after the signature.
		{"offer at body character 25", CodeOfferLate, "【花语轩】春天到了，我们为您精心准备了一份特别的礼物，全场立减30元", mkt,
			[]pos{{CodeOfferLate, 29, 34}}}, // 春天到了 5-8, ， 9, 16 runes 10-25, ， 26, 全场 27-28, 立减30元 29-33
		{"offer early", CodeOfferLate, "【花语轩】王女士，全场立减30元，点击领取", mkt, nil},
		{"no offer at all", CodeOfferLate, "【花语轩】春天到了，我们为您精心准备了一份特别的礼物，欢迎进店", mkt, nil},
		{"offer at body character 20 is in time", CodeOfferLate, "【A】" + strings.Repeat("的", 19) + "8折", mkt, nil},
		{"offer at body character 21 is late", CodeOfferLate, "【A】" + strings.Repeat("的", 20) + "8折", mkt,
			[]pos{{CodeOfferLate, 23, 25}}},
		{"english percent off late", CodeOfferLate, "Hello from all of us at Bloom: 20% off", mkt,
			[]pos{{CodeOfferLate, 31, 38}}},
		{"transactional amounts are not offers", CodeOfferLate, "【花语轩】王女士，您的订单20251111001已确认，金额12.8元", LintOptions{}, nil},
		{"100% is a claim, not an offer", CodeOfferLate, "这是我们精心挑选的当季鲜花和绿植，保证100%正品", mkt, nil},

		// vague_value: a claim needs a concrete offer within 10 characters.
		{"大促 alone", CodeVagueValue, "【花语轩】双11大促，点击查看", mkt, []pos{{CodeVagueValue, 8, 10}}},
		{"大促 backed by an amount", CodeVagueValue, "【花语轩】双11大促，全场立减200元", mkt, nil},
		{"english vague", CodeVagueValue, "Great deals this weekend at Bloom", mkt, []pos{{CodeVagueValue, 0, 11}}},
		{"english backed", CodeVagueValue, "Great deals: 20% off all roses", mkt, nil},

		// deadline_missing: 限时 needs a date or time somewhere.
		{"限时 without date", CodeDeadlineMissing, "【花语轩】限时抢购，全场8折", mkt, []pos{{CodeDeadlineMissing, 5, 7}}},
		{"限时 with date", CodeDeadlineMissing, "【花语轩】限时抢购，全场8折，11月11日24点截止", mkt, nil},
		{"limited time without date", CodeDeadlineMissing, "Limited time: 20% off", mkt, []pos{{CodeDeadlineMissing, 0, 12}}},
		{"limited time with a day", CodeDeadlineMissing, "Limited time: 20% off until Sunday", mkt, nil},

		// too_many_points: six claim-bearing clauses; the warning covers the sixth onwards.
		{"six clauses", CodeTooManyPoints, "新品上市，全场8折，满299减50，顺丰包邮，赠精美礼盒，积分翻倍，点击领取", mkt,
			[]pos{{CodeTooManyPoints, 29, 33}}},
		{"five clauses", CodeTooManyPoints, "新品上市，全场8折，满299减50，顺丰包邮，赠精美礼盒，点击领取", mkt, nil},
		// line 1 is a claim clause (上新), then six bullet lines: 7 points.
		// Lines start at 0, 5, 12, 19, 25, 32, 38 (each bullet line is
		// "• " + text + newline), so the sixth point starts at 32 and the
		// last line ends at 44.
		{"bullets", CodeTooManyPoints, "春季上新\n• 全场8折\n• 顺丰包邮\n• 赠礼盒\n• 积分翻倍\n• 会员价\n• 免费刻字", mkt,
			[]pos{{CodeTooManyPoints, 32, 44}}},
		{"clauses without claims are not points", CodeTooManyPoints, "您好，您的订单，已经发货，请注意查收，如有问题，请联系客服，谢谢", mkt, nil},

		// length: marketing only, the whole text underlined.
		{"short marketing", CodeLength, "【花语轩】立减200元，点击领取 回TD退订", mkt, []pos{{CodeLength, 0, 22}}},
		{"64 is short", CodeLength, strings.Repeat("a", 64), mkt, []pos{{CodeLength, 0, 64}}},
		{"65 fits", CodeLength, strings.Repeat("a", 65), mkt, nil},
		{"75 fits", CodeLength, strings.Repeat("王", 75), mkt, nil},
		{"76 is long", CodeLength, strings.Repeat("王", 76), mkt, []pos{{CodeLength, 0, 76}}},
		{"transactional is not measured", CodeLength, "【花语轩】您的订单已发货", LintOptions{}, nil},
		{"custom band", CodeLength, strings.Repeat("a", 100), LintOptions{Marketing: true, MinRunes: 1, MaxRunes: 160}, nil},

		// no_cta: the opt-out line's 回复/reply does not count.
		{"no call to action", CodeNoCTA, "【花语轩】全场8折", mkt, []pos{{CodeNoCTA, 0, 9}}},
		{"opt-out reply is not a CTA", CodeNoCTA, "【花语轩】全场8折 回复TD退订", mkt, []pos{{CodeNoCTA, 0, 16}}},
		{"点击", CodeNoCTA, "【花语轩】全场8折，点击领取", mkt, nil},
		{"english reply STOP is not a CTA", CodeNoCTA, "20% off. Reply STOP to opt out", mkt, []pos{{CodeNoCTA, 0, 30}}},
		{"shop now", CodeNoCTA, "20% off, shop now", mkt, nil},
		{"a flower shop is not a CTA", CodeNoCTA, "Bloom flower shop", LintOptions{}, []pos{{CodeNoCTA, 0, 17}}},

		// no_signature: empty span at the start, or the wrong signature underlined.
		{"no signature", CodeNoSignature, "全场8折", mkt, []pos{{CodeNoSignature, 0, 0}}},
		{"wrong brand", CodeNoSignature, "【别家】全场8折", LintOptions{Brand: "花语轩"}, []pos{{CodeNoSignature, 0, 4}}},
		{"suffix signature", CodeNoSignature, "全场8折【花语轩】", LintOptions{Brand: "花语轩"}, nil},
		{"any signature without a brand", CodeNoSignature, "  【别家】全场8折", LintOptions{}, nil},

		// no_optout: empty span at the end, marketing only.
		{"marketing without opt-out", CodeNoOptOut, "【花语轩】全场8折，点击领取", mkt, []pos{{CodeNoOptOut, 14, 14}}},
		{"transactional needs none", CodeNoOptOut, "【花语轩】全场8折，点击领取", LintOptions{}, nil},
		{"回TD退订", CodeNoOptOut, "【花语轩】全场8折，点击领取 回TD退订", mkt, nil},
		{"STOP", CodeNoOptOut, "20% off, shop now. Reply STOP to opt out", mkt, nil},

		// bracket_in_body.
		{"second 【】", CodeBracketInBody, "【花语轩】【双11】全场8折", mkt, []pos{{CodeBracketInBody, 5, 10}}},
		{"stray 】", CodeBracketInBody, "【花语轩】全场】8折", mkt, []pos{{CodeBracketInBody, 7, 8}}},
		{"signature only", CodeBracketInBody, "【花语轩】全场8折", mkt, nil},

		// sensitive_word: every occurrence; the list is configurable.
		{"default list", CodeSensitiveWord, "【花语轩】可开发票，贷款秒批", mkt,
			[]pos{{CodeSensitiveWord, 7, 9}, {CodeSensitiveWord, 10, 12}}},
		{"clean", CodeSensitiveWord, "【花语轩】全场8折", mkt, nil},
		{"custom list, case-insensitive", CodeSensitiveWord, "Casino night", LintOptions{SensitiveWords: []string{"casino"}}, []pos{{CodeSensitiveWord, 0, 6}}},
		{"empty list turns it off", CodeSensitiveWord, "可开发票", LintOptions{SensitiveWords: []string{}}, nil},

		// link_in_field: the whole {{...}} of the source is underlined;
		// {{surname_title}} is 5-21, ，22, 点击 23-24, {{url}} 25-31.
		{"known link field", CodeLinkInField, "【花语轩】{{surname_title}}，点击{{url}}领券", LintOptions{LinkFields: []string{"url"}},
			[]pos{{CodeLinkInField, 25, 32}}},
		{"sample holds a URL", CodeLinkInField, "【花语轩】{{surname_title}}，点击{{url}}领券", LintOptions{Samples: map[string]string{"url": "n.example/x"}},
			[]pos{{CodeLinkInField, 25, 32}}},
		{"no link known", CodeLinkInField, "【花语轩】{{surname_title}}，点击{{url}}领券", LintOptions{}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.code+"/"+tc.name, func(t *testing.T) {
			got := only(Lint(tc.text, tc.opts), tc.code)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Lint(%q) %s = %v, want %v", tc.text, tc.code, got, tc.want)
			}
		})
	}
}

// TestLintCleanMessage is the shape of copy the rules ask for: it must pass
// every check. 5 + 王女士，(4) + 双11全场鲜花立减200元 (13) + ，(1) +
// 11月11日24点截止 (11) + ，点击 (3) + space + link (19) + space + 领券，(3)
// + 回TD退订 (5) = 66 characters.
func TestLintCleanMessage(t *testing.T) {
	text := "【花语轩】王女士，双11全场鲜花立减200元，11月11日24点截止，点击 https://n.example/x 领券，回TD退订"
	if ws := Lint(text, LintOptions{Marketing: true, Brand: "花语轩"}); ws != nil {
		t.Errorf("clean copy got warnings: %+v", ws)
	}
}

// TestLintTemplateSource checks that a template is judged as it will read,
// with positions in the source.
func TestLintTemplateSource(t *testing.T) {
	// As plain text, 8折 would start at body character 20 (25 - 5) and be
	// late; read with 王女士 for the field it starts at 9 - 5 = 4.
	src := "【花语轩】{{surname_title}}，全场8折"
	if got := only(Lint(src, LintOptions{Marketing: true}), CodeOfferLate); got != nil {
		t.Errorf("offer_late on template = %v, want none", got)
	}
	// A finding inside a field's value underlines the whole field:
	// {{product}} is 11 runes at 5-15.
	got := only(Lint("【花语轩】{{product}}上新", LintOptions{Samples: map[string]string{"product": "彩票机"}}), CodeSensitiveWord)
	if want := []pos{{CodeSensitiveWord, 5, 16}}; !reflect.DeepEqual(got, want) {
		t.Errorf("sensitive word in field = %v, want %v", got, want)
	}
	// A broken template is linted as plain text rather than refused.
	got = only(Lint("【花语轩】{{name 可开发票", LintOptions{}), CodeSensitiveWord)
	if want := []pos{{CodeSensitiveWord, 14, 16}}; !reflect.DeepEqual(got, want) {
		t.Errorf("broken template = %v, want %v", got, want)
	}
}

func TestLintMessages(t *testing.T) {
	ws := Lint("【花语轩】春天到了，我们为您精心准备了一份特别的礼物，全场立减30元，点击领取 回TD退订", LintOptions{Marketing: true, MinRunes: 1})
	want := Warning{
		Code:      CodeOfferLate,
		Message:   "the offer starts at character 25; put it in the first 20",
		MessageZH: "优惠信息在第25个字才出现，应放在前20个字内",
		Start:     29, End: 34,
	}
	if len(ws) != 1 || ws[0] != want {
		t.Errorf("got %+v, want [%+v]", ws, want)
	}
}

func TestLintSortsByPosition(t *testing.T) {
	ws := Lint("限时大促", LintOptions{Marketing: true})
	var codes []string
	for _, w := range ws {
		codes = append(codes, w.Code)
	}
	// no_signature [0,0), length [0,4), no_cta [0,4), deadline [0,2), vague [2,4), no_optout [4,4).
	want := []string{CodeNoSignature, CodeDeadlineMissing, CodeLength, CodeNoCTA, CodeVagueValue, CodeNoOptOut}
	if !reflect.DeepEqual(codes, want) {
		t.Errorf("order = %v, want %v", codes, want)
	}
}
