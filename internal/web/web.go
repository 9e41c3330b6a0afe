// Package web is the console: server-rendered pages for the people who run
// a shop, enhanced with htmx, in zh-CN and English.
//
// Pages are html/template files embedded in the binary and parsed once per
// locale when the console is built, so a broken template stops the server
// from starting. Every page but the sign-in page and static files needs a
// session; every POST needs its CSRF token; every response carries safe
// headers. Personal data reaches templates only masked.
package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"nudge/internal/auth"
	"nudge/internal/clock"
	"nudge/internal/compose"
	"nudge/internal/customer"
	"nudge/internal/policy"
	"nudge/internal/segment"
)

// Deps are the services the console is built on.
type Deps struct {
	Customers *customer.Store
	Auth      *auth.Service
	Log       *slog.Logger
	Clock     clock.Clock
	// SecureCookies marks cookies Secure (and __Host- prefixed): set it
	// whenever the console is reached over HTTPS.
	SecureCookies bool
	// Segments serves the RFM and segment pages (rfm_show.go,
	// segment_pages.go); without it they are not found.
	Segments *segment.Service
	// Policy serves the suppression list page (suppressions.go); without
	// it the page is not found.
	Policy *policy.Policy
	// Delivery serves the gateways, message log and inbox pages
	// (delivery_pages.go); without it they are not found.
	Delivery *Delivery
	// Compose serves the template editor and the settings page
	// (template_edit.go, settings_*.go); without it they are not found.
	Compose *compose.Service
}

// Console serves the console's pages.
type Console struct {
	customers *customer.Store
	auth      *auth.Service
	log       *slog.Logger
	clock     clock.Clock
	secure    bool
	segments  *segment.Service
	policy    *policy.Policy
	delivery  *Delivery
	compose   *compose.Service

	cat     catalogue
	static  *assets
	tpl     *engine
	nav     []NavItem
	limiter *loginLimiter
	routes  []route
}

// route is one entry of the console's route table.
type route struct {
	pattern string
	handler http.Handler
}

// New builds the console, parsing and checking every template and the
// message catalogues; an error names what is broken.
func New(d Deps) (*Console, error) {
	if d.Customers == nil || d.Auth == nil {
		return nil, errors.New("web: Deps needs Customers and Auth")
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	c := &Console{
		customers: d.Customers,
		auth:      d.Auth,
		log:       d.Log.With("component", "web"),
		clock:     d.Clock,
		secure:    d.SecureCookies,
		segments:  d.Segments,
		policy:    d.Policy,
		delivery:  d.Delivery,
		compose:   d.Compose,
		nav:       navigation(),
		limiter:   newLoginLimiter(d.Clock, loginFailures, loginWindow),
	}
	var err error
	if c.cat, err = loadCatalogue(); err != nil {
		return nil, err
	}
	if c.static, err = loadAssets(); err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	if c.tpl, err = newEngine(c.cat, c.static); err != nil {
		return nil, err
	}
	c.routes = c.routeTable()
	if err := c.checkNav(); err != nil {
		return nil, err
	}
	return c, nil
}

// routeTable is the console's one route table. Public routes come first;
// c.private wraps everything that needs a session (and, for POST, the
// session's CSRF token).
func (c *Console) routeTable() []route {
	return []route{
		{"GET /static/", c.headers(c.static)},
		{"GET /login", c.public(c.loginShow)},
		{"POST /login", c.public(c.loginSubmit)},
		{"POST /logout", c.private(c.logout)},
		{"POST /locale", c.private(c.localeSave)},
		{"GET /customers", c.private(c.customerList)},
		{"GET /customers/{id}", c.private(c.customerShow)},
		{"GET /segments", c.private(c.segmentList)},
		{"GET /segments/edit", c.private(c.segmentEdit)},
		{"GET /segments/count", c.private(c.segmentCount)},
		{"POST /segments/count", c.private(c.segmentCount)},
		{"POST /segments", c.private(c.segmentSave)},
		{"GET /rfm", c.private(c.rfmShow)},
		{"POST /rfm", c.private(c.rfmRefresh)},
		{"GET /suppressions", c.private(c.suppressionList)},
		{"POST /suppressions", c.private(c.suppressionAdd)},
		{"POST /suppressions/{id}/remove", c.private(c.suppressionRemove)},
		{"POST /suppressions/import", c.private(c.suppressionImport)},
		{"GET /suppressions/export", c.private(c.suppressionExport)},
		{"GET /messages", c.private(c.messageList)},
		{"GET /messages/{id}", c.private(c.messageShow)},
		{"GET /inbox", c.private(c.inboxList)},
		{"POST /inbox/{id}/handled", c.private(c.inboxHandled)},
		{"GET /gateways", c.private(c.gatewayList)},
		{"POST /gateways", c.private(c.gatewayAdd)},
		{"POST /gateways/{name}/remove", c.private(c.gatewayRemove)},
		{"GET /gateways/{name}/log", c.private(c.gatewayLog)},
		{"GET /templates", c.private(c.templateEdit)},
		{"POST /templates/preview", c.private(c.templatePreview)},
		{"GET /settings", c.private(c.settingsShow)},
		{"POST /settings/compose", c.private(c.settingsComposeSave)},
		{"POST /settings/policy", c.private(c.settingsPolicySave)},
		{"/", c.private(c.home)},
	}
}

// Register adds the console's routes to mux.
func (c *Console) Register(mux *http.ServeMux) {
	for _, r := range c.routes {
		mux.Handle(r.pattern, r.handler)
	}
}

// checkNav refuses navigation entries that point at no GET route, so the
// menu never shows a dead link, and entries whose label is not catalogued.
func (c *Console) checkNav() error {
	for _, n := range c.nav {
		if !c.cat.has(n.Label) {
			return fmt.Errorf("web: navigation %q: catalogue key %q missing", n.Path, n.Label)
		}
		found := false
		for _, r := range c.routes {
			if r.pattern == "GET "+n.Path {
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("web: navigation links to %q, which has no GET route", n.Path)
		}
	}
	return nil
}

// home sends "/" to the first page of the navigation; any other path the
// mux did not match is not found.
func (c *Console) home(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		c.notFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		c.errorPage(w, r, http.StatusMethodNotAllowed, nil)
		return
	}
	target := "/customers"
	if links := c.navFor(sessionFrom(r.Context()).User, ""); len(links) > 0 {
		target = links[0].Path
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// isHTMX reports whether r is an htmx request that wants a fragment (a
// history restore wants the whole page).
func isHTMX(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-History-Restore-Request") != "true"
}

// clientIP is the peer address without its port. The console does not trust
// X-Forwarded-For: a proxy in front of it is not part of this skeleton.
func clientIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}
