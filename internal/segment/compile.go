package segment

import (
	"fmt"
	"strings"
	"time"

	"nudge/internal/store"
)

// Compiled is a rule turned into SQL: a boolean expression over the
// customers table aliased c, written with ? placeholders, and its
// arguments in placeholder order. Values are always bound, never spliced
// into the text.
type Compiled struct {
	Where string
	Args  []any
}

// Compile turns a rule into SQL for the service's dialect, with relative
// times ("the last 90 days") measured from the service clock's today.
func (s *Service) Compile(r *Rule) (Compiled, error) {
	return compileRule(r, s.db.Dialect, s.opt.Clock.Now(), s.opt.Location)
}

// Validate parses and compiles a rule without a store, returning the first
// error by its JSON path.
func Validate(src []byte) error {
	r, err := ParseRule(src)
	if err != nil {
		return err
	}
	_, err = compileRule(r, store.SQLite, time.Now(), time.UTC)
	return err
}

func compileRule(r *Rule, d store.Dialect, now time.Time, loc *time.Location) (Compiled, error) {
	if loc == nil {
		loc = time.UTC
	}
	c := &compiler{d: d, now: now, loc: loc, today: startOfDay(now, loc)}
	where, err := c.node(r)
	if err != nil {
		return Compiled{}, err
	}
	return Compiled{Where: where, Args: c.args}, nil
}

// compiler accumulates arguments in the order their placeholders are
// written. Every fragment appends its arguments as it writes its text, and
// no fragment that holds a placeholder is ever written twice.
type compiler struct {
	d     store.Dialect
	now   time.Time
	today time.Time // midnight of now's date in loc
	loc   *time.Location
	args  []any
}

// arg binds v and returns its placeholder.
func (c *compiler) arg(v any) string {
	c.args = append(c.args, v)
	return "?"
}

func (c *compiler) node(r *Rule) (string, error) {
	switch r.kind {
	case "all", "any":
		if len(r.kids) == 0 {
			if r.kind == "all" {
				return "1 = 1", nil
			}
			return "1 = 0", nil
		}
		parts := make([]string, 0, len(r.kids))
		for _, k := range r.kids {
			p, err := c.node(k)
			if err != nil {
				return "", err
			}
			parts = append(parts, p)
		}
		if len(parts) == 1 {
			return parts[0], nil
		}
		sep := " AND "
		if r.kind == "any" {
			sep = " OR "
		}
		return "(" + strings.Join(parts, sep) + ")", nil
	case "not":
		p, err := c.node(r.kids[0])
		if err != nil {
			return "", err
		}
		// A condition is false, never unknown, for customers it cannot
		// judge (no birthday, no coordinates): NOT keeps them in.
		return "NOT COALESCE(" + p + ", 1 = 0)", nil
	default:
		return c.condition(r.cond)
	}
}

func (c *compiler) condition(k *Condition) (string, error) {
	f, ok := fields[k.Field]
	if !ok {
		if strings.HasPrefix(k.Field, "engagement.") {
			return c.engagement(k)
		}
		return "", ruleErr(k.Path+".field", "unknown field %q%s", k.Field, suggest(k.Field))
	}
	if err := checkModifiers(k, f.mods); err != nil {
		return "", err
	}
	if k.Op == "" {
		return "", ruleErr(k.Path+".op", "missing (field %s takes %s)", k.Field, strings.Join(f.ops, ", "))
	}
	if !contains(f.ops, k.Op) {
		return "", ruleErr(k.Path+".op", "field %s does not take %q (it takes %s)", k.Field, k.Op, strings.Join(f.ops, ", "))
	}
	sql, err := f.compile(c, k)
	if err != nil {
		return "", err
	}
	// Parenthesised so that an OR inside cannot bind to a neighbour; a
	// condition may be NULL for a customer it cannot judge, which WHERE
	// treats as false and "not" handles with COALESCE.
	return "(" + sql + ")", nil
}

// modifier keys other than field, op and value.
const (
	modKey      = 1 << iota // attribute name
	modCategory             // category of the order lines
	modSKU                  // sku of the order lines
	modWithin               // within_days
	modPoint                // lat, lon
)

func checkModifiers(k *Condition, allowed int) error {
	check := func(present bool, mod int, key string) error {
		if present && allowed&mod == 0 {
			return ruleErr(k.Path+"."+key, "does not apply to field %s", k.Field)
		}
		if !present && allowed&mod != 0 && (mod == modKey || mod == modPoint) {
			return ruleErr(k.Path+"."+key, "missing (field %s needs it)", k.Field)
		}
		return nil
	}
	for _, m := range []struct {
		present bool
		mod     int
		key     string
	}{
		{k.Key != "", modKey, "key"},
		{k.Category != "", modCategory, "category"},
		{k.SKU != "", modSKU, "sku"},
		{k.WithinDays != nil, modWithin, "within_days"},
		{k.Lat != nil, modPoint, "lat"},
		{k.Lon != nil, modPoint, "lon"},
	} {
		if err := check(m.present, m.mod, m.key); err != nil {
			return err
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// suggest names a known field that differs from name by a small edit, so
// that "citty" points at "city".
func suggest(name string) string {
	best, bestD := "", 3
	for f := range fields {
		if d := editDistance(name, f); d < bestD || (d == bestD && best != "" && f < best) {
			best, bestD = f, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
