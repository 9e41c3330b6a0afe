package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

//go:embed locales/*.json
var localeFS embed.FS

// DefaultLocale is the console's language for users who chose none and for
// visitors whose browser does not prefer English.
const DefaultLocale = "zh-CN"

// Locales are the console's languages, default first. Each has a catalogue
// in locales/<locale>.json with exactly the same keys.
var Locales = []string{"zh-CN", "en"}

// catalogue holds every visible string of the console per locale. Strings
// that take arguments use fmt verbs.
type catalogue map[string]map[string]string

// loadCatalogue reads the embedded catalogues and refuses to start when
// they do not have the same keys: a string missing in one language would
// otherwise show as its key to half the users.
func loadCatalogue() (catalogue, error) {
	cat := catalogue{}
	for _, loc := range Locales {
		b, err := localeFS.ReadFile("locales/" + loc + ".json")
		if err != nil {
			return nil, fmt.Errorf("web: catalogue %s: %w", loc, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("web: catalogue %s: %w", loc, err)
		}
		cat[loc] = m
	}
	base := cat[Locales[0]]
	for _, loc := range Locales[1:] {
		if missing := missingKeys(base, cat[loc]); len(missing) > 0 {
			return nil, fmt.Errorf("web: catalogue %s lacks %s", loc, strings.Join(missing, ", "))
		}
		if missing := missingKeys(cat[loc], base); len(missing) > 0 {
			return nil, fmt.Errorf("web: catalogue %s lacks %s", Locales[0], strings.Join(missing, ", "))
		}
	}
	return cat, nil
}

// missingKeys lists the keys of want that have lacks, sorted.
func missingKeys(want, has map[string]string) []string {
	var out []string
	for k := range want {
		if _, ok := has[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// has reports whether key exists (in every locale, since they match).
func (c catalogue) has(key string) bool {
	_, ok := c[Locales[0]][key]
	return ok
}

// text returns key's string in locale, formatted with args when given. An
// unknown key comes back as itself so a mistake is visible, not blank; New
// checks the keys written in templates, so this only happens for keys built
// at run time.
func (c catalogue) text(locale, key string, args ...any) string {
	s, ok := c[locale][key]
	if !ok {
		s, ok = c[DefaultLocale][key]
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// normalLocale maps a stored or submitted locale to one the console has,
// and anything else to the default.
func normalLocale(s string) string {
	if slices.Contains(Locales, s) {
		return s
	}
	switch strings.ToLower(s) {
	case "en", "en-us", "en-gb":
		return "en"
	}
	return DefaultLocale
}

var localeMatcher = language.NewMatcher([]language.Tag{language.SimplifiedChinese, language.English})

// browserLocale picks the console language for someone not signed in from
// their browser's Accept-Language; no header or no match means zh-CN.
func browserLocale(acceptLanguage string) string {
	if acceptLanguage == "" {
		return DefaultLocale
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return DefaultLocale
	}
	_, i, conf := localeMatcher.Match(tags...)
	if conf == language.No || i != 1 {
		return DefaultLocale
	}
	return "en"
}
