package ingest

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// Kind is what a file holds: customers, orders or products.
type Kind string

// The three kinds of import.
const (
	Customers Kind = "customers"
	Orders    Kind = "orders"
	Products  Kind = "products"
)

// Canonical column positions. Each kind numbers its own columns from zero,
// so a parsed row is a plain []string indexed by these constants.
const (
	cID = iota
	cPhone
	cName
	cGender
	cBirthday
	cCity
	cLat
	cLon
	cRegisteredAt
	cTimezone
	cTags
	cConsent
	cConsentAt
	cConsentSource
)

const (
	oOrderID = iota
	oCustomerID
	oOrderedAt
	oStatus
	oCurrency
	oSKU
	oCategory
	oQuantity
	oAmount
)

const (
	pSKU = iota
	pName
	pCategory
	pPrice
	pStock
	pSafetyStock
)

// spec describes one kind of file: its canonical columns, the other names
// shops' exports give them, and which must be present.
type spec struct {
	kind     Kind
	columns  []string
	aliases  map[string]int // normalised header -> column
	names    [][]string     // each column's names, most common first
	required []int
	// extras says whether unknown columns are kept (as customer attributes)
	// rather than ignored.
	extras bool
}

// skuAliases and categoryAliases are shared by orders and products.
var (
	skuAliases      = []string{"商品编码", "货号", "商品编号", "商品货号", "sku编码", "商品sku", "skuid", "skucode", "商品id", "productid", "itemid"}
	categoryAliases = []string{"类目", "品类", "商品分类", "分类", "商品类目", "商品品类", "productcategory"}
)

var specs = map[Kind]*spec{
	Customers: newSpec(Customers, true, []int{cPhone}, [][]string{
		cID:            {"id", "会员id", "会员编号", "会员号", "会员卡号", "客户id", "客户编号", "用户id", "用户编号", "customerid", "memberid", "externalid", "userid"},
		cPhone:         {"phone", "手机号", "手机", "手机号码", "电话", "电话号码", "联系电话", "联系方式", "mobile", "mobilephone", "cellphone", "tel", "telephone", "phonenumber"},
		cName:          {"name", "姓名", "名字", "客户姓名", "会员姓名", "会员名称", "客户名称", "fullname", "customername"},
		cGender:        {"gender", "sex", "性别"},
		cBirthday:      {"birthday", "生日", "出生日期", "出生年月日", "birthdate", "dateofbirth", "dob"},
		cCity:          {"city", "城市", "所在城市", "所在地", "常住城市"},
		cLat:           {"lat", "latitude", "纬度"},
		cLon:           {"lon", "lng", "long", "longitude", "经度"},
		cRegisteredAt:  {"registeredat", "注册时间", "注册日期", "开卡时间", "开卡日期", "入会时间", "入会日期", "registrationdate", "signupat", "joinedat"},
		cTimezone:      {"timezone", "tz", "时区"},
		cTags:          {"tags", "tag", "标签", "会员标签", "客户标签"},
		cConsent:       {"consent", "营销同意", "是否同意营销", "同意营销", "营销授权", "marketingconsent", "optin"},
		cConsentAt:     {"consentat", "同意时间", "授权时间"},
		cConsentSource: {"consentsource", "同意来源", "同意渠道", "授权来源"},
	}),
	Orders: newSpec(Orders, false, []int{oOrderID, oCustomerID, oOrderedAt, oSKU, oAmount}, [][]string{
		oOrderID:    {"orderid", "订单号", "订单编号", "订单id", "orderno", "ordernumber"},
		oCustomerID: {"customerid", "会员id", "会员编号", "会员号", "会员卡号", "客户id", "客户编号", "买家id", "用户id", "memberid", "buyerid", "userid"},
		oOrderedAt:  {"orderedat", "下单时间", "付款时间", "订单时间", "支付时间", "下单日期", "订单日期", "orderdate", "ordertime", "paidat"},
		oStatus:     {"status", "订单状态", "状态", "orderstatus"},
		oCurrency:   {"currency", "币种", "货币"},
		oSKU:        append([]string{"sku"}, skuAliases...),
		oCategory:   append([]string{"category"}, categoryAliases...),
		oQuantity:   {"quantity", "qty", "数量", "购买数量", "商品数量", "件数"},
		oAmount:     {"amount", "金额", "实付金额", "商品金额", "实付", "支付金额", "小计", "linetotal"},
	}),
	Products: newSpec(Products, false, []int{pSKU}, [][]string{
		pSKU:         append([]string{"sku"}, skuAliases...),
		pName:        {"name", "商品名称", "商品名", "名称", "品名", "productname", "title"},
		pCategory:    append([]string{"category"}, categoryAliases...),
		pPrice:       {"price", "价格", "售价", "单价", "零售价", "销售价"},
		pStock:       {"stock", "库存", "库存数量", "可用库存", "现有库存", "inventory"},
		pSafetyStock: {"safetystock", "安全库存", "预警库存", "最低库存", "minstock"},
	}),
}

