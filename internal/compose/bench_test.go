package compose

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"nudge/internal/customer"
	"nudge/internal/policy"
)

// memoryService is a Service with the default settings and brand 小店 and
// no store: enough for templates whose coupon and link the sender passes,
// which is how a benchmark keeps the database out of the figure.
func memoryService() *Service { return benchService(t0) }

// benchInputs are varied in-memory customers and per-message values
// (coupon codes and links as a campaign's batch step would pass them).
func benchInputs(n int) ([]customer.Customer, []map[string]string) {
	names := []string{"王芳", "张伟", "欧阳娜娜", "", "Jane Smith"}
	genders := []string{"f", "m", "f", "", "f"}
	levels := []string{"金卡", "银卡", "钻石"}
	cs := make([]customer.Customer, n)
	vs := make([]map[string]string, n)
	for i := range cs {
		cs[i] = customer.Customer{ID: int64(i + 1), ExternalID: fmt.Sprintf("C%d", i+1), Phone: "+8613800000000",
			Name: names[i%len(names)], Gender: genders[i%len(genders)], City: "上海",
			RegisteredAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
			Attributes:   json.RawMessage(fmt.Sprintf(`{"level":%q,"points":%d,"nickname":"会员%d"}`, levels[i%3], i%5000, i))}
		vs[i] = map[string]string{"coupon": fmt.Sprintf("A%07d", i), "link": fmt.Sprintf("https://s.shop.example/l/%08d", i)}
	}
	return cs, vs
}

