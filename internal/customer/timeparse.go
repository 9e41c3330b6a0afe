package customer

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// DefaultTimezone is where a shop is unless its settings say otherwise;
// dates written without a zone are read in it.
const DefaultTimezone = "Asia/Shanghai"

var (
	locMu    sync.Mutex
	locCache = map[string]*time.Location{}
)

// LoadLocation is time.LoadLocation with a cache: imports call it per row.
func LoadLocation(name string) (*time.Location, error) {
	locMu.Lock()
	defer locMu.Unlock()
	if l, ok := locCache[name]; ok {
		return l, nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	locCache[name] = l
	return l, nil
}

// timeLayouts are the ways people write times in shop exports, tried in order.
var timeLayouts = []string{
	"2006-01-02 15:04:05",
	"2006-01-02",
	"20060102",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04",
	"2006/01/02 15:04:05",
	"2006/01/02",
	"2006/1/2 15:04:05",
	"2006/1/2 15:04",
	"2006/1/2",
}

// ParseTime reads a time as written in an export: RFC 3339 (with its own
// zone), or a local date/time in loc (2006-01-02, 2006-01-02 15:04:05,
// 20060102, and the slash forms Excel writes).
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fmt.Errorf("empty date")
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	for _, layout := range timeLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (use 2006-01-02, 2006-01-02 15:04:05, 20060102 or RFC 3339)", s)
}

// ParseMoney reads an amount as people write it in yuan ("129.90", "¥1,299",
// "88") and returns fen. More than two decimals is an error rather than a
// silent rounding.
func ParseMoney(s string) (int64, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, "¥￥")
	s = strings.TrimSuffix(s, "元")
	s = strings.ReplaceAll(s, ",", "")
	if s == "" {
		return 0, fmt.Errorf("empty amount")
	}
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	if (whole == "" && frac == "") || len(frac) > 2 {
		return 0, fmt.Errorf("%q is not an amount in yuan (like 129.90)", s)
	}
	var v int64
	for _, c := range whole {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q is not an amount in yuan (like 129.90)", s)
		}
		v = v*10 + int64(c-'0')
		if v > 1e15 {
			return 0, fmt.Errorf("amount %q is too large", s)
		}
	}
	cents := int64(0)
	for i := 0; i < 2; i++ {
		cents *= 10
		if i < len(frac) {
			c := frac[i]
			if c < '0' || c > '9' {
				return 0, fmt.Errorf("%q is not an amount in yuan (like 129.90)", s)
			}
			cents += int64(c - '0')
		}
	}
	v = v*100 + cents
	if neg {
		v = -v
	}
	return v, nil
}
