package policy

import (
	"fmt"
	"slices"
	"time"

	// Quiet hours are only as right as the zone database: embed it so that
	// a machine without /usr/share/zoneinfo still defers correctly.
	_ "time/tzdata"
)

// MaxCaps bounds the number of frequency caps, so that a Recipient carries
// its counts in a fixed array and a decision allocates nothing.
const MaxCaps = 4

// MaxCategories bounds the category table: preferences are bits of a uint64.
const MaxCategories = 64

// Rules is a compiled Config: lookups resolved, zones loaded, windows in
// minutes. It is immutable and safe for concurrent use.
type Rules struct {
	cfg      Config
	cats     map[Category]catRule
	names    []Category // by bit
	caps     []capRule
	quietOn  [numKinds]bool
	quiet    map[string]quietRule
	fallback quietRule // countries without a window or zones of their own
	shopLoc  *time.Location
	hygiene  int64 // seconds; 0 off
}

type kindIndex uint8

const (
	kTransactional kindIndex = iota
	kMarketing
	kStaff
	numKinds
)

func kindOf(k Kind) (kindIndex, bool) {
	switch k {
	case Transactional:
		return kTransactional, true
	case Marketing:
		return kMarketing, true
	case Staff:
		return kStaff, true
	}
	return 0, false
}

type catRule struct {
	kind kindIndex
	bit  uint8
	caps uint8 // bit i set: caps[i] counts this category
}

type capRule struct {
	name   string
	window int64 // seconds
	max    uint16
	label  string // "marketing messages"
}

type quietRule struct {
	window Window
	zones  []*time.Location
}

// Compile checks cfg and builds its Rules.
func Compile(cfg Config) (*Rules, error) {
	r := &Rules{cfg: cfg, cats: map[Category]catRule{}, quiet: map[string]quietRule{}}
	if len(cfg.Categories) == 0 || len(cfg.Categories) > MaxCategories {
		return nil, fmt.Errorf("policy: between 1 and %d categories, got %d", MaxCategories, len(cfg.Categories))
	}
	for i, c := range cfg.Categories {
		k, ok := kindOf(c.Kind)
		if !ok {
			return nil, fmt.Errorf("policy: category %q: kind %q is not transactional, marketing or staff", c.Name, c.Kind)
		}
		if c.Name == "" {
			return nil, fmt.Errorf("policy: category %d has no name", i+1)
		}
		if _, dup := r.cats[c.Name]; dup {
			return nil, fmt.Errorf("policy: category %q listed twice", c.Name)
		}
		r.cats[c.Name] = catRule{kind: k, bit: uint8(i)}
		r.names = append(r.names, c.Name)
	}
	if len(cfg.Caps) > MaxCaps {
		return nil, fmt.Errorf("policy: at most %d frequency caps, got %d", MaxCaps, len(cfg.Caps))
	}
	for i, c := range cfg.Caps {
		if err := r.addCap(i, c); err != nil {
			return nil, err
		}
	}
	for _, k := range cfg.Quiet.Kinds {
		ki, ok := kindOf(k)
		if !ok {
			return nil, fmt.Errorf("policy: quiet hours: kind %q is not transactional, marketing or staff", k)
		}
		r.quietOn[ki] = true
	}
	if err := r.compileQuiet(cfg); err != nil {
		return nil, err
	}
	if cfg.HygieneAfter < 0 {
		return nil, fmt.Errorf("policy: hygiene_after must not be negative")
	}
	r.hygiene = int64(time.Duration(cfg.HygieneAfter) / time.Second)
	if cfg.HardFailures < 1 {
		return nil, fmt.Errorf("policy: hard_failures must be at least 1")
	}
	if cfg.DoubleOptIn && (len(cfg.OptInWords) == 0 || cfg.OptInText == "") {
		return nil, fmt.Errorf("policy: double opt-in needs opt_in_text and opt_in_words")
	}
	return r, nil
}

