package web

import (
	"errors"
	"net/http"
	"strings"

	"nudge/internal/compose"
	"nudge/internal/policy"
)

// settingsComposeSave serves POST /settings/compose (administrators): the
// signature, opt-out lines, default locale and sensitive words. A refused
// form comes back as typed with the error next to its field (422).
func (c *Console) settingsComposeSave(w http.ResponseWriter, r *http.Request) {
	if c.compose == nil {
		c.notFound(w, r)
		return
	}
	if !c.adminOnly(w, r) {
		return
	}
	form := composeFormFrom(r.PostForm)
	err := c.compose.SetSettings(r.Context(), form.settings(c.compose.Settings()))
	var fe *compose.FieldError
	switch {
	case errors.As(err, &fe):
		d := c.settingsBase()
		d.Compose = form
		d.ComposeErrors[fe.Field] = fe.Reason
		if c.policy != nil {
			pf := policyFormOf(c.policy.Rules().Config())
			d.Policy = &pf
		}
		c.render(w, r, http.StatusUnprocessableEntity, "settings", d)
		return
	case err != nil:
		c.serverError(w, r, err)
		return
	}
	c.log.Info("compose settings saved", "user", sessionFrom(r.Context()).User.Name)
	http.Redirect(w, r, "/settings?saved=compose", http.StatusSeeOther)
}

// settingsPolicySave serves POST /settings/policy (administrators): the
// frequency caps and quiet hours, through the policy's settings (the rest
// of the policy is kept as it is).
func (c *Console) settingsPolicySave(w http.ResponseWriter, r *http.Request) {
	if c.compose == nil || c.policy == nil {
		c.notFound(w, r)
		return
	}
	if !c.adminOnly(w, r) {
		return
	}
	form := policyFormFrom(r.PostForm)
	cfg, errs := form.config(c.policy.Rules().Config())
	problem := ""
	if len(errs) == 0 {
		if _, err := policy.Compile(cfg); err != nil {
			problem = strings.TrimPrefix(err.Error(), "policy: ")
		} else if err := c.policy.SetConfig(r.Context(), cfg); err != nil {
			c.serverError(w, r, err)
			return
		}
	}
	if len(errs) > 0 || problem != "" {
		d := c.settingsBase()
		d.Compose = composeFormOf(c.compose.Settings())
		form.pad()
		d.Policy = &form
		d.PolicyErrors = errs
		d.PolicyProblem = problem
		c.render(w, r, http.StatusUnprocessableEntity, "settings", d)
		return
	}
	c.log.Info("policy settings saved", "user", sessionFrom(r.Context()).User.Name, "caps", len(cfg.Caps))
	http.Redirect(w, r, "/settings?saved=policy", http.StatusSeeOther)
}
