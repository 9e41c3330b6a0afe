package segment

import "sort"

// FieldInfo describes a condition field for a rule builder: its operators
// and which modifier keys it accepts or needs.
type FieldInfo struct {
	Name string   `json:"name"`
	Ops  []string `json:"ops"`
	// Modifiers lists the keys besides field, op and value: "key",
	// "category", "sku", "within_days", "lat" and "lon".
	Modifiers []string `json:"modifiers,omitempty"`
	// Numeric says values are numbers (text otherwise; dates for the date
	// operators, day counts for within_last_days and within_days).
	Numeric bool `json:"numeric"`
}

// Fields lists the condition fields in name order; engagement fields are
// left out until they are available.
func Fields() []FieldInfo {
	out := make([]FieldInfo, 0, len(fields))
	for name, f := range fields {
		fi := FieldInfo{Name: name, Ops: f.ops}
		for _, m := range []struct {
			bit  int
			keys []string
		}{{modKey, []string{"key"}}, {modCategory, []string{"category"}}, {modSKU, []string{"sku"}},
			{modWithin, []string{"within_days"}}, {modPoint, []string{"lat", "lon"}}} {
			if f.mods&m.bit != 0 {
				fi.Modifiers = append(fi.Modifiers, m.keys...)
			}
		}
		fi.Numeric = contains(f.ops, "gt") && name != "attribute"
		out = append(out, fi)
	}
	for name, src := range engagementSources {
		if src != nil {
			out = append(out, FieldInfo{Name: "engagement." + name, Ops: []string{"within_last_days", "not_within_last_days"}, Numeric: true})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
