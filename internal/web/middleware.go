package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"

	"nudge/internal/auth"
	"nudge/internal/store"
)

// Cookie names; with SecureCookies they get the __Host- prefix, which
// browsers accept only from HTTPS, for the whole host and path /, so that
// neither a sibling subdomain nor plain HTTP can plant them.
const (
	sessionCookie = "nudge_session"
	loginCookie   = "nudge_login"
)

// maxFormBytes bounds a console form; none of them is large.
const maxFormBytes = 64 << 10

// contentSecurityPolicy allows scripts, styles and connections only from the
// console itself: no inline script, no eval, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// session is the signed-in user of a request.
type session struct {
	User  auth.User
	CSRF  string
	Token string
}

type sessionKey struct{}

// sessionFrom returns the request's session; the zero session when none.
func sessionFrom(ctx context.Context) session {
	s, _ := ctx.Value(sessionKey{}).(session)
	return s
}

func (c *Console) cookieName(base string) string {
	if c.secure {
		return "__Host-" + base
	}
	return base
}

// headers sets the safe headers every console response carries.
func (c *Console) headers(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.ServeHTTP(w, r)
	})
}

// crossOrigin refuses state-changing requests that a browser marks as
// coming from another site (Sec-Fetch-Site, Origin): a second line behind
// the CSRF tokens, answered with the same friendly 403.
func (c *Console) crossOrigin(h http.Handler) http.Handler {
	p := http.NewCrossOriginProtection()
	p.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.log.Warn("cross-origin request refused", "method", r.Method, "path", r.URL.Path, "origin", r.Header.Get("Origin"))
		c.errorPage(w, r, http.StatusForbidden, nil)
	}))
	return p.Handler(h)
}

// public wraps a page anyone may reach.
func (c *Console) public(h http.HandlerFunc) http.Handler {
	return c.headers(c.crossOrigin(h))
}

// private wraps a page that needs a session: without one, the visitor is
// sent to /login and back here afterwards. A POST must also carry the
// session's CSRF token, in the form field csrf or the X-CSRF-Token header
// that the layout sets for htmx.
func (c *Console) private(h http.HandlerFunc) http.Handler {
	return c.public(func(w http.ResponseWriter, r *http.Request) {
		s, err := c.loadSession(r)
		if errors.Is(err, store.ErrNotFound) {
			c.toLogin(w, r)
			return
		}
		if err != nil {
			c.serverError(w, r, err)
			return
		}
		ctx := context.WithValue(r.Context(), sessionKey{}, s)
		r = r.WithContext(ctx)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if err := r.ParseForm(); err != nil {
				c.errorPage(w, r, http.StatusBadRequest, nil)
				return
			}
			token := r.PostForm.Get("csrf")
			if token == "" {
				token = r.Header.Get("X-CSRF-Token")
			}
			if !sameToken(token, s.CSRF) {
				c.log.Warn("csrf token refused", "method", r.Method, "path", r.URL.Path, "user", s.User.Name)
				c.errorPage(w, r, http.StatusForbidden, nil)
				return
			}
		}
		h(w, r)
	})
}

// sameToken compares two CSRF tokens in constant time; an empty token never
// matches.
func sameToken(got, want string) bool {
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// loadSession resolves the session cookie; store.ErrNotFound when there is
// none or it has expired.
func (c *Console) loadSession(r *http.Request) (session, error) {
	ck, err := r.Cookie(c.cookieName(sessionCookie))
	if err != nil || ck.Value == "" {
		return session{}, store.ErrNotFound
	}
	u, csrf, err := c.auth.Session(r.Context(), ck.Value)
	if err != nil {
		return session{}, err
	}
	u.Locale = normalLocale(u.Locale)
	return session{User: u, CSRF: csrf, Token: ck.Value}, nil
}

// toLogin sends a visitor without a session to the sign-in page, with the
// page they wanted as next. htmx requests get HX-Redirect, so that the whole
// window goes to /login rather than the sign-in form landing in a table.
func (c *Console) toLogin(w http.ResponseWriter, r *http.Request) {
	target := "/login"
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		if next := r.URL.RequestURI(); next != "/" {
			target += "?next=" + url.QueryEscape(next)
		}
	}
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}
