package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

func cookieLine(t *testing.T, res response, name string) string {
	t.Helper()
	for _, line := range res.header.Values("Set-Cookie") {
		if strings.HasPrefix(line, name+"=") {
			return line
		}
	}
	t.Fatalf("no Set-Cookie %s in %q", name, res.header.Values("Set-Cookie"))
	return ""
}

func TestLoginSucceeds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, false)
		b := f.browser(t)
		res := b.login(testUser, testPassword)
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/" {
			t.Fatalf("login: %d to %q, want 303 to /", res.status, res.header.Get("Location"))
		}
		sc := cookieLine(t, res, "nudge_session")
		for _, attr := range []string{"Path=/", "Max-Age=43200", "HttpOnly", "SameSite=Lax"} {
			if !strings.Contains(sc, attr) {
				t.Errorf("session cookie %q lacks %s", sc, attr)
			}
		}
		if strings.Contains(sc, "Secure") {
			t.Errorf("session cookie %q is Secure without SecureCookies", sc)
		}
		if lc := cookieLine(t, res, "nudge_login"); !strings.Contains(lc, "Max-Age=0") {
			t.Errorf("login cookie not cleared: %q", lc)
		}
		home := b.get("/")
		if home.status != http.StatusSeeOther || home.header.Get("Location") != "/customers" {
			t.Fatalf("GET /: %d to %q", home.status, home.header.Get("Location"))
		}
		page := b.get("/customers")
		if page.status != http.StatusOK {
			t.Fatalf("GET /customers: %d", page.status)
		}
		mustContain(t, page.body, "<strong>ops</strong>", "管理员", `<a href="/customers" aria-current="page">客户</a>`)
		// Signed in, the sign-in page sends the user on.
		if again := b.get("/login?next=/customers/1"); again.status != http.StatusSeeOther || again.header.Get("Location") != "/customers/1" {
			t.Errorf("GET /login while signed in: %d to %q", again.status, again.header.Get("Location"))
		}
	})
}

func TestLoginReturnsToNext(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), false)
	b := f.browser(t)
	res := b.get(customerPath(f.c1))
	want := "/login?next=" + url.QueryEscape(customerPath(f.c1))
	if res.status != http.StatusSeeOther || res.header.Get("Location") != want {
		t.Fatalf("GET %s signed out: %d to %q, want 303 to %q", customerPath(f.c1), res.status, res.header.Get("Location"), want)
	}
	page := b.get(want)
	mustContain(t, page.body, `name="next" value="`+customerPath(f.c1)+`"`)
	res = b.post("/login", url.Values{"csrf": {csrf(t, page.body)}, "name": {testUser}, "password": {testPassword}, "next": {customerPath(f.c1)}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != customerPath(f.c1) {
		t.Fatalf("login: %d to %q", res.status, res.header.Get("Location"))
	}
}

func TestLoginRefusesOpenRedirect(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), false)
	for _, next := range []string{"https://evil.example/", "//evil.example/x", `/\evil.example`, "/\t/evil.example", "javascript:alert(1)"} {
		b := f.browser(t)
		page := b.get("/login?next=" + url.QueryEscape(next))
		res := b.post("/login", url.Values{"csrf": {csrf(t, page.body)}, "name": {testUser}, "password": {testPassword}, "next": {next}})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/" {
			t.Errorf("next=%q: %d to %q, want 303 to /", next, res.status, res.header.Get("Location"))
		}
	}
}

func TestLoginWrongPassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, false)
		b := f.browser(t)
		for _, tc := range []struct{ name, password string }{{testUser, "wrong password"}, {"nobody", testPassword}} {
			res := b.login(tc.name, tc.password)
			if res.status != http.StatusUnauthorized {
				t.Fatalf("login %s: %d, want 401", tc.name, res.status)
			}
			mustContain(t, res.body, `<p class="error" role="alert">用户名或密码错误。</p>`, `value="`+tc.name+`"`)
			mustNotContain(t, res.body, tc.password)
			for _, c := range res.header.Values("Set-Cookie") {
				if strings.HasPrefix(c, "nudge_session=") {
					t.Errorf("failed login set a session: %q", c)
				}
			}
		}
		if got := b.get("/customers"); got.status != http.StatusSeeOther {
			t.Errorf("after failed logins GET /customers: %d, want 303", got.status)
		}
	})
}