func newSpec(k Kind, extras bool, required []int, names [][]string) *spec {
	s := &spec{kind: k, extras: extras, required: required, aliases: map[string]int{}, names: names}
	for col, ns := range names {
		s.columns = append(s.columns, canonicalName(ns[0]))
		for _, n := range ns {
			key := normHeader(n)
			if prev, dup := s.aliases[key]; dup && prev != col {
				panic(fmt.Sprintf("ingest: %s alias %q names two columns", k, n))
			}
			s.aliases[key] = col
		}
	}
	return s
}

// canonicalName restores the underscores that the alias lists leave out of
// the canonical names ("registeredat" is registered_at).
func canonicalName(n string) string {
	switch n {
	case "registeredat":
		return "registered_at"
	case "consentat":
		return "consent_at"
	case "consentsource":
		return "consent_source"
	case "orderid":
		return "order_id"
	case "customerid":
		return "customer_id"
	case "orderedat":
		return "ordered_at"
	case "safetystock":
		return "safety_stock"
	}
	return n
}

func specFor(k Kind) (*spec, error) {
	s, ok := specs[k]
	if !ok {
		return nil, fmt.Errorf("unknown kind %q (customers, orders or products)", k)
	}
	return s, nil
}

// normHeader folds a header for alias lookup: case, spaces (also the
// full-width one), underscores, hyphens, dots and a stray BOM do not count,
// so "Registered At", "registered_at" and "REGISTERED-AT" are one name.
func normHeader(h string) string {
	var b strings.Builder
	b.Grow(len(h))
	for _, r := range h {
		switch {
		case r == '_' || r == '-' || r == '.' || r == '\ufeff' || unicode.IsSpace(r):
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// column finds the canonical column a header names, or -1.
func (s *spec) column(header string) int {
	if c, ok := s.aliases[normHeader(header)]; ok {
		return c
	}
	return -1
}

// layout maps a CSV header onto a kind's columns: where each canonical
// column is in a record, and which positions hold unknown columns.
type layout struct {
	spec       *spec
	header     []string // as written, for the rejects file and messages
	skip       int      // leading columns to leave out (a rejects file's line,reason)
	pos        []int    // canonical column -> record position, -1 when absent
	extraPos   []int    // positions of unknown columns kept as attributes
	extraNames []string
}

// newLayout reads a header row. A column named twice (say 手机 and 手机号)
// is taken from its first occurrence; the later one is an unknown column.
// A header that starts with line,reason is a rejects file being imported
// again after correction: those two columns are bookkeeping and skipped.
func newLayout(s *spec, header []string) (*layout, error) {
	l := &layout{spec: s, header: append([]string(nil), header...), pos: make([]int, len(s.columns))}
	for i := range l.pos {
		l.pos[i] = -1
	}
	if len(header) >= 2 && normHeader(header[0]) == "line" && normHeader(header[1]) == "reason" {
		l.skip = 2
	}
	for i := l.skip; i < len(header); i++ {
		h := strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff"))
		c := s.column(h)
		switch {
		case c >= 0 && l.pos[c] < 0:
			l.pos[c] = i
		case s.extras && h != "":
			l.extraPos = append(l.extraPos, i)
			l.extraNames = append(l.extraNames, h)
		}
	}
	for _, c := range s.required {
		if l.pos[c] < 0 {
			return nil, missingColumn(s, c, header)
		}
	}
	// Attributes are written in name order, so that an export with its
	// columns in another order is not a change to every customer.
	sort.Sort(byName{l})
	return l, nil
}

// missingColumn explains which required column a file lacks, with the names
// it may go by and the headers that were found.
func missingColumn(s *spec, c int, found []string) error {
	var alts []string
	for _, a := range s.names[c] {
		if hasCJK(a) && len(alts) < 3 {
			alts = append(alts, a)
		}
	}
	hint := ""
	if len(alts) > 0 {
		hint = " (or " + strings.Join(alts, ", ") + ")"
	}
	shown := make([]string, 0, len(found))
	for _, h := range found {
		shown = append(shown, fmt.Sprintf("%q", strings.TrimPrefix(h, "\ufeff")))
	}
	if len(shown) > 30 {
		shown = append(shown[:30], "...")
	}
	return fmt.Errorf("%s: no %s column%s; the header has %s", s.kind, s.columns[c], hint, strings.Join(shown, ", "))
}

func hasCJK(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

type byName struct{ l *layout }

func (b byName) Len() int           { return len(b.l.extraNames) }
func (b byName) Less(i, j int) bool { return b.l.extraNames[i] < b.l.extraNames[j] }
func (b byName) Swap(i, j int) {
	b.l.extraNames[i], b.l.extraNames[j] = b.l.extraNames[j], b.l.extraNames[i]
	b.l.extraPos[i], b.l.extraPos[j] = b.l.extraPos[j], b.l.extraPos[i]
}
