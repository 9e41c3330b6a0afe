package api

import (
	"net/http"
	"time"

	"nudge/internal/policy"
)

// consentIn is the body of POST /api/v1/customers/{external_id}/consent.
type consentIn struct {
	// State is opted_in or opted_out.
	State  string `json:"state"`
	Source string `json:"source"`
	Proof  string `json:"proof"`
	// At is when the customer gave or withdrew consent; default now.
	At string `json:"at"`
}

// consentOut is a customer's consent history, oldest first.
type consentOut struct {
	Events []consentEventOut `json:"events"`
}

type consentEventOut struct {
	State  string    `json:"state"`
	Source string    `json:"source"`
	Proof  string    `json:"proof"`
	At     time.Time `json:"at"`
}

// consentRecord handles POST /api/v1/customers/{external_id}/consent: a
// consent given or withdrawn elsewhere (a web form, a till, a call), with
// where it came from and its proof. An opt-out also suppresses the number
// for marketing. The answer is the customer's whole consent history.
func (a *API) consentRecord(w http.ResponseWriter, r *http.Request) {
	if !a.policyReady(w) {
		return
	}
	var in consentIn
	if err := decodeStrict(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	state, err := policy.ParseConsent(in.State)
	if err != nil || (state != policy.ConsentOptedIn && state != policy.ConsentOptedOut) {
		a.fail(w, r, invalid("state", "state must be opted_in or opted_out"))
		return
	}
	at, err := a.optionalTime("at", in.At)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	c, err := a.customers.GetByExternalID(r.Context(), r.PathValue("external_id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ev := policy.ConsentEvent{CustomerID: c.ID, State: state, Source: in.Source, Proof: in.Proof, At: at}
	if err := a.policy.RecordConsent(r.Context(), ev); err != nil {
		a.policyFail(w, r, err)
		return
	}
	evs, err := a.policy.ConsentEvents(r.Context(), c.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := consentOut{Events: []consentEventOut{}}
	for _, e := range evs {
		out.Events = append(out.Events, consentEventOut{State: e.State.String(), Source: e.Source, Proof: e.Proof, At: e.At})
	}
	writeJSON(w, http.StatusOK, out)
}
