package demo

import (
	"math/rand/v2"
)

// A persona is what a customer is like as a shopper: which kinds of product
// they buy, how often, when, and how much they spend. It is drawn from the
// customer's own random stream, so the customer and order writers agree on
// it without sharing memory.
type persona struct {
	female  bool
	age     int   // whole years at Now
	birth   int64 // local day of birth
	reg     int64 // local seconds of registration
	plans   [maxPlans]plan
	n       int  // plans in use
	weekday int  // habitual shopping day, 0 = Sunday
	hour    int  // habitual hour of day
	spend   int  // 0 budget, 1 mid-range, 2 premium
	vip     bool // heavy spender: more categories, more often, dearer
	buys    bool // false: no order in the window at all
	lapsed  bool // bought before the window but not in it (沉睡)
	stop    int64
	medDay  int // chronic medicine is bought on this day of the month (5-10)
	segment int
}

const maxPlans = 6

// plan is one category in a persona: its rhythm and the customer's usual
// product.
type plan struct {
	cat  int
	rate float64 // cycle categories: days between purchases; others: purchases a year
	fav  int     // index into the category's catalogue
	fav2 int     // a second usual product (-1: none), e.g. a second daily drug
	qty  int     // usual quantity
}

// Segments: the main reason a customer shops here. Each fixes an age range,
// a gender mix and the categories it starts with.
const (
	segMother = iota
	segCat
	segBeauty
	segFashion
	segHealth
	segChronic
	segHome
)

var segments = []struct {
	weight         uint32
	minAge, maxAge int
	female         float64
}{
	segMother:  {22, 23, 38, 0.85},
	segCat:     {18, 20, 42, 0.65},
	segBeauty:  {16, 20, 45, 0.92},
	segFashion: {12, 18, 40, 0.60},
	segHealth:  {12, 35, 64, 0.55},
	segChronic: {12, 45, 64, 0.50},
	segHome:    {8, 25, 55, 0.50},
}

// secondary are the categories people buy beside their main interest.
var secondary = [...]int{catCatFood, catSkincare, catApparel, catSupplement}

var segmentCum = func() []uint32 {
	w := make([]uint32, len(segments))
	for i, s := range segments {
		w[i] = s.weight
	}
	return cumulative(w)
}()

// hourCum peaks where the articles say shoppers are: late morning, lunch and
// the evening; almost nobody buys between 2 and 6 in the morning.
var hourCum = cumulative([]uint32{2, 1, 0, 0, 0, 0, 1, 3, 5, 7, 10, 10, 9, 9, 7, 6, 6, 6, 6, 8, 11, 12, 9, 5})

// weekdayCum leans a little to the weekend.
var weekdayCum = cumulative([]uint32{17, 13, 13, 13, 13, 14, 17})

// window is the span of order history, in local seconds.
type window struct {
	start, end int64
	nowDay     int64
}

func newWindow(opt Options) window {
	now := opt.Now.In(shanghai)
	start := now.AddDate(0, -opt.Months, 0)
	end := now.Unix() + tzOffset
	return window{start: start.Unix() + tzOffset, end: end, nowDay: floorDiv(end, day)}
}

// Shares of customers: with no order in the window, those who never bought
// (pNever) and those who stopped before it (pLapsed, 沉睡); those who stop
// partway through it (pChurn); and heavy spenders (pVIP), who never stop.
const (
	pNever  = 0.08
	pLapsed = 0.12
	pChurn  = 0.16
	pVIP    = 0.025
)

