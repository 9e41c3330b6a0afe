package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"nudge/internal/segment"
)

// segmentRoutes are the endpoints of internal/segment: saved segments,
// counts, previews and exports of rules, frozen snapshots, and RFM. Ad-hoc
// rules live under /api/v1/rules so that no segment name ("count") can
// shadow them.
func (a *API) segmentRoutes() []route {
	return []route{
		{pattern: "GET /api/v1/segments", handler: a.segmentsList},
		{pattern: "POST /api/v1/segments", handler: a.segmentCreate},
		{pattern: "GET /api/v1/segments/{name}", handler: a.segmentShow},
		{pattern: "PUT /api/v1/segments/{name}", handler: a.segmentUpdate},
		{pattern: "DELETE /api/v1/segments/{name}", handler: a.segmentDelete},
		{pattern: "GET /api/v1/segments/{name}/count", handler: a.segmentCount},
		{pattern: "GET /api/v1/segments/{name}/preview", handler: a.segmentPreview},
		{pattern: "GET /api/v1/segments/{name}/export", handler: a.segmentExport},
		{pattern: "POST /api/v1/segments/{name}/snapshots", handler: a.segmentFreeze},
		{pattern: "POST /api/v1/rules/count", handler: a.ruleCount},
		{pattern: "POST /api/v1/rules/preview", handler: a.rulePreview},
		{pattern: "GET /api/v1/rfm", handler: a.rfmShow},
		{pattern: "POST /api/v1/rfm", handler: a.rfmRefresh},
	}
}

// segmentFail maps the segment package's errors to HTTP and hands the rest
// to fail: a rule that does not compile is 422 naming the rule's JSON path
// as the field; a taken name, a built-in segment or one with snapshots is a
// 409 conflict.
func (a *API) segmentFail(w http.ResponseWriter, r *http.Request, err error) {
	var re *segment.RuleError
	switch {
	case errors.As(err, &re):
		a.fail(w, r, &statusError{status: http.StatusUnprocessableEntity, apiError: apiError{Code: codeInvalid, Message: re.Error(), Field: re.Path}})
	case errors.Is(err, segment.ErrExists), errors.Is(err, segment.ErrBuiltin), errors.Is(err, segment.ErrInUse):
		a.fail(w, r, &statusError{status: http.StatusConflict, apiError: apiError{Code: codeInvalid, Message: err.Error(), Field: "name"}})
	case errors.Is(err, segment.ErrBadName):
		a.fail(w, r, &statusError{status: http.StatusUnprocessableEntity, apiError: apiError{Code: codeInvalid, Message: err.Error(), Field: "name"}})
	case errors.Is(err, segment.ErrNoRFM):
		a.fail(w, r, &statusError{status: http.StatusNotFound, apiError: apiError{Code: codeNotFound, Message: err.Error()}})
	default:
		a.fail(w, r, err)
	}
}

// segmentsReady answers 503 when the server was built without the segment
// service, and reports whether the handler may go on.
func (a *API) segmentsReady(w http.ResponseWriter, r *http.Request) bool {
	if a.segments != nil {
		return true
	}
	writeError(w, http.StatusServiceUnavailable, apiError{Code: codeUnavailable, Message: "segments are not available on this server"})
	return false
}

// segmentIn is the body of POST /api/v1/segments and PUT .../{name}; the
// name comes from the path on PUT.
type segmentIn struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Rule        json.RawMessage `json:"rule"`
}

// ruleIn is the body of the /api/v1/rules endpoints.
type ruleIn struct {
	Rule json.RawMessage `json:"rule"`
}

// countOut answers the count endpoints.
type countOut struct {
	Customers int64 `json:"customers"`
}

// previewOut answers the preview endpoints: the first customers in id
// order, phones masked.
type previewOut struct {
	Customers []segment.Member `json:"customers"`
}

// decodeStrict reads a JSON object into v, refusing unknown fields, with
// the API's error answers for bodies.
func decodeStrict(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	if rej := decodeRecord(body, v); rej != nil {
		return &statusError{status: http.StatusBadRequest, apiError: apiError{Code: codeBadParameter, Message: rej.Reason, Field: rej.Field}}
	}
	return nil
}

// parseRule parses a rule from a request body, a missing rule being a 422
// on the field "rule".
func parseRule(raw json.RawMessage) (*segment.Rule, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, &statusError{status: http.StatusUnprocessableEntity, apiError: apiError{Code: codeInvalid, Message: "rule is required", Field: "rule"}}
	}
	return segment.ParseRule(raw)
}
