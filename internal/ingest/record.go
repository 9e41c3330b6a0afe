package ingest

import (
	"slices"
	"time"

	"nudge/internal/customer"
)

// A flat record is a map from header to value, as an API client or a form
// sends it. Headers may be canonical names or any alias the importer takes
// (手机号, 下单时间, ...). The functions below apply exactly the rules of a
// file import, so the API and the importer cannot drift apart.

// canonical lays fields out in the kind's column order; unknown names come
// back as extras, sorted so that attributes are deterministic.
func canonical(s *spec, fields map[string]string) ([]string, []extra) {
	v := make([]string, len(s.columns))
	set := make([]bool, len(s.columns))
	var extras []extra
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	slices.Sort(names) // the first of two names for one column wins, as in a file
	for _, k := range names {
		if c := s.column(k); c >= 0 && !set[c] {
			v[c], set[c] = fields[k], true
		} else if s.extras && k != "" {
			extras = append(extras, extra{name: k, value: fields[k]})
		}
	}
	return v, extras
}

// ParseCustomerRecord reads a customer from a flat record. Times without a
// zone are read in loc. The customer is not yet normalised: the store's
// Prepare or UpsertCustomers does that (and may still refuse the phone).
// Unknown fields become string attributes.
func ParseCustomerRecord(fields map[string]string, loc *time.Location) (customer.Customer, error) {
	v, extras := canonical(specs[Customers], fields)
	vals := make([]string, 0, len(fields))
	for _, f := range fields {
		vals = append(vals, f)
	}
	var c customer.Customer
	if err := validText(vals); err != nil {
		return c, err
	}
	var float [2]float64
	_, err := customerFrom(v, extras, loc, &c, nil, &float)
	if c.Lat != nil {
		lat, lon := *c.Lat, *c.Lon // detach from the local array
		c.Lat, c.Lon = &lat, &lon
	}
	return c, err
}

// ParseOrderRecord reads one order line (an order with a single line) from a
// flat record, normalised. Quantity defaults to 1; amount is in yuan.
func ParseOrderRecord(fields map[string]string, loc *time.Location) (customer.Order, error) {
	v, _ := canonical(specs[Orders], fields)
	var o customer.Order
	var l customer.Line
	if err := validText(v); err != nil {
		return o, err
	}
	if err := lineFrom(v, loc, &o, &l); err != nil {
		return o, err
	}
	o.Lines = []customer.Line{l}
	return o, o.Normalize()
}

// ParseProductRecord reads a product from a flat record, normalised. Price
// is in yuan.
func ParseProductRecord(fields map[string]string) (customer.Product, error) {
	v, _ := canonical(specs[Products], fields)
	var p customer.Product
	if err := validText(v); err != nil {
		return p, err
	}
	err := productFrom(v, &p)
	return p, err
}