// newPersona draws customer i's persona from r (positioned on the
// customer's persona stream).
func newPersona(r *rand.Rand, win window) persona {
	var p persona
	p.segment = pick(r, segmentCum)
	seg := segments[p.segment]
	p.female = chance(r, seg.female)
	p.age = between(r, seg.minAge, seg.maxAge)
	// Born on one of the 365 days that make them exactly p.age today.
	y, m, d := civil(win.nowDay)
	p.birth = daysFrom(y-int64(p.age)-1, m, d) + 1 + int64(r.IntN(365))
	p.weekday = pick(r, weekdayCum)
	p.hour = pick(r, hourCum)
	p.medDay = between(r, 5, 10)
	switch v := r.Float64(); {
	case v < 0.35:
		p.spend = 0
	case v < 0.80:
		p.spend = 1
	default:
		p.spend = 2
	}
	p.vip = chance(r, pVIP)
	if p.vip {
		p.spend = 2
	}

	// Registration: any time in the last three years, but not before the
	// customer turned 18.
	const threeYears = 3 * 365 * day
	by, bm, bd := civil(p.birth)
	adult := daysFrom(by+18, bm, bd) * day
	p.reg = win.end - day - r.Int64N(threeYears)
	if p.reg < adult {
		p.reg = adult + r.Int64N(max(win.end-adult, 1))
	}
	p.buys = true
	switch v := r.Float64(); {
	case p.vip:
	case v < pNever:
		p.buys = false
	case v < pNever+pLapsed:
		// A lapsed customer was a customer before the window opened (and
		// an adult then); one too young for that simply never bought.
		p.buys = false
		if latest := win.start - 30*day; adult < latest {
			p.lapsed = true
			if p.reg > latest {
				p.reg = max(adult, latest-r.Int64N(2*365*day))
			}
		}
	case v < pNever+pLapsed+pChurn:
		from := max(win.start, p.reg) + 30*day
		if from < win.end-30*day {
			p.stop = from + r.Int64N(win.end-30*day-from)
		}
	}
	if p.stop == 0 {
		p.stop = win.end
	}

	switch p.segment {
	case segMother:
		formula, diapers := chance(r, 0.6), chance(r, 0.85)
		if formula {
			p.add(r, catFormula)
		}
		if diapers || !formula {
			p.add(r, catDiapers)
		}
	case segCat:
		p.add(r, catCatFood)
	case segBeauty:
		p.add(r, catSkincare)
		p.maybe(r, 0.45, catApparel)
	case segFashion:
		p.add(r, catApparel)
		p.maybe(r, 0.3, catSkincare)
	case segHealth:
		p.add(r, catSupplement)
		p.maybe(r, 0.25, catMedicine)
	case segChronic:
		p.add(r, catMedicine)
		p.maybe(r, 0.35, catSupplement)
	case segHome:
		p.add(r, catAppliance)
		p.maybe(r, 0.35, catApparel)
	}
	// Many customers also buy one thing outside their main interest, and
	// almost anyone buys a small appliance now and then.
	p.maybe(r, 0.25, secondary[r.IntN(len(secondary))])
	if p.vip {
		p.add(r, secondary[r.IntN(len(secondary))])
		p.add(r, catAppliance)
		p.add(r, catApparel)
	}
	p.maybe(r, 0.3, catAppliance)
	return p
}

func (p *persona) has(cat int) bool {
	for _, pl := range p.plans[:p.n] {
		if pl.cat == cat {
			return true
		}
	}
	return false
}

func (p *persona) maybe(r *rand.Rand, prob float64, cat int) {
	if chance(r, prob) {
		p.add(r, cat)
	}
}

// add gives the persona a category with the customer's own rhythm around the
// category's, and a usual product matching their spending level.
func (p *persona) add(r *rand.Rand, cat int) {
	if p.has(cat) || p.n == maxPlans {
		return
	}
	pl := plan{cat: cat, fav: p.favourite(r, cat), fav2: -1, qty: 1}
	switch cat {
	case catFormula:
		pl.rate = 14 + 6*r.Float64()
	case catDiapers:
		pl.rate = 25.5 + 5*r.Float64()
	case catCatFood:
		pl.rate = 26 + 8*r.Float64()
		if chance(r, 0.2) {
			pl.qty = 2 // two cats
		}
	case catSkincare:
		pl.rate = 45 + 15*r.Float64()
	case catSupplement:
		pl.rate = 30 + 30*r.Float64()
	case catMedicine:
		pl.qty = between(r, 1, 3)
		if chance(r, 0.4) {
			pl.fav2 = p.favourite(r, cat)
			if pl.fav2 == pl.fav {
				pl.fav2 = -1
			}
		}
	case catApparel:
		pl.rate = 2 + 3*r.Float64()
		if p.segment == segFashion {
			pl.rate = 6 + 4*r.Float64()
		}
	case catAppliance:
		pl.rate = 0.3
		if p.segment == segHome {
			pl.rate = 1 + r.Float64()
		}
	}
	if p.vip {
		switch cat {
		case catApparel:
			pl.rate = 10 + 6*r.Float64()
		case catAppliance:
			pl.rate = 2 + r.Float64()
		}
		if chance(r, 0.5) {
			pl.qty++
		}
	}
	p.plans[p.n] = pl
	p.n++
}

// favourite picks a product of the category in the customer's price range:
// the cheaper five for budget shoppers, the dearer five for premium ones.
func (p *persona) favourite(r *rand.Rand, cat int) int {
	order := byPrice[cat]
	var lo, hi int
	switch p.spend {
	case 0:
		lo, hi = 0, 4
	case 1:
		lo, hi = 3, 8
	default:
		lo, hi = len(order)-5, len(order)-1
	}
	return order[between(r, lo, min(hi, len(order)-1))]
}
