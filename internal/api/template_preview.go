package api

import (
	"net/http"
	"strings"

	"nudge/internal/compose"
	"nudge/internal/sms"
)

// previewIn is the body of POST /api/v1/templates/preview.
type previewIn struct {
	// Text is the template.
	Text string `json:"text"`
	// Customer is the shop's customer id or a phone number; empty previews
	// with fallbacks and values only.
	Customer string `json:"customer"`
	// Category is a policy category; default transactional.
	Category string `json:"category"`
	// Locale picks the opt-out line and titles; default the shop's.
	Locale string `json:"locale"`
	// Values are per-message fields (order_no, amount, ...).
	Values map[string]string `json:"values"`
	// CouponPool is the pool of a bare {{coupon}}.
	CouponPool string `json:"coupon_pool"`
}

// templatePreview handles POST /api/v1/templates/preview: the message as
// it would be sent to a real customer, with its count and lint warnings.
// Nothing is drawn or created: {{coupon}} shows a sample code and {{link}}
// a placeholder short link of the real length. The customer's name is
// masked in the text and the customer is named masked.
func (a *API) templatePreview(w http.ResponseWriter, r *http.Request) {
	if !a.composeReady(w) {
		return
	}
	var in previewIn
	if err := decodeStrict(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if strings.TrimSpace(in.Text) == "" {
		a.fail(w, r, invalid("text", "text is required"))
		return
	}
	p, err := a.compose.Preview(r.Context(), in.Text, in.Customer, in.Category,
		compose.Extras{Values: in.Values, Locale: in.Locale, CouponPool: in.CouponPool})
	if err != nil {
		a.composeFail(w, r, err)
		return
	}
	if p.Warnings == nil {
		p.Warnings = []sms.Warning{}
	}
	writeJSON(w, http.StatusOK, p)
}

// lintIn is the body of POST /api/v1/templates/lint.
type lintIn struct {
	Text string `json:"text"`
	// Category is a policy category; default marketing, the messages the
	// copy rules are about.
	Category string `json:"category"`
	Locale   string `json:"locale"`
}

// lintOut answers POST /api/v1/templates/lint: the text that was linted
// (the template with the shop's signature and, for marketing, the opt-out
// line, each {{link}} as a short link) and the warnings, whose start and
// end are character offsets into that text.
type lintOut struct {
	Text     string        `json:"text"`
	Warnings []sms.Warning `json:"warnings"`
}

// templateLint handles POST /api/v1/templates/lint.
func (a *API) templateLint(w http.ResponseWriter, r *http.Request) {
	if !a.composeReady(w) {
		return
	}
	var in lintIn
	if err := decodeStrict(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if strings.TrimSpace(in.Text) == "" {
		a.fail(w, r, invalid("text", "text is required"))
		return
	}
	if in.Category == "" {
		in.Category = sms.CategoryMarketing
	}
	text, ws, err := a.compose.Lint(in.Text, in.Category, in.Locale)
	if err != nil {
		a.composeFail(w, r, err)
		return
	}
	if ws == nil {
		ws = []sms.Warning{}
	}
	writeJSON(w, http.StatusOK, lintOut{Text: text, Warnings: ws})
}

// countIn is the body of POST /api/v1/sms/count.
type countIn struct {
	Text string `json:"text"`
}

// smsCount handles POST /api/v1/sms/count: the encoding, billed segments,
// units and units per segment of a finished text, the same count as `nudge
// sms count --json`. It needs no service and works on every server.
func (a *API) smsCount(w http.ResponseWriter, r *http.Request) {
	var in countIn
	if err := decodeStrict(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sms.CountText(in.Text))
}

// startersOut answers GET /api/v1/templates/starters.
type startersOut struct {
	Starters []sms.Starter `json:"starters"`
}

// templateStarters handles GET /api/v1/templates/starters[?locale=][&category=]:
// the starter library, optionally one locale's or one category's.
func (a *API) templateStarters(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	locale, category := q.Get("locale"), q.Get("category")
	switch category {
	case "", sms.CategoryTransactional, sms.CategoryMarketing, sms.CategoryStaff:
	default:
		a.fail(w, r, badParameter("category", "category must be transactional, marketing or staff"))
		return
	}
	out := startersOut{Starters: []sms.Starter{}}
	for _, s := range sms.Starters() {
		if (locale == "" || strings.EqualFold(s.Locale, locale)) && (category == "" || s.Category == category) {
			out.Starters = append(out.Starters, s)
		}
	}
	writeJSON(w, http.StatusOK, out)
}
