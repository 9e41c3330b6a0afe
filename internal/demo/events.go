package demo

import "math/rand/v2"

// An event is one purchase occasion for one of a persona's plans; events on
// the same day become one order.
type event struct {
	at   int64 // local seconds
	plan int   // index into persona.plans
}

// events appends customer p's purchase occasions inside the window; r is
// positioned on the customer's order stream.
func (p *persona) events(ev []event, r *rand.Rand, win window) []event {
	from, to := max(win.start, p.reg), min(win.end, p.stop)
	if !p.buys || from >= to {
		return ev
	}
	for k := range p.plans[:p.n] {
		switch p.plans[k].cat {
		case catMedicine:
			ev = p.monthly(ev, r, k, from, to)
		case catApparel, catAppliance:
			ev = p.occasional(ev, r, k, from, to)
		default:
			ev = p.cyclic(ev, r, k, from, to, win.start)
		}
	}
	return ev
}

// cyclic buys whenever the last purchase runs out: every cycle days with a
// little noise, sometimes a cycle missed (bought elsewhere). The noise is
// added to the day the product runs out, not to the day it was bought, so
// that shifting a purchase to a habitual weekday does not accumulate.
func (p *persona) cyclic(ev []event, r *rand.Rand, k int, from, to, start int64) []event {
	pl := &p.plans[k]
	cycle := pl.rate
	noise := 0.1
	if pl.cat == catDiapers {
		noise = 0.08
	}
	t := float64(from)/day + cycle*r.Float64()
	if p.reg >= start && chance(r, 0.5) {
		t = float64(from) / day // first purchase on the day they joined
	}
	for int64(t)*day < to {
		d := int64(t)
		switch {
		case pl.cat == catSupplement:
			d = nearest(d, p.weekendDay())
		case chance(r, 0.35):
			d = nearest(d, p.weekday)
		}
		ev = p.emit(ev, r, k, d, from, to)
		gap := cycle * (1 + noise*r.NormFloat64())
		gap = min(max(gap, 0.6*cycle), 1.6*cycle)
		if chance(r, 0.04) {
			gap += cycle
		}
		t += gap
	}
	return ev
}

// monthly buys chronic medicine once a month, between the 5th and the 10th
// (pension and insurance days), near the customer's own day.
func (p *persona) monthly(ev []event, r *rand.Rand, k int, from, to int64) []event {
	y, m, _ := civil(from / day)
	for {
		dom := min(max(p.medDay+between(r, -1, 1), 5), 10)
		d := daysFrom(y, m, dom)
		if d*day >= to {
			return ev
		}
		if !chance(r, 0.05) {
			ev = p.emit(ev, r, k, d, from, to)
		}
		if m++; m > 12 {
			m, y = 1, y+1
		}
	}
}

// occasional buys a few times a year at random, more around the shopping
// festivals (618 in June, 双11 in November) and, for apparel, at the turn
// of the seasons.
func (p *persona) occasional(ev []event, r *rand.Rand, k int, from, to int64) []event {
	pl := &p.plans[k]
	fromDay, toDay := from/day, (to-1)/day
	years := float64(to-from) / (365 * day)
	for range poisson(r, pl.rate*years) {
		d := fromDay + r.Int64N(toDay-fromDay+1)
		for try := 0; try < 8 && r.Float64()*maxSeasonWeight > seasonWeight(d, pl.cat); try++ {
			d = fromDay + r.Int64N(toDay-fromDay+1)
		}
		if chance(r, 0.5) {
			d = nearest(d, p.weekday)
		}
		ev = p.emit(ev, r, k, d, from, to)
	}
	return ev
}

const maxSeasonWeight = 3.0

// apparelMonths weighs each month for clothes: new-year shopping, the
// spring and autumn changes of wardrobe, and the two festivals.
var apparelMonths = [13]float64{0, 1.0, 0.6, 1.1, 1.1, 0.9, 1.4, 0.7, 0.7, 1.1, 1.2, 1.8, 1.2}

func seasonWeight(d int64, cat int) float64 {
	_, m, dom := civil(d)
	switch {
	case m == 11 && dom <= 11:
		return 3
	case m == 6 && dom <= 18:
		return 2
	case cat == catApparel:
		return apparelMonths[m]
	}
	return 1
}

// nearest moves day d to the closest day that is weekday wd (at most three
// days either way).
func nearest(d int64, wd int) int64 {
	delta := (wd - weekday(d) + 7) % 7
	if delta > 3 {
		delta -= 7
	}
	return d + int64(delta)
}

// weekendDay is the customer's weekend shopping day: their habitual day if
// it is a weekend, else Saturday.
func (p *persona) weekendDay() int {
	if p.weekday == 0 {
		return 0
	}
	return 6
}

// emit adds a purchase on local day d at the customer's kind of hour, if it
// falls inside [from, to).
func (p *persona) emit(ev []event, r *rand.Rand, k int, d, from, to int64) []event {
	var hour int
	switch cat := p.plans[k].cat; {
	case cat == catSupplement:
		hour = between(r, 13, 17) // weekend afternoons
	case cat == catMedicine && chance(r, 0.5):
		hour = between(r, 8, 11) // the pharmacy in the morning
	case chance(r, 0.65):
		hour = p.hour
		if chance(r, 0.3) {
			hour = (hour + between(r, 23, 25)) % 24
		}
	default:
		hour = pick(r, hourCum)
	}
	at := d*day + int64(hour*3600+r.IntN(3600))
	if at < from && d == from/day {
		at = from + 60 + r.Int64N(3600) // joined and bought in the same visit
	}
	if at < from || at >= to {
		return ev
	}
	return append(ev, event{at: at, plan: k})
}
