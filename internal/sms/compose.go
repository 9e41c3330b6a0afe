package sms

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Default opt-out lines. Chinese carriers expect 回TD退订 on marketing
// messages; English copy uses the STOP keyword that the inbound handler
// also understands.
const (
	OptOutZH = "回TD退订"
	OptOutEN = "Reply STOP to opt out"
)

// ComposeOptions says how Compose dresses a message body.
type ComposeOptions struct {
	// Brand is the shop's signature name, written 【Brand】. Empty adds no
	// signature. Chinese carriers require the 【】 form for every locale;
	// note that it makes any message UCS-2.
	Brand string
	// Suffix puts the signature at the end instead of the front.
	Suffix bool
	// Marketing adds the opt-out line.
	Marketing bool
	// OptOut replaces the locale's default opt-out line.
	OptOut string
	// Locale picks the default opt-out line: "en..." gives OptOutEN, any
	// other value OptOutZH.
	Locale string
}

// Signature returns the 【Brand】 form of a brand name.
func Signature(brand string) string { return "【" + brand + "】" }

// Compose adds the sender signature and, for marketing, the opt-out line.
// Neither is ever doubled: a body that already starts or ends with the same
// signature keeps it where it is, and a body that already carries an
// opt-out instruction (退订, 拒收, STOP, unsubscribe, opt out) gets no
// second one. With a suffix signature the opt-out comes before it, so
// the message ends with the brand. A space separates the opt-out from a
// preceding word or link (a handset would otherwise read 回TD退订 as part
// of the URL); after punctuation such as ！ or 。 none is added.
func Compose(body string, opts ComposeOptions) string {
	text := strings.TrimSpace(body)
	sig, suffix := "", opts.Suffix
	if brand := strings.TrimSpace(opts.Brand); brand != "" {
		sig = Signature(brand)
		// A signature already in the body stays on its side; it is taken
		// off while the opt-out line goes in and put back afterwards.
		switch {
		case strings.HasPrefix(text, sig):
			text, suffix = strings.TrimSpace(strings.TrimPrefix(text, sig)), false
		case strings.HasSuffix(text, sig):
			text, suffix = strings.TrimSpace(strings.TrimSuffix(text, sig)), true
		}
	}
	if opts.Marketing && !hasOptOut(text) {
		line := opts.OptOut
		if line == "" {
			line = OptOutZH
			if isEnglish(opts.Locale) {
				line = OptOutEN
			}
		}
		text = joinLine(text, line)
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

// joinLine appends line to text, with a space when text ends in a letter,
// a digit or any ASCII character (a link): a reader, or a link detector,
// would run them together. After punctuation or a space none is needed.
func joinLine(text, line string) string {
	if text == "" {
		return line
	}
	last, _ := utf8.DecodeLastRuneInString(text)
	if unicode.IsSpace(last) || (last >= utf8.RuneSelf && !unicode.IsLetter(last) && !unicode.IsDigit(last)) {
		return text + line
	}
	return text + " " + line
}

// optOutPattern recognises an opt-out instruction in Chinese or English.
// STOP must be upper case: "stop by our shop" is not an opt-out line.
var optOutPattern = regexp.MustCompile(`退订|拒收|STOP|(?i:unsubscribe|opt[ -]?out)`)

// hasOptOut reports whether text already tells the reader how to opt out.
func hasOptOut(text string) bool { return optOutPattern.MatchString(text) }
