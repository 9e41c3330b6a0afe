package web

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"

	"nudge/internal/auth"
)

// view is what every page template receives: the layout's fields, and the
// page's own data in Data.
type view struct {
	Locale    string
	Locales   []localeChoice
	User      *auth.User
	RoleLabel string
	CSRF      string
	Nav       []navLink
	Scripts   []string // checksummed script URLs, htmx first
	Path      string   // this page, for the language switch to return to
	Data      any
}

// localeChoice is one button of the language switch.
type localeChoice struct {
	Code, Label string
	Current     bool
}

// newView fills the layout's fields from the request's session (or, for a
// visitor, from their browser's language).
func (c *Console) newView(r *http.Request, page string, data any) *view {
	s := sessionFrom(r.Context())
	v := &view{Data: data, Path: returnPath(r)}
	if s.Token != "" {
		u := s.User
		v.User = &u
		v.Locale = normalLocale(u.Locale)
		v.CSRF = s.CSRF
		v.RoleLabel = c.cat.text(v.Locale, "role."+string(u.Role))
		v.Nav = c.navFor(u, r.URL.Path)
		for _, loc := range Locales {
			v.Locales = append(v.Locales, localeChoice{Code: loc, Label: c.cat.text(loc, "locale."+loc), Current: loc == v.Locale})
		}
	} else {
		v.Locale = browserLocale(r.Header.Get("Accept-Language"))
	}
	for _, s := range append([]string{"htmx"}, pages[page].scripts...) {
		if u, ok := c.static.url(vendorScripts[s]); ok {
			v.Scripts = append(v.Scripts, u)
		}
	}
	return v
}

// returnPath is this page's URL for the language switch to come back to,
// without a search query: a search may be a phone number, and the page
// already shows it once, in the search box.
func returnPath(r *http.Request) string {
	q := r.URL.Query()
	if !q.Has("q") {
		return r.URL.RequestURI()
	}
	q.Del("q")
	u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
	return u.RequestURI()
}

// text translates key for the request's user (or visitor).
func (c *Console) text(r *http.Request, key string, args ...any) string {
	if s := sessionFrom(r.Context()); s.Token != "" {
		return c.cat.text(s.User.Locale, key, args...)
	}
	return c.cat.text(browserLocale(r.Header.Get("Accept-Language")), key, args...)
}

// render writes a whole page with status.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	c.renderTemplate(w, r, status, page, "layout.html", data)
}

// renderTemplate writes one named template of a page: the whole page
// ("layout.html") or a fragment for htmx. Pages hold personal data, even
// masked, so nothing is cached.
func (c *Console) renderTemplate(w http.ResponseWriter, r *http.Request, status int, page, name string, data any) {
	v := c.newView(r, page, data)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "HX-Request, Cookie, Accept-Language")
	body, err := c.tpl.render(v.Locale, page, name, v)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	w.WriteHeader(status)
	w.Write(body)
}

// errorData is the error page's data.
type errorData struct {
	Message   string
	Reference string
}

// errorPage shows a friendly page for status. ref, when given, is the
// reference logged with the error so that an administrator can find it.
func (c *Console) errorPage(w http.ResponseWriter, r *http.Request, status int, ref *string) {
	key := "error." + strconv.Itoa(status)
	if !c.cat.has(key) {
		key = "error.500"
	}
	d := errorData{Message: c.text(r, key)}
	if ref != nil {
		d.Reference = *ref
	}
	v := c.newView(r, "error", d)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	body, err := c.tpl.render(v.Locale, "error", "layout.html", v)
	if err != nil {
		// The error page itself failed: say so plainly rather than loop.
		c.log.Error("error page failed", "path", r.URL.Path, "err", err)
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		w.Write([]byte(http.StatusText(status) + "\n"))
		return
	}
	w.WriteHeader(status)
	w.Write(body)
}

// serverError logs err with a reference and shows the error page with it.
// Errors from the stores name customers by id, never by phone or name.
func (c *Console) serverError(w http.ResponseWriter, r *http.Request, err error) {
	ref := newReference()
	c.log.Error("request failed", "ref", ref, "method", r.Method, "path", r.URL.Path, "err", err)
	c.errorPage(w, r, http.StatusInternalServerError, &ref)
}

// notFound shows the 404 page.
func (c *Console) notFound(w http.ResponseWriter, r *http.Request) {
	c.errorPage(w, r, http.StatusNotFound, nil)
}

// newReference is a short random id tying an error page to its log line.
func newReference() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// randomToken returns n random bytes, hex encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
