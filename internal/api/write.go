package api

import (
	"errors"
	"fmt"
	"net/http"
	"sort"

	"nudge/internal/customer"
)

// rejection is one record a write refused: its position in the request
// (0-based; 0 for a single-record request), the field at fault and why.
type rejection struct {
	Index  int    `json:"index"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// writeResult is the answer to every write, single or bulk.
type writeResult struct {
	// Taken is the number of records written or found unchanged.
	Taken    int         `json:"taken"`
	Rejected []rejection `json:"rejected"`
	// Inserted, Updated and Unchanged count customers, orders or products.
	customer.WriteResult
	// Lines counts order lines (orders only).
	Lines *customer.WriteResult `json:"lines,omitempty"`
	// ExternalID is the id of the customer a single-record request wrote,
	// which nudge makes up when the record had only a phone number.
	ExternalID string `json:"external_id,omitempty"`
	// Error is set when nothing was taken.
	Error *apiError `json:"error,omitempty"`
}

func newWriteResult() *writeResult { return &writeResult{Rejected: []rejection{}} }

func (res *writeResult) reject(i int, field, reason string) {
	res.Rejected = append(res.Rejected, rejection{Index: i, Field: field, Reason: reason})
}

// answer sends a write's result: 200 when at least one record was taken (or
// there were none), 422 with an error when every record was rejected. A
// bulk request with some records rejected is still a 200: the good records
// are written and the client reads the rejected list.
func answer(w http.ResponseWriter, res *writeResult, bulk bool) {
	sort.SliceStable(res.Rejected, func(i, j int) bool { return res.Rejected[i].Index < res.Rejected[j].Index })
	if res.Taken > 0 || len(res.Rejected) == 0 {
		writeJSON(w, http.StatusOK, res)
		return
	}
	e := &apiError{Code: codeInvalid}
	if !bulk {
		r := res.Rejected[0]
		e.Field = r.Field
		e.Message = r.Reason
		if r.Field != "" {
			e.Message = r.Field + ": " + r.Reason
		}
	} else {
		e.Message = fmt.Sprintf("all %d records were rejected; see \"rejected\"", len(res.Rejected))
	}
	res.Error = e
	writeJSON(w, http.StatusUnprocessableEntity, res)
}

// batch is a write request's records, decoded and converted.
type batch[T any] struct {
	items []T
	res   *writeResult
	recs  int  // records in the request
	bulk  bool // sent as {"plural": [...]}, not one object
}

// decodeBatch reads a write request: one object, or {plural: [...]}. Each
// record is decoded into an I and converted with conv (which gets the
// record's index); a record that does not decode, or whose conversion
// fails with a customer.FieldError, is rejected with its index and field,
// and the others are kept in order. Any other error answers the request,
// and ok is false.
func decodeBatch[I, T any](a *API, w http.ResponseWriter, r *http.Request, plural string, conv func(in I, i int) (T, error)) (b batch[T], ok bool) {
	body, err := readBody(w, r)
	if err != nil {
		a.fail(w, r, err)
		return b, false
	}
	recs, bulk, err := records(body, plural)
	if err != nil {
		a.fail(w, r, err)
		return b, false
	}
	b = batch[T]{items: make([]T, 0, len(recs)), res: newWriteResult(), recs: len(recs), bulk: bulk}
	for i, raw := range recs {
		var in I
		if rej := decodeRecord(raw, &in); rej != nil {
			b.res.reject(i, rej.Field, rej.Reason)
			continue
		}
		item, err := conv(in, i)
		var fe *customer.FieldError
		if errors.As(err, &fe) {
			b.res.reject(i, fe.Field, fe.Reason)
			continue
		} else if err != nil {
			a.fail(w, r, err)
			return b, false
		}
		b.items = append(b.items, item)
	}
	return b, true
}

// logWritten logs what a write request did, without personal data.
func (a *API) logWritten(r *http.Request, what string, recs int, res *writeResult) {
	a.log.Info(what+" written", "token", tokenName(r.Context()), "records", recs, "taken", res.Taken,
		"rejected", len(res.Rejected), "inserted", res.Inserted, "updated", res.Updated, "unchanged", res.Unchanged)
}
