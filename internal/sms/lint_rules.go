package sms

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// offerPattern finds a concrete offer: an amount off (立减200元, 减50,
// 满299减50, ¥30, $5 off), a discount (8折, 八五折) or a percentage
// (20% off). A bare price (200元) counts too: in promotional copy it is
// what the reader weighs.
var offerPattern = regexp.MustCompile(`(?i)满\d+减\d+元?` +
	`|(?:立减|直降|立省|减|省|返|送)\s*[¥￥$]?\d+(?:\.\d+)?\s*(?:元|块)?` +
	`|[¥￥$£€]\s*\d+(?:\.\d+)?(?:\s*off\b)?` +
	`|\d+(?:\.\d+)?\s*(?:元|块钱|块)` +
	`|(?:\d+(?:\.\d+)?|[一二三四五六七八九]{1,2})\s*折` +
	`|\d+(?:\.\d+)?\s*%(?:\s*off\b)?` +
	`|\d+\s*off\b`)

// offers returns the offer spans of the view. "100%" without "off" is a
// claim (100%正品), not a discount, and is skipped.
func (l *linter) offers() []span {
	var out []span
	ro := runeOffsets(l.v.text)
	for _, m := range offerPattern.FindAllStringIndex(l.v.text, -1) {
		s := l.v.text[m[0]:m[1]]
		if p := strings.TrimSpace(strings.TrimSuffix(s, "%")); strings.HasSuffix(s, "%") {
			if n, err := strconv.ParseFloat(p, 64); err == nil && n >= 100 {
				continue
			}
		}
		out = append(out, span{ro[m[0]], ro[m[1]]})
	}
	return out
}

// bodyStart is where the reader's text begins: after a leading signature,
// which carriers require and readers skip.
func (l *linter) bodyStart() int {
	if len(l.sig) > 0 && l.sig[0].start == 0 {
		return l.sig[0].end
	}
	return 0
}

// offerWindow is how early the offer must start, in characters after the
// signature: a reader decides within the first line of the preview.
const offerWindow = 20

// checkOffer applies to marketing only: an order total in a confirmation
// is not an offer that has to come first.
func (l *linter) checkOffer() {
	if !l.opts.Marketing {
		return
	}
	offers := l.offers()
	if len(offers) == 0 {
		return
	}
	first := offers[0]
	if at := first.start - l.bodyStart(); at >= offerWindow {
		l.add(CodeOfferLate, first,
			fmt.Sprintf("the offer starts at character %d; put it in the first %d", at+1, offerWindow),
			fmt.Sprintf("优惠信息在第%d个字才出现，应放在前%d个字内", at+1, offerWindow))
	}
}

// vaguePattern lists value claims that promise without saying how much.
var vaguePattern = regexp.MustCompile(`(?i)超值优惠|优惠多多|好礼多多|超值|大促|巨惠|钜惠|特惠|超低价|惊喜价` +
	`|\b(?:great deals?|huge savings|big savings|amazing deals?|best prices?|special offers?|massive sale)\b`)

// vagueReach is how close (in characters) a concrete offer must be for a
// vague claim to be backed by it.
const vagueReach = 10

func (l *linter) checkVague() {
	offers := l.offers()
	ro := runeOffsets(l.v.text)
	for _, m := range vaguePattern.FindAllStringIndex(l.v.text, -1) {
		s := span{ro[m[0]], ro[m[1]]}
		backed := false
		for _, o := range offers {
			if o.end >= s.start-vagueReach && o.start <= s.end+vagueReach {
				backed = true
				break
			}
		}
		if !backed {
			w := l.v.text[m[0]:m[1]]
			l.add(CodeVagueValue, s,
				fmt.Sprintf("%q promises value without an amount; say how much (立减200元, 8折, 20%% off)", w),
				fmt.Sprintf("“%s”没有具体金额，请写明优惠（如立减200元、8折）", w))
		}
	}
}

var (
	limitedPattern = regexp.MustCompile(`(?i)限时|\blimited[- ]time\b`)
	// datePattern recognises a date, a time of day, a duration or a named
	// day, any of which tells the reader when the offer ends. "may" is not
	// taken as a month: "you may" is far more common in copy.
	datePattern = regexp.MustCompile(`(?i)\d{1,2}\s*月\s*\d{1,2}\s*[日号]|\d{1,2}\s*[日号]|\d{1,2}\s*[:：]\s*\d{2}` +
		`|\d{1,2}\s*点|\d{1,2}/\d{1,2}|\d{4}-\d{1,2}-\d{1,2}|\d+\s*(?:小时|天|分钟)|[今明后]天|今[日晚]|明[日晚]|本周|周[一二三四五六日末天]|星期[一二三四五六日天]` +
		`|双1[12]|双十[一二]|\b(?:today|tonight|tomorrow|midnight|this week(?:end)?|(?:mon|tues|wednes|thurs|fri|satur|sun)day|mon|tue|wed|thu|fri|sat|sun` +
		`|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|\d+\s*(?:hours?|hrs?|days?|mins?)|\d{1,2}\s*(?:am|pm))\b`)
)

