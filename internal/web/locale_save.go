package web

import (
	"net/http"
	"slices"
)

// localeSave serves POST /locale: store the user's language and return to
// the page the switch was pressed on.
func (c *Console) localeSave(w http.ResponseWriter, r *http.Request) {
	loc := r.PostForm.Get("locale")
	if !slices.Contains(Locales, loc) {
		c.errorPage(w, r, http.StatusBadRequest, nil)
		return
	}
	if err := c.auth.SetLocale(r.Context(), sessionFrom(r.Context()).User.ID, loc); err != nil {
		c.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, safeNext(r.PostForm.Get("next")), http.StatusSeeOther)
}
