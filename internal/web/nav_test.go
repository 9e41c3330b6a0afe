package web

import (
	"strings"
	"testing"

	"nudge/internal/auth"
)

func TestNavigationHasNoDeadLinks(t *testing.T) {
	c := &Console{nav: navigation()}
	var err error
	if c.cat, err = loadCatalogue(); err != nil {
		t.Fatal(err)
	}
	c.routes = c.routeTable()
	if err := c.checkNav(); err != nil {
		t.Fatal(err)
	}
	c.nav = append(c.nav, NavItem{Label: "nav.customers", Path: "/campaigns"})
	if err := c.checkNav(); err == nil || !strings.Contains(err.Error(), `"/campaigns"`) {
		t.Errorf("a link to a missing page: err = %v", err)
	}
	c.nav = []NavItem{{Label: "nav.campaigns", Path: "/customers"}}
	if err := c.checkNav(); err == nil || !strings.Contains(err.Error(), "nav.campaigns") {
		t.Errorf("an uncatalogued label: err = %v", err)
	}
}

func TestNavigationFollowsRoles(t *testing.T) {
	c := &Console{nav: []NavItem{
		{Label: "nav.customers", Path: "/customers"},
		{Label: "nav.customers", Path: "/settings", Roles: []auth.Role{auth.RoleAdmin}},
	}}
	c.cat, _ = loadCatalogue()
	op := c.navFor(auth.User{Role: auth.RoleOperator, Locale: "en"}, "/customers/12")
	if len(op) != 1 || op[0].Label != "Customers" || !op[0].Current {
		t.Errorf("operator sees %+v", op)
	}
	admin := c.navFor(auth.User{Role: auth.RoleAdmin, Locale: "zh-CN"}, "/settings")
	if len(admin) != 2 || admin[0].Current || !admin[1].Current || admin[0].Label != "客户" {
		t.Errorf("admin sees %+v", admin)
	}
}