func (l *linter) checkDeadline() {
	m := limitedPattern.FindStringIndex(l.v.text)
	if m == nil || datePattern.MatchString(l.v.text) {
		return
	}
	ro := runeOffsets(l.v.text)
	l.add(CodeDeadlineMissing, span{ro[m[0]], ro[m[1]]},
		"\"limited time\" without a date or time; say when it ends (until 11/11 23:59)",
		"写了“限时”却没有截止时间，请写明（如11月11日24点前）")
}

// maxPoints is the most selling points a message should carry.
const maxPoints = 5

var (
	// clauseBreak separates clauses: Chinese and Latin commas, enumeration
	// commas, semicolons and sentence ends.
	clauseBreak = regexp.MustCompile(`[，、；,;。！!？?\n]`)
	// claimPattern marks a clause as a selling point when it carries no
	// number-bearing offer: free shipping, a gift, a new product, points,
	// a coupon and the like. 满 and 送 alone are left out: 满意 and 配送
	// are not claims, and 满299减50 or 送2张券 are offers already.
	claimPattern = regexp.MustCompile(`(?i)包邮|免邮|顺丰|赠|折|新品|上新|限量|正品|秒杀|特价|免费|会员价|积分|券|红包|返现|半价|爆款|第二件` +
		`|\b(?:free|gift|new|bonus|points|coupon|voucher|sale|bogo)\b`)
	// bulletPattern starts a bullet line.
	bulletPattern = regexp.MustCompile(`^\s*(?:[•·●▪◆✓✔*\-]|\d{1,2}[.、)]|[①②③④⑤⑥⑦⑧⑨⑩])`)
)

// checkPoints counts selling points. A bullet line is one point; in other
// lines each clause that carries an offer or a claim word is one point.
// More than five and the reader remembers none.
func (l *linter) checkPoints() {
	var points []span
	ro := runeOffsets(l.v.text)
	lineStart := 0
	for _, line := range strings.SplitAfter(l.v.text, "\n") {
		body := strings.TrimRight(line, "\n")
		if bulletPattern.MatchString(body) {
			points = append(points, span{ro[lineStart], ro[lineStart+len(body)]})
		} else {
			from := 0
			for _, cut := range append(clauseBreak.FindAllStringIndex(body, -1), []int{len(body), len(body)}) {
				clause := body[from:cut[0]]
				if strings.TrimSpace(clause) != "" && (offerPattern.MatchString(clause) || claimPattern.MatchString(clause)) {
					points = append(points, span{ro[lineStart+from], ro[lineStart+cut[0]]})
				}
				from = cut[1]
			}
		}
		lineStart += len(line)
	}
	if len(points) > maxPoints {
		l.add(CodeTooManyPoints, span{points[maxPoints].start, points[len(points)-1].end},
			fmt.Sprintf("%d selling points; keep to %d or fewer", len(points), maxPoints),
			fmt.Sprintf("卖点有%d个，建议不超过%d个", len(points), maxPoints))
	}
}

func (l *linter) checkLength() {
	if !l.opts.Marketing {
		return
	}
	lo, hi := l.opts.MinRunes, l.opts.MaxRunes
	if lo == 0 {
		lo = DefaultMinRunes
	}
	if hi == 0 {
		hi = DefaultMaxRunes
	}
	n := len(l.runes)
	if n >= lo && n <= hi {
		return
	}
	l.add(CodeLength, span{0, n},
		fmt.Sprintf("%d characters; marketing copy reads best at %d-%d including the link", n, lo, hi),
		fmt.Sprintf("共%d个字，营销短信建议%d-%d字（含链接）", n, lo, hi))
}

var (
	ctaPattern = regexp.MustCompile(`(?i)点击|立即|马上|抢购|领取|领券|戳|回复|速来|速抢|进店|下单|抢|查看|前往` +
		`|\b(?:click|tap|reply|buy|order now|redeem|claim|visit|book now|use code)\b|\bshop(?:\s+now\b|:)`)
	// optOutLine is the opt-out instruction itself; its 回复/reply is not a
	// call to action.
	optOutLine = regexp.MustCompile(`(?i)(?:reply|text|send)\s+STOP\b(?:\s+to\s+(?:opt[ -]?out|unsubscribe|cancel|end))?` +
		`|回复?\s*[A-Za-z0-9]{1,6}\s*(?:退订|拒收)|(?:退订|拒收)请?回复?\s*[A-Za-z0-9]{1,6}`)
)

