package web

import (
	"bytes"
	"encoding/json"
	"sort"
	"time"

	"nudge/internal/customer"
	"nudge/internal/pii"
)

// The console builds view structs from domain values before rendering, so
// that a template never holds a phone number or name in the clear: it can
// only print what these functions put in, and they put in masked forms.

// customerRow is one line of the customers table.
type customerRow struct {
	ID           int64
	ExternalID   string
	Name         string // masked
	Phone        string // masked
	Carrier      string
	City         string
	Consent      string
	ConsentState string // opted_in, opted_out or unknown, for styling
	Tags         []string
}

func (c *Console) customerRow(locale string, cu customer.Customer) customerRow {
	return customerRow{
		ID:           cu.ID,
		ExternalID:   cu.ExternalID,
		Name:         pii.MaskName(cu.Name),
		Phone:        pii.MaskPhone(cu.Phone),
		Carrier:      c.carrierLabel(locale, cu.Carrier),
		City:         cu.City,
		Consent:      c.cat.text(locale, consentKey(cu.Consent)),
		ConsentState: consentState(cu.Consent),
		Tags:         cu.Tags,
	}
}

// carrierLabel names a Chinese carrier in locale; numbers abroad have none.
func (c *Console) carrierLabel(locale, carrier string) string {
	if carrier == "" {
		return c.cat.text(locale, "common.none")
	}
	if key := "carrier." + carrier; c.cat.has(key) {
		return c.cat.text(locale, key)
	}
	return c.cat.text(locale, "carrier.unknown")
}

func consentState(s string) string {
	switch s {
	case customer.ConsentOptedIn, customer.ConsentOptedOut:
		return s
	}
	return customer.ConsentUnknown
}

func consentKey(s string) string { return "consent." + consentState(s) }

func genderKey(g string) string {
	switch g {
	case "f", "m":
		return "gender." + g
	}
	return "gender.unknown"
}

// money writes fen with the currency's sign: ¥299.00 for yuan, the code
// before the amount for anything else.
func money(fen int64, currency string) string {
	if currency == "" || currency == "CNY" {
		return "¥" + customer.FormatMoney(fen)
	}
	return currency + " " + customer.FormatMoney(fen)
}

// when writes a time in the shop's zone to the minute; the zero time is "".
func when(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2006-01-02 15:04")
}

// attribute is one free attribute of a customer.
type attribute struct {
	Key, Value string
}

// attributeList flattens a customer's attributes object one level deep,
// sorted by key; nested values are shown as compact JSON.
func attributeList(raw json.RawMessage) []attribute {
	if len(raw) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil
	}
	out := make([]attribute, 0, len(m))
	for k, v := range m {
		var s string
		switch v := v.(type) {
		case string:
			s = v
		case json.Number:
			s = v.String()
		case nil:
			s = ""
		default:
			b, _ := json.Marshal(v)
			s = string(b)
		}
		out = append(out, attribute{Key: k, Value: s})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
