package web_test

import (
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"

	"nudge/internal/policy"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

func TestComposeSettingsRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newComposeFixture(t, db)
		b := f.signedIn(t)
		page := b.get("/settings")
		if page.status != http.StatusOK {
			t.Fatalf("GET /settings: %d", page.status)
		}
		mustContain(t, page.body, `<input id="brand" name="brand" value="小店"`, `<option value="start" selected>开头</option>`,
			`name="opt_out.zh-CN" value="回TD退订"`, `name="opt_out.en" value="Reply STOP to opt out"`, "发票\n代开",
			`<input name="cap_window" value="7d"`, `<input name="cap_max" value="3"`, `<input id="quiet_default" name="quiet_default" value="08:00-20:00"`,
			`<input name="country" value="US"`, `<input type="checkbox" name="quiet_kind" value="marketing" checked>`)
		token := csrf(t, page.body)
		form := url.Values{"csrf": {token}, "brand": {"  新店 "}, "signature_position": {"end"}, "default_locale": {"zh-CN"},
			"opt_out.zh-CN": {"拒收请回复R"}, "opt_out.en": {""}, "sensitive_words": {"秒杀\r\n 博彩 ，刷单\n"}}
		res := b.post("/settings/compose", form)
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/settings?saved=compose" {
			t.Fatalf("save: %d %q\n%s", res.status, res.header.Get("Location"), res.body)
		}
		st := f.compose.Settings()
		if st.Brand != "新店" || st.SignaturePosition != "end" || !reflect.DeepEqual(st.OptOut, map[string]string{"zh-CN": "拒收请回复R"}) ||
			!reflect.DeepEqual(st.SensitiveWords, []string{"秒杀", "博彩", "刷单"}) {
			t.Fatalf("saved %+v", st)
		}
		page = b.get("/settings?saved=compose")
		mustContain(t, page.body, "签名、退订语与敏感词已保存。", `value="新店"`, `<option value="end" selected>结尾</option>`,
			`name="opt_out.zh-CN" value="拒收请回复R"`, `name="opt_out.en" value=""`, "秒杀\n博彩\n刷单")

		// A refused form keeps what was typed and says why next to the field.
		form.Set("brand", "【新店】")
		form.Set("opt_out.en", "Thanks")
		res = b.post("/settings/compose", form)
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad brand: %d", res.status)
		}
		mustContain(t, res.body, `value="【新店】"`,
			`<p class="error" role="alert" data-field="brand">未保存：write the name without 【】; they are added when a message is sent</p>`)
		if f.compose.Settings().Brand != "新店" {
			t.Fatal("a refused form changed the settings")
		}
		form.Set("brand", "新店")
		res = b.post("/settings/compose", form)
		mustContain(t, res.body, `data-field="opt_out.en">未保存：does not tell how to opt out`)
	})
}

func TestPolicySettingsRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newComposeFixture(t, db)
		b := f.signedIn(t)
		token := csrf(t, b.get("/settings").body)
		form := url.Values{"csrf": {token},
			"cap_applies": {"marketing", "marketing", "promotions"}, "cap_window": {"7d", "", "1d"}, "cap_max": {"2", "", "1"},
			"cap_name":      {"", "", ""},
			"quiet_default": {"09:00-19:00"}, "quiet_kind": {"marketing", "staff"},
			"country": {"CN", "us", ""}, "country_window": {"08:30-20:00", "09:00-21:00", ""}}
		res := b.post("/settings/policy", form)
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/settings?saved=policy" {
			t.Fatalf("save: %d\n%s", res.status, res.body)
		}
		cfg := f.policy.Rules().Config()
		wantCaps := []policy.Cap{{Applies: "marketing", Window: policy.Duration(7 * 24 * time.Hour), Max: 2},
			{Applies: "promotions", Window: policy.Duration(24 * time.Hour), Max: 1}}
		if !reflect.DeepEqual(cfg.Caps, wantCaps) || cfg.Quiet.Default.String() != "09:00-19:00" ||
			len(cfg.Quiet.Countries) != 2 || cfg.Quiet.Countries["CN"].String() != "08:30-20:00" || cfg.Quiet.Countries["US"].String() != "09:00-21:00" ||
			!reflect.DeepEqual(cfg.Quiet.Kinds, []policy.Kind{policy.Marketing, policy.Staff}) || len(cfg.Quiet.Zones["US"]) != 7 {
			t.Fatalf("saved %+v", cfg)
		}
		page := b.get("/settings?saved=policy")
		mustContain(t, page.body, "发送频次与免打扰时段已保存。", `<input name="cap_window" value="1d"`, `<input name="country" value="US"`,
			`value="08:30-20:00"`, `<input type="checkbox" name="quiet_kind" value="staff" checked>`)

		// Errors sit next to their field; nothing changes.
		form.Set("quiet_default", "20:00-08:00")
		form["cap_window"] = []string{"7d", "", "soon"}
		res = b.post("/settings/policy", form)
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad form: %d", res.status)
		}
		mustContain(t, res.body, `data-field="cap_window.1">未保存：格式如 7d, 36h</p>`, `data-field="quiet_default">未保存：格式如 08:00-20:00</p>`,
			`<input name="cap_window" value="soon"`)
		// What only the policy can judge is said above the form.
		form.Set("quiet_default", "08:00-20:00")
		form["cap_window"] = []string{"7d", "", "7d"}
		form["cap_applies"] = []string{"marketing", "marketing", "marketing"}
		res = b.post("/settings/policy", form)
		mustContain(t, res.body, "未保存：two caps named cap_7d: give them distinct names")
		if !reflect.DeepEqual(f.policy.Rules().Config().Caps, wantCaps) {
			t.Fatal("a refused form changed the policy")
		}
	})
}

func TestOperatorCannotSeeOrSaveSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newComposeFixture(t, db)
		b := f.signedInAs(t, operatorUser, operatorPassword)
		page := b.get("/templates")
		if page.status != http.StatusOK {
			t.Fatalf("operator GET /templates: %d", page.status)
		}
		mustNotContain(t, page.body, `href="/settings"`)
		if res := b.get("/settings"); res.status != http.StatusForbidden {
			t.Fatalf("operator GET /settings: %d", res.status)
		}
		token := csrf(t, page.body)
		res := b.post("/settings/compose", url.Values{"csrf": {token}, "brand": {"黑店"}, "signature_position": {"start"}, "default_locale": {"zh-CN"}})
		if res.status != http.StatusForbidden {
			t.Fatalf("operator POST /settings/compose: %d", res.status)
		}
		res = b.post("/settings/policy", url.Values{"csrf": {token}, "quiet_default": {"00:00-24:00"}})
		if res.status != http.StatusForbidden {
			t.Fatalf("operator POST /settings/policy: %d", res.status)
		}
		if st := f.compose.Settings(); st.Brand != "小店" {
			t.Fatalf("an operator changed the brand to %q", st.Brand)
		}
		if d := f.policy.Rules().Config().Quiet.Default.String(); d != "08:00-20:00" {
			t.Fatalf("an operator changed quiet hours to %s", d)
		}
	})
}
