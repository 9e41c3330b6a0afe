package web

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	"nudge/internal/segment"
)

// The segment builder is a form of condition rows (field, operator, value
// and the field's options) joined by "all" or "any", with a JSON box for
// rules the rows cannot express (nesting, "not"). It needs no script of
// its own: htmx posts the form for the live count, and the server turns
// the rows into a rule.

// builderRows is how many condition rows a new builder shows.
const builderRows = 5

// condRow is one condition row of the builder, as typed.
type condRow struct {
	Field, Op, Value, Within, Category, SKU, Key, Lat, Lon string
}

// builderForm is the builder's state, from a saved segment or a post.
type builderForm struct {
	Name, Description string
	Match             string // "all" or "any"
	Rows              []condRow
	JSON              string // the advanced rule; wins over the rows when set
	Existing          bool   // editing a saved segment: the name is fixed
}

// listOps take a comma-separated list; numberOps always take numbers.
var (
	listOps   = map[string]bool{"in": true, "not_in": true, "has_any": true, "has_all": true, "between": true}
	numberOps = map[string]bool{"gt": true, "gte": true, "lt": true, "lte": true,
		"within_last_days": true, "not_within_last_days": true, "within_days": true}
)

// formFromValues reads the builder's fields; rows are parallel arrays, as
// browsers send inputs that share a name in document order.
func formFromValues(v url.Values) builderForm {
	f := builderForm{Name: strings.TrimSpace(v.Get("name")), Description: strings.TrimSpace(v.Get("description")),
		Match: v.Get("match"), JSON: strings.TrimSpace(v.Get("rule_json")), Existing: v.Get("existing") == "1"}
	if f.Match != "any" {
		f.Match = "all"
	}
	at := func(key string, i int) string {
		if vals := v[key]; i < len(vals) {
			return strings.TrimSpace(vals[i])
		}
		return ""
	}
	for i := range v["field"] {
		f.Rows = append(f.Rows, condRow{Field: at("field", i), Op: at("op", i), Value: at("value", i), Within: at("within_days", i),
			Category: at("category", i), SKU: at("sku", i), Key: at("key", i), Lat: at("lat", i), Lon: at("lon", i)})
	}
	return f
}

// rule returns the rule JSON the form stands for.
func (f builderForm) rule() []byte {
	if f.JSON != "" {
		return []byte(f.JSON)
	}
	numeric := map[string]bool{}
	for _, fi := range segment.Fields() {
		numeric[fi.Name] = fi.Numeric
	}
	var conds []map[string]any
	for _, r := range f.Rows {
		if r.Field == "" {
			continue
		}
		c := map[string]any{"field": r.Field, "op": r.Op}
		num := numeric[r.Field] || numberOps[r.Op]
		switch {
		case r.Op == "exists" || r.Op == "not_exists":
		case listOps[r.Op]:
			var list []any
			for _, part := range strings.FieldsFunc(r.Value, func(c rune) bool { return c == ',' || c == '，' || c == '、' }) {
				list = append(list, typed(strings.TrimSpace(part), num))
			}
			c["value"] = list
		default:
			c["value"] = typed(r.Value, num)
		}
		if r.Within != "" {
			c["within_days"] = typed(r.Within, true)
		}
		for k, s := range map[string]string{"category": r.Category, "sku": r.SKU, "key": r.Key} {
			if s != "" {
				c[k] = s
			}
		}
		for k, s := range map[string]string{"lat": r.Lat, "lon": r.Lon} {
			if s != "" {
				c[k] = typed(s, true)
			}
		}
		conds = append(conds, c)
	}
	if conds == nil {
		conds = []map[string]any{}
	}
	b, _ := json.Marshal(map[string]any{f.Match: conds})
	return b
}

// typed turns what was typed into a JSON number when the field wants one
// and it reads as one; otherwise it stays text, and the rule's check says
// what is wrong with it.
func typed(s string, number bool) any {
	if number {
		if n, err := strconv.ParseFloat(s, 64); err == nil {
			return n
		}
	}
	return s
}

// formFromSegment fills the builder from a saved segment: rows when the
// rule is one all/any list of plain conditions, the JSON box otherwise.
func formFromSegment(sg segment.Segment) builderForm {
	f := builderForm{Name: sg.Name, Description: sg.Description, Match: "all", Existing: true}
	var top map[string]json.RawMessage
	if json.Unmarshal(sg.Rule, &top) == nil && len(top) == 1 {
		for match, raw := range top {
			var conds []map[string]json.RawMessage
			if (match != "all" && match != "any") || json.Unmarshal(raw, &conds) != nil {
				break
			}
			rows, ok := rowsOf(conds)
			if !ok {
				break
			}
			f.Match, f.Rows = match, rows
			return f.padded()
		}
	}
	f.JSON = string(sg.Rule)
	return f.padded()
}

func rowsOf(conds []map[string]json.RawMessage) ([]condRow, bool) {
	var rows []condRow
	for _, c := range conds {
		if _, ok := c["field"]; !ok {
			return nil, false
		}
		var r condRow
		for k, raw := range c {
			var s string
			if json.Unmarshal(raw, &s) != nil {
				s = strings.Trim(string(raw), "[]")
			}
			switch k {
			case "field":
				r.Field = s
			case "op":
				r.Op = s
			case "value":
				var list []any
				if json.Unmarshal(raw, &list) == nil {
					parts := make([]string, len(list))
					for i, e := range list {
						b, _ := json.Marshal(e)
						parts[i] = strings.Trim(string(b), `"`)
					}
					s = strings.Join(parts, ", ")
				}
				r.Value = s
			case "within_days":
				r.Within = s
			case "category":
				r.Category = s
			case "sku":
				r.SKU = s
			case "key":
				r.Key = s
			case "lat":
				r.Lat = s
			case "lon":
				r.Lon = s
			default:
				return nil, false
			}
		}
		rows = append(rows, r)
	}
	return rows, true
}

// padded leaves a few empty rows to add conditions in.
func (f builderForm) padded() builderForm {
	for len(f.Rows) < builderRows || f.Rows[len(f.Rows)-1].Field != "" {
		f.Rows = append(f.Rows, condRow{})
		if len(f.Rows) >= 20 {
			break
		}
	}
	return f
}
