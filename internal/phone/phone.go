// Package phone turns what people type as a phone number into E.164 and
// tells which Chinese carrier a mobile number belongs to.
package phone

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Number is a normalised mobile number.
type Number struct {
	E164    string  // +8613812341234
	Region  string  // ISO 3166 region, "CN"
	Carrier Carrier // for Chinese mobiles; "" elsewhere
}

// ErrNotMobile means the number is valid but cannot receive SMS (a fixed line).
var ErrNotMobile = errors.New("not a mobile number")

// Error says why a number was refused, in words a merchant understands.
type Error struct {
	Input  string
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("bad phone %q: %s", e.Input, e.Reason) }

// Normalize parses raw in the context of defaultRegion (such as "CN") and
// returns the E.164 form. Chinese mobile numbers, by far the common case,
// take a fast path checked against the carrier prefix table; everything else
// goes through libphonenumber's metadata.
func Normalize(raw, defaultRegion string) (Number, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return Number{}, &Error{Input: raw, Reason: "empty"}
	}
	if n, ok := fastCN(s, defaultRegion); ok {
		return n, nil
	}
	pn, err := phonenumbers.Parse(s, defaultRegion)
	if err != nil {
		return Number{}, &Error{Input: raw, Reason: "not a phone number"}
	}
	if !phonenumbers.IsValidNumber(pn) {
		return Number{}, &Error{Input: raw, Reason: "no such number (wrong length or prefix)"}
	}
	region := phonenumbers.GetRegionCodeForNumber(pn)
	switch phonenumbers.GetNumberType(pn) {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
	default:
		return Number{}, &Error{Input: raw, Reason: ErrNotMobile.Error()}
	}
	n := Number{E164: phonenumbers.Format(pn, phonenumbers.E164), Region: region}
	if region == "CN" {
		n.Carrier = CarrierOf(n.E164)
	}
	return n, nil
}

// fastCN recognises an eleven-digit Chinese mobile number, optionally with
// +86, 0086 or 86 in front and spaces or dashes inside.
func fastCN(s, region string) (Number, bool) {
	var d [16]byte
	n := 0
	plus := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if n == len(d) {
				return Number{}, false
			}
			d[n] = c
			n++
		case c == ' ' || c == '-':
		case c == '+' && i == 0:
			plus = true
		default:
			return Number{}, false
		}
	}
	digits := d[:n]
	switch {
	case n == 13 && digits[0] == '8' && digits[1] == '6':
		digits = digits[2:]
	case n == 15 && string(digits[:4]) == "0086":
		digits = digits[4:]
	case n == 11 && !plus && region == "CN":
	default:
		return Number{}, false
	}
	if len(digits) != 11 || digits[0] != '1' {
		return Number{}, false
	}
	e := "+86" + string(digits)
	c := CarrierOf(e)
	if c == "" {
		return Number{}, false // let libphonenumber decide and explain
	}
	return Number{E164: e, Region: "CN", Carrier: c}, true
}
