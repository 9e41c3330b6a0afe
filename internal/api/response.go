package api

import (
	"encoding/json"
	"net/http"
)

// Error codes: stable strings a client can switch on; messages are for
// people and may change.
const (
	codeUnauthorized     = "unauthorized"
	codeMalformedJSON    = "malformed_json"
	codeBadParameter     = "bad_parameter"
	codeInvalid          = "invalid"
	codeNotFound         = "not_found"
	codeMethodNotAllowed = "method_not_allowed"
	codeTooLarge         = "too_large"
	codeUnsupportedType  = "unsupported_media_type"
	codeInternal         = "internal"
	codeUnavailable      = "unavailable"
)

// apiError is the body of every error response, under the key "error".
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Field names the input field at fault, when there is one.
	Field string `json:"field,omitempty"`
	// Offset is the byte offset in the request body of malformed JSON.
	Offset *int64 `json:"offset,omitempty"`
}

func (e apiError) Error() string { return e.Code + ": " + e.Message }

// statusError is an apiError with the HTTP status it is answered with; handlers
// return it from helpers so that the mapping stays in one place.
type statusError struct {
	status int
	apiError
}

// setHeaders marks every API response as JSON that browsers must not sniff
// into something else and that no cache may keep: responses carry personal
// data.
func setHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
}

// writeJSON answers v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	setHeaders(w)
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	// The encoder escapes <, > and & by default, which keeps a customer's
	// name from ever being read as markup.
	enc.Encode(v) // a write error means the client went away; nothing to do
}

// writeError answers {"error": e}.
func writeError(w http.ResponseWriter, status int, e apiError) {
	writeJSON(w, status, struct {
		Error apiError `json:"error"`
	}{e})
}
