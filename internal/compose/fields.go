package compose

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

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
	// attrs is the parsed attributes object, read on first use.
	attrs       map[string]json.RawMessage
	attrsParsed bool
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
	if v, ok := f.values[name]; ok {
		return v, true
	}
	if v, ok := f.special[name]; ok {
		return v, true
	}
	if f.c == nil {
		return "", false
	}
	if v, ok := f.builtin(name); ok {
		return v, v != ""
	}
	return f.attribute(name)
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
	case "member_since":
		if c.RegisteredAt.IsZero() {
			return "", true
		}
		return c.RegisteredAt.In(f.loc).Format("2006-01-02"), true
	case "member_days":
		if c.RegisteredAt.IsZero() || f.now.Before(c.RegisteredAt) {
			return "", true
		}
		return strconv.Itoa(int(f.now.Sub(c.RegisteredAt) / (24 * time.Hour))), true
	}
	return "", false
}

// attribute returns a top-level attribute as text: a string as it is, a
// number as written in the JSON (1200, not 1.2e+03), true or false. null,
// objects and arrays have no text form for a message and count as missing.
func (f *Fields) attribute(name string) (string, bool) {
	if !f.attrsParsed {
		f.attrsParsed = true
		if len(f.c.Attributes) > 2 {
			_ = json.Unmarshal(f.c.Attributes, &f.attrs) // checked on import
		}
	}
	raw, ok := f.attrs[name]
	if !ok {
		return "", false
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return s, s != ""
	case '{', '[', 'n':
		return "", false
	}
	return string(raw), true
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
