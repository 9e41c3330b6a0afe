package api

import (
	"net/http"

	"nudge/internal/pii"
)

// customerShow handles GET /api/v1/customers/{external_id}: the whole
// record, phone and name in the clear (see customerFull for why). The read
// is logged with the token's name and the masked phone, so that an operator
// can tell which integration looked at whom.
func (a *API) customerShow(w http.ResponseWriter, r *http.Request) {
	c, err := a.customers.GetByExternalID(r.Context(), r.PathValue("external_id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.log.Info("customer read", "token", tokenName(r.Context()), "customer", c.ID, "phone", pii.MaskPhone(c.Phone))
	writeJSON(w, http.StatusOK, full(c))
}
