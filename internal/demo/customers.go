package demo

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
)

// customerHeader is the importer's canonical customer columns; level and
// points are free columns that the importer keeps as attributes.
const customerHeader = "id,phone,name,gender,birthday,city,lat,lon,registered_at,timezone,tags,consent,consent_at,consent_source,level,points\n"

// Member levels, from the entry level up.
var levels = [...]string{"普通", "银卡", "金卡", "钻石"}

// Consent sources for members who opted in: the till, the WeChat official
// account, the web shop and the mini-program.
var consentSources = cumulativeNamed([]named{{"pos", 35}, {"wechat", 35}, {"web", 20}, {"miniapp", 10}})

type named struct {
	name   string
	weight uint32
}

type namedCum struct {
	names []string
	cum   []uint32
}

func cumulativeNamed(in []named) namedCum {
	var c namedCum
	w := make([]uint32, len(in))
	for i, n := range in {
		c.names = append(c.names, n.name)
		w[i] = n.weight
	}
	c.cum = cumulative(w)
	return c
}

func (c namedCum) pick(r *rand.Rand) string { return c.names[pick(r, c.cum)] }

// check refuses shops the generator cannot make without repeating itself.
func (o Options) check() error {
	if o.Customers > maxCustomers-1 {
		return fmt.Errorf("demo: at most %d customers (phone numbers would repeat)", maxCustomers-1)
	}
	return nil
}

// idWidth is the zero-padded width of customer ids: C0000001 for shops of
// up to ten million.
func idWidth(customers int) int { return max(7, digits(customers)) }

func appendCustomerID(b []byte, i, width int) []byte {
	b = append(b, 'C')
	return appendPad(b, int64(i+1), width)
}

// WriteCustomers writes opt.Customers members as CSV in the canonical
// customer columns plus level and points. Memory use does not depend on the
// number of customers.
func WriteCustomers(w io.Writer, opt Options) (rows int, err error) {
	opt = opt.withDefaults()
	if err := opt.check(); err != nil {
		return 0, err
	}
	win := newWindow(opt)
	g := newRNG(opt.Seed)
	width := idWidth(opt.Customers)
	bw := bufio.NewWriterSize(w, 256<<10)
	if _, err := bw.WriteString(customerHeader); err != nil {
		return 0, err
	}
	b := make([]byte, 0, 512)
	for i := range opt.Customers {
		p := newPersona(g.at(i, streamPersona), win)
		b = appendCustomer(b[:0], g.at(i, streamProfile), g.seed, i, width, &p, win)
		if _, err := bw.Write(b); err != nil {
			return i, err
		}
	}
	return opt.Customers, bw.Flush()
}

// appendCustomer writes one customer row; r is positioned on the customer's
// profile stream.
func appendCustomer(b []byte, r *rand.Rand, seed uint64, i, width int, p *persona, win window) []byte {
	b = appendCustomerID(b, i, width)
	b = append(b, ',')
	b = appendPhone(b, r, seed, i)
	b = append(b, ',')
	b = appendName(b, r, p.female)
	if p.female {
		b = append(b, ",f,"...)
	} else {
		b = append(b, ",m,"...)
	}
	b = appendDate(b, p.birth)
	b = append(b, ',')
	city, lat, lon := place(r)
	b = append(b, cities[city].name...)
	b = append(b, ',')
	b = strconv.AppendFloat(b, lat, 'f', 6, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, lon, 'f', 6, 64)
	b = append(b, ',')
	b = appendDateTime(b, p.reg)
	b = append(b, ',')
	b = append(b, timezone...)
	b = append(b, ',')
	b = appendTags(b, r, p)
	b = append(b, ',')
	b = appendConsent(b, r, p, win)
	b = append(b, ',')
	level := memberLevel(r, p)
	b = append(b, levels[level]...)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(points(r, level)), 10)
	return append(b, '\n')
}

// interestTags are the tags a category earns its buyers.
var interestTags = [numCats]string{
	catFormula: "母婴", catDiapers: "母婴", catCatFood: "猫奴", catSkincare: "美妆",
	catApparel: "时尚", catAppliance: "数码", catSupplement: "养生", catMedicine: "慢病",
}

// appendTags writes the customer's tags separated by ';': interests from
// their categories, then life stage and behaviour tags a shop's staff would
// have added.
func appendTags(b []byte, r *rand.Rand, p *persona) []byte {
	start := len(b)
	var seen [numCats]bool
	for _, pl := range p.plans[:p.n] {
		t := interestTags[pl.cat]
		if t == "" || (pl.cat == catAppliance && p.segment != segHome && !p.vip) {
			continue
		}
		if pl.cat == catDiapers && p.has(catFormula) {
			continue // already tagged 母婴 for the formula
		}
		if !seen[pl.cat] {
			seen[pl.cat] = true
			b = addTag(b, start, t)
		}
	}
	if p.segment == segMother && p.female {
		b = addTag(b, start, "宝妈")
	}
	if p.vip {
		b = addTag(b, start, "高净值")
	}
	if p.spend == 0 && chance(r, 0.5) {
		b = addTag(b, start, "价格敏感")
	}
	if p.hour >= 22 || p.hour <= 1 {
		b = addTag(b, start, "夜猫子")
	}
	if p.weekday == 0 || p.weekday == 6 {
		b = addTag(b, start, "周末党")
	}
	return b
}

func addTag(b []byte, start int, t string) []byte {
	if len(b) > start {
		b = append(b, ';')
	}
	return append(b, t...)
}

// appendConsent writes consent,consent_at,consent_source: most members
// opted in when they joined (at the till, on WeChat, on the web shop), some
// were imported without a record, a few replied TD later.
func appendConsent(b []byte, r *rand.Rand, p *persona, win window) []byte {
	switch v := r.Float64(); {
	case v < 0.78:
		src := consentSources.pick(r)
		at := p.reg + r.Int64N(300)
		if src == "wechat" || src == "miniapp" {
			at = p.reg + r.Int64N(30*day) // followed the account some time after joining
		}
		b = append(b, "opted_in,"...)
		b = appendDateTime(b, min(at, win.end-1))
		b = append(b, ',')
		return append(b, src...)
	case v < 0.95:
		return append(b, "unknown,,"...)
	default:
		at := p.reg + r.Int64N(max(win.end-p.reg, 1))
		b = append(b, "opted_out,"...)
		b = appendDateTime(b, at)
		return append(b, ",sms"...)
	}
}

// memberLevel follows spending: VIPs are mostly diamond, budget shoppers
// mostly entry level.
func memberLevel(r *rand.Rand, p *persona) int {
	v := r.Float64()
	switch {
	case p.vip:
		if v < 0.7 {
			return 3
		}
		return 2
	case !p.buys && !p.lapsed:
		return 0
	case p.spend == 2:
		switch {
		case v < 0.35:
			return 2
		case v < 0.75:
			return 1
		}
	case p.spend == 1:
		switch {
		case v < 0.08:
			return 2
		case v < 0.43:
			return 1
		}
	case v < 0.15:
		return 1
	}
	return 0
}

// points are a member's unspent loyalty points, in the range their level
// suggests.
func points(r *rand.Rand, level int) int {
	switch level {
	case 0:
		return r.IntN(2000)
	case 1:
		return between(r, 1000, 8000)
	case 2:
		return between(r, 5000, 30000)
	}
	return between(r, 20000, 120000)
}