func (r *Rules) addCap(i int, c Cap) error {
	if c.Max < 1 || c.Max > 65535 || c.Window <= 0 {
		return fmt.Errorf("policy: cap %d: want max >= 1 and a positive window", i+1)
	}
	cr := capRule{name: c.Name, window: int64(time.Duration(c.Window) / time.Second), max: uint16(c.Max)}
	if cr.name == "" {
		cr.name = "cap_" + c.Window.String()
	}
	for _, o := range r.caps {
		if o.name == cr.name {
			return fmt.Errorf("policy: two caps named %s: give them distinct names", cr.name)
		}
	}
	matched := false
	if k, isKind := kindOf(Kind(c.Applies)); isKind {
		cr.label = c.Applies + " messages"
		for name, cat := range r.cats {
			if cat.kind == k {
				cat.caps |= 1 << i
				r.cats[name] = cat
				matched = true
			}
		}
	} else if cat, ok := r.cats[Category(c.Applies)]; ok {
		cr.label = c.Applies + " messages"
		cat.caps |= 1 << i
		r.cats[Category(c.Applies)] = cat
		matched = true
	}
	if !matched {
		return fmt.Errorf("policy: cap %s applies to %q, which is neither a kind nor a category", cr.name, c.Applies)
	}
	r.caps = append(r.caps, cr)
	return nil
}

func (r *Rules) compileQuiet(cfg Config) error {
	tz := cfg.Timezone
	if tz == "" {
		tz = "Asia/Shanghai"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return fmt.Errorf("policy: time zone %q: %w", tz, err)
	}
	r.shopLoc = loc
	if err := cfg.Quiet.Default.validate(); err != nil {
		return fmt.Errorf("policy: quiet hours default: %w", err)
	}
	r.fallback = quietRule{window: cfg.Quiet.Default, zones: []*time.Location{loc}}
	countries := map[string]bool{}
	for c := range cfg.Quiet.Countries {
		countries[c] = true
	}
	for c := range cfg.Quiet.Zones {
		countries[c] = true
	}
	for c := range countries {
		w, ok := cfg.Quiet.Countries[c]
		if !ok {
			w = cfg.Quiet.Default
		}
		if err := w.validate(); err != nil {
			return fmt.Errorf("policy: quiet hours %s: %w", c, err)
		}
		q := quietRule{window: w}
		for _, name := range cfg.Quiet.Zones[c] {
			l, err := time.LoadLocation(name)
			if err != nil {
				return fmt.Errorf("policy: quiet hours %s: zone %q: %w", c, name, err)
			}
			q.zones = append(q.zones, l)
		}
		if len(q.zones) == 0 {
			q.zones = []*time.Location{loc}
		}
		r.quiet[c] = q
	}
	return nil
}

// Config returns the configuration the rules were compiled from.
func (r *Rules) Config() Config { return r.cfg }

// Kind returns the kind of a category; ok is false for an unknown one.
func (r *Rules) Kind(c Category) (Kind, bool) {
	cr, ok := r.cats[c]
	if !ok {
		return "", false
	}
	return []Kind{Transactional, Marketing, Staff}[cr.kind], true
}

// Categories returns the category names in table order (their preference
// bit order).
func (r *Rules) Categories() []Category { return slices.Clone(r.names) }

// Bit returns the preference bit of a category.
func (r *Rules) Bit(c Category) (uint64, bool) {
	cr, ok := r.cats[c]
	if !ok {
		return 0, false
	}
	return 1 << cr.bit, true
}

// CapNames returns each cap's code ("cap_7d"), in Recipient.Sent order.
func (r *Rules) CapNames() []string {
	out := make([]string, len(r.caps))
	for i, c := range r.caps {
		out[i] = c.name
	}
	return out
}

// longestCap returns the longest cap window in seconds: the loader reads
// the sends ledger that far back.
func (r *Rules) longestCap() int64 {
	var m int64
	for _, c := range r.caps {
		m = max(m, c.window)
	}
	return m
}

// capCounts tells whether a send of category cat counts toward cap i.
func (r *Rules) capCounts(cat Category, i int) bool {
	cr, ok := r.cats[cat]
	return ok && cr.caps&(1<<i) != 0
}

// quietFor returns the window of a country and the zones it must hold in
// when a recipient's own zone is unknown: the country's own, or the
// default window in the shop's zone for a country the settings do not
// list.
func (r *Rules) quietFor(country string) quietRule {
	if q, ok := r.quiet[country]; ok {
		return q
	}
	return r.fallback
}

// ShopLocation is the shop's time zone.
func (r *Rules) ShopLocation() *time.Location { return r.shopLoc }
