package compose

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"nudge/internal/sms"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

func TestRenderComposes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.setBrand(t, "小店")

		// Transactional: signature, no opt-out line.
		m, err := f.svc.Render(ctx, "{{surname_title}}，您的订单{{order_no}}已发货", &f.c1, "order",
			Extras{Values: map[string]string{"order_no": "O-1001"}})
		if err != nil {
			t.Fatal(err)
		}
		want := Message{Text: "【小店】王先生，您的订单O-1001已发货", Encoding: sms.UCS2, Segments: 1, Units: 21, PerSegment: 70, Chars: 21}
		m.Warnings = nil
		if !reflect.DeepEqual(m, want) {
			t.Fatalf("order message:\n got %+v\nwant %+v", m, want)
		}

		// Marketing: the opt-out line after a space (the body ends in a word).
		m, err = f.svc.Render(ctx, "{{nickname}}，{{level}}会员满199减30，今晚24点前有效，立即进店", &f.c1, "marketing", Extras{})
		if err != nil {
			t.Fatal(err)
		}
		if m.Text != "【小店】小明，金卡会员满199减30，今晚24点前有效，立即进店 回TD退订" || m.Chars != 38 || m.Segments != 1 {
			t.Fatalf("marketing: %+v", m)
		}

		// English, with a personal link: the same link for both {{link}}.
		m, err = f.svc.Render(ctx, "Hi {{surname_title|there}}, 20% off today only. Shop: {{link}} ({{link}})", &f.c2, "promotions",
			Extras{Locale: "en", LinkTarget: "https://shop.example/sale", Campaign: "spring", Content: "v1"})
		if err != nil {
			t.Fatal(err)
		}
		var token string
		if err := db.R.QueryRowContext(ctx, db.Rebind(`SELECT token FROM links WHERE campaign = ? AND content = ? AND customer_id = ? AND target = ?`),
			"spring", "v1", f.c2.ID, "https://shop.example/sale").Scan(&token); err != nil {
			t.Fatal(err)
		}
		u := "https://s.shop.example/l/" + token
		if want := "【小店】Hi Ms Smith, 20% off today only. Shop: " + u + " (" + u + ") Reply STOP to opt out"; m.Text != want {
			t.Fatalf("english:\n got %q\nwant %q", m.Text, want)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM links`); n != 1 {
			t.Fatalf("%d links, want 1", n)
		}

		// Signature at the end: the opt-out line comes before it.
		st := f.svc.Settings()
		st.SignaturePosition = SignatureEnd
		st.OptOut["zh-CN"] = "拒收请回复R"
		if err := f.svc.SetSettings(ctx, st); err != nil {
			t.Fatal(err)
		}
		m, err = f.svc.Render(ctx, "{{surname_title}}，周末全场8折！", &f.c1, "marketing", Extras{})
		if err != nil || m.Text != "王先生，周末全场8折！拒收请回复R【小店】" {
			t.Fatalf("suffix: %q, %v", m.Text, err)
		}

		// No customer: fallbacks and the sender's values only.
		m, err = f.svc.Render(ctx, "{{surname_title|您好}}，取件码{{code}}", nil, "transactional", Extras{Values: map[string]string{"code": "8-2-1"}})
		if err != nil || m.Text != "您好，取件码8-2-1【小店】" {
			t.Fatalf("no customer: %q, %v", m.Text, err)
		}
	})
}

func TestRenderErrorsNameFieldAndPosition(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		_, err := f.svc.Render(ctx, "您好\n{{surname_title}}，{{nickname}}的积分{{points}}", &f.c2, "order", Extras{})
		var re *RenderError
		var me *sms.MissingFieldError
		if !errors.As(err, &re) || re.Field != "nickname" || re.Pos != (sms.Position{Offset: 27, Line: 2, Column: 19}) || !errors.As(err, &me) {
			t.Fatalf("missing field: %#v", err)
		}
		if got := err.Error(); got != "template: field {{nickname}} at line 2, column 19 (byte 27) has no value and no fallback" {
			t.Fatalf("message: %s", got)
		}
		var pe *sms.ParseError
		if _, err := f.svc.Render(ctx, "您好 {{name", &f.c1, "order", Extras{}); !errors.As(err, &pe) || pe.Pos.Column != 4 {
			t.Fatalf("parse error: %#v", err)
		}
		if _, err := f.svc.Render(ctx, "hi", &f.c1, "flyers", Extras{}); !errors.Is(err, ErrUnknownCategory) {
			t.Fatalf("unknown category: %v", err)
		}
		if _, err := f.svc.Render(ctx, "", &f.c1, "order", Extras{}); !errors.Is(err, ErrNoText) {
			t.Fatalf("no text: %v", err)
		}
	})
}

func TestRenderLinks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		// The template's own target, when the send gives none.
		m, err := f.svc.Render(ctx, "新品上架 {{link|https://shop.example/new}} 速看", &f.c1, "order", Extras{})
		if err != nil {
			t.Fatal(err)
		}
		var token string
		if err := db.R.QueryRowContext(ctx, db.Rebind(`SELECT token FROM links WHERE target = ? AND customer_id = ?`),
			"https://shop.example/new", f.c1.ID).Scan(&token); err != nil {
			t.Fatal(err)
		}
		if m.Text != "新品上架 https://s.shop.example/l/"+token+" 速看" {
			t.Fatalf("text %q", m.Text)
		}
		// The send's target wins over the template's.
		if _, err := f.svc.Render(ctx, "看 {{link|https://shop.example/new}}", &f.c1, "order", Extras{LinkTarget: "https://shop.example/other"}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM links WHERE target = ?`, "https://shop.example/other"); n != 1 {
			t.Fatalf("%d links to the send's target", n)
		}
		// A fallback that is not a URL is text when there is no target.
		if m, err := f.svc.Render(ctx, "详见{{link|官网}}", &f.c1, "order", Extras{}); err != nil || m.Text != "详见官网" {
			t.Fatalf("text fallback: %q %v", m.Text, err)
		}
		// No target at all names the field.
		_, err = f.svc.Render(ctx, "点击 {{link}}", &f.c1, "order", Extras{})
		var re *RenderError
		if !errors.As(err, &re) || re.Field != "link" || re.Pos.Column != 4 || !errors.Is(err, ErrNoLinkTarget) {
			t.Fatalf("no target: %v", err)
		}
		// A link the sender made already is used as it is.
		if m, err := f.svc.Render(ctx, "点击 {{link}}", &f.c1, "order", Extras{Values: map[string]string{"link": "https://t.cn/x"}}); err != nil || m.Text != "点击 https://t.cn/x" {
			t.Fatalf("given link: %q %v", m.Text, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM links`); n != 2 {
			t.Fatalf("%d links in all, want 2", n)
		}
		// Without the link service, {{link}} cannot render.
		bare, err := New(ctx, db, Options{Customers: f.customers})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bare.Render(ctx, "{{link}}", &f.c1, "transactional", Extras{LinkTarget: "https://shop.example/"}); !errors.Is(err, ErrNoLinks) {
			t.Fatalf("no link service: %v", err)
		}
	})
}

func TestPreviewDrawsAndMakesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.setBrand(t, "小店")
		if _, _, err := f.svc.CreatePool(ctx, "spring", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ImportCodes(ctx, "spring", []string{"SPR-0001"}); err != nil {
			t.Fatal(err)
		}
		text := "{{name}}您好，券码{{coupon.spring}}，点击 {{link}}"
		p, err := f.svc.Preview(ctx, text, "C1", "order", Extras{})
		if err != nil {
			t.Fatal(err)
		}
		want := "【小店】王**您好，券码XXXXXXXX，点击 https://s.shop.example/l/xxxxxxxx"
		if p.Text != want || p.Chars != 57 || p.Customer == nil || *p.Customer != (CustomerRef{ID: f.c1.ID, ExternalID: "C1", Name: "王**", Phone: "138****5678"}) {
			t.Fatalf("preview %+v %+v", p.Message, p.Customer)
		}
		// By phone number, written as people write it.
		if p, err := f.svc.Preview(ctx, "{{surname_title}}", "+86 138-1234-5678", "order", Extras{}); err != nil || p.Customer.ExternalID != "C1" || p.Text != "【小店】王先生" {
			t.Fatalf("by phone: %+v %v", p, err)
		}
		// Nothing was drawn or made; the real render then draws.
		if n := count(t, db, `SELECT COUNT(*) FROM coupon_codes WHERE message_key IS NOT NULL`); n != 0 {
			t.Fatalf("preview drew %d codes", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM links`); n != 0 {
			t.Fatalf("preview made %d links", n)
		}
		for _, ref := range []string{"C404", "13900000000", "not a phone"} {
			if _, err := f.svc.Preview(ctx, text, ref, "order", Extras{}); !errors.Is(err, ErrNoCustomer) || !errors.Is(err, store.ErrNotFound) {
				t.Errorf("preview for %q: %v", ref, err)
			}
		}
		// A pool the template names must exist.
		if _, err := f.svc.Preview(ctx, "{{coupon.autumn}}", "C1", "order", Extras{}); !errors.Is(err, ErrNoPool) {
			t.Fatalf("missing pool: %v", err)
		}
		// No customer and no pool: fallbacks and a sample code.
		p, err = f.svc.Preview(ctx, "{{surname_title|亲}}：{{coupon}}", "", "order", Extras{})
		if err != nil || p.Customer != nil || p.Text != "【小店】亲：XXXXXXXX" {
			t.Fatalf("anonymous preview: %+v %v", p, err)
		}
	})
}

