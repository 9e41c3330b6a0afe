package web

import "testing"

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                        "/",
		"/customers":              "/customers",
		"/customers/12?x=1#top":   "/customers/12?x=1#top",
		"/customers?q=%2F%2Fevil": "/customers?q=%2F%2Fevil",
		"customers":               "/",
		"//evil.example":          "/",
		"///evil.example":         "/",
		`/\evil.example`:          "/",
		`/x\y`:                    "/",
		"/\t/evil.example":        "/",
		"/\n/evil.example":        "/",
		"https://evil.example/":   "/",
		"http:/evil.example":      "/",
		"javascript:alert(1)":     "/",
		"/login":                  "/",
		"/login?next=/login":      "/",
		"/logout":                 "/",
		"/%zz":                    "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
