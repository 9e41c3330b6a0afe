package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"nudge/internal/auth"
	"nudge/internal/compose"
	"nudge/internal/customer"
	"nudge/internal/link"
	"nudge/internal/policy"
	"nudge/internal/sms"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
	"nudge/internal/web"
)

const (
	operatorUser     = "clerk"
	operatorPassword = "another horse battery"
)

// composeFixture is a console with the policy, link and compose services,
// the brand 小店, one customer (C1, 王小明, 138 1234 1234, nickname 小明),
// an administrator (testUser) and an operator (operatorUser).
type composeFixture struct {
	*fixture
	compose *compose.Service
	policy  *policy.Policy
}

func newComposeFixture(t *testing.T, db *store.DB) *composeFixture {
	t.Helper()
	ctx := context.Background()
	b := newConsoleBase(t, db, customer.Customer{ExternalID: "C1", Phone: "138 1234 1234", Name: "王小明", Gender: "男",
		Attributes: json.RawMessage(`{"nickname":"小明"}`)})
	if _, err := b.as.AddUser(ctx, operatorUser, operatorPassword, auth.RoleOperator); err != nil {
		t.Fatal(err)
	}
	pol := b.policy()
	links, err := link.New(ctx, db, b.kr, b.clk, link.Options{BaseURL: "https://s.shop.example", Log: b.log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { links.Close() })
	cp, err := compose.New(ctx, db, compose.Options{Customers: b.cs, Links: links, Policy: pol, Clock: b.clk, Log: b.log})
	if err != nil {
		t.Fatal(err)
	}
	st := cp.Settings()
	st.Brand = "小店"
	if err := cp.SetSettings(ctx, st); err != nil {
		t.Fatal(err)
	}
	f := b.serve(web.Deps{Policy: pol, Compose: cp}, "13812341234", "王小明")
	return &composeFixture{fixture: f, compose: cp, policy: pol}
}

// signedInAs returns a browser signed in as name.
func (f *fixture) signedInAs(t *testing.T, name, password string) *browser {
	t.Helper()
	b := f.browser(t)
	if res := b.login(name, password); res.status != http.StatusSeeOther {
		t.Fatalf("login %s: %d", name, res.status)
	}
	return b
}

func TestTemplateEditorBothLocales(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newComposeFixture(t, db)
		b := f.signedIn(t)
		page := b.get("/templates")
		if page.status != http.StatusOK {
			t.Fatalf("GET /templates: %d", page.status)
		}
		mustContain(t, page.body, `<html lang="zh-CN">`, "模板编辑", `hx-post="/templates/preview"`, `hx-trigger="input delay:400ms, change"`,
			`<option value="marketing" selected>marketing</option>`, "场景模板库", "生日关怀",
			`<a href="/templates?starter=birthday&amp;locale=en">English</a>`, ">短信模板</a>", ">设置</a>")
		res := b.post("/locale", url.Values{"csrf": {csrf(t, page.body)}, "locale": {"en"}, "next": {"/templates"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("POST /locale: %d", res.status)
		}
		page = b.get("/templates")
		mustContain(t, page.body, `<html lang="en">`, "Template editor", "Starter library", "Birthday", ">Templates</a>")
		mustNotContain(t, page.body, "模板编辑", "场景模板库")
	})
}

func TestTemplateLivePreview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newComposeFixture(t, db)
		b := f.signedIn(t)
		token := csrf(t, b.get("/templates").body)
		// A late offer, previewed for C1 by phone number through htmx.
		form := url.Values{"csrf": {token}, "customer": {"138 1234 1234"}, "category": {"marketing"}, "locale": {"zh-CN"},
			"text": {"{{surname_title}}，感谢您一直以来的支持与信任，本店全场商品现已上新，满299减50，点击 {{link}}"}}
		res := b.post("/templates/preview", form, "HX-Request", "true")
		if res.status != http.StatusOK {
			t.Fatalf("preview: %d\n%s", res.status, res.body)
		}
		mustContain(t, res.body,
			"客户 C1 · 王** · 138****1234",
			`<p class="sms mono">【小店】王先生，感谢您一直以来的支持与信任，本店全场商品现已上新，<mark title="offer_late">满299减50</mark>，点击 https://s.shop.example/l/xxxxxxxx 回TD退订</p>`,
			"<strong>83 字 · 83 个计费单位 · 2 条（每条 67）</strong> · UCS-2",
			"<code>offer_late</code> 优惠信息在第30个字才出现，应放在前20个字内",
			"(第 34-40 字)",
			"<code>length</code> 共83个字")
		mustNotContain(t, res.body, "<html", "13812341234", "王小明")
		// The count is the one `nudge sms count` prints for the text.
		n := sms.CountText("【小店】王先生，感谢您一直以来的支持与信任，本店全场商品现已上新，满299减50，点击 https://s.shop.example/l/xxxxxxxx 回TD退订")
		if n != (sms.Count{Encoding: sms.UCS2, Segments: 2, Units: 83, PerSegment: 67}) {
			t.Fatalf("sms.CountText = %+v", n)
		}
		// Without htmx the whole page comes back, the form as typed.
		res = b.post("/templates/preview", form)
		mustContain(t, res.body, "<html", `value="138 1234 1234"`, `<mark title="offer_late">满299减50</mark>`)
		// Problems the merchant can fix are part of the preview.
		for text, want := range map[string]string{
			"您有{{points}}分":     "template: field {{points}} at line 1, column 3 (byte 6) has no value and no fallback",
			"您好{{name":          "unclosed",
			"{{coupon.autumn}}": `coupon pool &#34;autumn&#34; does not exist`,
		} {
			form.Set("text", text)
			res := b.post("/templates/preview", form, "HX-Request", "true")
			mustContain(t, res.body, "无法为该客户生成这条短信", want)
		}
		form.Set("customer", "C404")
		mustContain(t, b.post("/templates/preview", form, "HX-Request", "true").body, "没有客户使用这个手机号或店铺编号")
		// A preview draws nothing and makes no link.
		var links int
		db.R.QueryRow("SELECT COUNT(*) FROM links").Scan(&links)
		if links != 0 {
			t.Fatalf("preview made %d links", links)
		}
		// Without the CSRF token the preview is refused.
		form.Del("csrf")
		if res := b.post("/templates/preview", form); res.status != http.StatusForbidden {
			t.Fatalf("preview without csrf: %d", res.status)
		}
	})
}

func TestStarterLoadsIntoTheEditor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newComposeFixture(t, db)
		b := f.signedIn(t)
		page := b.get("/templates?starter=staff_notice&locale=en")
		if page.status != http.StatusOK {
			t.Fatalf("starter: %d", page.status)
		}
		mustContain(t, page.body,
			`<textarea id="text" name="text" rows="6" maxlength="8192" spellcheck="false">{{name|Team}}, urgent meeting at {{place}}, {{time}}. Please be on time and reply 1 to confirm.</textarea>`,
			`<option value="staff" selected>staff</option>`, `<option value="en" selected>English</option>`,
			// The preview shows what a placeholder field needs.
			"template: field {{place}}")
		if res := b.get("/templates?starter=nope"); res.status != http.StatusNotFound {
			t.Fatalf("unknown starter: %d", res.status)
		}
	})
}
