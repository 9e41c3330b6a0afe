package api

import (
	"context"
	"errors"
	"net/http"

	"nudge/internal/customer"
	"nudge/internal/store"
)

// fail answers err with the HTTP status it stands for. This is the only
// place where domain errors meet HTTP: store.ErrNotFound is 404, a
// customer.FieldError 422 naming the field, an error the API made itself
// carries its status; anything else is a 500 whose details go to the log,
// not to the client.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	var (
		se *statusError
		fe *customer.FieldError
	)
	switch {
	case errors.As(err, &se):
		writeError(w, se.status, se.apiError)
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, apiError{Code: codeNotFound, Message: "not found"})
	case errors.As(err, &fe):
		writeError(w, http.StatusUnprocessableEntity, apiError{Code: codeInvalid, Message: fe.Error(), Field: fe.Field})
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away; there is nobody to answer.
		a.log.Info("request cancelled by the client", "route", r.Pattern)
	default:
		a.log.Error("request failed", "route", r.Pattern, "err", err)
		writeError(w, http.StatusInternalServerError, apiError{Code: codeInternal, Message: "internal error; see the server log"})
	}
}

func badParameter(field, message string) error {
	return &statusError{status: http.StatusBadRequest, apiError: apiError{Code: codeBadParameter, Message: message, Field: field}}
}
