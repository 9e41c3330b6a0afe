package sms

import (
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
	return NewComposer(opts).Compose(body)
}

// Composer is ComposeOptions worked out once (the signature, the opt-out
// line) to dress many bodies: a campaign composes a million messages with
// the same options. Its zero value adds nothing and only trims.
type Composer struct {
	sig       string // 【Brand】, "" for no signature
	suffix    bool
	marketing bool
	line      string // the opt-out line, when marketing
}

// NewComposer prepares opts for Compose and Append.
func NewComposer(opts ComposeOptions) Composer {
	c := Composer{suffix: opts.Suffix, marketing: opts.Marketing}
	if brand := strings.TrimSpace(opts.Brand); brand != "" {
		c.sig = Signature(brand)
	}
	if opts.Marketing {
		c.line = opts.OptOut
		if c.line == "" {
			c.line = OptOutZH
			if isEnglish(opts.Locale) {
				c.line = OptOutEN
			}
		}
	}
	return c
}

// Compose returns body dressed as the package-level Compose does.
func (c Composer) Compose(body string) string {
	d := dress(&c, body)
	text := body[d.lo:d.hi]
	if c.sig == "" && !d.optOut {
		return text
	}
	var b strings.Builder
	b.Grow(d.size(&c))
	if c.sig != "" && !d.suffix {
		b.WriteString(c.sig)
	}
	b.WriteString(text)
	if d.optOut {
		if d.space {
			b.WriteByte(' ')
		}
		b.WriteString(c.line)
	}
	if c.sig != "" && d.suffix {
		b.WriteString(c.sig)
	}
	return b.String()
}

// Append appends body, dressed as Compose does, to dst and returns the
// extended buffer. It allocates nothing when dst has room, so a send loop
// can render into one buffer and compose into another, reusing both.
func (c Composer) Append(dst, body []byte) []byte {
	d := dress(&c, body)
	if c.sig != "" && !d.suffix {
		dst = append(dst, c.sig...)
	}
	dst = append(dst, body[d.lo:d.hi]...)
	if d.optOut {
		if d.space {
			dst = append(dst, ' ')
		}
		dst = append(dst, c.line...)
	}
	if c.sig != "" && d.suffix {
		dst = append(dst, c.sig...)
	}
	return dst
}

// dressing is how a body is dressed: its text body[lo:hi] (trimmed, and
// without a signature it carried), which side the signature goes on, and
// whether the opt-out line follows, after a space or not.
type dressing struct {
	lo, hi int
	suffix bool
	optOut bool
	space  bool
}

// size is the length of the dressed message in bytes.
func (d dressing) size(c *Composer) int {
	n := d.hi - d.lo + len(c.sig)
	if d.optOut {
		n += len(c.line)
		if d.space {
			n++
		}
	}
	return n
}

// text is the bytes of a body: a string, or the []byte a send loop
// renders into. Compose and Append share one reading of the body through
// it, so the two cannot drift apart.
type text interface{ ~string | ~[]byte }

// dress works out how c dresses body. A signature already in the body
// stays on its side; it is taken off while the opt-out line goes in and
// put back afterwards.
func dress[T text](c *Composer, body T) dressing {
	lo, hi := trimSpace(body, 0, len(body))
	d := dressing{suffix: c.suffix}
	if sig := c.sig; sig != "" {
		switch {
		case hasAt(body[lo:hi], 0, sig):
			lo, hi = trimSpace(body, lo+len(sig), hi)
			d.suffix = false
		case hi-lo >= len(sig) && hasAt(body[lo:hi], hi-lo-len(sig), sig):
			lo, hi = trimSpace(body, lo, hi-len(sig))
			d.suffix = true
		}
	}
	d.lo, d.hi = lo, hi
	if c.marketing && !hasOptOut(body[lo:hi]) {
		d.optOut = true
		d.space = needsSpace(body[lo:hi])
	}
	return d
}

// needsSpace reports whether the opt-out line needs a space after text:
// when text ends in a letter, a digit or any ASCII character (a link), a
// reader, or a link detector, would run them together. After punctuation
// or a space none is needed, nor at the start of an empty text.
func needsSpace[T text](text T) bool {
	if len(text) == 0 {
		return false
	}
	last, _ := lastRune(text, 0, len(text))
	return !(unicode.IsSpace(last) || (last >= utf8.RuneSelf && !unicode.IsLetter(last) && !unicode.IsDigit(last)))
}

// trimSpace narrows s[lo:hi] to leave out leading and trailing white
// space, as strings.TrimSpace does.
func trimSpace[T text](s T, lo, hi int) (int, int) {
	for lo < hi {
		r, n := firstRune(s, lo, hi)
		if !unicode.IsSpace(r) {
			break
		}
		lo += n
	}
	for lo < hi {
		r, n := lastRune(s, lo, hi)
		if !unicode.IsSpace(r) {
			break
		}
		hi -= n
	}
	return lo, hi
}

// firstRune decodes the rune at s[lo:hi]. The window it converts is at most
// utf8.UTFMax bytes, which Go converts without allocating.
func firstRune[T text](s T, lo, hi int) (rune, int) {
	if c := s[lo]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(string(s[lo:min(hi, lo+utf8.UTFMax)]))
}

// lastRune decodes the rune that ends s[lo:hi].
func lastRune[T text](s T, lo, hi int) (rune, int) {
	if c := s[hi-1]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeLastRuneInString(string(s[max(lo, hi-utf8.UTFMax):hi]))
}

// hasAt reports whether s holds lit at byte offset i.
func hasAt[T text](s T, i int, lit string) bool {
	if i < 0 || len(s)-i < len(lit) {
		return false
	}
	for k := 0; k < len(lit); k++ {
		if s[i+k] != lit[k] {
			return false
		}
	}
	return true
}

// hasOptOut reports whether text already tells the reader how to opt out:
// 退订, 拒收, STOP (upper case only: "stop by our shop" is not an opt-out
// line), or in any case unsubscribe, opt out, opt-out and optout.
//
// It reads the bytes once instead of running a regular expression, which
// cost half of a campaign's render. It matches what
// `退订|拒收|STOP|(?i:unsubscribe|opt[ -]?out)` matches, including the
// Unicode case folding that pattern does (ſ, the long s, folds to s); the
// tests hold it to that expression.
func hasOptOut[T text](text T) bool {
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case 0xE9: // 退 is E9 80 80
			if hasAt(text, i, "退订") {
				return true
			}
		case 0xE6: // 拒 is E6 8B 92
			if hasAt(text, i, "拒收") {
				return true
			}
		case 'S':
			if hasAt(text, i, "STOP") {
				return true
			}
		case 'u', 'U':
			if _, ok := foldAt(text, i, "unsubscribe"); ok {
				return true
			}
		case 'o', 'O':
			if j, ok := foldAt(text, i, "opt"); ok {
				if j < len(text) && (text[j] == ' ' || text[j] == '-') {
					j++
				}
				if _, ok := foldAt(text, j, "out"); ok {
					return true
				}
			}
		}
	}
	return false
}

// foldAt matches the lower-case ASCII word lit at s[i:] in any case, with
// the long s (ſ, U+017F) standing for s as Unicode case folding has it. It
// returns the offset just past the match.
func foldAt[T text](s T, i int, lit string) (int, bool) {
	for k := 0; k < len(lit); k++ {
		if i >= len(s) {
			return i, false
		}
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		switch {
		case c == lit[k]:
			i++
		case lit[k] == 's' && hasAt(s, i, "ſ"):
			i += len("ſ")
		default:
			return i, false
		}
	}
	return i, true
}
