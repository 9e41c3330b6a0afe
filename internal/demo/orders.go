package demo

import (
	"bufio"
	"cmp"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
)

const orderHeader = "order_id,customer_id,ordered_at,status,currency,sku,category,quantity,amount\n"

// maxOrders bounds one customer's orders: order numbers end in three digits
// of sequence.
const maxOrders = 999

// line is one product in an order being built.
type line struct {
	cat, item, qty int
}

// WriteOrders writes the order lines of the customers WriteCustomers writes
// for the same options, as CSV in the canonical order columns, one row per
// line, customers in id order and each customer's orders in time order. It
// regenerates each customer's persona from the seed instead of reading the
// customers, so memory does not depend on the size of the shop.
func WriteOrders(w io.Writer, opt Options) (rows int, err error) {
	opt = opt.withDefaults()
	if err := opt.check(); err != nil {
		return 0, err
	}
	win := newWindow(opt)
	g := newRNG(opt.Seed)
	width := idWidth(opt.Customers)
	bw := bufio.NewWriterSize(w, 256<<10)
	if _, err := bw.WriteString(orderHeader); err != nil {
		return 0, err
	}
	var (
		ev  []event
		b   = make([]byte, 0, 4096)
		buf orderBuf
	)
	for i := range opt.Customers {
		p := newPersona(g.at(i, streamPersona), win)
		if !p.buys {
			continue
		}
		r := g.at(i, streamOrders)
		ev = p.events(ev[:0], r, win)
		if len(ev) == 0 {
			continue
		}
		slices.SortFunc(ev, func(a, b event) int { return cmp.Compare(a.at, b.at) })
		var n int
		b, n = buf.appendCustomerOrders(b[:0], r, &p, ev, i, width, win)
		rows += n
		if _, err := bw.Write(b); err != nil {
			return rows, err
		}
	}
	return rows, bw.Flush()
}

// orderBuf holds scratch space reused across customers.
type orderBuf struct {
	lines  []line
	prefix []byte
}

// appendCustomerOrders writes customer i's orders: events on the same day
// make one order.
func (o *orderBuf) appendCustomerOrders(b []byte, r *rand.Rand, p *persona, ev []event, i, width int, win window) ([]byte, int) {
	rows, seq := 0, 0
	for j := 0; j < len(ev) && seq < maxOrders; {
		at := ev[j].at
		d := at / day
		o.lines = o.lines[:0]
		for ; j < len(ev) && ev[j].at/day == d; j++ {
			o.lines = p.appendLines(o.lines, r, &p.plans[ev[j].plan], d)
		}
		seq++
		o.prefix = appendCompactDate(o.prefix[:0], d)
		o.prefix = appendPad(o.prefix, int64(i+1), width)
		o.prefix = appendPad(o.prefix, int64(seq), 3)
		o.prefix = append(o.prefix, ',')
		o.prefix = appendCustomerID(o.prefix, i, width)
		o.prefix = append(o.prefix, ',')
		o.prefix = appendDateTime(o.prefix, at)
		o.prefix = append(o.prefix, ',')
		o.prefix = append(o.prefix, status(r, win.nowDay-d)...)
		o.prefix = append(o.prefix, ",CNY,"...)
		pct := discount(r, p.vip)
		for _, l := range o.lines {
			b = append(b, o.prefix...)
			b = append(b, skus[l.cat][l.item]...)
			b = append(b, ',')
			b = append(b, categoryNames[l.cat]...)
			b = append(b, ',')
			b = strconv.AppendInt(b, int64(l.qty), 10)
			b = append(b, ',')
			b = appendMoney(b, (catalogue[l.cat][l.item].price*int64(l.qty)*pct+50)/100)
			b = append(b, '\n')
			rows++
		}
	}
	return b, rows
}

// appendLines adds the products bought for one plan on day d: the usual
// product (or now and then another), sometimes a second one, and the
// add-ons that go with it (wipes with diapers, litter with cat food). An
// order never names a product twice.
func (p *persona) appendLines(ls []line, r *rand.Rand, pl *plan, d int64) []line {
	item := pl.fav
	switch {
	case pl.cat == catApparel:
		item = seasonal(r, d)
	case pl.cat == catAppliance:
		item = p.favourite(r, catAppliance) // nobody buys the same appliance twice on purpose
	case pl.cat != catMedicine && chance(r, 0.15):
		item = r.IntN(len(catalogue[pl.cat]))
	}
	qty := pl.qty
	switch pl.cat {
	case catFormula:
		qty += pick(r, formulaQty)
	case catDiapers:
		if chance(r, 0.35) {
			qty++
		}
	case catApparel, catSkincare, catSupplement:
		if chance(r, 0.1) {
			qty++
		}
	}
	ls = addLine(ls, pl.cat, item, qty)
	if pl.fav2 >= 0 {
		ls = addLine(ls, pl.cat, pl.fav2, pl.qty)
	}
	extra := 0.1
	if pl.cat == catApparel || pl.cat == catSkincare {
		extra = 0.25
	}
	if pl.cat != catMedicine && chance(r, extra) {
		other := r.IntN(len(catalogue[pl.cat]))
		if pl.cat == catApparel {
			other = seasonal(r, d)
		}
		ls = addLine(ls, pl.cat, other, 1)
	}
	switch {
	case (pl.cat == catFormula || pl.cat == catDiapers) && chance(r, 0.3):
		ls = addLine(ls, catBaby, r.IntN(len(catalogue[catBaby])), between(r, 1, 2))
	case pl.cat == catCatFood && chance(r, 0.45):
		ls = addLine(ls, catPet, r.IntN(len(catalogue[catPet])), between(r, 1, 2))
	}
	return ls
}

// formulaQty: mostly one can, often two, now and then a box of three.
var formulaQty = cumulative([]uint32{0, 70, 25, 5})

func addLine(ls []line, cat, item, qty int) []line {
	for _, l := range ls {
		if l.cat == cat && l.item == item {
			return ls
		}
	}
	return append(ls, line{cat: cat, item: item, qty: qty})
}

// seasonal picks a garment that fits the month: down jackets in winter,
// T-shirts in summer.
func seasonal(r *rand.Rand, d int64) int {
	_, m, _ := civil(d)
	want := allYear
	switch m {
	case 11, 12, 1, 2:
		want = winter
	case 5, 6, 7, 8:
		want = summer
	}
	items := catalogue[catApparel]
	for {
		i := r.IntN(len(items))
		if s := items[i].season; s == allYear || s == want {
			return i
		}
	}
}

// discount is the order's price as a percentage of list price: most orders
// pay full price, some use a coupon; VIPs always get their member price.
func discount(r *rand.Rand, vip bool) int64 {
	switch v := r.Float64(); {
	case v < 0.04:
		return 85
	case v < 0.12:
		return 90
	case v < 0.22 || vip:
		return 95
	}
	return 100
}

// status depends on the order's age in days: recent orders are still on
// their way; a few are refunded or cancelled.
func status(r *rand.Rand, age int64) string {
	switch v := r.Float64(); {
	case v < 0.01:
		return "cancelled"
	case v < 0.03 && age >= 3:
		return "refunded"
	case age < 2:
		return "paid"
	case age < 7:
		return "shipped"
	}
	return "completed"
}
