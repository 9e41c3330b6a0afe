package ingest

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"nudge/internal/customer"
)

// The parse functions in this file turn a record, already laid out in a
// kind's canonical column order, into a customer, an order line or a
// product. They only read and convert fields; the store's Normalize does
// the domain checks (phone, gender, consent, ...). The CSV and JSONL readers
// and the exported Parse*Record functions share them, so a flat record
// means the same thing however it arrives.

// extra is an unknown customer column: its header as written and its value.
type extra struct{ name, value string }

func fieldErr(field, reason string) error {
	return &customer.FieldError{Field: field, Reason: reason}
}

// Reason renders a row's error as the rejects file shows it: a sentence a
// merchant understands, naming the field when the reason does not already.
func Reason(err error) string {
	var fe *customer.FieldError
	if !errors.As(err, &fe) {
		return err.Error()
	}
	if strings.Contains(fe.Reason, fe.Field) || fe.Field == "timezone" || fe.Field == "safety_stock" {
		return fe.Reason
	}
	return fe.Field + " " + fe.Reason
}

// customerFrom fills c from canonical values v. Attributes are appended to
// attrs, which the caller reuses across rows; c.Attributes points into it.
// float holds the two coordinates so that they need no allocation.
func customerFrom(v []string, extras []extra, loc *time.Location, c *customer.Customer, attrs []byte, float *[2]float64) ([]byte, error) {
	*c = customer.Customer{
		ExternalID: strings.TrimSpace(v[cID]), Phone: v[cPhone], Name: v[cName], Gender: v[cGender],
		City: strings.TrimSpace(v[cCity]), Timezone: strings.TrimSpace(v[cTimezone]),
		Consent: v[cConsent], ConsentSource: strings.TrimSpace(v[cConsentSource]),
	}
	if strings.TrimSpace(c.Phone) == "" {
		return attrs, fieldErr("phone", "missing phone number")
	}
	if b := strings.TrimSpace(v[cBirthday]); b != "" {
		t, err := parseTime(b, time.UTC)
		if err != nil {
			return attrs, fieldErr("birthday", "bad date in birthday: "+err.Error())
		}
		c.Birthday = t.Format("2006-01-02")
	}
	lat, lon := strings.TrimSpace(v[cLat]), strings.TrimSpace(v[cLon])
	if lat != "" || lon != "" {
		var err error
		if float[0], err = strconv.ParseFloat(lat, 64); err != nil {
			return attrs, fieldErr("lat", "bad latitude "+strconv.Quote(lat))
		}
		if float[1], err = strconv.ParseFloat(lon, 64); err != nil {
			return attrs, fieldErr("lon", "bad longitude "+strconv.Quote(lon))
		}
		c.Lat, c.Lon = &float[0], &float[1]
	}
	var err error
	if c.RegisteredAt, err = optionalTime(v[cRegisteredAt], "registered_at", loc); err != nil {
		return attrs, err
	}
	if c.ConsentAt, err = optionalTime(v[cConsentAt], "consent_at", loc); err != nil {
		return attrs, err
	}
	c.Tags = splitTags(v[cTags])
	if len(extras) > 0 {
		start := len(attrs)
		attrs = append(attrs, '{')
		n := 0
		for _, e := range extras {
			val := strings.TrimSpace(e.value)
			if val == "" {
				continue // an empty cell says nothing; it must not create a key
			}
			if n > 0 {
				attrs = append(attrs, ',')
			}
			attrs = appendJSONString(attrs, e.name)
			attrs = append(attrs, ':')
			attrs = appendJSONString(attrs, val)
			n++
		}
		attrs = append(attrs, '}')
		if n > 0 {
			c.Attributes = attrs[start:len(attrs):len(attrs)]
		} else {
			attrs = attrs[:start]
		}
	}
	return attrs, nil
}

func optionalTime(s, field string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := parseTime(s, loc)
	if err != nil {
		return t, fieldErr(field, "bad date in "+field+": "+err.Error())
	}
	return t, nil
}

// splitTags splits a tags cell. Besides ";" it accepts the separators people
// type in a spreadsheet cell: the full-width "；", commas (ASCII and
// full-width, which in CSV need the cell quoted), "|" and the enumeration
// comma "、". A tag therefore cannot contain any of them.
func splitTags(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case ';', '；', ',', '，', '|', '、':
			return true
		}
		return false
	})
}

