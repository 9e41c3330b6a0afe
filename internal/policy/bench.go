package policy

import (
	"fmt"
	"runtime"
	"time"
)

// BenchNow is the instant the benchmarks decide at: 19:30 in Shanghai,
// 07:30 in New York, so that quiet hours defer some recipients.
func BenchNow() time.Time { return time.Date(2025, 6, 1, 11, 30, 0, 0, time.UTC) }

// BenchResult is what BenchDecide measured.
type BenchResult struct {
	Recipients int
	// PerSecond is decisions per second, on one core.
	PerSecond float64
	// AllocsPerDecision is heap allocations per decision; Evaluate's
	// promise is zero.
	AllocsPerDecision float64
	// Verdicts counts allow, defer and suppress, a check that the
	// recipients were varied.
	Verdicts [3]int
}

func (b BenchResult) String() string {
	return fmt.Sprintf("decide %d recipients: %.0f/s on one core, %.2f allocs/decision (allow %d, defer %d, suppress %d)",
		b.Recipients, b.PerSecond, b.AllocsPerDecision, b.Verdicts[0], b.Verdicts[1], b.Verdicts[2])
}

// BenchDecide evaluates the default rules for n in-memory recipients (see
// BenchAudience) in the calling goroutine with GOMAXPROCS 1: the
// decision alone. The figure `make bench` prints for the issue's "render +
// policy decision" target is compose.BenchRenderDecide, which renders each
// message as a campaign does and decides it with Evaluate; compose imports
// policy, so the combined benchmark lives there.
func BenchDecide(n int) (BenchResult, error) {
	rules, err := Compile(DefaultConfig())
	if err != nil {
		return BenchResult{}, err
	}
	now := BenchNow()
	rs := BenchRecipients(n, now)
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	runtime.GC()

	res := BenchResult{Recipients: n}
	start := time.Now()
	for i := range rs {
		d := Evaluate(&rs[i], BenchCategory(i), now, rules)
		res.Verdicts[d.Verdict]++
	}
	res.PerSecond = float64(n) / time.Since(start).Seconds()
	res.AllocsPerDecision = minAllocs(3, min(n, 100_000), func(i int) {
		_ = Evaluate(&rs[i], BenchCategory(i), now, rules)
	})
	return res, nil
}

// minAllocs returns the heap allocations per call of fn(0) ... fn(n-1),
// the least of rounds runs. The runtime's counter is process-wide, and the
// test harness or the runtime allocates now and then: a stray allocation
// shows in one round, an allocation of fn in every one.
func minAllocs(rounds, n int, fn func(i int)) float64 {
	best := -1.0
	var m0, m1 runtime.MemStats
	for range rounds {
		runtime.ReadMemStats(&m0)
		for i := range n {
			fn(i)
		}
		runtime.ReadMemStats(&m1)
		if a := float64(m1.Mallocs-m0.Mallocs) / float64(n); best < 0 || a < best {
			best = a
		}
	}
	return best
}

// BenchCategory is the category of the benchmarks' i-th message: one in
// ten is an order update, the rest marketing.
func BenchCategory(i int) Category {
	if i%10 == 9 {
		return "order"
	}
	return "marketing"
}

// BenchRecipients builds n varied recipients deterministically.
func BenchRecipients(n int, now time.Time) []Recipient {
	rs := make([]Recipient, n)
	NewBenchAudience(now).Fill(rs, 0)
	return rs
}

// BenchAudience makes the benchmarks' recipients batch by batch, so that a
// benchmark over a million of them can stream them as a campaign does
// instead of holding them all.
type BenchAudience struct {
	now    time.Time
	sh, ny *time.Location
}

// NewBenchAudience prepares recipients as loaded at now.
func NewBenchAudience(now time.Time) *BenchAudience {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	ny, _ := time.LoadLocation("America/New_York")
	return &BenchAudience{now: now, sh: sh, ny: ny}
}

// Fill overwrites rs with recipients from, from+1, ...: a realistic mix of
// Chinese and American numbers, known and unknown zones, consent states,
// suppressions, preferences, sends near the caps and dormant customers.
// Recipient i is the same whichever batch makes it.
func (g *BenchAudience) Fill(rs []Recipient, from int) {
	day := int64(86400)
	now := g.now.Unix()
	for k := range rs {
		i := from + k
		r := &rs[k]
		*r = Recipient{CustomerID: int64(i + 1), Country: "CN", Location: g.sh}
		switch i % 20 {
		case 0:
			r.Location = nil
		case 1:
			r.Country, r.Location = "US", nil
		case 2:
			r.Country, r.Location = "US", g.ny
		}
		r.Consent, r.ConsentAt, r.ConsentSourced = ConsentOptedIn, now-300*day, true
		switch i % 17 {
		case 0:
			r.Consent = ConsentUnknown
		case 1:
			r.Consent = ConsentOptedOut
			r.Suppressed = SuppressedOptedOut
		}
		if i%97 == 0 {
			r.Suppressed |= SuppressedInvalidNumber
		}
		if i%13 == 0 {
			r.Refused = 1 << 4 // marketing
		}
		r.Sent[0], r.Sent[1] = uint16(i%4), uint16(i%5)
		r.LastInteraction = now - int64(i%240)*day
	}
}
