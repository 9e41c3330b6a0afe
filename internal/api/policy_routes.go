package api

import (
	"errors"
	"net/http"

	"nudge/internal/phone"
	"nudge/internal/policy"
)

// policyRoutes are the endpoints of internal/policy and internal/link: the
// decision for a number (why), the suppression list, the policy settings,
// consent changes with their proof, and short links.
func (a *API) policyRoutes() []route {
	return []route{
		{pattern: "GET /api/v1/why", handler: a.why},
		{pattern: "GET /api/v1/suppressions", handler: a.suppressionsList},
		{pattern: "POST /api/v1/suppressions", handler: a.suppressionAdd},
		{pattern: "DELETE /api/v1/suppressions/{phone}", handler: a.suppressionRemove},
		{pattern: "GET /api/v1/policy", handler: a.policyShow},
		{pattern: "PUT /api/v1/policy", handler: a.policyUpdate},
		{pattern: "POST /api/v1/customers/{external_id}/consent", handler: a.consentRecord},
		{pattern: "POST /api/v1/links", handler: a.linkCreate},
		{pattern: "GET /api/v1/links/stats", handler: a.linkStats},
	}
}

// policyReady answers 503 when the server was built without the policy
// service, and reports whether the handler may go on.
func (a *API) policyReady(w http.ResponseWriter) bool {
	if a.policy != nil {
		return true
	}
	writeError(w, http.StatusServiceUnavailable, apiError{Code: codeUnavailable, Message: "the policy service is not available on this server"})
	return false
}

// linksReady is policyReady for the short-link service.
func (a *API) linksReady(w http.ResponseWriter) bool {
	if a.links != nil {
		return true
	}
	writeError(w, http.StatusServiceUnavailable, apiError{Code: codeUnavailable, Message: "short links are not available on this server"})
	return false
}

// policyFail maps the policy package's errors about its input to 422
// naming the field, and hands the rest to fail. Handlers check reasons,
// categories, settings and link targets themselves before calling the
// services, so what remains here is the phone number and consent.
func (a *API) policyFail(w http.ResponseWriter, r *http.Request, err error) {
	var pe *phone.Error
	switch {
	case errors.As(err, &pe):
		a.fail(w, r, invalid("phone", pe.Error()))
	case errors.Is(err, policy.ErrNoSource):
		a.fail(w, r, invalid("source", "consent needs a source: how it was given (web_form, pos, reply, ...)"))
	case errors.Is(err, policy.ErrAlreadyOptedIn):
		a.fail(w, r, &statusError{status: http.StatusConflict, apiError: apiError{Code: codeInvalid, Message: err.Error(), Field: "state"}})
	default:
		a.fail(w, r, err)
	}
}

func invalid(field, message string) error {
	return &statusError{status: http.StatusUnprocessableEntity, apiError: apiError{Code: codeInvalid, Message: message, Field: field}}
}
