package compose

import (
	"strings"
	"sync"

	"nudge/internal/link"
	"nudge/internal/sms"
)

// The names of the fields compose fills itself rather than from the
// customer: {{coupon}} (or {{coupon.POOL}}) draws a code, {{link}} makes a
// short link.
const (
	fieldCoupon = "coupon"
	fieldLink   = "link"
)

// parsed is a template with what a render needs to know about it before
// filling it: which coupon pools it draws from and where its link is.
type parsed struct {
	tpl *sms.Template
	// coupons are the coupon fields, one per distinct pool name ("" for a
	// bare {{coupon}}), first occurrence first.
	coupons []couponUse
	// link is the first {{link}}, nil when there is none; every {{link}}
	// of a message gets the same short link.
	link *sms.FieldRef
	// linkTarget is the template-level default target: the first
	// {{link|URL}} fallback that is an absolute http(s) URL.
	linkTarget string
}

// couponUse is the first field of a template that draws from one pool.
type couponUse struct {
	field string // "coupon" or "coupon.spring"
	pool  string // "" when the field names no pool
	ref   sms.FieldRef
}

// couponPool returns the pool a field name draws from, and whether the
// name is a coupon field at all.
func couponPool(name string) (string, bool) {
	if name == fieldCoupon {
		return "", true
	}
	pool, ok := strings.CutPrefix(name, fieldCoupon+".")
	return pool, ok && pool != ""
}

func analyse(t *sms.Template) *parsed {
	p := &parsed{tpl: t}
	for _, f := range t.Fields() {
		if pool, ok := couponPool(f.Name); ok {
			seen := false
			for _, c := range p.coupons {
				seen = seen || c.field == f.Name
			}
			if !seen {
				p.coupons = append(p.coupons, couponUse{field: f.Name, pool: pool, ref: f})
			}
			continue
		}
		if f.Name != fieldLink {
			continue
		}
		if p.link == nil {
			ref := f
			p.link = &ref
		}
		if p.linkTarget == "" && f.HasFallback && link.CheckTarget(f.Fallback) == nil {
			p.linkTarget = f.Fallback
		}
	}
	return p
}

// maxCached bounds the template cache. A campaign renders one template a
// million times; the console's live preview parses a new one per
// keystroke, and those must not pile up.
const maxCached = 512

// templateCache keeps parsed templates by source text.
type templateCache struct {
	mu sync.RWMutex
	m  map[string]*parsed
}

// get returns the parsed form of src, parsing it on first use. A parse
// error is not cached: the text is being edited, the next one differs.
func (c *templateCache) get(src string) (*parsed, error) {
	c.mu.RLock()
	p, ok := c.m[src]
	c.mu.RUnlock()
	if ok {
		return p, nil
	}
	t, err := sms.ParseTemplate(src)
	if err != nil {
		return nil, err
	}
	p = analyse(t)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCached {
		// Dropping everything is crude but bounded, and a campaign's
		// template is parsed again once, in microseconds.
		c.m = make(map[string]*parsed, 64)
	}
	c.m[src] = p
	c.mu.Unlock()
	return p, nil
}
