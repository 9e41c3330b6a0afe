package api

import (
	"encoding/json"
	"net/http"

	"nudge/internal/customer"
)

// customerIn is a customer as the API accepts it. Times are strings so that
// a bad one is reported with its field name (RFC 3339, or a date or
// date-time in the shop's time zone).
type customerIn struct {
	ExternalID    string          `json:"external_id"`
	Phone         string          `json:"phone"`
	Name          string          `json:"name"`
	Gender        string          `json:"gender"`
	Birthday      string          `json:"birthday"`
	City          string          `json:"city"`
	Lat           *float64        `json:"lat"`
	Lon           *float64        `json:"lon"`
	RegisteredAt  string          `json:"registered_at"`
	Timezone      string          `json:"timezone"`
	Tags          []string        `json:"tags"`
	Attributes    json.RawMessage `json:"attributes"`
	Consent       string          `json:"consent"`
	ConsentAt     string          `json:"consent_at"`
	ConsentSource string          `json:"consent_source"`
}

func (a *API) customerFromInput(in customerIn) (customer.Customer, error) {
	c := customer.Customer{
		ExternalID: in.ExternalID, Phone: in.Phone, Name: in.Name, Gender: in.Gender, Birthday: in.Birthday,
		City: in.City, Lat: in.Lat, Lon: in.Lon, Timezone: in.Timezone, Tags: in.Tags, Attributes: in.Attributes,
		Consent: in.Consent, ConsentSource: in.ConsentSource,
	}
	var err error
	if c.RegisteredAt, err = a.optionalTime("registered_at", in.RegisteredAt); err != nil {
		return c, err
	}
	if c.ConsentAt, err = a.optionalTime("consent_at", in.ConsentAt); err != nil {
		return c, err
	}
	return c, nil
}

// customersImport handles POST /api/v1/customers: one customer object, or
// {"customers": [...]}. Each record is validated and sealed on its own, so
// that a bad one is reported with its index and field while the good ones
// are written, in one transaction.
func (a *API) customersImport(w http.ResponseWriter, r *http.Request) {
	b, ok := decodeBatch(a, w, r, "customers", func(in customerIn, _ int) (customer.Prepared, error) {
		c, err := a.customerFromInput(in)
		if err != nil {
			return customer.Prepared{}, err
		}
		return a.customers.Prepare(c)
	})
	if !ok {
		return
	}
	res := b.res
	if len(b.items) > 0 {
		wr, err := a.customers.WritePrepared(r.Context(), b.items)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		res.WriteResult = wr
		res.Taken = len(b.items)
		if !b.bulk {
			res.ExternalID = b.items[0].ExternalID()
		}
	}
	a.logWritten(r, "customers", b.recs, res)
	answer(w, res, b.bulk)
}
