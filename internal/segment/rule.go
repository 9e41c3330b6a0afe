package segment

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Rule is a parsed rule tree. Its JSON form (docs/segments.md) is one node:
//
//	{"all": [node, ...]}   every child holds (an empty list holds for everyone)
//	{"any": [node, ...]}   at least one child holds (an empty list for nobody)
//	{"not": node}          the child does not hold
//	{"field": "city", "op": "eq", "value": "上海", ...}   a condition
//
// Parsing checks the shape; compiling (Service.Compile) checks fields,
// operators and values. Both report the bad part by its JSON path, with the
// root called "rules": `rules.all[2].field: unknown field "citty"`.
type Rule struct {
	path string
	kind string // "all", "any", "not" or "cond"
	kids []*Rule
	cond *Condition
	src  json.RawMessage // the compacted JSON of this node
}

// Condition is one leaf of a rule tree.
type Condition struct {
	Path       string
	Field      string
	Op         string
	Value      json.RawMessage // nil when absent
	Key        string          // attribute name
	Category   string          // order conditions, due_in_days
	SKU        string          // order conditions
	WithinDays *int            // order conditions: only the last N days
	Lat, Lon   *float64        // distance: the centre
}

// RuleError names the part of a rule that is wrong by its JSON path.
type RuleError struct {
	Path string
	Msg  string
}

func (e *RuleError) Error() string { return e.Path + ": " + e.Msg }

func ruleErr(path, format string, args ...any) error {
	return &RuleError{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// conditionKeys are the keys a condition object may have.
var conditionKeys = map[string]bool{
	"field": true, "op": true, "value": true, "key": true, "category": true,
	"sku": true, "within_days": true, "lat": true, "lon": true,
}

// ParseRule parses a rule tree from JSON.
func ParseRule(src []byte) (*Rule, error) {
	src = bytes.TrimSpace(src)
	if len(src) == 0 {
		return nil, ruleErr("rules", "empty rule")
	}
	return parseNode(src, "rules", 0)
}

// maxDepth bounds nesting so that a hostile rule cannot exhaust the stack
// or build a query the database refuses.
const maxDepth = 32

func parseNode(src json.RawMessage, path string, depth int) (*Rule, error) {
	if depth > maxDepth {
		return nil, ruleErr(path, "rules nest deeper than %d levels", maxDepth)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(src, &obj); err != nil || obj == nil {
		return nil, ruleErr(path, "must be an object like {\"all\":[...]} or {\"field\":...}")
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, src); err != nil {
		return nil, ruleErr(path, "%v", err)
	}
	r := &Rule{path: path, src: compact.Bytes()}
	_, hasAll := obj["all"]
	_, hasAny := obj["any"]
	_, hasNot := obj["not"]
	_, hasField := obj["field"]
	n := 0
	for _, b := range []bool{hasAll, hasAny, hasNot, hasField} {
		if b {
			n++
		}
	}
	if n != 1 {
		return nil, ruleErr(path, "needs exactly one of \"all\", \"any\", \"not\" or \"field\", got %s", keyList(obj))
	}
	switch {
	case hasAll || hasAny:
		r.kind = "all"
		if hasAny {
			r.kind = "any"
		}
		if len(obj) != 1 {
			return nil, ruleErr(path, "%q takes no other keys, got %s", r.kind, keyList(obj))
		}
		var list []json.RawMessage
		if err := json.Unmarshal(obj[r.kind], &list); err != nil {
			return nil, ruleErr(path+"."+r.kind, "must be a list of rules")
		}
		for i, k := range list {
			kid, err := parseNode(k, fmt.Sprintf("%s.%s[%d]", path, r.kind, i), depth+1)
			if err != nil {
				return nil, err
			}
			r.kids = append(r.kids, kid)
		}
	case hasNot:
		r.kind = "not"
		if len(obj) != 1 {
			return nil, ruleErr(path, "\"not\" takes no other keys, got %s", keyList(obj))
		}
		kid, err := parseNode(obj["not"], path+".not", depth+1)
		if err != nil {
			return nil, err
		}
		r.kids = []*Rule{kid}
	default:
		r.kind = "cond"
		c, err := parseCondition(obj, path)
		if err != nil {
			return nil, err
		}
		r.cond = c
	}
	return r, nil
}

func parseCondition(obj map[string]json.RawMessage, path string) (*Condition, error) {
	for _, k := range sortedKeys(obj) {
		if !conditionKeys[k] {
			return nil, ruleErr(path+"."+k, "unknown key %q (a condition has field, op, value, key, category, sku, within_days, lat, lon)", k)
		}
	}
	c := &Condition{Path: path}
	str := func(key string, dst *string) error {
		raw, ok := obj[key]
		if !ok {
			return nil
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return ruleErr(path+"."+key, "must be a string")
		}
		return nil
	}
	for _, f := range []struct {
		key string
		dst *string
	}{{"field", &c.Field}, {"op", &c.Op}, {"key", &c.Key}, {"category", &c.Category}, {"sku", &c.SKU}} {
		if err := str(f.key, f.dst); err != nil {
			return nil, err
		}
	}
	if raw, ok := obj["within_days"]; ok {
		var n int
		if err := json.Unmarshal(raw, &n); err != nil || n < 1 || n > 36600 {
			return nil, ruleErr(path+".within_days", "must be a whole number of days from 1 to 36600")
		}
		c.WithinDays = &n
	}
	for _, f := range []struct {
		key string
		dst **float64
	}{{"lat", &c.Lat}, {"lon", &c.Lon}} {
		if raw, ok := obj[f.key]; ok {
			var v float64
			if err := json.Unmarshal(raw, &v); err != nil {
				return nil, ruleErr(path+"."+f.key, "must be a number")
			}
			*f.dst = &v
		}
	}
	if raw, ok := obj["value"]; ok && string(raw) != "null" {
		c.Value = raw
	}
	if c.Field == "" {
		return nil, ruleErr(path+".field", "missing")
	}
	return c, nil
}

func keyList(obj map[string]json.RawMessage) string {
	if len(obj) == 0 {
		return "none"
	}
	return strings.Join(sortedKeys(obj), ", ")
}

func sortedKeys(obj map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// JSON returns the rule's compact JSON, with the keys as written.
func (r *Rule) JSON() json.RawMessage { return r.src }

// Conditions returns the rule's leaves in order, for displays such as a
// builder that lists what a saved segment checks.
func (r *Rule) Conditions() []*Condition {
	if r.cond != nil {
		return []*Condition{r.cond}
	}
	var out []*Condition
	for _, k := range r.kids {
		out = append(out, k.Conditions()...)
	}
	return out
}
