package inbound

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// DefaultOptOutWords are the replies that opt a sender out, as Chinese
// carriers and international practice expect them.
var DefaultOptOutWords = []string{"TD", "T", "N", "R", "退订", "拒收", "取消", "STOP", "STOPALL", "UNSUBSCRIBE",
	"QUIT", "CANCEL", "END", "REVOKE", "OPTOUT", "opt out"}

// DefaultStartWords restore messages after an opt-out.
var DefaultStartWords = []string{"START", "UNSTOP", "订阅", "恢复"}

// Normalize folds a reply for keyword matching: NFKC (full-width ＴＤ
// becomes TD, ideographic space becomes a space), upper case, and every
// space, punctuation mark and symbol removed, so that "td", " T.D. ",
// "退订。" and "Opt-Out!" match TD, 退订 and OPTOUT.
func Normalize(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsControl(r) {
			continue
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// Keywords is a set of normalised keywords.
type Keywords map[string]bool

// NewKeywords normalises words into a set; words that normalise to nothing
// are dropped.
func NewKeywords(words []string) Keywords {
	k := Keywords{}
	for _, w := range words {
		if n := Normalize(w); n != "" {
			k[n] = true
		}
	}
	return k
}

// Match reports whether the whole reply is one of the keywords. Only a
// whole reply counts: "取消订单" (cancel my order) is not "取消", and "N"
// inside a sentence is not a refusal.
func (k Keywords) Match(text string) bool {
	n := Normalize(text)
	return n != "" && k[n]
}
