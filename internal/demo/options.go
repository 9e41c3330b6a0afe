// Package demo generates a realistic Chinese shop (members, a year of
// orders with real purchase cycles, a product catalogue) deterministically
// from a seed, as CSV in the importer's canonical columns.
//
// Every customer is a pure function of (seed, customer index): the customer
// writer and the order writer each regenerate the customers they need, so
// both stream in constant memory whatever the size of the shop, and the
// orders they write reference exactly the ids the customer writer wrote.
package demo

import (
	"math"
	"math/rand/v2"
	"time"
)

// Defaults for the zero Options fields.
const (
	DefaultCustomers = 50000
	DefaultMonths    = 12
)

// Options says which shop to generate. The same options give the same bytes.
type Options struct {
	// Seed selects the shop; shops with different seeds share nothing but
	// the catalogue's names and prices.
	Seed int64
	// Customers is the number of members; 0 means DefaultCustomers.
	Customers int
	// Months is how far back order history goes from Now; 0 means
	// DefaultMonths.
	Months int
	// Now ends the history: every order is before it and every age is
	// counted at it. The zero value means today's midnight in Shanghai, which
	// keeps a day's runs identical; pass it explicitly for reproducible output.
	Now time.Time
}

// shanghai is the shop's zone. China has kept UTC+8 without daylight saving
// since 1991, so a fixed zone is exact for every time generated here and
// needs no tzdata on the machine.
var shanghai = time.FixedZone("CST", tzOffset)

const (
	tzOffset = 8 * 3600
	day      = 86400
	// timezone is what the customers' timezone column says.
	timezone = "Asia/Shanghai"
)

func (o Options) withDefaults() Options {
	if o.Customers <= 0 {
		o.Customers = DefaultCustomers
	}
	if o.Months <= 0 {
		o.Months = DefaultMonths
	}
	if o.Now.IsZero() {
		o.Now = Today(time.Now())
	}
	return o
}

// Today returns the midnight in Shanghai that starts t's day there: the
// default Now, so that a demo run today and its test agree.
func Today(t time.Time) time.Time {
	y, m, d := t.In(shanghai).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, shanghai)
}

// Streams separate the random numbers used for different purposes, so that
// for example a change to how names are drawn does not change anyone's
// orders.
const (
	streamPersona uint64 = iota + 1
	streamProfile
	streamOrders
	streamProducts
)

// rng is a reseedable generator: one PCG, reseeded per customer and
// stream, so that generating a customer allocates nothing.
type rng struct {
	pcg  rand.PCG
	r    *rand.Rand
	seed uint64
}

func newRNG(seed int64) *rng {
	g := &rng{seed: uint64(seed)}
	g.r = rand.New(&g.pcg)
	return g
}

// at positions the generator on customer i's stream s.
func (g *rng) at(i int, s uint64) *rand.Rand {
	g.pcg.Seed(mix(g.seed^s*0x9e3779b97f4a7c15), mix(uint64(i)+s<<56))
	return g.r
}

// mix is the SplitMix64 finaliser: nearby inputs (consecutive customer
// indexes) give unrelated PCG states.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// pick returns an index drawn with the given cumulative weights.
func pick(r *rand.Rand, cum []uint32) int {
	v := r.Uint32N(cum[len(cum)-1])
	lo, hi := 0, len(cum)
	for lo < hi {
		m := (lo + hi) / 2
		if cum[m] > v {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// cumulative turns weights into the running sums pick wants.
func cumulative(w []uint32) []uint32 {
	c := make([]uint32, len(w))
	var s uint32
	for i, x := range w {
		s += x
		c[i] = s
	}
	return c
}

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// between returns a uniform integer in [lo, hi].
func between(r *rand.Rand, lo, hi int) int { return lo + r.IntN(hi-lo+1) }

// poisson draws a Poisson count by Knuth's product method, which is exact
// and fast for the small means used here (a few purchases a year).
func poisson(r *rand.Rand, mean float64) int {
	if mean <= 0 {
		return 0
	}
	limit := math.Exp(-mean)
	k, p := 0, r.Float64()
	for p > limit {
		k++
		p *= r.Float64()
	}
	return k
}

// digits returns how many decimal digits n has.
func digits(n int) int {
	d := 1
	for n >= 10 {
		n /= 10
		d++
	}
	return d
}
