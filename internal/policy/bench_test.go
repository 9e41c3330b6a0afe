package policy

import (
	"testing"
	"time"

	"nudge/internal/sms"
)

// BenchmarkEvaluate is one decision per op over a varied million-recipient
// set; it must report 0 allocs/op.
func BenchmarkEvaluate(b *testing.B) {
	rules := mustRules(b, DefaultConfig())
	now := time.Date(2025, 6, 1, 11, 30, 0, 0, time.UTC)
	rs := BenchRecipients(1_000_000, now)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		k := i % len(rs)
		_ = Evaluate(&rs[k], benchCategory(k), now, rules)
	}
}

// BenchmarkRenderAndEvaluate is a render of the benchmark template plus a
// decision per op: the campaign's inner loop.
func BenchmarkRenderAndEvaluate(b *testing.B) {
	rules := mustRules(b, DefaultConfig())
	tpl, err := sms.ParseTemplate(BenchTemplate)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2025, 6, 1, 11, 30, 0, 0, time.UTC)
	rs := BenchRecipients(1_000_000, now)
	var f benchFields
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		k := i % len(rs)
		f.i = k
		if _, err := tpl.Render(&f); err != nil {
			b.Fatal(err)
		}
		_ = Evaluate(&rs[k], benchCategory(k), now, rules)
	}
}

func TestBenchDecide(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	res, err := BenchDecide(n)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res)
	if res.AllocsPerDecision != 0 {
		t.Errorf("%.3f allocations per decision, want 0", res.AllocsPerDecision)
	}
	if sum := res.Verdicts[0] + res.Verdicts[1] + res.Verdicts[2]; sum != n || res.Verdicts[0] == 0 || res.Verdicts[1] == 0 || res.Verdicts[2] == 0 {
		t.Errorf("verdicts %v: want a mix of all three summing to %d", res.Verdicts, n)
	}
}