func benchmarkRender(b *testing.B, noLint bool) {
	s := memoryService()
	cs, vs := benchInputs(1000)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	n := 0
	for i := 0; b.Loop(); i++ {
		k := i % len(cs)
		if _, err := s.Render(ctx, BenchTemplate, &cs[k], "marketing", Extras{Values: vs[k], NoLint: noLint}); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkRender renders the benchmark's marketing template (surname_title,
// level from the attributes, coupon, link) with the signature, the opt-out
// line, the count and the copy lint, through Service.Render.
func BenchmarkRender(b *testing.B) { benchmarkRender(b, false) }

// BenchmarkRenderNoLint is BenchmarkRender without the lint, through
// Service.Render: a single send.
func BenchmarkRenderNoLint(b *testing.B) { benchmarkRender(b, true) }

// BenchmarkRenderer is the campaign's render step: one Renderer, customers
// one after another, no lint. It must report 1 alloc/op (the text).
func BenchmarkRenderer(b *testing.B) {
	r, err := memoryService().NewRenderer(BenchTemplate, "marketing")
	if err != nil {
		b.Fatal(err)
	}
	cs, vs := benchInputs(1000)
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		k := i % len(cs)
		if _, err := r.Render(ctx, &cs[k], Extras{Values: vs[k], NoLint: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderDecide is a render and a decision per op over a million
// recipients (customers cycle through 65,536 of them, more than the
// caches hold), in one goroutine: the "render + policy decision"
// as go test -bench measures it. BenchRenderDecide is the same loop for
// `make bench`, pinned to one core.
func BenchmarkRenderDecide(b *testing.B) {
	rules, err := policy.Compile(policy.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	now := policy.BenchNow()
	s := benchService(now)
	renderers := map[policy.Category]*Renderer{}
	for _, cat := range []policy.Category{policy.BenchCategory(0), policy.BenchCategory(9)} {
		kind, _ := rules.Kind(cat)
		if renderers[cat], err = s.NewRenderer(BenchTemplate, string(kind)); err != nil {
			b.Fatal(err)
		}
	}
	rs := policy.BenchRecipients(1_000_000, now)
	var gen benchCustomers
	gen.fill(1<<16, 0)
	values := make(map[string]string, 2)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		k, c := i%len(rs), i%len(gen.customers)
		cat := policy.BenchCategory(k)
		values["coupon"], values["link"] = gen.codes[c], gen.links[c]
		if _, err := renderers[cat].Render(ctx, &gen.customers[c], Extras{Values: values, NoLint: true}); err != nil {
			b.Fatal(err)
		}
		_ = policy.Evaluate(&rs[k], cat, now, rules)
	}
}

// TestRenderInMemory checks what the benchmarks render.
func TestRenderInMemory(t *testing.T) {
	s := memoryService()
	cs, vs := benchInputs(5)
	m, err := s.Render(context.Background(), BenchTemplate, &cs[0], "marketing", Extras{Values: vs[0]})
	if err != nil {
		t.Fatal(err)
	}
	want := "【小店】王女士，金卡会员专享满199减30券A0000000已到账，6月18日24点前有效，立即点击 https://s.shop.example/l/00000000 回TD退订"
	if m.Text != want || m.Segments != 2 || m.Chars != 90 {
		t.Fatalf("rendered %+v", m)
	}
}

func TestBenchRenderDecide(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	res, err := BenchRenderDecide(n)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res)
	if res.AllocsPerDecision != 0 {
		t.Errorf("%.3f allocations per decision, want 0", res.AllocsPerDecision)
	}
	if res.AllocsPerRender != 1 {
		t.Errorf("%.3f allocations per render, want 1 (the text)", res.AllocsPerRender)
	}
	if sum := res.Verdicts[0] + res.Verdicts[1] + res.Verdicts[2]; sum != n || res.Verdicts[0] == 0 || res.Verdicts[1] == 0 || res.Verdicts[2] == 0 {
		t.Errorf("verdicts %v: want a mix of all three summing to %d", res.Verdicts, n)
	}
	// Every message is two segments: 70 UCS-2 units hold one, and even
	// the shortest (an order update for 李娜, no opt-out line) has 83.
	if res.Segments != 2*n {
		t.Errorf("%d segments for %d messages, want %d", res.Segments, n, 2*n)
	}
}

// TestBenchCustomers checks what the benchmark's customers render to, one
// of each kind of name.
func TestBenchCustomers(t *testing.T) {
	r, err := benchService(t0).NewRenderer(BenchTemplate, "marketing")
	if err != nil {
		t.Fatal(err)
	}
	var gen benchCustomers
	gen.fill(8, 4094)
	wants := []string{
		"【小店】司马先生，钻石会员专享满199减30券A0004094已到账，6月18日24点前有效，立即点击 https://s.shop.example/l/00004094 回TD退订",
		"【小店】王女士，金卡会员专享满199减30券A0004095已到账，6月18日24点前有效，立即点击 https://s.shop.example/l/00004095 回TD退订",
		"【小店】张先生，银卡会员专享满199减30券A0004096已到账，6月18日24点前有效，立即点击 https://s.shop.example/l/00004096 回TD退订",
		"【小店】欧阳女士，钻石会员专享满199减30券A0004097已到账，6月18日24点前有效，立即点击 https://s.shop.example/l/00004097 回TD退订",
		"【小店】亲爱的会员，金卡会员专享满199减30券A0004098已到账，6月18日24点前有效，立即点击 https://s.shop.example/l/00004098 回TD退订",
		"【小店】Smith女士，银卡会员专享满199减30券A0004099已到账，6月18日24点前有效，立即点击 https://s.shop.example/l/00004099 回TD退订",
		"【小店】李娜，钻石会员专享满199减30券A0004100已到账，6月18日24点前有效，立即点击 https://s.shop.example/l/00004100 回TD退订",
	}
	for j, want := range wants {
		x := Extras{Values: map[string]string{"coupon": gen.codes[j], "link": gen.links[j]}, NoLint: true}
		m, err := r.Render(context.Background(), &gen.customers[j], x)
		if err != nil || m.Text != want {
			t.Errorf("customer %d: %q, %v; want %q", 4094+j, m.Text, err, want)
		}
		if !strings.Contains(string(gen.customers[j].Attributes), fmt.Sprintf(`"nickname":"会员%d"`, 4094+j)) {
			t.Errorf("customer %d attributes %s", 4094+j, gen.customers[j].Attributes)
		}
	}
}
