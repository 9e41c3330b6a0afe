// Package api is nudge's REST API under /api/v1: customers, orders and
// products for the shop systems, ERPs and tills that feed nudge, with bearer
// tokens (`nudge token create`) and an OpenAPI document at
// /api/openapi.json that a test keeps equal to the routes below.
//
// Domain errors become HTTP statuses here and nowhere else (errors.go).
package api

import (
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"

	"nudge/internal/auth"
	"nudge/internal/clock"
	"nudge/internal/compose"
	"nudge/internal/customer"
	"nudge/internal/link"
	"nudge/internal/policy"
	"nudge/internal/segment"
)

// Deps is what the API needs from the application.
type Deps struct {
	Customers *customer.Store
	Auth      *auth.Service
	Log       *slog.Logger
	Clock     clock.Clock
	// Segments serves /api/v1/segments, /rules and /rfm (segment_routes.go);
	// without it they answer 503.
	Segments *segment.Service
	// Policy and Links serve /api/v1/why, /suppressions, /policy, consent
	// and /links (policy_routes.go); without them they answer 503.
	Policy *policy.Policy
	Links  *link.Service
	// Delivery serves /api/v1/messages and /gateways (message_routes.go,
	// gateway_routes.go); without it they answer 503.
	Delivery *Delivery
	// Compose serves /api/v1/templates, /sms/count, /settings/compose and
	// /coupons (template_routes.go); without it they answer 503, except
	// /sms/count and the starters, which need no service.
	Compose *compose.Service
}

// API serves the REST API.
type API struct {
	customers *customer.Store
	auth      *auth.Service
	log       *slog.Logger
	clock     clock.Clock
	segments  *segment.Service
	policy    *policy.Policy
	links     *link.Service
	delivery  *Delivery
	compose   *compose.Service
}

// New builds the API.
func New(d Deps) *API {
	log := d.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	clk := d.Clock
	if clk == nil {
		clk = clock.System{}
	}
	return &API{customers: d.Customers, auth: d.Auth, log: log.With("component", "api"), clock: clk, segments: d.Segments,
		policy: d.Policy, links: d.Links, delivery: d.Delivery, compose: d.Compose}
}

// route is one entry of the API's route table.
type route struct {
	pattern string // an http.ServeMux pattern with its method
	handler http.HandlerFunc
	public  bool // served without a bearer token
}

// routes is the one route table of the API. openapi_test.go checks that the
// OpenAPI document describes exactly these.
func (a *API) routes() []route {
	return append([]route{
		{pattern: "GET /api/v1/customers", handler: a.customersList},
		{pattern: "POST /api/v1/customers", handler: a.customersImport},
		{pattern: "GET /api/v1/customers/{external_id}", handler: a.customerShow},
		{pattern: "GET /api/v1/customers/{external_id}/orders", handler: a.customerOrders},
		{pattern: "POST /api/v1/orders", handler: a.ordersImport},
		{pattern: "GET /api/v1/products", handler: a.productsList},
		{pattern: "POST /api/v1/products", handler: a.productsImport},
		{pattern: "GET /api/openapi.json", handler: a.openAPI, public: true},
	}, slices.Concat(a.segmentRoutes(), a.policyRoutes(), a.deliveryRoutes(), a.templateRoutes())...)
}

// Register adds the API's routes to mux. Besides the table above, each path
// gets a method-less pattern answering 405 in JSON with an Allow header, and
// /api/v1/ a JSON 404, so that an API client never receives the console's
// HTML pages.
func (a *API) Register(mux *http.ServeMux) {
	allowed := map[string][]string{}
	var paths []string
	for _, rt := range a.routes() {
		h := http.Handler(rt.handler)
		if !rt.public {
			h = a.requireToken(h)
		}
		mux.Handle(rt.pattern, h)
		method, path, _ := strings.Cut(rt.pattern, " ")
		if _, ok := allowed[path]; !ok {
			paths = append(paths, path)
		}
		allowed[path] = append(allowed[path], method)
	}
	sort.Strings(paths)
	for _, p := range paths {
		allow := allowed[p]
		if slices.Contains(allow, http.MethodGet) {
			allow = append(allow, http.MethodHead)
		}
		mux.Handle(p, methodNotAllowed(strings.Join(allow, ", ")))
	}
	mux.Handle("/api/v1/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, apiError{Code: codeNotFound, Message: "no such API endpoint: " + r.URL.Path})
	}))
}

func methodNotAllowed(allow string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeError(w, http.StatusMethodNotAllowed, apiError{Code: codeMethodNotAllowed, Message: r.Method + " is not allowed here; use " + allow})
	})
}
