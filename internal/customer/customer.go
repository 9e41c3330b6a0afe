// Package customer owns a shop's members, their orders and the products they
// buy: the model, validation, and the SQL that reads and writes them with
// personal data sealed.
package customer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"nudge/internal/phone"
)

// Consent states for marketing messages.
const (
	ConsentOptedIn  = "opted_in"
	ConsentOptedOut = "opted_out"
	ConsentUnknown  = "unknown"
)

// Customer is a member of the shop, with personal data in the clear: it only
// exists like this in memory.
type Customer struct {
	ID            int64           `json:"id,omitempty"`
	ExternalID    string          `json:"external_id"`
	Phone         string          `json:"phone"` // E.164 once validated
	Region        string          `json:"region,omitempty"`
	Carrier       string          `json:"carrier,omitempty"`
	Name          string          `json:"name,omitempty"`
	Gender        string          `json:"gender,omitempty"`   // "f", "m" or ""
	Birthday      string          `json:"birthday,omitempty"` // YYYY-MM-DD
	City          string          `json:"city,omitempty"`
	Lat           *float64        `json:"lat,omitempty"`
	Lon           *float64        `json:"lon,omitempty"`
	RegisteredAt  time.Time       `json:"registered_at,omitzero"`
	Timezone      string          `json:"timezone,omitempty"`
	Tags          []string        `json:"tags,omitempty"`
	Attributes    json.RawMessage `json:"attributes,omitempty"`
	Consent       string          `json:"consent,omitempty"`
	ConsentAt     time.Time       `json:"consent_at,omitzero"`
	ConsentSource string          `json:"consent_source,omitempty"`
	CreatedAt     time.Time       `json:"created_at,omitzero"`
	UpdatedAt     time.Time       `json:"updated_at,omitzero"`
}

// FieldError says which field of a record is wrong and why, in words a
// merchant understands.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Normalize checks a customer and brings its fields to canonical form: the
// phone to E.164 with its carrier, gender to f/m, tags trimmed, consent to
// one of the three states. defaultRegion applies to numbers written without
// a country code.
func (c *Customer) Normalize(defaultRegion string) error {
	c.ExternalID = strings.TrimSpace(c.ExternalID)
	n, err := phone.Normalize(c.Phone, defaultRegion)
	if err != nil {
		var reason string
		if pe, ok := err.(*phone.Error); ok {
			reason = pe.Reason
		} else {
			reason = err.Error()
		}
		return fieldErr("phone", "bad phone number (%s)", reason)
	}
	c.Phone, c.Region, c.Carrier = n.E164, n.Region, string(n.Carrier)
	c.Name = strings.TrimSpace(c.Name)
	g, err := ParseGender(c.Gender)
	if err != nil {
		return err
	}
	c.Gender = g
	if c.Birthday != "" {
		t, err := time.Parse("2006-01-02", c.Birthday)
		if err != nil {
			return fieldErr("birthday", "%q is not a date (YYYY-MM-DD)", c.Birthday)
		}
		c.Birthday = t.Format("2006-01-02")
	}
	if (c.Lat == nil) != (c.Lon == nil) {
		return fieldErr("lat", "latitude and longitude must be given together")
	}
	if c.Lat != nil && (*c.Lat < -90 || *c.Lat > 90) {
		return fieldErr("lat", "latitude %v is outside -90..90", *c.Lat)
	}
	if c.Lon != nil && (*c.Lon < -180 || *c.Lon > 180) {
		return fieldErr("lon", "longitude %v is outside -180..180", *c.Lon)
	}
	if c.Timezone != "" {
		if _, err := LoadLocation(c.Timezone); err != nil {
			return fieldErr("timezone", "unknown time zone %q", c.Timezone)
		}
	}
	c.Tags = cleanTags(c.Tags)
	switch strings.ToLower(strings.TrimSpace(c.Consent)) {
	case "", ConsentUnknown:
		c.Consent = ConsentUnknown
	case ConsentOptedIn, "opt_in", "optin", "yes", "y", "true", "1", "同意", "是":
		c.Consent = ConsentOptedIn
	case ConsentOptedOut, "opt_out", "optout", "no", "n", "false", "0", "退订", "拒绝", "否":
		c.Consent = ConsentOptedOut
	default:
		return fieldErr("consent", "%q is not opted_in, opted_out or unknown", c.Consent)
	}
	if len(c.Attributes) == 0 || string(c.Attributes) == "null" {
		c.Attributes = json.RawMessage("{}")
	} else if !isJSONObject(c.Attributes) {
		return fieldErr("attributes", "not a JSON object")
	}
	return nil
}

// isJSONObject checks without decoding (an import checks every row).
func isJSONObject(b []byte) bool {
	t := bytes.TrimLeft(b, " \t\r\n")
	return len(t) > 0 && t[0] == '{' && json.Valid(b)
}

// ParseGender accepts the ways shops write gender and returns "f", "m" or "".
func ParseGender(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return "", nil
	case "f", "female", "woman", "w", "女", "女士", "2":
		return "f", nil
	case "m", "male", "man", "男", "男士", "先生", "1":
		return "m", nil
	case "u", "unknown", "未知", "0", "保密":
		return "", nil
	}
	return "", fieldErr("gender", "%q is not a gender (f/m, 女/男)", s)
}

func cleanTags(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range in {
		t = strings.TrimSpace(t)
		t = strings.ReplaceAll(t, ";", "")
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// encodeTags stores tags as ";a;b;" so that "has tag x" is the same LIKE
// '%;x;%' in both dialects and needs no join.
func encodeTags(tags []string) string {
	if len(tags) == 0 {
		return ""
	}
	return ";" + strings.Join(tags, ";") + ";"
}

func decodeTags(s string) []string {
	s = strings.Trim(s, ";")
	if s == "" {
		return nil
	}
	return strings.Split(s, ";")
}
