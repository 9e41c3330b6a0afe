package api

import (
	"net/http"
	"strconv"

	"nudge/internal/segment"
)

// namedRule loads the rule of the segment in the path.
func (a *API) namedRule(r *http.Request) (*segment.Rule, string, error) {
	sg, err := a.segments.Get(r.Context(), r.PathValue("name"))
	if err != nil {
		return nil, "", err
	}
	rule, err := sg.Parsed()
	return rule, sg.Name, err
}

// bodyRule reads {"rule": ...} from the request.
func (a *API) bodyRule(w http.ResponseWriter, r *http.Request) (*segment.Rule, error) {
	var in ruleIn
	if err := decodeStrict(w, r, &in); err != nil {
		return nil, err
	}
	return parseRule(in.Rule)
}

func (a *API) count(w http.ResponseWriter, r *http.Request, rule *segment.Rule) {
	n, err := a.segments.Count(r.Context(), rule)
	if err != nil {
		a.segmentFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, countOut{Customers: n})
}

func (a *API) preview(w http.ResponseWriter, r *http.Request, rule *segment.Rule) {
	limit, err := limitParam(r, 20, maxLimit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ms, err := a.segments.Preview(r.Context(), rule, limit)
	if err != nil {
		a.segmentFail(w, r, err)
		return
	}
	if ms == nil {
		ms = []segment.Member{}
	}
	writeJSON(w, http.StatusOK, previewOut{Customers: ms})
}

// segmentCount handles GET /api/v1/segments/{name}/count: how many
// customers match now.
func (a *API) segmentCount(w http.ResponseWriter, r *http.Request) {
	if !a.segmentsReady(w, r) {
		return
	}
	rule, _, err := a.namedRule(r)
	if err != nil {
		a.segmentFail(w, r, err)
		return
	}
	a.count(w, r, rule)
}

// segmentPreview handles GET /api/v1/segments/{name}/preview?limit=N.
func (a *API) segmentPreview(w http.ResponseWriter, r *http.Request) {
	if !a.segmentsReady(w, r) {
		return
	}
	rule, _, err := a.namedRule(r)
	if err != nil {
		a.segmentFail(w, r, err)
		return
	}
	a.preview(w, r, rule)
}

// ruleCount handles POST /api/v1/rules/count: the live count of a rule
// being built, before it is saved.
func (a *API) ruleCount(w http.ResponseWriter, r *http.Request) {
	if !a.segmentsReady(w, r) {
		return
	}
	rule, err := a.bodyRule(w, r)
	if err != nil {
		a.segmentFail(w, r, err)
		return
	}
	a.count(w, r, rule)
}

// rulePreview handles POST /api/v1/rules/preview?limit=N.
func (a *API) rulePreview(w http.ResponseWriter, r *http.Request) {
	if !a.segmentsReady(w, r) {
		return
	}
	rule, err := a.bodyRule(w, r)
	if err != nil {
		a.segmentFail(w, r, err)
		return
	}
	a.preview(w, r, rule)
}

// segmentExport handles GET /api/v1/segments/{name}/export: CSV
// (external_id,phone) streamed in customer order, phones masked unless
// ?clear_phones=true, which is logged with the token's name.
func (a *API) segmentExport(w http.ResponseWriter, r *http.Request) {
	if !a.segmentsReady(w, r) {
		return
	}
	clearPhones := false
	if s := r.URL.Query().Get("clear_phones"); s != "" {
		var err error
		if clearPhones, err = strconv.ParseBool(s); err != nil {
			a.fail(w, r, badParameter("clear_phones", "clear_phones must be true or false"))
			return
		}
	}
	rule, name, err := a.namedRule(r)
	if err != nil {
		a.segmentFail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="segment.csv"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	// Once rows are streaming the status is sent; a later failure can only
	// cut the file short, and is logged.
	if _, err := a.segments.Export(r.Context(), rule, w, segment.ExportOptions{ClearPhones: clearPhones, Actor: "api:" + tokenName(r.Context()), Label: name}); err != nil {
		a.log.Error("segment export failed", "segment", name, "err", err)
	}
}

// segmentFreeze handles POST /api/v1/segments/{name}/snapshots: freezes
// who matches now, for a campaign to send to, and answers the snapshot.
func (a *API) segmentFreeze(w http.ResponseWriter, r *http.Request) {
	if !a.segmentsReady(w, r) {
		return
	}
	sn, err := a.segments.Freeze(r.Context(), r.PathValue("name"))
	if err != nil {
		a.segmentFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sn)
}
