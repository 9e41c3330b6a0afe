package segment

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"nudge/internal/store"
)

// attributeField tests one key of the free attributes (a JSON object in a
// TEXT column). exists/not_exists look at the key's presence; eq, ne, in
// and not_in compare its text form (a string as is, a number as written,
// true/false); the numeric operators take numbers and numeric strings
// ("12", " 3.5 "), since spreadsheet imports write numbers as text. Any
// other value makes a numeric condition false rather than an error.
func attributeField(c *compiler, k *Condition) (string, error) {
	if len(k.Key) > 64 || strings.ContainsAny(k.Key, "\"\\") {
		return "", ruleErr(k.Path+".key", "%q is not an attribute name (at most 64 characters, no quotes or backslashes)", k.Key)
	}
	// The key is bound: as a JSON path in SQLite, as a key in PostgreSQL.
	key := func() string {
		if c.d == store.Postgres {
			return "CAST(" + c.arg(k.Key) + " AS TEXT)"
		}
		return c.arg(`$."` + k.Key + `"`)
	}
	pg := c.d == store.Postgres
	switch k.Op {
	case "exists", "not_exists":
		if k.Value != nil {
			return "", ruleErr(valuePath(k), "%s takes no value", k.Op)
		}
		is := "IS NOT NULL"
		if k.Op == "not_exists" {
			is = "IS NULL"
		}
		if pg {
			return "(c.attributes::jsonb -> " + key() + ") " + is, nil
		}
		return "json_type(c.attributes, " + key() + ") " + is, nil
	case "eq", "ne", "in", "not_in":
		var vals []string
		if err := c.needValue(k); err != nil {
			return "", err
		}
		if k.Op == "in" || k.Op == "not_in" {
			var list []json.RawMessage
			if err := json.Unmarshal(k.Value, &list); err != nil || len(list) == 0 || len(list) > maxList {
				return "", ruleErr(valuePath(k), "must be a list of 1 to %d values", maxList)
			}
			for i, raw := range list {
				s, ok := scalarText(raw)
				if !ok {
					return "", ruleErr(valuePath(k)+"["+strconv.Itoa(i)+"]", "must be a string, number, true or false")
				}
				vals = append(vals, s)
			}
		} else {
			s, ok := scalarText(k.Value)
			if !ok {
				return "", ruleErr(valuePath(k), "must be a string, number, true or false")
			}
			vals = []string{s}
		}
		var expr string
		if pg {
			expr = "(c.attributes::jsonb ->> " + key() + ")"
		} else {
			expr = "(CASE json_type(c.attributes, " + key() + ") WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(json_extract(c.attributes, " + key() + ") AS TEXT) END)"
		}
		if k.Op == "eq" || k.Op == "ne" {
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
	default:
		cmp, err := c.comparison(k, anyNumber)
		if err != nil {
			return "", err
		}
		var expr string
		if pg {
			expr = "(CASE WHEN jsonb_typeof(c.attributes::jsonb -> " + key() + ") = 'number' THEN CAST(c.attributes::jsonb ->> " + key() + " AS DOUBLE PRECISION)" +
				" WHEN jsonb_typeof(c.attributes::jsonb -> " + key() + ") = 'string' AND btrim(c.attributes::jsonb ->> " + key() + ") ~ '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)$'" +
				" THEN CAST(btrim(c.attributes::jsonb ->> " + key() + ") AS DOUBLE PRECISION) END)"
		} else {
			// GLOB has no alternation: "has a digit, only digits, dots and
			// signs, a sign only first, at most one dot" is the same set.
			v := func() string { return "trim(json_extract(c.attributes, " + key() + "))" }
			expr = "(CASE WHEN json_type(c.attributes, " + key() + ") IN ('integer', 'real') THEN json_extract(c.attributes, " + key() + ")" +
				" WHEN json_type(c.attributes, " + key() + ") = 'text' AND " + v() + " GLOB '*[0-9]*' AND " + v() + " NOT GLOB '*[^0-9.+-]*'" +
				" AND " + v() + " NOT GLOB '?*[+-]*' AND " + v() + " NOT GLOB '*.*.*'" +
				" THEN CAST(" + v() + " AS REAL) END)"
		}
		return cmp.sql(c, expr), nil
	}
}

// scalarText is the text form of a JSON scalar as both databases print an
// attribute's value: strings unquoted, numbers as written, true/false.
func scalarText(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if isJSONString(raw) {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return s, true
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), true
	}
	switch string(raw) {
	case "true", "false":
		return string(raw), true
	}
	return "", false
}
