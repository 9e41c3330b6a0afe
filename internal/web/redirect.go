package web

import (
	"net/url"
	"strings"
)

// safeNext returns next when it is a path on this console, and "/"
// otherwise, so that /login?next=... cannot send a freshly signed-in user
// to another site. Browsers read "//host" and "/\host" as another host, and
// some drop tabs and newlines before doing so; all of these are refused.
func safeNext(next string) string {
	const home = "/"
	if next == "" || len(next) > 2048 || next[0] != '/' {
		return home
	}
	if strings.HasPrefix(next, "//") {
		return home
	}
	for i := 0; i < len(next); i++ {
		if c := next[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return home
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return home
	}
	// Returning to the sign-in or sign-out page would only loop.
	if u.Path == "/login" || u.Path == "/logout" {
		return home
	}
	return next
}
