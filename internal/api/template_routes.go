package api

import (
	"errors"
	"net/http"

	"nudge/internal/compose"
	"nudge/internal/sms"
)

// templateRoutes are the endpoints of internal/compose and internal/sms:
// template preview and lint, the SMS counter, the starter library, the
// compose settings and the coupon pools.
func (a *API) templateRoutes() []route {
	return []route{
		{pattern: "POST /api/v1/templates/preview", handler: a.templatePreview},
		{pattern: "POST /api/v1/templates/lint", handler: a.templateLint},
		{pattern: "GET /api/v1/templates/starters", handler: a.templateStarters},
		{pattern: "POST /api/v1/sms/count", handler: a.smsCount},
		{pattern: "GET /api/v1/settings/compose", handler: a.composeSettingsShow},
		{pattern: "PUT /api/v1/settings/compose", handler: a.composeSettingsUpdate},
		{pattern: "GET /api/v1/coupons/pools", handler: a.couponPoolsList},
		{pattern: "POST /api/v1/coupons/pools", handler: a.couponPoolCreate},
		{pattern: "GET /api/v1/coupons/pools/{name}", handler: a.couponPoolShow},
		{pattern: "POST /api/v1/coupons/pools/{name}/codes", handler: a.couponCodesAdd},
	}
}

// composeReady answers 503 when the server was built without the compose
// service, and reports whether the handler may go on.
func (a *API) composeReady(w http.ResponseWriter) bool {
	if a.compose != nil {
		return true
	}
	writeError(w, http.StatusServiceUnavailable, apiError{Code: codeUnavailable, Message: "templates are not available on this server"})
	return false
}

// composeFail maps the compose package's errors about its input to 422
// naming the field (a template that does not parse or render is the
// field "text"), an unknown pool to 404, and hands the rest to fail.
func (a *API) composeFail(w http.ResponseWriter, r *http.Request, err error) {
	var (
		fe *compose.FieldError
		pe *sms.ParseError
		re *compose.RenderError
	)
	switch {
	case errors.As(err, &fe):
		a.fail(w, r, invalid(fe.Field, fe.Error()))
	case errors.As(err, &pe), errors.As(err, &re):
		a.fail(w, r, invalid("text", err.Error()))
	case errors.Is(err, compose.ErrUnknownCategory):
		a.fail(w, r, invalid("category", err.Error()))
	case errors.Is(err, compose.ErrNoCustomer):
		a.fail(w, r, invalid("customer", "no customer has that id or phone number"))
	case errors.Is(err, compose.ErrNoText):
		a.fail(w, r, invalid("text", "text is required"))
	case errors.Is(err, compose.ErrNoPool):
		writeError(w, http.StatusNotFound, apiError{Code: codeNotFound, Message: err.Error()})
	default:
		a.fail(w, r, err)
	}
}
