package api

import (
	"net/http"
	"strconv"

	"nudge/internal/pii"
	"nudge/internal/policy"
)

// suppressionsOut is a page of the suppression list, phones masked.
type suppressionsOut struct {
	Total     int64               `json:"total"`
	Entries   []policy.Suppressed `json:"entries"`
	NextAfter int64               `json:"next_after,omitempty"`
}

// suppressionIn is the body of POST /api/v1/suppressions.
type suppressionIn struct {
	Phone  string `json:"phone"`
	Reason string `json:"reason"`
	Note   string `json:"note"`
}

// suppressionAdded answers POST /api/v1/suppressions.
type suppressionAdded struct {
	Added bool `json:"added"`
}

// suppressionRemoved answers DELETE /api/v1/suppressions/{phone}.
type suppressionRemoved struct {
	Removed int64 `json:"removed"`
}

// reasonParam checks an optional suppression reason.
func reasonParam(field, s string) (policy.Reason, error) {
	if s == "" {
		return "", nil
	}
	r, err := policy.ParseReason(s)
	if err != nil {
		return "", invalid(field, err.Error())
	}
	return r, nil
}

// suppressionsList handles GET /api/v1/suppressions?reason=&after=&limit=:
// a keyset page in id order.
func (a *API) suppressionsList(w http.ResponseWriter, r *http.Request) {
	if !a.policyReady(w) {
		return
	}
	q := r.URL.Query()
	limit, err := limitParam(r, defaultLimit, maxLimit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var after int64
	if s := q.Get("after"); s != "" {
		if after, err = strconv.ParseInt(s, 10, 64); err != nil || after < 0 {
			a.fail(w, r, badParameter("after", "after must be a non-negative integer"))
			return
		}
	}
	reason, err := reasonParam("reason", q.Get("reason"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	list, err := a.policy.Suppressions(r.Context(), after, limit, reason)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	total, err := a.policy.CountSuppressions(r.Context(), reason)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := suppressionsOut{Total: total, Entries: []policy.Suppressed{}}
	for _, s := range list {
		s.Phone = pii.MaskPhone(s.Phone)
		out.Entries = append(out.Entries, s)
	}
	if len(list) == limit {
		out.NextAfter = list[len(list)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
}

// suppressionAdd handles POST /api/v1/suppressions {phone, reason, note}:
// 201 when the number was added, 200 when it was already there.
func (a *API) suppressionAdd(w http.ResponseWriter, r *http.Request) {
	if !a.policyReady(w) {
		return
	}
	var in suppressionIn
	if err := decodeStrict(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if in.Reason == "" {
		in.Reason = string(policy.ReasonManual)
	}
	reason, err := reasonParam("reason", in.Reason)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	added, err := a.policy.Suppress(r.Context(), in.Phone, reason, "api:"+tokenName(r.Context()), in.Note)
	if err != nil {
		a.policyFail(w, r, err)
		return
	}
	status := http.StatusOK
	if added {
		status = http.StatusCreated
	}
	writeJSON(w, status, suppressionAdded{Added: added})
}

// suppressionRemove handles DELETE /api/v1/suppressions/{phone}?reason=R:
// every entry of the number, or only reason R.
func (a *API) suppressionRemove(w http.ResponseWriter, r *http.Request) {
	if !a.policyReady(w) {
		return
	}
	reason, err := reasonParam("reason", r.URL.Query().Get("reason"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	n, err := a.policy.Unsuppress(r.Context(), r.PathValue("phone"), reason)
	if err != nil {
		a.policyFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, suppressionRemoved{Removed: n})
}
