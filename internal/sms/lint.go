package sms

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// Warning is one finding of the copy lint. Code is stable and safe to
// switch on; Message is English, MessageZH the same in Chinese. Start and
// End are rune (character) offsets into the text given to Lint, half-open
// [Start, End): the characters a console should underline. A warning about
// something absent is empty (Start == End) at the place it belongs: the
// start for a signature, the end for an opt-out line.
type Warning struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	MessageZH string `json:"message_zh,omitempty"`
	Start     int    `json:"start"`
	End       int    `json:"end"`
}

// Warning codes.
const (
	CodeOfferLate       = "offer_late"
	CodeVagueValue      = "vague_value"
	CodeDeadlineMissing = "deadline_missing"
	CodeTooManyPoints   = "too_many_points"
	CodeLength          = "length"
	CodeNoCTA           = "no_cta"
	CodeNoSignature     = "no_signature"
	CodeNoOptOut        = "no_optout"
	CodeBracketInBody   = "bracket_in_body"
	CodeLinkInField     = "link_in_field"
	CodeSensitiveWord   = "sensitive_word"
)

// Length band for marketing copy, in characters after composition,
// link included: the merchants' rule of thumb, which keeps Chinese copy in
// one 70-unit segment with room for a personal field to grow.
const (
	DefaultMinRunes = 65
	DefaultMaxRunes = 75
)

// DefaultSensitiveWords are words that Chinese carriers' and SMS providers'
// content review commonly rejects in marketing SMS (invoices for sale,
// loans, gambling, lotteries, fake orders). A message carrying one is often
// blocked outright, so the lint flags it before sending. Shops extend or
// replace the list through LintOptions.SensitiveWords.
var DefaultSensitiveWords = []string{
	"发票", "代开", "贷款", "网贷", "套现", "赌", "博彩", "彩票", "六合彩", "刷单",
}

// LintOptions says what kind of message is linted and what the lint knows
// about the template it may come from.
type LintOptions struct {
	// Marketing enables the checks that apply to promotions only: offer
	// placement, length, opt-out line.
	Marketing bool
	// Brand, when set, is the signature the message must carry (【Brand】).
	// Empty accepts any 【...】 at the start or end.
	Brand string
	// SensitiveWords replaces DefaultSensitiveWords when not nil; an empty,
	// non-nil list turns the check off.
	SensitiveWords []string
	// LinkFields names template fields known to hold a URL (Rendered.LinkFields
	// gives them after a render).
	LinkFields []string
	// Samples gives sample values for template fields. A sample holding a
	// URL marks its field as a link field too.
	Samples map[string]string
	// MinRunes and MaxRunes override the length band (0 keeps 65 and 75).
	MinRunes, MaxRunes int
}

// Lint checks message copy against the rules merchants quote and returns
// warnings sorted by position; nil when the copy is clean. Warnings never
// block a send: the merchant decides.
//
// text may be a finished message or a template source. For a template each
// field is read as its sample value (LintOptions.Samples), else its
// fallback, else a typical value for the well-known fields (王女士 for
// surname_title, a short link for link, ...), else the placeholder itself;
// the checks run on that reading and every position is mapped back to the
// source, a position inside a field covering the whole {{...}}.
func Lint(text string, opts LintOptions) []Warning {
	v := newView(text, opts.Samples)
	l := &linter{v: v, opts: opts, runes: []rune(v.text)}
	l.sig = findSignature(l.runes)
	l.checkOffer()
	l.checkVague()
	l.checkDeadline()
	l.checkPoints()
	l.checkLength()
	l.checkCTA()
	l.checkSignature()
	l.checkOptOut()
	l.checkBrackets()
	l.checkSensitive()
	l.checkLinkFields()
	sort.SliceStable(l.out, func(i, j int) bool {
		if l.out[i].Start != l.out[j].Start {
			return l.out[i].Start < l.out[j].Start
		}
		return l.out[i].End < l.out[j].End
	})
	return l.out
}

// linter carries one Lint call.
type linter struct {
	v     *view
	opts  LintOptions
	runes []rune
	sig   []span // signatures found at the start and/or end of the text
	out   []Warning
}

// span is a half-open rune range [start, end) in the view.
type span struct{ start, end int }

// add records a warning at a view span, mapped to the source.
func (l *linter) add(code string, at span, en, zh string) {
	s, e := l.v.mapSpan(at)
	l.out = append(l.out, Warning{Code: code, Message: en, MessageZH: zh, Start: s, End: e})
}

// view is the text the checks read, with a map from each of its runes back
// to the rune range of the source it came from.
type view struct {
	text             string
	srcStart, srcEnd []int
	srcLen           int
	fields           []FieldRef // fields of a template source, nil otherwise
	src              string
}

// typicalValues stand in for well-known fields when no sample is given, so
// that length and offer placement are judged on a realistic message.
var typicalValues = map[string]string{
	"surname_title": "王女士",
	"name":          "王芳",
	"nickname":      "小芳",
	"level":         "金卡会员",
	"points":        "1280",
	"coupon":        "HY2025",
	"link":          "https://n.example/x",
}

func newView(src string, samples map[string]string) *view {
	v := &view{src: src, srcLen: utf8.RuneCountInString(src)}
	var tpl *Template
	if strings.Contains(src, "{{") {
		// A text that does not parse as a template is linted as plain text.
		if t, err := ParseTemplate(src); err == nil {
			tpl = t
			v.fields = t.Fields()
		}
	}
	var b strings.Builder
	pos := 0 // rune offset in src
	emit := func(s string, from, to int, whole bool) {
		for i := range []rune(s) {
			if whole {
				v.srcStart = append(v.srcStart, from)
				v.srcEnd = append(v.srcEnd, to)
			} else {
				v.srcStart = append(v.srcStart, from+i)
				v.srcEnd = append(v.srcEnd, from+i+1)
			}
		}
		b.WriteString(s)
	}
	if tpl == nil {
		emit(src, 0, v.srcLen, false)
		v.text = b.String()
		return v
	}
	for _, c := range tpl.chunks {
		if c.field == nil {
			n := utf8.RuneCountInString(c.text)
			emit(c.text, pos, pos+n, false)
			pos += n
			continue
		}
		f := c.field
		n := utf8.RuneCountInString(src[f.Pos.Offset:f.End])
		emit(fieldReading(f, samples), pos, pos+n, true)
		pos += n
	}
	v.text = b.String()
	return v
}

// fieldReading picks the value a field is linted as.
func fieldReading(f *FieldRef, samples map[string]string) string {
	if s := samples[f.Name]; strings.TrimSpace(s) != "" {
		return s
	}
	if f.HasFallback {
		return f.Fallback
	}
	if s, ok := typicalValues[f.Name]; ok {
		return s
	}
	return "{{" + f.Name + "}}"
}

// mapSpan maps a view span to source rune offsets.
func (v *view) mapSpan(s span) (int, int) {
	n := len(v.srcStart)
	if s.start >= n {
		return v.srcLen, v.srcLen
	}
	if s.end <= s.start {
		return v.srcStart[s.start], v.srcStart[s.start]
	}
	return v.srcStart[s.start], v.srcEnd[s.end-1]
}

// runeOffsets converts the byte offsets of regexp matches to rune offsets.
func runeOffsets(s string) []int {
	idx := make([]int, len(s)+1)
	r := 0
	for i := range s {
		idx[i] = r
		r++
	}
	// Continuation bytes never start a match; the end maps to the count.
	idx[len(s)] = r
	return idx
}
