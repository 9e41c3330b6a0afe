package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// Limits of a write request. 10,000 records keep one request's transaction
// short enough not to hold SQLite's writer for long; 32 MiB leaves room for
// 10,000 customers with generous attributes.
const (
	MaxRecords   = 10000
	MaxBodyBytes = 32 << 20
)

// readBody reads a JSON request body, at most MaxBodyBytes, and checks that
// it is one well-formed JSON value.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, &statusError{status: http.StatusUnsupportedMediaType,
				apiError: apiError{Code: codeUnsupportedType, Message: fmt.Sprintf("Content-Type %q: send application/json", ct)}}
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, &statusError{status: http.StatusRequestEntityTooLarge,
			apiError: apiError{Code: codeTooLarge, Message: fmt.Sprintf("request body over %d bytes; split it into several requests", MaxBodyBytes)}}
	}
	if err != nil {
		return nil, err
	}
	var v json.RawMessage
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, malformed(body, err)
	}
	return body, nil
}

// malformed turns a JSON syntax error into a 400 that says where.
func malformed(body []byte, err error) error {
	var se *json.SyntaxError
	off := int64(len(body))
	msg := err.Error()
	if errors.As(err, &se) {
		off = se.Offset
		msg = se.Error()
	}
	return &statusError{status: http.StatusBadRequest,
		apiError: apiError{Code: codeMalformedJSON, Message: fmt.Sprintf("malformed JSON at byte %d: %s", off, msg), Offset: &off}}
}

// records splits a write body into records: one object is one record, and
// an object whose only key is plural (e.g. {"customers": [...]}) is a bulk
// request of up to MaxRecords.
func records(body []byte, plural string) (recs []json.RawMessage, bulk bool, err error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, false, &statusError{status: http.StatusBadRequest, apiError: apiError{Code: codeMalformedJSON,
			Message: fmt.Sprintf("expected a JSON object: one record, or {%q: [...]}", plural)}}
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &top); err != nil {
		return nil, false, malformed(body, err)
	}
	list, ok := top[plural]
	if !ok {
		return []json.RawMessage{trimmed}, false, nil
	}
	if len(top) != 1 {
		for k := range top {
			if k != plural {
				return nil, true, &statusError{status: http.StatusBadRequest, apiError: apiError{Code: codeBadParameter, Field: k,
					Message: fmt.Sprintf("unexpected key %q beside %q in a bulk request", k, plural)}}
			}
		}
	}
	if err := json.Unmarshal(list, &recs); err != nil {
		return nil, true, &statusError{status: http.StatusBadRequest, apiError: apiError{Code: codeBadParameter, Field: plural,
			Message: fmt.Sprintf("%q must be an array of objects", plural)}}
	}
	if len(recs) > MaxRecords {
		return nil, true, &statusError{status: http.StatusRequestEntityTooLarge, apiError: apiError{Code: codeTooLarge, Field: plural,
			Message: fmt.Sprintf("%d records in one request; at most %d", len(recs), MaxRecords)}}
	}
	return recs, true, nil
}

// decodeRecord reads one record into v, refusing unknown fields so that a
// misspelt field is reported instead of silently dropped. The error names
// the field at fault.
func decodeRecord(raw json.RawMessage, v any) *rejection {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return &rejection{Field: "", Reason: "a record must be a JSON object, not " + te.Value}
		}
		return &rejection{Field: field, Reason: fmt.Sprintf("must be %s, not %s", jsonType(te.Type.Kind().String()), te.Value)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return &rejection{Field: name, Reason: "unknown field"}
	default:
		return &rejection{Reason: err.Error()}
	}
}

// jsonType names a Go kind the way a JSON user thinks of it.
func jsonType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "bool":
		return "true or false"
	}
	return kind
}
