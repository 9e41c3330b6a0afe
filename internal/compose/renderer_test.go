package compose

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"nudge/internal/customer"
	"nudge/internal/sms"
)

// TestRendererAgreesWithRender renders templates for varied customers,
// categories, locales and settings three ways: with a Renderer and with
// Service.Render, each without lint (AppendRender into reused buffers,
// Composer.Append), and with lint (RenderSpans, Compose on strings, the
// way messages were always made). All three must give the same message.
func TestRendererAgreesWithRender(t *testing.T) {
	s := memoryService()
	ctx := context.Background()
	customers := []*customer.Customer{
		{ID: 1, Name: "王小明", Gender: "m", Phone: "+8613812345678", City: "上海", RegisteredAt: time.Date(2025, 11, 1, 2, 0, 0, 0, time.UTC),
			Attributes: json.RawMessage(`{"nickname":"小明","level":"金卡","points":1200,"vip":true,"blank":" "}`)},
		{ID: 2, Name: "Jane Smith", Gender: "f", Attributes: json.RawMessage(`{"level":"Gold","nickname":"J\u00e9"}`)},
		{ID: 3, Name: "", Attributes: json.RawMessage(`{"level":"银卡","level":"钻石"}`)},
		{ID: 4, Name: "欧阳娜娜", Gender: "f", Attributes: json.RawMessage(`not json`)},
		nil,
	}
	templates := []string{
		BenchTemplate,
		"{{surname_title}}，您的订单{{order_no|}}已发货",
		"Hi {{surname_title|there}}, 20% off for {{level|members}}. {{nickname|friend}}",
		"  【小店】{{nickname|亲}} 会员日 退订回T  ",
		"{{level|无}}{{points|0}}{{vip|否}}，相伴{{member_days|1}}天，自{{member_since|今天}}起 {{blank|空}}",
		"Reply STOP to stop. {{surname_title|Hi}}【小店】",
		"点击 https://shop.example/x",
	}
	settings := []func(*Settings){
		func(*Settings) {},
		func(st *Settings) { st.SignaturePosition = SignatureEnd; st.OptOut["zh-CN"] = "拒收请回复R" },
		func(st *Settings) { st.Brand = "" },
	}
	values := map[string]string{"coupon": "A0000001", "link": "https://s.shop.example/l/abcdefgh", "order_no": "O-1"}
	rendered, failed := 0, 0
	for _, change := range settings {
		st := DefaultSettings()
		st.Brand = "小店"
		change(&st)
		s.settings.Store(&st)
		for _, src := range templates {
			for _, cat := range []string{"marketing", "transactional", ""} {
				r, err := s.NewRenderer(src, cat)
				if err != nil {
					t.Fatal(err)
				}
				for _, locale := range []string{"", "en", "en-US", "zh"} {
					for _, c := range customers {
						x := Extras{Values: values, Locale: locale, NoLint: true}
						fast, errFast := r.Render(ctx, c, x)
						svc, errSvc := s.Render(ctx, src, c, cat, x)
						x.NoLint = false
						slow, errSlow := s.Render(ctx, src, c, cat, x)
						slow.Warnings = nil
						if !reflect.DeepEqual(fast, slow) || !reflect.DeepEqual(svc, slow) || !sameError(errFast, errSlow) || !sameError(errSvc, errSlow) {
							t.Errorf("%q %s %q for %v:\nRenderer %+v, %v\nRender   %+v, %v\nlinted   %+v, %v",
								src, cat, locale, c, fast, errFast, svc, errSvc, slow, errSlow)
						}
						if errSlow == nil {
							rendered++
						} else {
							failed++
						}
					}
				}
			}
		}
	}
	// Fields without fallback fail for two customers each, in 3 settings x
	// 3 categories x 4 locales: {{surname_title}} for the one without a name
	// and for no customer, {{level}} for the one whose attributes are not
	// JSON and for no customer.
	if failed != 2*72 || rendered != 3*7*3*4*5-2*72 {
		t.Errorf("%d messages rendered and %d failed", rendered, failed)
	}
}

func sameError(a, b error) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Error() == b.Error()
}

func TestRendererErrors(t *testing.T) {
	s := memoryService()
	if _, err := s.NewRenderer("", "marketing"); !errors.Is(err, ErrNoText) {
		t.Errorf("empty template: %v", err)
	}
	var pe *sms.ParseError
	if _, err := s.NewRenderer("您好 {{name", "marketing"); !errors.As(err, &pe) || pe.Pos.Column != 4 {
		t.Errorf("parse error: %v", err)
	}
	if _, err := s.NewRenderer("hi", "flyers"); !errors.Is(err, ErrUnknownCategory) {
		t.Errorf("unknown category: %v", err)
	}
	r, err := s.NewRenderer("您好\n{{surname_title}}，{{nickname}}的积分", "marketing")
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Render(context.Background(), &customer.Customer{Name: "李雷"}, Extras{NoLint: true})
	var re *RenderError
	if !errors.As(err, &re) || re.Field != "nickname" || re.Pos != (sms.Position{Offset: 27, Line: 2, Column: 19}) {
		t.Errorf("missing field: %#v", err)
	}
	// A coupon the sender did not pass is drawn, and a service without a
	// store has no pool: the error names the field.
	r, err = s.NewRenderer("券{{coupon}}", "marketing")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Render(context.Background(), nil, Extras{NoLint: true}); !errors.As(err, &re) || re.Field != "coupon" || !errors.Is(err, ErrNoPool) {
		t.Errorf("undrawn coupon: %v", err)
	}
}

// TestRendererAllocatesOnce: a campaign's render allocates the message
// text and nothing else, whatever the customer.
func TestRendererAllocatesOnce(t *testing.T) {
	r, err := memoryService().NewRenderer(BenchTemplate, "marketing")
	if err != nil {
		t.Fatal(err)
	}
	cs, vs := benchInputs(5)
	ctx := context.Background()
	for k := range cs {
		x := Extras{Values: vs[k], NoLint: true}
		if _, err := r.Render(ctx, &cs[k], x); err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(50, func() { _, _ = r.Render(ctx, &cs[k], x) }); n != 1 {
			t.Errorf("customer %d: %.1f allocations per render, want 1", k, n)
		}
	}
}

// TestRenderConcurrently: Service.Render shares its buffers through a
// pool; concurrent renders must not see each other's (run with -race).
func TestRenderConcurrently(t *testing.T) {
	s := memoryService()
	cs, vs := benchInputs(64)
	want := make([]string, len(cs))
	for k := range cs {
		m, err := s.Render(context.Background(), BenchTemplate, &cs[k], "marketing", Extras{Values: vs[k], NoLint: true})
		if err != nil {
			t.Fatal(err)
		}
		want[k] = m.Text
	}
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			for i := range 2000 {
				k := (g*7 + i) % len(cs)
				m, err := s.Render(context.Background(), BenchTemplate, &cs[k], "marketing", Extras{Values: vs[k], NoLint: i%3 != 0})
				if err == nil && m.Text != want[k] {
					err = errors.New("customer " + cs[k].ExternalID + " got " + m.Text + ", want " + want[k])
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
