package compose

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"nudge/internal/customer"
	"nudge/internal/pii"
	"nudge/internal/sms"
)

// Fields are the values a template is filled with for one message, in
// order of precedence:
//
//  1. the per-message values the sender passes (order_no, amount, or a
//     coupon code or link it already has);
//  2. the coupon codes and short link compose made for this message;
//  3. the customer's own fields (BuiltinFields);
//  4. the customer's attributes (customers.attributes: nickname, level,
//     points, or anything the shop imported), top-level keys only.
//
// The customer's phone number is only ever a field masked (phone:
// 138****1234) or as its last four digits (phone_last4): a template cannot
// put the clear number into a message.
type Fields struct {
	c      *customer.Customer
	locale string
	now    time.Time
	loc    *time.Location
	values map[string]string
	// maskName shows the name as pii.MaskName does, for previews on screen.
	maskName bool
	// special holds the codes and the link made for this message.
	special map[string]string
	// attrs indexes the customer's attributes object, on first use.
	attrs attrIndex
}

// BuiltinFields are the fields every customer has, with what they hold.
var BuiltinFields = []struct{ Name, Description string }{
	{"name", "full name"},
	{"surname_title", "surname and title: 王女士, 张先生; Ms Smith in English; the full name when gender is unknown"},
	{"phone", "phone number, masked: 138****1234"},
	{"phone_last4", "the last four digits of the phone number"},
	{"city", "city"},
	{"birthday", "birthday, YYYY-MM-DD"},
	{"external_id", "the shop's customer id"},
	{"member_since", "registration date, YYYY-MM-DD in the shop's zone"},
	{"member_days", "whole days since registration (相伴365天)"},
}

// NewFields returns the fields of customer c (nil for a number that is no
// customer's) for a message in locale, with the sender's per-message
// values. now and loc (the shop's zone) date member_since and member_days.
func NewFields(c *customer.Customer, locale string, values map[string]string, now time.Time, loc *time.Location) *Fields {
	if loc == nil {
		loc = time.UTC
	}
	return &Fields{c: c, locale: locale, values: values, now: now, loc: loc}
}

// Field returns the value of a field; ok is false when there is none, and
// the template's fallback applies.
func (f *Fields) Field(name string) (string, bool) {
	if v, ok := f.given(name); ok {
		return v, true
	}
	if f.c == nil {
		return "", false
	}
	if v, ok := f.builtin(name); ok {
		return v, v != ""
	}
	raw, ok := f.attribute(name)
	if !ok {
		return "", false
	}
	if raw[0] == '"' {
		if v, plain := plainString(raw); plain {
			return string(v), len(v) > 0
		}
		return decodeString(raw)
	}
	return string(raw), true
}

// AppendField appends the value Field returns to dst without making it a
// string first (sms.FieldAppender): a campaign's renderer writes the
// surname and title, dates and attributes straight into the message.
func (f *Fields) AppendField(dst []byte, name string) ([]byte, bool) {
	if v, ok := f.given(name); ok {
		return append(dst, v...), true
	}
	if f.c == nil {
		return dst, false
	}
	if out, known := f.appendBuiltin(dst, name); known {
		return out, len(out) > len(dst)
	}
	raw, ok := f.attribute(name)
	if !ok {
		return dst, false
	}
	if raw[0] == '"' {
		if v, plain := plainString(raw); plain {
			return append(dst, v...), len(v) > 0
		}
		v, ok := decodeString(raw)
		return append(dst, v...), ok
	}
	return append(dst, raw...), true
}

// given returns a value the sender passed or compose made for this
// message (a coupon code, the short link).
func (f *Fields) given(name string) (string, bool) {
	if v, ok := f.values[name]; ok {
		return v, true
	}
	v, ok := f.special[name]
	return v, ok
}

// builtin returns a customer field; known is false for a name that is not
// one, so that an attribute of that name may answer.
func (f *Fields) builtin(name string) (v string, known bool) {
	c := f.c
	switch name {
	case "name":
		if f.maskName {
			return pii.MaskName(c.Name), true
		}
		return c.Name, true
	case "surname_title":
		return sms.SurnameTitle(c.Name, c.Gender, f.locale), true
	case "phone":
		if c.Phone == "" {
			return "", true
		}
		return pii.MaskPhone(c.Phone), true
	case "phone_last4":
		return lastDigits(c.Phone, 4), true
	case "city":
		return c.City, true
	case "birthday":
		return c.Birthday, true
	case "external_id":
		return c.ExternalID, true
	case "member_since", "member_days":
		var buf [24]byte
		return string(f.appendDate(buf[:0], name)), true
	}
	return "", false
}

// appendBuiltin appends a customer field to dst; known is false for a name
// that is not one. The computed fields are appended without a string of
// their own; the others are strings already.
func (f *Fields) appendBuiltin(dst []byte, name string) (out []byte, known bool) {
	switch name {
	case "surname_title":
		return sms.AppendSurnameTitle(dst, f.c.Name, f.c.Gender, f.locale), true
	case "member_since", "member_days":
		return f.appendDate(dst, name), true
	}
	v, known := f.builtin(name)
	return append(dst, v...), known
}

// appendDate appends member_since (the registration date in the shop's
// zone) or member_days (whole days since), nothing when there is no
// registration date or it lies ahead.
func (f *Fields) appendDate(dst []byte, name string) []byte {
	reg := f.c.RegisteredAt
	if reg.IsZero() {
		return dst
	}
	if name == "member_since" {
		return reg.In(f.loc).AppendFormat(dst, "2006-01-02")
	}
	if f.now.Before(reg) {
		return dst
	}
	return strconv.AppendInt(dst, int64(f.now.Sub(reg)/(24*time.Hour)), 10)
}

// attribute returns a top-level attribute's JSON value when it has a text
// form for a message: a string, a number or true/false. A string is
// returned with its quotes. null, objects and arrays count as missing.
func (f *Fields) attribute(name string) ([]byte, bool) {
	if len(f.c.Attributes) <= 2 {
		return nil, false // "", "{}": nothing to look up
	}
	raw, ok := f.attrs.lookup(f.c.Attributes, name)
	if !ok || len(raw) == 0 {
		return nil, false
	}
	switch raw[0] {
	case '{', '[', 'n':
		return nil, false
	}
	return raw, true
}

// plainString returns the text of a JSON string that needs no decoding (no
// escape, valid UTF-8), and false when it needs json.Unmarshal.
func plainString(raw []byte) ([]byte, bool) {
	v := raw[1 : len(raw)-1]
	if bytes.IndexByte(v, '\\') >= 0 || !utf8.Valid(v) {
		return nil, false
	}
	return v, true
}

// decodeString decodes a JSON string with escapes; an empty one counts as
// missing.
func decodeString(raw []byte) (string, bool) {
	var v string
	if json.Unmarshal(raw, &v) != nil {
		return "", false
	}
	return v, v != ""
}

// lastDigits returns the last n digits of s ("" when it has fewer).
func lastDigits(s string, n int) string {
	out := make([]byte, 0, n)
	for i := len(s) - 1; i >= 0 && len(out) < n; i-- {
		if s[i] >= '0' && s[i] <= '9' {
			out = append(out, s[i])
		}
	}
	if len(out) < n {
		return ""
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}
