package api

import (
	"net/http"
	"time"

	"nudge/internal/customer"
	"nudge/internal/policy"
)

// whyOut is the decision for a number: the same JSON as `nudge why
// --json`. Until is present only for a defer.
type whyOut struct {
	Decision string     `json:"decision"`
	Until    *time.Time `json:"until,omitempty"`
	Reasons  []string   `json:"reasons"`
}

// why handles GET /api/v1/why?phone=P[&category=C][&at=TIME]: what the
// policy decides for a message of category C (default marketing) to the
// number now or at TIME, one reason line per rule. It records nothing.
func (a *API) why(w http.ResponseWriter, r *http.Request) {
	if !a.policyReady(w) {
		return
	}
	q := r.URL.Query()
	number := q.Get("phone")
	if number == "" {
		a.fail(w, r, badParameter("phone", "phone is required"))
		return
	}
	cat := policy.Category(q.Get("category"))
	if cat == "" {
		cat = "marketing"
	}
	rules := a.policy.Rules()
	if _, ok := rules.Kind(cat); !ok {
		a.fail(w, r, badParameter("category", "unknown category "+string(cat)))
		return
	}
	now := a.clock.Now()
	if s := q.Get("at"); s != "" {
		t, err := customer.ParseTime(s, a.customers.Location())
		if err != nil {
			a.fail(w, r, badParameter("at", err.Error()))
			return
		}
		now = t
	}
	rec, _, _, err := a.policy.RecipientByPhone(r.Context(), number, now)
	if err != nil {
		a.policyFail(w, r, err)
		return
	}
	d, lines := policy.Explain(&rec, cat, now, rules, nil)
	out := whyOut{Decision: d.Verdict.String(), Reasons: lines}
	if d.Verdict == policy.Defer {
		u := d.Until.UTC()
		out.Until = &u
	}
	writeJSON(w, http.StatusOK, out)
}
