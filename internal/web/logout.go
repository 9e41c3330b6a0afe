package web

import "net/http"

// logout serves POST /logout: end the session on the server, drop the
// cookie, back to the sign-in page.
func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	s := sessionFrom(r.Context())
	if err := c.auth.DeleteSession(r.Context(), s.Token); err != nil {
		c.serverError(w, r, err)
		return
	}
	c.clearCookie(w, sessionCookie)
	c.log.Info("signed out", "user", s.User.Name)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
