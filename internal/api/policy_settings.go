package api

import (
	"encoding/json"
	"net/http"

	"nudge/internal/policy"
)

// policyShow handles GET /api/v1/policy: the policy settings in force
// (categories, caps, quiet hours, hygiene, double opt-in), as stored.
func (a *API) policyShow(w http.ResponseWriter, r *http.Request) {
	if !a.policyReady(w) {
		return
	}
	writeJSON(w, http.StatusOK, a.policy.Rules().Config())
}

// policyUpdate handles PUT /api/v1/policy: the whole settings object,
// checked (422 naming what is wrong) before it is stored and put in force.
// Keys left out keep their current values.
func (a *API) policyUpdate(w http.ResponseWriter, r *http.Request) {
	if !a.policyReady(w) {
		return
	}
	body, err := readBody(w, r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	cfg := a.policy.Rules().Config()
	// Maps merge into the current ones: start from fresh copies so that a
	// refused update leaves the rules in force untouched.
	cfg.Quiet.Countries = cloneMap(cfg.Quiet.Countries)
	cfg.Quiet.Zones = cloneMap(cfg.Quiet.Zones)
	if err := json.Unmarshal(body, &cfg); err != nil {
		a.fail(w, r, invalid("policy", err.Error()))
		return
	}
	if _, err := policy.Compile(cfg); err != nil {
		a.fail(w, r, invalid("policy", err.Error()))
		return
	}
	if err := a.policy.SetConfig(r.Context(), cfg); err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.policy.Rules().Config())
}

func cloneMap[V any](m map[string]V) map[string]V {
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
