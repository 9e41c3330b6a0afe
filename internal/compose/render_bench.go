package compose

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"time"

	"nudge/internal/clock"
	"nudge/internal/customer"
	"nudge/internal/policy"
)

// BenchTemplate is the marketing message the render benchmarks send: the
// surname and title (with a fallback for customers without a name), the
// level from the customer's attributes, a coupon code and a personal link
// that the campaign's batch step drew and made before rendering.
const BenchTemplate = "{{surname_title|亲爱的会员}}，{{level}}会员专享满199减30券{{coupon}}已到账，6月18日24点前有效，立即点击 {{link}}"

// BenchResult is what BenchRenderDecide measured.
type BenchResult struct {
	Recipients int
	// PerSecond is recipients rendered and decided per second, on one
	// core: the figure (target 200,000).
	PerSecond float64
	// RenderNs and DecideNs are the two steps apart, in nanoseconds per
	// recipient, from a batch rendered and decided again on its own.
	RenderNs, DecideNs float64
	// AllocsPerRender and AllocsPerDecision are heap allocations per step:
	// a render makes one (Message.Text), a decision none.
	AllocsPerRender, AllocsPerDecision float64
	// Verdicts counts allow, defer and suppress, and Segments the billed
	// segments of all the messages: checks that the recipients were varied
	// and the messages composed and counted.
	Verdicts [3]int
	Segments int
}

func (b BenchResult) String() string {
	return fmt.Sprintf("render+decide %d recipients: %.0f/s on one core (render %.0f ns, decide %.0f ns), %.2f allocs/render, %.2f allocs/decision, %d segments (allow %d, defer %d, suppress %d)",
		b.Recipients, b.PerSecond, b.RenderNs, b.DecideNs, b.AllocsPerRender, b.AllocsPerDecision, b.Segments,
		b.Verdicts[0], b.Verdicts[1], b.Verdicts[2])
}

// benchBatch is how many recipients BenchRenderDecide makes at a time, as
// a campaign streams its audience in batches.
const benchBatch = 4096

// BenchRenderDecide is the send path's inner loop for n in-memory
// recipients, on one core (GOMAXPROCS 1, the calling goroutine): for each,
// the message is rendered as a campaign renders it, through a Renderer
// with the fields of a customer of its own (name and gender for the
// surname and title, attributes JSON for the level), the sender's coupon
// code and link, the signature 【小店】, the opt-out line for marketing and
// the segment count, without the copy lint; and it is decided by
// policy.Evaluate under the default rules. Every recipient is rendered,
// whatever the decision (a campaign renders only those allowed), so the
// figure is the cost of both steps for each of the n.
//
// Customers, recipients, codes and links are made in batches of 4,096
// outside the timed part, as a campaign loads them; the clock runs only
// while rendering and deciding. It is the figure `make bench` prints for
// "render + policy decision for 1,000,000 recipients".
func BenchRenderDecide(n int) (BenchResult, error) {
	res := BenchResult{Recipients: n}
	rules, err := policy.Compile(policy.DefaultConfig())
	if err != nil {
		return res, err
	}
	now := policy.BenchNow()
	s := benchService(now)
	// One Renderer per category, as a campaign has one per step.
	renderers := map[policy.Category]*Renderer{}
	for _, cat := range []policy.Category{policy.BenchCategory(0), policy.BenchCategory(9)} {
		kind, ok := rules.Kind(cat)
		if !ok {
			return res, fmt.Errorf("compose: benchmark category %q is not in the default rules", cat)
		}
		if renderers[cat], err = s.NewRenderer(BenchTemplate, string(kind)); err != nil {
			return res, err
		}
	}
	audience := policy.NewBenchAudience(now)
	rs := make([]policy.Recipient, benchBatch)
	var gen benchCustomers
	ctx := context.Background()
	values := make(map[string]string, 2) // the batch step's codes and links, one message at a time

	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	runtime.GC()
	var elapsed time.Duration
	k := 0
	for from := 0; from < n; from += k {
		k = min(benchBatch, n-from)
		audience.Fill(rs[:k], from)
		gen.fill(k, from)
		start := time.Now()
		for j := range k {
			cat := policy.BenchCategory(from + j)
			values["coupon"], values["link"] = gen.codes[j], gen.links[j]
			m, err := renderers[cat].Render(ctx, &gen.customers[j], Extras{Values: values, NoLint: true})
			if err != nil {
				return res, err
			}
			res.Segments += m.Segments
			res.Verdicts[policy.Evaluate(&rs[j], cat, now, rules).Verdict]++
		}
		elapsed += time.Since(start)
	}
	res.PerSecond = float64(n) / elapsed.Seconds()

	// The steps apart, over the last batch again.
	last := n - k
	res.AllocsPerRender, res.RenderNs = minAllocs(3, k, func(j int) {
		cat := policy.BenchCategory(last + j)
		values["coupon"], values["link"] = gen.codes[j], gen.links[j]
		_, _ = renderers[cat].Render(ctx, &gen.customers[j], Extras{Values: values, NoLint: true})
	})
	res.AllocsPerDecision, res.DecideNs = minAllocs(3, k, func(j int) {
		_ = policy.Evaluate(&rs[j], policy.BenchCategory(last+j), now, rules)
	})
	return res, nil
}

