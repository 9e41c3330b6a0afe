package api

import "net/http"

// composeSettingsShow handles GET /api/v1/settings/compose: the signature,
// opt-out lines, default locale and sensitive words in force.
func (a *API) composeSettingsShow(w http.ResponseWriter, r *http.Request) {
	if !a.composeReady(w) {
		return
	}
	writeJSON(w, http.StatusOK, a.compose.Settings())
}

// composeSettingsUpdate handles PUT /api/v1/settings/compose. Keys left out
// keep their current values; opt_out merges locale by locale (an empty
// line removes a locale's own line, so that the built-in one applies).
// The settings are checked (422 naming the field) before they are stored
// and put in force.
func (a *API) composeSettingsUpdate(w http.ResponseWriter, r *http.Request) {
	if !a.composeReady(w) {
		return
	}
	body, err := readBody(w, r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	st := a.compose.Settings() // a copy: a refused update changes nothing
	if rej := decodeRecord(body, &st); rej != nil {
		a.fail(w, r, badParameter(rej.Field, rej.Reason))
		return
	}
	if err := a.compose.SetSettings(r.Context(), st); err != nil {
		a.composeFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.compose.Settings())
}
