package api

import (
	"time"

	"nudge/internal/customer"
)

// optionalTime reads a time field that may be empty: RFC 3339 with its own
// offset, or a date / date-time (2006-01-02, 2006-01-02 15:04:05) read in the
// shop's time zone.
func (a *API) optionalTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := customer.ParseTime(s, a.customers.Location())
	if err != nil {
		return time.Time{}, &customer.FieldError{Field: field, Reason: err.Error()}
	}
	return t, nil
}
