package compose

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"nudge/internal/clock"
	"nudge/internal/customer"
	"nudge/internal/policy"
)

// memoryService is a Service with the default settings and brand 小店 and
// no store: enough for templates whose coupon and link the sender passes,
// which is how a benchmark keeps the database out of the figure.
func memoryService() *Service {
	s := &Service{clock: clock.NewFake(t0), placeholder: "https://s.shop.example/l/" + placeholderToken}
	st := DefaultSettings()
	st.Brand = "小店"
	st.Normalize()
	s.settings.Store(&st)
	return s
}

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
		if _, err := s.Render(ctx, policy.BenchTemplate, &cs[k], "marketing", Extras{Values: vs[k], NoLint: noLint}); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkRender renders the policy benchmark's marketing template
// (surname_title, level from the attributes, coupon, link) with the
// signature, the opt-out line, the count and the copy lint.
func BenchmarkRender(b *testing.B) { benchmarkRender(b, false) }

// BenchmarkRenderNoLint is BenchmarkRender without the lint: a campaign's
// inner loop, which lints its template once when it is written.
func BenchmarkRenderNoLint(b *testing.B) { benchmarkRender(b, true) }

// TestRenderInMemory checks what the benchmark renders.
func TestRenderInMemory(t *testing.T) {
	s := memoryService()
	cs, vs := benchInputs(5)
	m, err := s.Render(context.Background(), policy.BenchTemplate, &cs[0], "marketing", Extras{Values: vs[0]})
	if err != nil {
		t.Fatal(err)
	}
	want := "【小店】王女士，金卡会员专享满199减30券A0000000已到账，6月18日24点前有效，立即点击 https://s.shop.example/l/00000000 回TD退订"
	if m.Text != want || m.Segments != 2 || m.Chars != 90 {
		t.Fatalf("rendered %+v", m)
	}
}