func TestRenderLintWarnings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.setBrand(t, "小店")
		// A late offer: its span is where the offer is in the sent text.
		m, err := f.svc.Render(ctx, "{{surname_title}}，感谢您一直以来的支持与信任，本店全场商品现已上新，满299减50，点击 {{link|https://shop.example/}}",
			&f.c1, "marketing", Extras{})
		if err != nil {
			t.Fatal(err)
		}
		runes := []rune(m.Text)
		found := false
		for _, w := range m.Warnings {
			if w.Code == sms.CodeOfferLate {
				found = true
				if got := string(runes[w.Start:w.End]); got != "满299减50" {
					t.Errorf("offer_late covers %q", got)
				}
			}
		}
		if !found {
			t.Fatalf("no offer_late in %v", warningCodes(m.Warnings))
		}
		// A URL in a customer field is flagged where it landed; {{link}}
		// is not.
		m, err = f.svc.Render(ctx, "  新品：{{url}}，戳 {{link}}", &f.c1, "order",
			Extras{Values: map[string]string{"url": "https://evil.example/x"}, LinkTarget: "https://shop.example/"})
		if err != nil {
			t.Fatal(err)
		}
		var flagged []string
		runes = []rune(m.Text)
		for _, w := range m.Warnings {
			if w.Code == sms.CodeLinkInField {
				flagged = append(flagged, string(runes[w.Start:w.End]))
			}
		}
		if !reflect.DeepEqual(flagged, []string{"https://evil.example/x"}) {
			t.Fatalf("link_in_field on %q in %q", flagged, m.Text)
		}
		// The shop's sensitive words replace the default list.
		st := f.svc.Settings()
		st.SensitiveWords = []string{"秒杀"}
		if err := f.svc.SetSettings(ctx, st); err != nil {
			t.Fatal(err)
		}
		m, err = f.svc.Render(ctx, "今日秒杀，发票随货", &f.c1, "order", Extras{})
		if err != nil {
			t.Fatal(err)
		}
		if got := warningCodes(m.Warnings); !reflect.DeepEqual(got, []string{"no_cta 0-13", "sensitive_word 6-8"}) {
			t.Fatalf("warnings %v in %q", got, m.Text)
		}
		// NoLint skips the lint.
		if m, _ := f.svc.Render(ctx, "今日秒杀", &f.c1, "order", Extras{NoLint: true}); m.Warnings != nil {
			t.Fatalf("NoLint: %v", m.Warnings)
		}
	})
}

func TestLintSource(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.setBrand(t, "小店")
		text, ws, err := f.svc.Lint("{{nickname|亲}}，满199减30，点击 {{link}}", "marketing", "")
		if err != nil {
			t.Fatal(err)
		}
		if text != "【小店】{{nickname|亲}}，满199减30，点击 https://s.shop.example/l/xxxxxxxx 回TD退订" {
			t.Fatalf("linted %q", text)
		}
		if got := warningCodes(ws); !reflect.DeepEqual(got, []string{"length 0-69"}) {
			t.Fatalf("warnings %v", got)
		}
		if _, _, err := f.svc.Lint("x", "flyers", ""); !errors.Is(err, ErrUnknownCategory) {
			t.Fatalf("unknown category: %v", err)
		}
		if !strings.Contains(f.svc.placeholder, "/l/xxxxxxxx") {
			t.Fatal(f.svc.placeholder)
		}
	})
}