// minAllocs runs fn(0) ... fn(n-1) rounds times and returns the least heap
// allocations and nanoseconds per call. The runtime's allocation counter is
// process-wide and the runtime allocates now and then: a stray allocation
// shows in one round, an allocation of fn's in every one.
func minAllocs(rounds, n int, fn func(i int)) (allocs, ns float64) {
	allocs, ns = -1, -1
	var m0, m1 runtime.MemStats
	for range rounds {
		runtime.ReadMemStats(&m0)
		start := time.Now()
		for i := range n {
			fn(i)
		}
		d := time.Since(start)
		runtime.ReadMemStats(&m1)
		if a := float64(m1.Mallocs-m0.Mallocs) / float64(n); allocs < 0 || a < allocs {
			allocs = a
		}
		if t := float64(d.Nanoseconds()) / float64(n); ns < 0 || t < ns {
			ns = t
		}
	}
	return allocs, ns
}

// benchService is a Service without a store, with the default settings and
// the brand 小店: enough for messages whose coupon and link the sender
// passes, which keeps the database out of the figure.
func benchService(now time.Time) *Service {
	s := &Service{clock: clock.NewFake(now), placeholder: "https://s.shop.example/l/" + placeholderToken}
	st := DefaultSettings()
	st.Brand = "小店"
	_ = st.Normalize() // the defaults and a short brand are valid
	s.settings.Store(&st)
	return s
}

// benchCustomers makes a batch of varied customers, each with attributes
// of its own, and the coupon codes and links of their messages. Its slices
// are reused from batch to batch, as a campaign reuses its batch buffers.
type benchCustomers struct {
	customers    []customer.Customer
	codes, links []string
	attrs        []byte
}

var (
	benchNames   = [...]string{"王芳", "张伟", "欧阳娜娜", "", "Jane Smith", "李娜", "司马光"}
	benchGenders = [...]string{"f", "m", "f", "", "f", "", "m"}
	benchLevels  = [...]string{"金卡", "银卡", "钻石"}
)

// fill makes customers from, from+1, ... into the first k places.
func (g *benchCustomers) fill(k, from int) {
	if len(g.customers) < k {
		g.customers = make([]customer.Customer, k)
		g.codes, g.links = make([]string, k), make([]string, k)
	}
	g.attrs = g.attrs[:0]
	ends := make([]int, k)
	for j := range k {
		i := from + j
		g.attrs = append(g.attrs, `{"level":"`...)
		g.attrs = append(g.attrs, benchLevels[i%len(benchLevels)]...)
		g.attrs = append(g.attrs, `","points":`...)
		g.attrs = strconv.AppendInt(g.attrs, int64(i%5000), 10)
		g.attrs = append(g.attrs, `,"nickname":"会员`...)
		g.attrs = strconv.AppendInt(g.attrs, int64(i), 10)
		g.attrs = append(g.attrs, `"}`...)
		ends[j] = len(g.attrs)
	}
	begin := 0
	for j := range k {
		i := from + j
		g.customers[j] = customer.Customer{ID: int64(i + 1), ExternalID: "C" + strconv.Itoa(i+1), Phone: "+8613800000000",
			Name: benchNames[i%len(benchNames)], Gender: benchGenders[i%len(benchGenders)], City: "上海",
			RegisteredAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Attributes: g.attrs[begin:ends[j]:ends[j]]}
		begin = ends[j]
		g.codes[j] = fmt.Sprintf("A%07d", i)
		g.links[j] = fmt.Sprintf("https://s.shop.example/l/%08d", i)
	}
}
