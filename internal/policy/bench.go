package policy

import (
	"fmt"
	"runtime"
	"strconv"
	"time"

	"nudge/internal/sms"
)

// BenchTemplate is the marketing message BenchDecide renders per recipient.
const BenchTemplate = "{{surname_title|亲爱的会员}}，{{level}}会员专享满199减30券{{coupon}}已到账，6月18日24点前有效，立即点击 {{link}}"

// BenchResult is what BenchDecide measured.
type BenchResult struct {
	Recipients int
	// PerSecond is recipients rendered and decided per second, on one core.
	PerSecond float64
	// AllocsPerDecision is heap allocations per policy decision alone.
	AllocsPerDecision float64
	// AllocsPerRender is heap allocations per template render.
	AllocsPerRender float64
	// Verdicts counts allow, defer and suppress, a check that the
	// recipients were varied.
	Verdicts [3]int
}

func (b BenchResult) String() string {
	return fmt.Sprintf("render+decide %d recipients: %.0f/s on one core, %.2f allocs/decision, %.2f allocs/render (allow %d, defer %d, suppress %d)",
		b.Recipients, b.PerSecond, b.AllocsPerDecision, b.AllocsPerRender, b.Verdicts[0], b.Verdicts[1], b.Verdicts[2])
}

// BenchDecide renders BenchTemplate and evaluates the default rules for n
// in-memory recipients (a realistic mix: Chinese and American numbers,
// known and unknown zones, consent states, suppressions, preferences, sends
// near the caps, dormant customers), in one goroutine with GOMAXPROCS 1.
// It is the figure `make bench` prints; the target is 200,000 per
// second with zero allocations per decision.
func BenchDecide(n int) (BenchResult, error) {
	rules, err := Compile(DefaultConfig())
	if err != nil {
		return BenchResult{}, err
	}
	tpl, err := sms.ParseTemplate(BenchTemplate)
	if err != nil {
		return BenchResult{}, err
	}
	now := time.Date(2025, 6, 1, 11, 30, 0, 0, time.UTC) // 19:30 Shanghai, 07:30 New York
	rs := BenchRecipients(n, now)
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	runtime.GC()

	res := BenchResult{Recipients: n}
	var f benchFields
	start := time.Now()
	for i := range rs {
		f.i = i
		if _, err := tpl.Render(&f); err != nil {
			return res, err
		}
		d := Evaluate(&rs[i], benchCategory(i), now, rules)
		res.Verdicts[d.Verdict]++
	}
	res.PerSecond = float64(n) / time.Since(start).Seconds()

	// Allocations, measured apart so that the render's own strings do not
	// hide a decision's.
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	for i := range rs {
		_ = Evaluate(&rs[i], benchCategory(i), now, rules)
	}
	runtime.ReadMemStats(&m1)
	res.AllocsPerDecision = float64(m1.Mallocs-m0.Mallocs) / float64(n)
	k := min(n, 100000)
	runtime.ReadMemStats(&m0)
	for i := 0; i < k; i++ {
		f.i = i
		_, _ = tpl.Render(&f)
	}
	runtime.ReadMemStats(&m1)
	res.AllocsPerRender = float64(m1.Mallocs-m0.Mallocs) / float64(k)
	return res, nil
}

func benchCategory(i int) Category {
	if i%10 == 9 {
		return "order"
	}
	return "marketing"
}

// BenchRecipients builds n varied recipients deterministically.
func BenchRecipients(n int, now time.Time) []Recipient {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	ny, _ := time.LoadLocation("America/New_York")
	rs := make([]Recipient, n)
	day := int64(86400)
	for i := range rs {
		r := &rs[i]
		r.CustomerID = int64(i + 1)
		r.Country, r.Location = "CN", sh
		switch i % 20 {
		case 0:
			r.Location = nil
		case 1:
			r.Country, r.Location = "US", nil
		case 2:
			r.Country, r.Location = "US", ny
		}
		r.Consent, r.ConsentAt, r.ConsentSourced = ConsentOptedIn, now.Unix()-300*day, true
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
		r.LastInteraction = now.Unix() - int64(i%240)*day
	}
	return rs
}

// benchFields supplies template fields without allocating: values come
// from small tables indexed by the recipient number.
type benchFields struct{ i int }

var (
	benchTitles  = [...]string{"王女士", "张先生", "李女士", "", "陈先生"}
	benchLevels  = [...]string{"金卡", "银卡", "钻石"}
	benchCoupons = [...]string{"A7K2Q9", "B3M8Z1", "C5T4W6", "D9R2X8"}
	benchLinks   = [...]string{"https://n.example/l/aZ3kQ9xP", "https://n.example/l/Qm7Lp2Rt", "https://n.example/l/x8Vb1NcE"}
)

func (f *benchFields) Field(name string) (string, bool) {
	switch name {
	case "surname_title":
		v := benchTitles[f.i%len(benchTitles)]
		return v, v != ""
	case "level":
		return benchLevels[f.i%len(benchLevels)], true
	case "coupon":
		return benchCoupons[f.i%len(benchCoupons)], true
	case "link":
		return benchLinks[f.i%len(benchLinks)], true
	case "points":
		return strconv.Itoa(f.i % 5000), true
	}
	return "", false
}