// lineFrom fills an order with one line from canonical values v.
func lineFrom(v []string, loc *time.Location, o *customer.Order, l *customer.Line) error {
	*o = customer.Order{OrderID: v[oOrderID], CustomerID: v[oCustomerID], Status: v[oStatus], Currency: v[oCurrency]}
	*l = customer.Line{SKU: v[oSKU], Category: v[oCategory], Quantity: 1}
	switch {
	case strings.TrimSpace(o.OrderID) == "":
		return fieldErr("order_id", "missing order_id")
	case strings.TrimSpace(o.CustomerID) == "":
		return fieldErr("customer_id", "missing customer_id")
	case strings.TrimSpace(l.SKU) == "":
		return fieldErr("sku", "missing sku")
	}
	at := strings.TrimSpace(v[oOrderedAt])
	if at == "" {
		return fieldErr("ordered_at", "missing ordered_at")
	}
	var err error
	if o.OrderedAt, err = parseTime(at, loc); err != nil {
		return fieldErr("ordered_at", "bad date in ordered_at: "+err.Error())
	}
	if q := strings.TrimSpace(v[oQuantity]); q != "" {
		if l.Quantity, err = parseCount(q); err != nil {
			return fieldErr("quantity", "bad number in quantity: "+strconv.Quote(q))
		}
		if l.Quantity < 1 {
			return fieldErr("quantity", "quantity must be at least 1, got "+strconv.FormatInt(l.Quantity, 10))
		}
	}
	a := strings.TrimSpace(v[oAmount])
	if a == "" {
		return fieldErr("amount", "missing amount")
	}
	if l.Amount, err = customer.ParseMoney(a); err != nil {
		return fieldErr("amount", "bad amount: "+err.Error())
	}
	if l.Amount < 0 {
		return fieldErr("amount", "negative amount "+customer.FormatMoney(l.Amount))
	}
	return nil
}

// productFrom fills p from canonical values v. Empty price and stock cells
// read as zero.
func productFrom(v []string, p *customer.Product) error {
	*p = customer.Product{SKU: v[pSKU], Name: v[pName], Category: v[pCategory]}
	if strings.TrimSpace(p.SKU) == "" {
		return fieldErr("sku", "missing sku")
	}
	var err error
	if s := strings.TrimSpace(v[pPrice]); s != "" {
		if p.Price, err = customer.ParseMoney(s); err != nil {
			return fieldErr("price", "bad price: "+err.Error())
		}
	}
	for _, f := range [...]struct {
		col  int
		name string
		dst  *int64
	}{{pStock, "stock", &p.Stock}, {pSafetyStock, "safety_stock", &p.SafetyStock}} {
		if s := strings.TrimSpace(v[f.col]); s != "" {
			if *f.dst, err = parseCount(s); err != nil {
				return fieldErr(f.name, "bad number in "+f.name+": "+strconv.Quote(s))
			}
		}
	}
	return p.Normalize()
}

// parseCount reads a whole number, allowing the "3.0" and "1,200" that
// spreadsheets write for whole numbers.
func parseCount(s string) (int64, error) {
	if i := strings.IndexByte(s, '.'); i >= 0 && strings.Trim(s[i+1:], "0") == "" {
		s = s[:i]
	}
	if strings.IndexByte(s, ',') >= 0 {
		s = strings.ReplaceAll(s, ",", "")
	}
	return strconv.ParseInt(s, 10, 64)
}

// validText refuses what a database cannot store as text: invalid UTF-8 (a
// GBK file that was read as UTF-8) and NUL characters.
func validText(fields []string) error {
	for _, f := range fields {
		if strings.IndexByte(f, 0) >= 0 {
			return errors.New("contains a NUL character")
		}
		if !utf8.ValidString(f) {
			return errors.New("not valid UTF-8 text (save the file as UTF-8 or GBK)")
		}
	}
	return nil
}

// appendJSONString appends s as a JSON string. Input is valid UTF-8 here
// (validText ran first), so only quotes, backslashes and control characters
// need escaping.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
