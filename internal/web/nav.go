package web

import (
	"slices"
	"strings"

	"nudge/internal/auth"
)

// NavItem is one entry of the console's left navigation.
type NavItem struct {
	// Label is the catalogue key of the entry's text.
	Label string
	// Path is the page the entry opens; it must be a GET route of the
	// console (New checks), so the menu never holds a dead link.
	Path string
	// Roles may see the entry; empty means every signed-in user.
	Roles []auth.Role
}

// navigation is the menu, in order. Later pages append their entry here in
// the same change that adds their route to routeTable; a page that does not
// exist yet has no entry, rather than a placeholder.
func navigation() []NavItem {
	return []NavItem{
		{Label: "nav.customers", Path: "/customers"},
		{Label: "nav.segments", Path: "/segments"},
		{Label: "nav.rfm", Path: "/rfm"},
		{Label: "nav.suppressions", Path: "/suppressions"},
		{Label: "nav.messages", Path: "/messages"},
		{Label: "nav.inbox", Path: "/inbox"},
		{Label: "nav.gateways", Path: "/gateways"},
		{Label: "nav.templates", Path: "/templates"},
		{Label: "nav.settings", Path: "/settings", Roles: []auth.Role{auth.RoleAdmin}},
	}
}

// navLink is a NavItem ready for a template.
type navLink struct {
	Label   string
	Path    string
	Current bool
}

// navFor returns the entries user may see, translated, with the one whose
// section holds path marked current.
func (c *Console) navFor(u auth.User, path string) []navLink {
	locale := normalLocale(u.Locale)
	var out []navLink
	for _, n := range c.nav {
		if len(n.Roles) > 0 && !slices.Contains(n.Roles, u.Role) {
			continue
		}
		out = append(out, navLink{
			Label:   c.cat.text(locale, n.Label),
			Path:    n.Path,
			Current: path == n.Path || strings.HasPrefix(path, n.Path+"/"),
		})
	}
	return out
}
