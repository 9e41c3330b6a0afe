package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

func TestLocaleSwitchChangesTheStrings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, false)
		b := f.signedIn(t)
		page := b.get(customerPath(f.c1))
		mustContain(t, page.body, `<html lang="zh-CN">`, ">客户</a>", "退出登录", "营销许可", "已同意",
			`<button type="submit" name="locale" value="zh-CN" lang="zh-CN" aria-pressed="true">中文</button>`)
		mustNotContain(t, page.body, "Sign out", "Opted in")

		res := b.post("/locale", url.Values{"csrf": {csrf(t, page.body)}, "locale": {"en"}, "next": {customerPath(f.c1)}})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != customerPath(f.c1) {
			t.Fatalf("POST /locale: %d to %q", res.status, res.header.Get("Location"))
		}
		page = b.get(customerPath(f.c1))
		mustContain(t, page.body, `<html lang="en">`, ">Customers</a>", "Sign out", "Marketing consent", "Opted in",
			"Times are shown in Asia/Shanghai.", "administrator", "¥299.00",
			`<button type="submit" name="locale" value="en" lang="en" aria-pressed="true">English</button>`)
		mustNotContain(t, page.body, "退出登录", "已同意", "营销许可")

		// The choice belongs to the user: a new session keeps it.
		list := f.signedIn(t).get("/customers")
		mustContain(t, list.body, "1 customers in total", "Phone number or shop customer ID")

		// An unknown language is refused, and next cannot leave the console.
		if res := b.post("/locale", url.Values{"csrf": {csrf(t, page.body)}, "locale": {"fr"}}); res.status != http.StatusBadRequest {
			t.Errorf("locale fr: %d, want 400", res.status)
		}
		res = b.post("/locale", url.Values{"csrf": {csrf(t, page.body)}, "locale": {"zh-CN"}, "next": {"https://evil.example/"}})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/" {
			t.Errorf("locale with foreign next: %d to %q", res.status, res.header.Get("Location"))
		}
		mustContain(t, b.get("/customers").body, "共 1 位客户")
	})
}

func TestLoginPageFollowsTheBrowser(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), false)
	for accept, want := range map[string]string{
		"":                        "登录 nudge 控制台。",
		"en-US,en;q=0.9":          "Sign in to the nudge console.",
		"zh-CN,zh;q=0.9,en;q=0.8": "登录 nudge 控制台。",
		"fr-FR":                   "登录 nudge 控制台。",
		"de-DE,en;q=0.5,zh;q=0.1": "Sign in to the nudge console.",
		"zh-TW,zh;q=0.9":          "登录 nudge 控制台。",
	} {
		res := f.browser(t).get("/login", "Accept-Language", accept)
		mustContain(t, res.body, want)
	}
}
