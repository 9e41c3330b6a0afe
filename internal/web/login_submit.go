package web

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"nudge/internal/auth"
)

// loginSubmit serves POST /login: check the form's token, the rate limit,
// then the password; on success start a session and go to next.
func (c *Console) loginSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		c.errorPage(w, r, http.StatusBadRequest, nil)
		return
	}
	ip := clientIP(r)
	ck, err := r.Cookie(c.cookieName(loginCookie))
	if err != nil || !sameToken(r.PostForm.Get("csrf"), ck.Value) {
		c.log.Warn("login csrf token refused", "ip", ip)
		c.errorPage(w, r, http.StatusForbidden, nil)
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	d := loginData{Name: name, Next: safeNext(r.PostForm.Get("next"))}
	key := limitKey(ip, name)
	if wait := c.limiter.wait(key); wait > 0 {
		c.log.Warn("login throttled", "ip", ip, "user", logName(name))
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		d.Error = c.text(r, "login.throttled", int(math.Ceil(wait.Minutes())))
		c.showLogin(w, r, http.StatusTooManyRequests, d)
		return
	}
	u, err := c.auth.Authenticate(r.Context(), name, r.PostForm.Get("password"))
	if errors.Is(err, auth.ErrBadCredentials) {
		c.limiter.fail(key)
		c.log.Info("login failed", "ip", ip, "user", logName(name))
		d.Error = c.text(r, "login.failed")
		c.showLogin(w, r, http.StatusUnauthorized, d)
		return
	}
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	c.limiter.reset(key)
	token, _, err := c.auth.CreateSession(r.Context(), u.ID)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:  c.cookieName(sessionCookie),
		Value: token,
		Path:  "/",
		// The browser drops the cookie when the server would refuse it.
		MaxAge:   int(auth.SessionLifetime / time.Second),
		HttpOnly: true,
		Secure:   c.secure,
		// Lax keeps the session when a person follows a link to the
		// console from elsewhere; every POST also needs its CSRF token.
		SameSite: http.SameSiteLaxMode,
	})
	// The login token has done its job; the next form gets a fresh one.
	c.clearCookie(w, loginCookie)
	c.log.Info("signed in", "user", u.Name, "role", string(u.Role), "ip", ip)
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

// clearCookie tells the browser to drop one of the console's cookies.
func (c *Console) clearCookie(w http.ResponseWriter, base string) {
	http.SetCookie(w, &http.Cookie{
		Name: c.cookieName(base), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteLaxMode,
	})
}

// logName bounds a typed user name before it is logged: people sometimes
// type a password into the name field, and a log line should not carry a
// whole one.
func logName(name string) string {
	r := []rune(name)
	if len(r) > 32 {
		return string(r[:32]) + "…"
	}
	return name
}
