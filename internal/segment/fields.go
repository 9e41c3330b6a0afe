package segment

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"nudge/internal/customer"
	"nudge/internal/phone"
	"nudge/internal/store"
)

// fieldSpec is one field a condition can test: the operators it takes,
// the modifier keys it accepts and how it becomes SQL.
type fieldSpec struct {
	ops     []string
	mods    int
	compile func(c *compiler, k *Condition) (string, error)
}

// fields is the vocabulary of conditions; docs/segments.md lists it for
// merchants. Engagement fields live in engagement.go.
var fields = map[string]fieldSpec{
	// Customer fields.
	"gender":   {textOps, 0, textField("c.gender", []string{"f", "m", ""})},
	"city":     {textOps, 0, textField("c.city", nil)},
	"region":   {textOps, 0, textField("c.region", nil)},
	"timezone": {textOps, 0, textField("c.timezone", nil)},
	"carrier": {textOps, 0, textField("c.carrier", []string{string(phone.ChinaMobile), string(phone.ChinaUnicom),
		string(phone.ChinaTelecom), string(phone.ChinaBroadcast), ""})},
	"consent":        {textOps, 0, textField("c.consent", []string{customer.ConsentOptedIn, customer.ConsentOptedOut, customer.ConsentUnknown})},
	"birthday_month": {listOps, 0, birthdayPart(6, numRange{lo: 1, hi: 12, ints: true})},
	"birthday_day":   {listOps, 0, birthdayPart(9, numRange{lo: 1, hi: 31, ints: true})},
	"birthday":       {[]string{"within_days"}, 0, birthdayWithin},
	"registered_at":  {dateOps, 0, dateField("c.registered_at")},
	"tag":            {[]string{"has", "has_not", "has_any", "has_all"}, 0, tagField},
	"attribute": {[]string{"eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "between", "exists", "not_exists"},
		modKey, attributeField},

	// Orders, optionally only the last within_days days and only lines of
	// a category or sku (orders.go).
	"orders.count":    {numericOps, modWithin | modCategory | modSKU, ordersField("count")},
	"orders.sum":      {numericOps, modWithin | modCategory | modSKU, ordersField("sum")},
	"orders.avg":      {numericOps, modWithin | modCategory | modSKU, ordersField("avg")},
	"orders.first_at": {dateOps, modWithin | modCategory | modSKU, ordersField("first_at")},
	"orders.last_at":  {dateOps, modWithin | modCategory | modSKU, ordersField("last_at")},

	// RFM of the latest refresh; customers without an order in its window
	// have no row and match no rfm condition.
	"rfm.group":        {textOps, 0, rfmGroup},
	"rfm.r_score":      {listOps, 0, derived("rfm", "r_score", numRange{lo: 1, hi: 5, ints: true})},
	"rfm.f_score":      {listOps, 0, derived("rfm", "f_score", numRange{lo: 1, hi: 5, ints: true})},
	"rfm.m_score":      {listOps, 0, derived("rfm", "m_score", numRange{lo: 1, hi: 5, ints: true})},
	"rfm.recency_days": {numericOps, 0, derived("rfm", "recency_days", numRange{lo: 0, hi: math.Inf(1), ints: true, unit: "days"})},
	"rfm.frequency":    {numericOps, 0, derived("rfm", "frequency", numRange{lo: 0, hi: math.Inf(1), ints: true, unit: "orders"})},
	"rfm.monetary":     {numericOps, 0, derived("rfm", "monetary", numRange{lo: math.Inf(-1), hi: math.Inf(1), ints: true, unit: "fen"})},
	"rfm.aov":          {numericOps, 0, derived("rfm", "aov", numRange{lo: math.Inf(-1), hi: math.Inf(1), ints: true, unit: "fen"})},

	// Distance in km from the point (lat, lon).
	"distance": {[]string{"lt", "lte", "gt", "gte"}, modPoint, distanceField},

	// Predictions of the latest refresh (internal/intel).
	"predict.prob_alive":         {numericOps, 0, derived("customer_predictions", "prob_alive", numRange{lo: 0, hi: 1})},
	"predict.expected_orders_30": {numericOps, 0, derived("customer_predictions", "expected_30", numRange{lo: 0, hi: math.Inf(1)})},
	"predict.expected_orders_90": {numericOps, 0, derived("customer_predictions", "expected_90", numRange{lo: 0, hi: math.Inf(1)})},
	"predict.expected_value":     {numericOps, 0, derived("customer_predictions", "expected_value", numRange{lo: 0, hi: math.Inf(1), unit: "fen"})},
	"predict.clv":                {numericOps, 0, derived("customer_predictions", "clv", numRange{lo: math.Inf(-1), hi: math.Inf(1), ints: true, unit: "fen"})},
	"predict.habit_weekday":      {listOps, 0, derived("customer_predictions", "habit_weekday", numRange{lo: 0, hi: 6, ints: true, unit: "0 = Sunday"})},
	"predict.habit_hour":         {listOps, 0, derived("customer_predictions", "habit_hour", numRange{lo: 0, hi: 23, ints: true})},
	"predict.due_in_days":        {[]string{"eq", "gt", "gte", "lt", "lte", "between"}, modCategory, dueInDays},
}

func textField(col string, allowed []string) func(*compiler, *Condition) (string, error) {
	return func(c *compiler, k *Condition) (string, error) { return c.text(k, col, allowed) }
}

func dateField(col string) func(*compiler, *Condition) (string, error) {
	return func(c *compiler, k *Condition) (string, error) {
		from, to, err := c.dateBounds(k)
		if err != nil {
			return "", err
		}
		return c.dateSQL(col, from, to), nil
	}
}

// birthdayPart compares the month (at 6) or day (at 9) of the stored
// YYYY-MM-DD birthday; customers without a birthday never match. CASE
// keeps PostgreSQL from casting an empty string.
func birthdayPart(at int, rg numRange) func(*compiler, *Condition) (string, error) {
	return func(c *compiler, k *Condition) (string, error) {
		cmp, err := c.comparison(k, rg)
		if err != nil {
			return "", err
		}
		expr := fmt.Sprintf("CASE WHEN c.birthday <> '' THEN CAST(substr(c.birthday, %d, 2) AS INTEGER) END", at)
		return cmp.sql(c, expr), nil
	}
}

// birthdayWithin matches customers whose birthday (month and day) falls
// on today or one of the next N days, in the shop's zone. The MM-DD text
// of the birthday is compared with one range, or two when the window
// crosses New Year.
func birthdayWithin(c *compiler, k *Condition) (string, error) {
	if err := c.needValue(k); err != nil {
		return "", err
	}
	var n int
	if err := json.Unmarshal(k.Value, &n); err != nil || n < 0 || n > 366 {
		return "", ruleErr(valuePath(k), "must be a whole number of days from 0 to 366")
	}
	if n >= 365 {
		return "c.birthday <> ''", nil
	}
	from := c.today.Format("01-02")
	to := c.today.AddDate(0, 0, n).Format("01-02")
	md := "substr(c.birthday, 6, 5)"
	if from <= to {
		return "c.birthday <> '' AND " + md + " BETWEEN " + c.arg(from) + " AND " + c.arg(to), nil
	}
	return "c.birthday <> '' AND (" + md + " >= " + c.arg(from) + " OR " + md + " <= " + c.arg(to) + ")", nil
}

// tagField tests the ";a;b;" tag list without a join: a tag is present
// when ";tag;" occurs in it. instr/strpos compare exactly, unlike LIKE,
// which ignores ASCII case in SQLite.
func tagField(c *compiler, k *Condition) (string, error) {
	var tags []string
	if k.Op == "has_any" || k.Op == "has_all" {
		list, err := c.valueStrings(k)
		if err != nil {
			return "", err
		}
		tags = list
	} else {
		s, err := c.valueString(k)
		if err != nil {
			return "", err
		}
		tags = []string{s}
	}
	find := "instr"
	if c.d == store.Postgres {
		find = "strpos"
	}
	parts := make([]string, len(tags))
	for i, t := range tags {
		if t = strings.TrimSpace(t); t == "" || strings.Contains(t, ";") {
			return "", ruleErr(valuePath(k), "%q is not a tag (tags are non-empty and have no ';')", tags[i])
		}
		cmp := " > 0"
		if k.Op == "has_not" {
			cmp = " = 0"
		}
		parts[i] = find + "(c.tags, " + c.arg(";"+t+";") + ")" + cmp
	}
	sep := " AND "
	if k.Op == "has_any" {
		sep = " OR "
	}
	return strings.Join(parts, sep), nil
}

// rfmGroup matches customers in one of the named RFM groups.
func rfmGroup(c *compiler, k *Condition) (string, error) {
	keys := make([]string, len(Groups))
	for i, g := range Groups {
		keys[i] = g.Key
	}
	cond, err := c.text(k, "r.grp", keys)
	if err != nil {
		return "", err
	}
	return "c.id IN (SELECT r.customer_id FROM rfm r WHERE " + cond + ")", nil
}

// derived compares a column of a per-customer table that a refresh job
// fills (rfm, customer_predictions). Customers without a row, or with
// NULL there, do not match.
func derived(table, col string, rg numRange) func(*compiler, *Condition) (string, error) {
	return func(c *compiler, k *Condition) (string, error) {
		cmp, err := c.comparison(k, rg)
		if err != nil {
			return "", err
		}
		return "c.id IN (SELECT t.customer_id FROM " + table + " t WHERE " + cmp.sql(c, "t."+col) + ")", nil
	}
}

// dueInDays matches customers whose next purchase of the category is due
// in a number of days from today (negative: overdue). Days are calendar
// dates in the shop's zone, so the condition becomes a range of next_due
// that the (category, next_due) index answers.
func dueInDays(c *compiler, k *Condition) (string, error) {
	if k.Category == "" {
		return "", ruleErr(k.Path+".category", "missing (predict.due_in_days needs the category)")
	}
	cmp, err := c.comparison(k, numRange{lo: -36600, hi: 36600, ints: true, unit: "days"})
	if err != nil {
		return "", err
	}
	lo, hi := math.Inf(-1), math.Inf(1) // inclusive range of days
	v := cmp.vals
	switch cmp.op {
	case "eq":
		lo, hi = v[0], v[0]
	case "gt":
		lo = v[0] + 1
	case "gte":
		lo = v[0]
	case "lt":
		hi = v[0] - 1
	case "lte":
		hi = v[0]
	case "between":
		lo, hi = v[0], v[1]
	}
	sql := "c.id IN (SELECT y.customer_id FROM customer_cycles y WHERE y.category = " + c.arg(k.Category)
	if !math.IsInf(lo, -1) {
		sql += " AND y.next_due >= " + c.arg(c.today.AddDate(0, 0, int(lo)).Unix())
	}
	if !math.IsInf(hi, 1) {
		sql += " AND y.next_due < " + c.arg(c.today.AddDate(0, 0, int(hi)+1).Unix())
	}
	return sql + ")", nil
}

// kmPerDegree is the length of a degree of latitude on the mean Earth
// sphere (radius 6371.0088 km).
const kmPerDegree = 6371.0088 * math.Pi / 180

// distanceField compares the distance from (lat, lon) in km. "Within"
// (lt, lte) first narrows by a bounding box, which is cheap and can use
// an index, then applies the equirectangular approximation
//
//	d² = (Δlat)² + (Δlon · cos lat0)²   (degrees, times km per degree)
//
// with cos lat0 computed here, so the database needs no trigonometry. Its
// error is below 0.5% for distances under 100 km in China's latitudes;
// longitude wrap-around at ±180° is not handled. Customers without
// coordinates never match.
func distanceField(c *compiler, k *Condition) (string, error) {
	lat0, lon0 := *k.Lat, *k.Lon
	if lat0 < -89 || lat0 > 89 {
		return "", ruleErr(k.Path+".lat", "latitude %v is outside -89..89", lat0)
	}
	if lon0 < -180 || lon0 > 180 {
		return "", ruleErr(k.Path+".lon", "longitude %v is outside -180..180", lon0)
	}
	cmp, err := c.comparison(k, numRange{lo: 0, hi: 2000, unit: "km"})
	if err != nil {
		return "", err
	}
	km := cmp.vals[0]
	if km <= 0 && (k.Op == "lt" || k.Op == "lte") {
		return "", ruleErr(valuePath(k), "the distance must be above 0 km")
	}
	cosLat := math.Cos(lat0 * math.Pi / 180)
	dLat := km / kmPerDegree
	limit := dLat * dLat // squared, in degrees of latitude
	// squared binds its arguments as it writes them, so it is called at
	// the point where its text goes.
	squared := func() string {
		return "(c.lat - " + c.arg(lat0) + ") * (c.lat - " + c.arg(lat0) + ") + " +
			"((c.lon - " + c.arg(lon0) + ") * " + c.arg(cosLat) + ") * ((c.lon - " + c.arg(lon0) + ") * " + c.arg(cosLat) + ")"
	}
	if k.Op == "gt" || k.Op == "gte" {
		return "c.lat IS NOT NULL AND c.lon IS NOT NULL AND " + squared() + " " + sqlOps[k.Op] + " " + c.arg(limit), nil
	}
	dLon := dLat / cosLat
	box := "c.lat BETWEEN " + c.arg(lat0-dLat) + " AND " + c.arg(lat0+dLat) +
		" AND c.lon BETWEEN " + c.arg(lon0-dLon) + " AND " + c.arg(lon0+dLon)
	return box + " AND " + squared() + " " + sqlOps[k.Op] + " " + c.arg(limit), nil
}
