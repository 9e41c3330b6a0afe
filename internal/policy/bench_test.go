package policy

import (
	"testing"
)

// BenchmarkEvaluate is one decision per op over a varied million-recipient
// set; it must report 0 allocs/op. The render + decision benchmark is
// compose's BenchmarkRenderDecide.
func BenchmarkEvaluate(b *testing.B) {
	rules := mustRules(b, DefaultConfig())
	rs := BenchRecipients(1_000_000, BenchNow())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		k := i % len(rs)
		_ = Evaluate(&rs[k], BenchCategory(k), BenchNow(), rules)
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

// TestBenchRecipientsInBatches: a recipient is the same whichever batch
// makes it, so a streamed benchmark decides the same million.
func TestBenchRecipientsInBatches(t *testing.T) {
	all := BenchRecipients(1000, BenchNow())
	g := NewBenchAudience(BenchNow())
	batch := make([]Recipient, 300)
	for from := 0; from < len(all); from += len(batch) {
		part := batch[:min(len(batch), len(all)-from)]
		g.Fill(part, from)
		for k := range part {
			a, b := part[k], all[from+k]
			if a.Location.String() != b.Location.String() {
				t.Fatalf("recipient %d from a batch at %d is in %v, want %v", from+k, from, a.Location, b.Location)
			}
			a.Location, b.Location = nil, nil
			if a != b {
				t.Fatalf("recipient %d from a batch at %d differs: %+v vs %+v", from+k, from, a, b)
			}
		}
	}
}
