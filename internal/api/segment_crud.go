package api

import (
	"net/http"
)

// segmentsList handles GET /api/v1/segments: every saved segment, built-in
// ones first. Counting is separate (…/count), as it runs the rule.
func (a *API) segmentsList(w http.ResponseWriter, r *http.Request) {
	if !a.segmentsReady(w, r) {
		return
	}
	list, err := a.segments.List(r.Context())
	if err != nil {
		a.segmentFail(w, r, err)
		return
	}
	type page struct {
		Segments any `json:"segments"`
	}
	if list == nil {
		writeJSON(w, http.StatusOK, page{Segments: []any{}})
		return
	}
	writeJSON(w, http.StatusOK, page{Segments: list})
}

// segmentShow handles GET /api/v1/segments/{name}.
func (a *API) segmentShow(w http.ResponseWriter, r *http.Request) {
	if !a.segmentsReady(w, r) {
		return
	}
	sg, err := a.segments.Get(r.Context(), r.PathValue("name"))
	if err != nil {
		a.segmentFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sg)
}

// segmentCreate handles POST /api/v1/segments: the new segment, 422
// naming the rule's bad part, 409 when the name is taken.
func (a *API) segmentCreate(w http.ResponseWriter, r *http.Request) {
	if !a.segmentsReady(w, r) {
		return
	}
	var in segmentIn
	if err := decodeStrict(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if _, err := parseRule(in.Rule); err != nil {
		a.segmentFail(w, r, err)
		return
	}
	sg, err := a.segments.Create(r.Context(), in.Name, in.Description, in.Rule)
	if err != nil {
		a.segmentFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sg)
}

// segmentUpdate handles PUT /api/v1/segments/{name}: a new rule and
// description for an existing segment (built-in ones too).
func (a *API) segmentUpdate(w http.ResponseWriter, r *http.Request) {
	if !a.segmentsReady(w, r) {
		return
	}
	var in segmentIn
	if err := decodeStrict(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if in.Name != "" && in.Name != r.PathValue("name") {
		a.fail(w, r, badParameter("name", "a segment cannot be renamed; leave name out or equal to the path"))
		return
	}
	if _, err := parseRule(in.Rule); err != nil {
		a.segmentFail(w, r, err)
		return
	}
	sg, err := a.segments.Update(r.Context(), r.PathValue("name"), in.Description, in.Rule)
	if err != nil {
		a.segmentFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sg)
}

// deletedOut answers a delete with the name that was deleted.
type deletedOut struct {
	Deleted string `json:"deleted"`
}

// segmentDelete handles DELETE /api/v1/segments/{name}: 409 for a built-in
// segment or one with snapshots.
func (a *API) segmentDelete(w http.ResponseWriter, r *http.Request) {
	if !a.segmentsReady(w, r) {
		return
	}
	if err := a.segments.Delete(r.Context(), r.PathValue("name")); err != nil {
		a.segmentFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, deletedOut{Deleted: r.PathValue("name")})
}
