package web

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"nudge/internal/compose"
	"nudge/internal/policy"
)

// The settings page has two forms: the compose settings (signature, opt-out
// lines, default locale, sensitive words) and the sending rules that live
// in the policy (frequency caps, quiet hours). Each is read into a form
// struct so that a refused form shows again as typed, with the error next
// to the field it is about.

// composeForm is the compose settings as the form shows them. The opt-out
// lines of the console's locales are edited here; lines for other locales
// (set through the API) are kept as they are.
type composeForm struct {
	Brand          string
	Position       string
	OptOut         map[string]string // console locale -> line
	DefaultLocale  string
	SensitiveWords string // one per line
}

func composeFormOf(st compose.Settings) composeForm {
	f := composeForm{Brand: st.Brand, Position: st.SignaturePosition, DefaultLocale: st.DefaultLocale,
		SensitiveWords: strings.Join(st.SensitiveWords, "\n"), OptOut: map[string]string{}}
	for _, loc := range Locales {
		f.OptOut[loc] = st.OptOut[loc]
	}
	return f
}

func composeFormFrom(v url.Values) composeForm {
	f := composeForm{Brand: v.Get("brand"), Position: v.Get("signature_position"), DefaultLocale: v.Get("default_locale"),
		SensitiveWords: v.Get("sensitive_words"), OptOut: map[string]string{}}
	for _, loc := range Locales {
		f.OptOut[loc] = v.Get("opt_out." + loc)
	}
	return f
}

// settings applies the form to the settings in force.
func (f composeForm) settings(cur compose.Settings) compose.Settings {
	st := cur
	st.Brand, st.SignaturePosition, st.DefaultLocale = f.Brand, f.Position, f.DefaultLocale
	for loc, line := range f.OptOut {
		st.OptOut[loc] = line // an empty line drops the locale's own line
	}
	st.SensitiveWords = strings.FieldsFunc(f.SensitiveWords, func(r rune) bool {
		return r == '\n' || r == '\r' || r == ',' || r == '，' || r == '、'
	})
	return st
}

// policyForm is the caps and quiet hours as the form shows them.
type policyForm struct {
	Caps       []capRow
	Default    string
	Countries  []countryRow
	QuietKinds []string
}

// capRow is one frequency cap; Name keeps a cap's code when it has one.
type capRow struct {
	Applies, Window, Max, Name string
}

// countryRow is one country's allowed sending window.
type countryRow struct {
	Country, Window string
}

// blankRows is how many empty cap and country rows the form offers for
// additions.
const blankRows = 2

func policyFormOf(cfg policy.Config) policyForm {
	f := policyForm{Default: cfg.Quiet.Default.String()}
	for _, c := range cfg.Caps {
		f.Caps = append(f.Caps, capRow{Applies: c.Applies, Window: c.Window.String(), Max: strconv.Itoa(c.Max), Name: c.Name})
	}
	countries := make([]string, 0, len(cfg.Quiet.Countries))
	for k := range cfg.Quiet.Countries {
		countries = append(countries, k)
	}
	sort.Strings(countries)
	for _, k := range countries {
		f.Countries = append(f.Countries, countryRow{Country: k, Window: cfg.Quiet.Countries[k].String()})
	}
	for _, k := range cfg.Quiet.Kinds {
		f.QuietKinds = append(f.QuietKinds, string(k))
	}
	f.pad()
	return f
}

// pad adds the blank rows.
func (f *policyForm) pad() {
	for range blankRows {
		f.Caps = append(f.Caps, capRow{})
		f.Countries = append(f.Countries, countryRow{})
	}
}

func policyFormFrom(v url.Values) policyForm {
	at := func(key string, i int) string {
		if vals := v[key]; i < len(vals) {
			return strings.TrimSpace(vals[i])
		}
		return ""
	}
	f := policyForm{Default: strings.TrimSpace(v.Get("quiet_default")), QuietKinds: v["quiet_kind"]}
	// Blank rows are dropped here, so that the rows a refused form shows
	// again (plus fresh blank ones) are the rows its errors count.
	for i := range v["cap_applies"] {
		if r := (capRow{Applies: at("cap_applies", i), Window: at("cap_window", i), Max: at("cap_max", i), Name: at("cap_name", i)}); r.Window != "" || r.Max != "" {
			f.Caps = append(f.Caps, r)
		}
	}
	for i := range v["country"] {
		if r := (countryRow{Country: strings.ToUpper(at("country", i)), Window: at("country_window", i)}); r.Country != "" || r.Window != "" {
			f.Countries = append(f.Countries, r)
		}
	}
	return f
}

// config applies the form to the policy in force. Rows left blank are
// dropped; errors name the input they are about ("cap_window.2",
// "quiet_default", "country_window.1"), with the reason.
func (f policyForm) config(cur policy.Config) (policy.Config, map[string]string) {
	cfg := cur
	errs := map[string]string{}
	cfg.Caps = nil
	for i, r := range f.Caps {
		if r.Window == "" && r.Max == "" {
			continue // a blank row of the form
		}
		w, err := policy.ParseDuration(r.Window)
		if err != nil || w <= 0 {
			errs[fmt.Sprintf("cap_window.%d", i)] = "7d, 36h"
			continue
		}
		n, err := strconv.Atoi(r.Max)
		if err != nil || n < 1 || n > 65535 {
			errs[fmt.Sprintf("cap_max.%d", i)] = "1-65535"
			continue
		}
		cfg.Caps = append(cfg.Caps, policy.Cap{Applies: r.Applies, Window: w, Max: n, Name: r.Name})
	}
	if w, err := policy.ParseWindow(f.Default); err != nil {
		errs["quiet_default"] = "08:00-20:00"
	} else {
		cfg.Quiet.Default = w
	}
	cfg.Quiet.Countries = map[string]policy.Window{}
	for i, r := range f.Countries {
		if r.Country == "" && r.Window == "" {
			continue
		}
		if len(r.Country) != 2 || strings.ToUpper(r.Country) != r.Country || strings.IndexFunc(r.Country, func(c rune) bool { return c < 'A' || c > 'Z' }) >= 0 {
			errs[fmt.Sprintf("country.%d", i)] = "CN, US"
			continue
		}
		w, err := policy.ParseWindow(r.Window)
		if err != nil {
			errs[fmt.Sprintf("country_window.%d", i)] = "08:00-20:00"
			continue
		}
		cfg.Quiet.Countries[r.Country] = w
	}
	cfg.Quiet.Kinds = nil
	for _, k := range []policy.Kind{policy.Transactional, policy.Marketing, policy.Staff} {
		if slices.Contains(f.QuietKinds, string(k)) {
			cfg.Quiet.Kinds = append(cfg.Quiet.Kinds, k)
		}
	}
	// Zones are the policy's knowledge of each country, not a setting of
	// this form: keep them, as fresh copies so that a refused form leaves
	// the rules in force untouched.
	zones := make(map[string][]string, len(cur.Quiet.Zones))
	for k, v := range cur.Quiet.Zones {
		zones[k] = slices.Clone(v)
	}
	cfg.Quiet.Zones = zones
	return cfg, errs
}
