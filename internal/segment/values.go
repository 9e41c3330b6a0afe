package segment

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// Values of conditions: reading them from the rule's JSON with errors that
// name the value's path, and writing operators over them as SQL.

func valuePath(k *Condition) string { return k.Path + ".value" }

func (c *compiler) needValue(k *Condition) error {
	if k.Value == nil {
		return ruleErr(valuePath(k), "missing (op %s needs a value)", k.Op)
	}
	return nil
}

func (c *compiler) valueString(k *Condition) (string, error) {
	if err := c.needValue(k); err != nil {
		return "", err
	}
	var s string
	if err := json.Unmarshal(k.Value, &s); err != nil {
		return "", ruleErr(valuePath(k), "must be a string")
	}
	return s, nil
}

// maxList bounds "in" lists: beyond it a rule should use a tag.
const maxList = 1000

func (c *compiler) valueStrings(k *Condition) ([]string, error) {
	if err := c.needValue(k); err != nil {
		return nil, err
	}
	var list []string
	if err := json.Unmarshal(k.Value, &list); err != nil || len(list) == 0 || len(list) > maxList {
		return nil, ruleErr(valuePath(k), "must be a list of 1 to %d strings", maxList)
	}
	return list, nil
}

func (c *compiler) valueNumbers(k *Condition) ([]float64, error) {
	if err := c.needValue(k); err != nil {
		return nil, err
	}
	var one float64
	if json.Unmarshal(k.Value, &one) == nil {
		return []float64{one}, nil
	}
	var list []float64
	if err := json.Unmarshal(k.Value, &list); err != nil {
		return nil, ruleErr(valuePath(k), "must be a number or a list of numbers")
	}
	return list, nil
}

// date parses a date ("2026-11-01", the start of that day in the shop's
// zone) or an RFC 3339 instant.
func (c *compiler) date(path string, raw json.RawMessage) (time.Time, bool, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return time.Time{}, false, ruleErr(path, "must be a date (YYYY-MM-DD) or an RFC 3339 time")
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, c.loc); err == nil {
		return t, true, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, false, nil
	}
	return time.Time{}, false, ruleErr(path, "%q is not a date (YYYY-MM-DD) or an RFC 3339 time", s)
}

var sqlOps = map[string]string{"eq": "=", "ne": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}

// Operator sets offered by the field table.
var (
	textOps    = []string{"eq", "ne", "in", "not_in"}
	numericOps = []string{"eq", "ne", "gt", "gte", "lt", "lte", "between"}
	listOps    = []string{"eq", "ne", "gt", "gte", "lt", "lte", "between", "in", "not_in"}
	dateOps    = []string{"before", "after", "between", "within_last_days", "not_within_last_days"}
)

// comparison is a checked numeric operator with its operands.
type comparison struct {
	op   string
	vals []float64
	ints bool
}

// numRange says what values a numeric field accepts.
type numRange struct {
	lo, hi float64
	ints   bool
	unit   string // for messages: "fen", "days", ...
}

var anyNumber = numRange{lo: math.Inf(-1), hi: math.Inf(1)}

func (c *compiler) comparison(k *Condition, rg numRange) (comparison, error) {
	vals, err := c.valueNumbers(k)
	if err != nil {
		return comparison{}, err
	}
	switch k.Op {
	case "between":
		if len(vals) != 2 || vals[0] > vals[1] {
			return comparison{}, ruleErr(valuePath(k), "between needs [low, high] with low <= high")
		}
	case "in", "not_in":
		if len(vals) == 0 || len(vals) > maxList {
			return comparison{}, ruleErr(valuePath(k), "must be a list of 1 to %d numbers", maxList)
		}
	default:
		if len(vals) != 1 {
			return comparison{}, ruleErr(valuePath(k), "must be a single number")
		}
	}
	for _, v := range vals {
		if rg.ints && v != math.Trunc(v) {
			return comparison{}, ruleErr(valuePath(k), "%v is not a whole number%s", v, unitNote(rg.unit))
		}
		if v < rg.lo || v > rg.hi {
			return comparison{}, ruleErr(valuePath(k), "%v is outside %v..%v%s", v, rg.lo, rg.hi, unitNote(rg.unit))
		}
	}
	return comparison{op: k.Op, vals: vals, ints: rg.ints}, nil
}

func unitNote(unit string) string {
	if unit == "" {
		return ""
	}
	return " (" + unit + ")"
}

func (cmp comparison) val(i int) any {
	if cmp.ints {
		return int64(cmp.vals[i])
	}
	return cmp.vals[i]
}

// sql writes expr compared with the operands; expr must not hold
// placeholders written after this call.
func (cmp comparison) sql(c *compiler, expr string) string {
	switch cmp.op {
	case "between":
		return expr + " BETWEEN " + c.arg(cmp.val(0)) + " AND " + c.arg(cmp.val(1))
	case "in", "not_in":
		marks := make([]string, len(cmp.vals))
		for i := range cmp.vals {
			marks[i] = c.arg(cmp.val(i))
		}
		not := ""
		if cmp.op == "not_in" {
			not = "NOT "
		}
		return expr + " " + not + "IN (" + strings.Join(marks, ", ") + ")"
	default:
		return expr + " " + sqlOps[cmp.op] + " " + c.arg(cmp.val(0))
	}
}

