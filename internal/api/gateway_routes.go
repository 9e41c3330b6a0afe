package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"nudge/internal/gateway"
	"nudge/internal/outbox"
)

// gatewayOut is a configured gateway with its state as the running
// dispatchers last reported it; the URL's secrets are redacted.
type gatewayOut struct {
	Name        string              `json:"name"`
	Kind        string              `json:"kind"`
	URL         string              `json:"url"`
	Enabled     bool                `json:"enabled"`
	Problem     string              `json:"problem,omitempty"`
	Dispatchers []outbox.LineStatus `json:"dispatchers"`
}

// gatewayIn is the body of POST /api/v1/gateways.
type gatewayIn struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// gatewaysList handles GET /api/v1/gateways.
func (a *API) gatewaysList(w http.ResponseWriter, r *http.Request) {
	if !a.deliveryReady(w) {
		return
	}
	ctx := r.Context()
	recs, err := a.delivery.Gateways.List(ctx)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	st, err := outbox.GatewayStatuses(ctx, a.delivery.Outbox.DB(), a.clock.Now(), 15*time.Second)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Gateways []gatewayOut `json:"gateways"`
	}{Gateways: []gatewayOut{}}
	for _, rec := range recs {
		g := gatewayOut{Name: rec.Name, Kind: a.delivery.Registry.KindOf(rec.Scheme), URL: gateway.RedactURL(rec.URL),
			Enabled: rec.Enabled, Dispatchers: []outbox.LineStatus{}}
		if _, err := a.delivery.Registry.Check(rec.Name, rec.URL); err != nil {
			g.Problem = err.Error()
		}
		for _, s := range st {
			if s.Gateway == rec.Name {
				g.Dispatchers = append(g.Dispatchers, s)
			}
		}
		out.Gateways = append(out.Gateways, g)
	}
	writeJSON(w, http.StatusOK, out)
}

// gatewayCreate handles POST /api/v1/gateways: the URL is checked without
// connecting, sealed and stored; running servers start the gateway within
// seconds. The answer shows the URL with its secrets redacted.
func (a *API) gatewayCreate(w http.ResponseWriter, r *http.Request) {
	if !a.deliveryReady(w) {
		return
	}
	body, err := readBody(w, r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in gatewayIn
	if err := json.Unmarshal(body, &in); err != nil {
		a.fail(w, r, invalid("", "body: "+err.Error()))
		return
	}
	cfg, err := a.delivery.Registry.Check(in.Name, in.URL)
	if err != nil {
		field := "url"
		if !gateway.ValidName(in.Name) {
			field = "name"
		}
		// The message never quotes the URL, which may hold a password.
		a.fail(w, r, invalid(field, strings.TrimSpace(err.Error())))
		return
	}
	if err := a.delivery.Gateways.Add(r.Context(), cfg); err != nil {
		if errors.Is(err, gateway.ErrExists) {
			a.fail(w, r, &statusError{status: http.StatusConflict, apiError: apiError{Code: codeInvalid, Message: err.Error(), Field: "name"}})
			return
		}
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, gatewayOut{Name: cfg.Name, Kind: a.delivery.Registry.KindOf(cfg.Scheme), URL: cfg.Redacted(),
		Enabled: true, Dispatchers: []outbox.LineStatus{}})
}

// gatewayDelete handles DELETE /api/v1/gateways/{name}. Messages queued
// for the gateway are routed to another one.
func (a *API) gatewayDelete(w http.ResponseWriter, r *http.Request) {
	if !a.deliveryReady(w) {
		return
	}
	name := r.PathValue("name")
	if err := a.delivery.Gateways.Remove(r.Context(), name); err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"removed": name})
}