func (l *linter) checkCTA() {
	text := optOutLine.ReplaceAllStringFunc(l.v.text, func(s string) string { return strings.Repeat(" ", len(s)) })
	if ctaPattern.MatchString(text) {
		return
	}
	l.add(CodeNoCTA, span{0, len(l.runes)},
		"no call to action; tell the reader what to do (点击, 立即领取, shop now)",
		"缺少行动号召，请告诉读者下一步（如点击、立即领取）")
}

// signaturePattern is a 【...】 signature of 1 to 20 characters.
var signaturePattern = regexp.MustCompile(`^【[^【】]{1,20}】|【[^【】]{1,20}】$`)

// findSignature returns the signatures at the very start and end of the
// text (surrounding spaces ignored).
func findSignature(r []rune) []span {
	var out []span
	s := string(r)
	trimmed := strings.TrimSpace(s)
	lead := len([]rune(s)) - len([]rune(strings.TrimLeftFunc(s, unicode.IsSpace)))
	ro := runeOffsets(trimmed)
	for _, m := range signaturePattern.FindAllStringIndex(trimmed, -1) {
		out = append(out, span{lead + ro[m[0]], lead + ro[m[1]]})
	}
	return out
}

func (l *linter) checkSignature() {
	if len(l.sig) == 0 {
		l.add(CodeNoSignature, span{0, 0},
			"no signature; start the message with 【Brand】",
			"缺少签名，请在开头加上【店名】")
		return
	}
	brand := strings.TrimSpace(l.opts.Brand)
	if brand == "" {
		return
	}
	want := Signature(brand)
	for _, s := range l.sig {
		if string(l.runes[s.start:s.end]) == want {
			return
		}
	}
	got := string(l.runes[l.sig[0].start:l.sig[0].end])
	l.add(CodeNoSignature, l.sig[0],
		fmt.Sprintf("signature %s is not the shop's %s", got, want),
		fmt.Sprintf("签名%s与店铺签名%s不一致", got, want))
}

func (l *linter) checkOptOut() {
	if !l.opts.Marketing || hasOptOut(l.v.text) {
		return
	}
	n := len(l.runes)
	l.add(CodeNoOptOut, span{n, n},
		"marketing message without an opt-out line; end with 回TD退订 or Reply STOP to opt out",
		"营销短信缺少退订方式，请在结尾加上“回TD退订”")
}

var bracketPattern = regexp.MustCompile(`【[^【】]*】|[【】]`)

// checkBrackets flags 【】 outside the signature: carriers take the first
// 【...】 as the sender's name, so a bracket in the body can make the
// message look forged or get it rejected.
func (l *linter) checkBrackets() {
	ro := runeOffsets(l.v.text)
	for _, m := range bracketPattern.FindAllStringIndex(l.v.text, -1) {
		s := span{ro[m[0]], ro[m[1]]}
		isSig := false
		for _, g := range l.sig {
			if g == s {
				isSig = true
			}
		}
		if !isSig {
			l.add(CodeBracketInBody, s,
				"【】 belongs to the signature only; use other brackets in the body",
				"【】只用于签名，正文请改用其他括号")
		}
	}
}

func (l *linter) checkSensitive() {
	words := l.opts.SensitiveWords
	if words == nil {
		words = DefaultSensitiveWords
	}
	lower := make([]rune, len(l.runes))
	for i, r := range l.runes {
		lower[i] = unicode.ToLower(r)
	}
	for _, w := range words {
		wr := []rune(strings.ToLower(strings.TrimSpace(w)))
		if len(wr) == 0 {
			continue
		}
		for i := 0; i+len(wr) <= len(lower); i++ {
			if string(lower[i:i+len(wr)]) == string(wr) {
				l.add(CodeSensitiveWord, span{i, i + len(wr)},
					fmt.Sprintf("%q is often rejected by carrier content review", w),
					fmt.Sprintf("“%s”常被运营商内容审核拦截", w))
				i += len(wr) - 1
			}
		}
	}
}

// checkLinkFields flags template fields that hold a URL. Carriers and
// providers review the fixed text of a template, and a link hidden in a
// variable is a common reason to reject it; it also makes the length
// unknowable until send time. Keep the link domain in the fixed text (a
// personal short link may still be a field if the provider allows it).
func (l *linter) checkLinkFields() {
	var ro []int
	for _, f := range l.v.fields {
		if !contains(l.opts.LinkFields, f.Name) && !containsURL(l.opts.Samples[f.Name]) {
			continue
		}
		if ro == nil {
			ro = runeOffsets(l.v.src)
		}
		start, end := ro[f.Pos.Offset], ro[f.End]
		// Positions are already in the source: append directly.
		l.out = append(l.out, Warning{
			Code:      CodeLinkInField,
			Message:   fmt.Sprintf("field {{%s}} holds a link; carriers reject templates whose links are variables", f.Name),
			MessageZH: fmt.Sprintf("字段{{%s}}的值是链接，运营商审核常拒绝链接放在变量里", f.Name),
			Start:     start, End: end,
		})
	}
}