// holds evaluates the comparison in Go, for deciding how a customer with
// no matching rows (count 0, sum 0) fares.
func (cmp comparison) holds(v float64) bool {
	switch cmp.op {
	case "eq":
		return v == cmp.vals[0]
	case "ne":
		return v != cmp.vals[0]
	case "gt":
		return v > cmp.vals[0]
	case "gte":
		return v >= cmp.vals[0]
	case "lt":
		return v < cmp.vals[0]
	case "lte":
		return v <= cmp.vals[0]
	case "between":
		return v >= cmp.vals[0] && v <= cmp.vals[1]
	case "in", "not_in":
		found := false
		for _, x := range cmp.vals {
			found = found || x == v
		}
		return found == (cmp.op == "in")
	}
	return false
}

// text compiles eq/ne/in/not_in over a text expression; allowed, when not
// nil, lists the only values that make sense.
func (c *compiler) text(k *Condition, expr string, allowed []string) (string, error) {
	var vals []string
	if k.Op == "in" || k.Op == "not_in" {
		list, err := c.valueStrings(k)
		if err != nil {
			return "", err
		}
		vals = list
	} else {
		s, err := c.valueString(k)
		if err != nil {
			return "", err
		}
		vals = []string{s}
	}
	if allowed != nil {
		for _, v := range vals {
			if !contains(allowed, v) {
				return "", ruleErr(valuePath(k), "%q is not one of %s", v, quoteList(allowed))
			}
		}
	}
	switch k.Op {
	case "eq", "ne":
		return expr + " " + sqlOps[k.Op] + " " + c.arg(vals[0]), nil
	}
	marks := make([]string, len(vals))
	for i, v := range vals {
		marks[i] = c.arg(v)
	}
	not := ""
	if k.Op == "not_in" {
		not = "NOT "
	}
	return expr + " " + not + "IN (" + strings.Join(marks, ", ") + ")", nil
}

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// dateBounds turns a date operator into a half-open range [from, to) of
// Unix seconds; a zero bound is open.
func (c *compiler) dateBounds(k *Condition) (from, to int64, err error) {
	if err := c.needValue(k); err != nil {
		return 0, 0, err
	}
	switch k.Op {
	case "within_last_days", "not_within_last_days":
		var n int
		if err := json.Unmarshal(k.Value, &n); err != nil || n < 1 || n > 36600 {
			return 0, 0, ruleErr(valuePath(k), "must be a whole number of days from 1 to 36600")
		}
		// The last n days are today and the n-1 dates before it.
		since := c.today.AddDate(0, 0, -(n - 1)).Unix()
		if k.Op == "within_last_days" {
			return since, 0, nil
		}
		return 0, since, nil
	case "between":
		var pair []json.RawMessage
		if err := json.Unmarshal(k.Value, &pair); err != nil || len(pair) != 2 {
			return 0, 0, ruleErr(valuePath(k), "between needs [from, to]")
		}
		a, _, err := c.date(valuePath(k)+"[0]", pair[0])
		if err != nil {
			return 0, 0, err
		}
		b, bDay, err := c.date(valuePath(k)+"[1]", pair[1])
		if err != nil {
			return 0, 0, err
		}
		if bDay { // a date "to" includes that whole day
			b = b.AddDate(0, 0, 1)
		}
		if !b.After(a) {
			return 0, 0, ruleErr(valuePath(k), "the end comes before the start")
		}
		return a.Unix(), b.Unix(), nil
	default: // before, after
		t, isDay, err := c.date(valuePath(k), k.Value)
		if err != nil {
			return 0, 0, err
		}
		if k.Op == "before" {
			return 0, t.Unix(), nil
		}
		if isDay { // after a date: from the next day on
			return t.AddDate(0, 0, 1).Unix(), 0, nil
		}
		return t.Unix() + 1, 0, nil
	}
}

// dateSQL writes expr within [from, to).
func (c *compiler) dateSQL(expr string, from, to int64) string {
	switch {
	case from != 0 && to != 0:
		return expr + " >= " + c.arg(from) + " AND " + expr + " < " + c.arg(to)
	case from != 0:
		return expr + " >= " + c.arg(from)
	default:
		return expr + " < " + c.arg(to)
	}
}

// dateSQLOnce writes expr within [from, to) using expr once, for an expr
// that holds placeholders (a correlated subquery) and so cannot be
// written twice.
func (c *compiler) dateSQLOnce(expr string, from, to int64) string {
	switch {
	case from != 0 && to != 0:
		return expr + " BETWEEN " + c.arg(from) + " AND " + c.arg(to-1)
	case from != 0:
		return expr + " >= " + c.arg(from)
	default:
		return expr + " < " + c.arg(to)
	}
}

// isJSONString reports whether raw is a JSON string.
func isJSONString(raw json.RawMessage) bool {
	return len(bytes.TrimSpace(raw)) > 0 && bytes.TrimSpace(raw)[0] == '"'
}
