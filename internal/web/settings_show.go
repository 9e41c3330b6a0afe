package web

import (
	"net/http"

	"nudge/internal/auth"
	"nudge/internal/policy"
)

// settingsData is the settings page's data: both forms, each with its
// errors keyed by input name, and the notice of the last save.
type settingsData struct {
	Compose       composeForm
	ComposeErrors map[string]string
	// Policy is nil when the server runs without the policy service.
	Policy       *policyForm
	PolicyErrors map[string]string
	// PolicyProblem is what the policy refused as a whole (two caps with
	// one name, a window that ends before it starts ...).
	PolicyProblem string
	Notice        string
	Locales       []string
	Positions     []string
	Applies       []string // kinds and categories a cap may apply to
	Kinds         []string
}

// settingsNotices are the outcomes a redirect after a save may name.
var settingsNotices = map[string]string{
	"compose": "settings.saved.compose",
	"policy":  "settings.saved.policy",
}

// adminOnly answers 403 to anyone but an administrator and reports whether
// the handler may go on. The settings change every message the shop
// sends, so operators may neither see nor save them; the navigation hides
// the page from them too.
func (c *Console) adminOnly(w http.ResponseWriter, r *http.Request) bool {
	if sessionFrom(r.Context()).User.Role == auth.RoleAdmin {
		return true
	}
	c.log.Warn("settings refused to a non-administrator", "user", sessionFrom(r.Context()).User.Name, "path", r.URL.Path)
	c.errorPage(w, r, http.StatusForbidden, nil)
	return false
}

// settingsShow serves GET /settings (administrators).
func (c *Console) settingsShow(w http.ResponseWriter, r *http.Request) {
	if c.compose == nil {
		c.notFound(w, r)
		return
	}
	if !c.adminOnly(w, r) {
		return
	}
	d := c.settingsBase()
	d.Compose = composeFormOf(c.compose.Settings())
	if c.policy != nil {
		pf := policyFormOf(c.policy.Rules().Config())
		d.Policy = &pf
	}
	if key, ok := settingsNotices[r.URL.Query().Get("saved")]; ok {
		d.Notice = key
	}
	c.render(w, r, http.StatusOK, "settings", d)
}

// settingsBase is the page's data before the forms are filled in.
func (c *Console) settingsBase() settingsData {
	d := settingsData{Locales: Locales, Positions: []string{"start", "end"},
		ComposeErrors: map[string]string{}, PolicyErrors: map[string]string{}}
	kinds := []string{string(policy.Transactional), string(policy.Marketing), string(policy.Staff)}
	d.Kinds = kinds
	d.Applies = kinds
	if c.policy != nil {
		for _, cat := range c.policy.Rules().Categories() {
			if s := string(cat); s != string(policy.Transactional) && s != string(policy.Marketing) && s != string(policy.Staff) {
				d.Applies = append(d.Applies, s)
			}
		}
	}
	return d
}
