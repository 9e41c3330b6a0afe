package web

import (
	"net/http"
	"time"
)

// loginTokenLifetime bounds how long a sign-in form stays valid.
const loginTokenLifetime = time.Hour

// loginData is the sign-in page's data.
type loginData struct {
	Token string // the double-submit CSRF token, also in the login cookie
	Next  string // where to go once signed in, already checked by safeNext
	Name  string
	Error string
}

// loginShow serves GET /login. Someone already signed in goes straight on.
func (c *Console) loginShow(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if _, err := c.loadSession(r); err == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	c.showLogin(w, r, http.StatusOK, loginData{Next: next})
}

// showLogin renders the sign-in page with a CSRF token. There is no session
// yet to hold a token, so the form uses a double-submit cookie: the same
// random value in an HttpOnly cookie and in the form, which another site can
// neither read nor set.
func (c *Console) showLogin(w http.ResponseWriter, r *http.Request, status int, d loginData) {
	d.Token = c.loginToken(w, r)
	c.render(w, r, status, "login", d)
}

// loginToken reuses the visitor's login cookie when it looks like one of
// ours, so that two open tabs do not invalidate each other, and sets a new
// one otherwise.
func (c *Console) loginToken(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(c.cookieName(loginCookie)); err == nil && isToken(ck.Value) {
		return ck.Value
	}
	tok := randomToken(32)
	http.SetCookie(w, &http.Cookie{
		Name:     c.cookieName(loginCookie),
		Value:    tok,
		Path:     "/",
		MaxAge:   int(loginTokenLifetime / time.Second),
		HttpOnly: true,
		Secure:   c.secure,
		SameSite: http.SameSiteStrictMode,
	})
	return tok
}

// isToken reports whether s has the shape randomToken(32) gives.
func isToken(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