func TestLoginNeedsCSRFToken(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), false)
	form := url.Values{"name": {testUser}, "password": {testPassword}}

	// No token at all.
	b := f.browser(t)
	b.get("/login")
	if res := b.post("/login", form); res.status != http.StatusForbidden {
		t.Errorf("POST /login without token: %d, want 403", res.status)
	} else {
		mustContain(t, res.body, "表单已过期或并非来自本控制台")
	}
	// A token that is not the cookie's.
	form.Set("csrf", strings.Repeat("ab", 32))
	if res := b.post("/login", form); res.status != http.StatusForbidden {
		t.Errorf("POST /login with a wrong token: %d, want 403", res.status)
	}
	// A real token, but from another visitor: this browser has no cookie.
	other := f.browser(t)
	form.Set("csrf", csrf(t, other.get("/login").body))
	if res := f.browser(t).post("/login", form); res.status != http.StatusForbidden {
		t.Errorf("POST /login with someone else's token: %d, want 403", res.status)
	}
	// A browser that says the form came from another site.
	page := b.get("/login")
	form.Set("csrf", csrf(t, page.body))
	if res := b.post("/login", form, "Sec-Fetch-Site", "cross-site"); res.status != http.StatusForbidden {
		t.Errorf("cross-site POST /login: %d, want 403", res.status)
	}
	if res := b.post("/login", form, "Sec-Fetch-Site", "same-origin"); res.status != http.StatusSeeOther {
		t.Errorf("same-origin POST /login with the token: %d, want 303", res.status)
	}
}

func TestLoginRateLimited(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), false)
	b := f.browser(t)
	for i := range 5 {
		if res := b.login(testUser, "wrong password"); res.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d, want 401", i+1, res.status)
		}
		f.clock.Advance(time.Minute)
	}
	// The sixth try is refused before the password is even checked.
	res := b.login(testUser, testPassword)
	if res.status != http.StatusTooManyRequests {
		t.Fatalf("sixth try: %d, want 429", res.status)
	}
	// The first failure was 5 minutes ago: it leaves the window in 10.
	if got := res.header.Get("Retry-After"); got != "600" {
		t.Errorf("Retry-After %q, want 600", got)
	}
	mustContain(t, res.body, "请 10 分钟后再试")
	// Another name from the same address is not held back.
	if res := b.login("someone", "wrong password"); res.status != http.StatusUnauthorized {
		t.Errorf("other name: %d, want 401", res.status)
	}
	f.clock.Advance(10 * time.Minute)
	if res := b.login(testUser, testPassword); res.status != http.StatusSeeOther {
		t.Errorf("after the window: %d, want 303", res.status)
	}
	if !strings.Contains(f.logs.String(), "login throttled") {
		t.Errorf("throttling not logged:\n%s", f.logs.String())
	}
}

func TestSecureCookies(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), true)
	b := f.browser(t)
	page := b.get("/login")
	lc := cookieLine(t, page, "__Host-nudge_login")
	for _, attr := range []string{"Path=/", "HttpOnly", "Secure", "SameSite=Strict"} {
		if !strings.Contains(lc, attr) {
			t.Errorf("login cookie %q lacks %s", lc, attr)
		}
	}
	// The jar will not send a Secure cookie over http; send it by hand.
	token := csrf(t, page.body)
	res := f.browser(t).post("/login", url.Values{"csrf": {token}, "name": {testUser}, "password": {testPassword}},
		"Cookie", "__Host-nudge_login="+token)
	if res.status != http.StatusSeeOther {
		t.Fatalf("login: %d", res.status)
	}
	sc := cookieLine(t, res, "__Host-nudge_session")
	for _, attr := range []string{"Path=/", "HttpOnly", "Secure", "SameSite=Lax"} {
		if !strings.Contains(sc, attr) {
			t.Errorf("session cookie %q lacks %s", sc, attr)
		}
	}
}

func TestLogout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, false)
		b := f.signedIn(t)
		page := b.get("/customers")
		// Without its token the POST is refused and the session lives on.
		if res := b.post("/logout", url.Values{}); res.status != http.StatusForbidden {
			t.Fatalf("POST /logout without token: %d, want 403", res.status)
		}
		if res := b.get("/customers"); res.status != http.StatusOK {
			t.Fatalf("session gone after a refused logout: %d", res.status)
		}
		u, _ := url.Parse(f.srv.URL)
		var token string
		for _, c := range b.hc.Jar.Cookies(u) {
			if c.Name == "nudge_session" {
				token = c.Value
			}
		}
		res := b.post("/logout", url.Values{"csrf": {csrf(t, page.body)}})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/login" {
			t.Fatalf("POST /logout: %d to %q", res.status, res.header.Get("Location"))
		}
		if res := b.get("/customers"); res.status != http.StatusSeeOther {
			t.Errorf("after logout GET /customers: %d, want 303", res.status)
		}
		// The server forgot the session too: the old cookie is worthless.
		if res := f.browser(t).get("/customers", "Cookie", "nudge_session="+token); token == "" || res.status != http.StatusSeeOther {
			t.Errorf("old session cookie after logout: %d, want 303", res.status)
		}
	})
}
