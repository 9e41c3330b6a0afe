package api

import (
	"net/http"

	"nudge/internal/link"
)

// linkIn is the body of POST /api/v1/links.
type linkIn struct {
	Target   string `json:"target"`
	Campaign string `json:"campaign"`
	Content  string `json:"content"`
	// CustomerID is the shop's id of the customer the link is personal to;
	// empty for a link shared by everyone.
	CustomerID string `json:"customer_id"`
}

// linkOut answers POST /api/v1/links.
type linkOut struct {
	URL string `json:"url"`
}

// linkCreate handles POST /api/v1/links: a short link to target with UTM
// parameters (utm_source=sms, utm_medium=nudge, utm_campaign, utm_content)
// added on redirect.
func (a *API) linkCreate(w http.ResponseWriter, r *http.Request) {
	if !a.linksReady(w) {
		return
	}
	var in linkIn
	if err := decodeStrict(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := link.CheckTarget(in.Target); err != nil {
		a.fail(w, r, invalid("target", "target must be an absolute http(s) URL"))
		return
	}
	var id int64
	if in.CustomerID != "" {
		c, err := a.customers.GetByExternalID(r.Context(), in.CustomerID)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		id = c.ID
	}
	u, err := a.links.Create(r.Context(), in.Target, in.Campaign, in.Content, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, linkOut{URL: u})
}

// linkStats handles GET /api/v1/links/stats?campaign=C: the campaign's
// links, clicks by people, distinct customers who clicked, and the bot and
// preview requests left out of those counts.
func (a *API) linkStats(w http.ResponseWriter, r *http.Request) {
	if !a.linksReady(w) {
		return
	}
	campaign := r.URL.Query().Get("campaign")
	if campaign == "" {
		a.fail(w, r, badParameter("campaign", "campaign is required"))
		return
	}
	st, err := a.links.Stats(r.Context(), campaign)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}
