package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"nudge/internal/store/storetest"
)

func TestSignedOutVisitorsGoToLogin(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), false)
	b := f.browser(t)
	for path, want := range map[string]string{
		"/":                      "/login",
		"/customers":             "/login?next=%2Fcustomers",
		"/customers?q=C1":        "/login?next=%2Fcustomers%3Fq%3DC1",
		customerPath(f.c1):       "/login?next=" + url.QueryEscape(customerPath(f.c1)),
		"/no/such/page":          "/login?next=%2Fno%2Fsuch%2Fpage",
		"/customers?after=50&x=": "/login?next=%2Fcustomers%3Fafter%3D50%26x%3D",
	} {
		res := b.get(path)
		if res.status != http.StatusSeeOther || res.header.Get("Location") != want {
			t.Errorf("GET %s: %d to %q, want 303 to %q", path, res.status, res.header.Get("Location"), want)
		}
	}
	// htmx swaps would put the sign-in page inside the table: the window
	// is sent instead.
	res := b.get("/customers?q=C1", "HX-Request", "true")
	if res.status != http.StatusUnauthorized || res.header.Get("HX-Redirect") != "/login?next=%2Fcustomers%3Fq%3DC1" {
		t.Errorf("htmx signed out: %d HX-Redirect %q", res.status, res.header.Get("HX-Redirect"))
	}
	// A POST without a session is not performed.
	if res := b.post("/locale", url.Values{"locale": {"en"}}); res.status != http.StatusSeeOther || res.header.Get("Location") != "/login" {
		t.Errorf("POST /locale signed out: %d to %q", res.status, res.header.Get("Location"))
	}
	// A made-up session cookie is no session.
	if res := b.get("/customers", "Cookie", "nudge_session=made-up"); res.status != http.StatusSeeOther {
		t.Errorf("made-up session: %d, want 303", res.status)
	}
}

func TestPostsNeedTheSessionsCSRFToken(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), false)
	b := f.signedIn(t)
	page := b.get("/customers")
	token := csrf(t, page.body)
	for _, form := range []url.Values{
		{"locale": {"en"}},
		{"locale": {"en"}, "csrf": {""}},
		{"locale": {"en"}, "csrf": {token + "x"}},
		{"locale": {"en"}, "csrf": {csrf(t, f.signedIn(t).get("/customers").body)}}, // another session's
	} {
		if res := b.post("/locale", form); res.status != http.StatusForbidden {
			t.Errorf("POST /locale %v: %d, want 403", form, res.status)
		}
	}
	// The header htmx sends works like the form field.
	res := b.post("/locale", url.Values{"locale": {"en"}}, "X-CSRF-Token", token)
	if res.status != http.StatusSeeOther {
		t.Errorf("POST /locale with X-CSRF-Token: %d, want 303", res.status)
	}
	mustContain(t, page.body, `hx-headers='{"X-CSRF-Token": "`+token+`"}'`)
}

func TestSafeHeadersEverywhere(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), false)
	b := f.signedIn(t)
	page := b.get("/customers")
	css := regexp.MustCompile(`href="(/static/app\.css\?v=[0-9a-f]{16})"`).FindStringSubmatch(page.body)
	if css == nil {
		t.Fatalf("no checksummed stylesheet in page")
	}
	for _, path := range []string{"/customers", customerPath(f.c1), "/customers/999999", css[1]} {
		res := b.get(path)
		checkSafeHeaders(t, path, res.header)
	}
	checkSafeHeaders(t, "/login", f.browser(t).get("/login").header)
	checkSafeHeaders(t, "/customers signed out", f.browser(t).get("/customers").header)
	if cc := page.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("page Cache-Control %q, want no-store", cc)
	}
}

func checkSafeHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	want := map[string]string{
		"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
		"X-Frame-Options":         "DENY",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "same-origin",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", what, k, got, v)
		}
	}
}

func TestStaticAssets(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), false)
	b := f.signedIn(t)
	page := b.get("/customers")
	// Every page loads htmx; only chart pages load ECharts.
	m := regexp.MustCompile(`<script src="(/static/vendor/htmx\.min\.js\?v=([0-9a-f]{16}))" defer></script>`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("no checksummed htmx script in page:\n%s", page.body)
	}
	mustNotContain(t, page.body, "echarts")
	want, err := os.ReadFile("static/vendor/htmx.min.js")
	if err != nil {
		t.Fatal(err)
	}
	res := b.get(m[1])
	if res.status != http.StatusOK || res.body != string(want) {
		t.Fatalf("GET %s: %d, %d bytes, want %d", m[1], res.status, len(res.body), len(want))
	}
	if cc := res.header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("Cache-Control %q", cc)
	}
	if ct := res.header.Get("Content-Type"); ct != "text/javascript; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if et := res.header.Get("ETag"); et != `"`+m[2]+`"` {
		t.Errorf("ETag %q, want %q", et, m[2])
	}
	// Without the current hash the browser must revalidate.
	stale := b.get("/static/vendor/htmx.min.js?v=0000000000000000")
	if cc := stale.header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("stale hash Cache-Control %q, want no-cache", cc)
	}
	if res := b.get(m[1], "If-None-Match", `"`+m[2]+`"`); res.status != http.StatusNotModified || res.body != "" {
		t.Errorf("If-None-Match: %d with %d bytes, want 304 and nothing", res.status, len(res.body))
	}
	// gzip when asked (Go's client would decompress silently, so ask by hand).
	req, _ := http.NewRequest("GET", f.srv.URL+m[1], nil)
	req.Header.Set("Accept-Encoding", "gzip")
	gres, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer gres.Body.Close()
	if gres.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", gres.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(gres.Body)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(zr)
	if !bytes.Equal(got, want) {
		t.Errorf("gzip body differs from the file")
	}
	// Static files need no session, and the directory holds only what was
	// embedded.
	anon := f.browser(t)
	if res := anon.get(m[1]); res.status != http.StatusOK {
		t.Errorf("static signed out: %d", res.status)
	}
	for _, p := range []string{"/static/vendor.sh", "/static/nope.js", "/static/templates/layout.html"} {
		if res := anon.get(p); res.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, res.status)
		}
	}
	if res := anon.get("/static/vendor/echarts.LICENSE"); res.status != http.StatusOK || !strings.Contains(res.body, "Apache License") {
		t.Errorf("echarts licence not served: %d", res.status)
	}
}
