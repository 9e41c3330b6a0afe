package web

import (
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"
)

// TestCataloguesHaveTheSameKeys reads the files themselves, so that it
// checks the catalogues rather than the loader that also checks them.
func TestCataloguesHaveTheSameKeys(t *testing.T) {
	keys := map[string][]string{}
	for _, loc := range Locales {
		b, err := os.ReadFile("locales/" + loc + ".json")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", loc, err)
		}
		for k, v := range m {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: %q is empty", loc, k)
			}
			keys[loc] = append(keys[loc], k)
		}
		sort.Strings(keys[loc])
	}
	zh, en := strings.Join(keys["zh-CN"], "\n"), strings.Join(keys["en"], "\n")
	if zh != en {
		t.Errorf("zh-CN and en catalogues differ:\nonly zh-CN: %v\nonly en: %v",
			minus(keys["zh-CN"], keys["en"]), minus(keys["en"], keys["zh-CN"]))
	}
	if len(keys["en"]) < 90 {
		t.Errorf("only %d keys: catalogue not read?", len(keys["en"]))
	}
}

func minus(a, b []string) []string {
	in := map[string]bool{}
	for _, s := range b {
		in[s] = true
	}
	var out []string
	for _, s := range a {
		if !in[s] {
			out = append(out, s)
		}
	}
	return out
}

// Every catalogue string with a verb must keep the same verbs in every
// language, or one language would print %!d(MISSING).
func TestCatalogueVerbsMatch(t *testing.T) {
	cat, err := loadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	for k, zh := range cat["zh-CN"] {
		if verbs(zh) != verbs(cat["en"][k]) {
			t.Errorf("%s: zh-CN %q and en %q use different verbs", k, zh, cat["en"][k])
		}
	}
	if got := cat.text("en", "customers.count", 3); got != "3 customers in total" {
		t.Errorf("text: %q", got)
	}
	if got := cat.text("en", "no.such.key"); got != "no.such.key" {
		t.Errorf("unknown key: %q", got)
	}
}

func verbs(s string) string {
	var out []string
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '%' {
			out = append(out, s[i:i+2])
			i++
		}
	}
	return strings.Join(out, " ")
}

// The labels the console computes at run time (carriers, consent, gender,
// roles, errors, languages) are all in the catalogue.
func TestRunTimeKeysExist(t *testing.T) {
	cat, err := loadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{"carrier.china_mobile", "carrier.china_unicom", "carrier.china_telecom", "carrier.china_broadcast",
		"carrier.unknown", "consent.opted_in", "consent.opted_out", "consent.unknown", "gender.f", "gender.m",
		"gender.unknown", "role.admin", "role.operator", "error.400", "error.403", "error.404", "error.405", "error.500"}
	for _, loc := range Locales {
		keys = append(keys, "locale."+loc)
	}
	for _, k := range keys {
		if !cat.has(k) {
			t.Errorf("catalogue lacks %q", k)
		}
	}
}

func TestLocales(t *testing.T) {
	for in, want := range map[string]string{"zh-CN": "zh-CN", "en": "en", "en-US": "en", "": "zh-CN", "fr": "zh-CN"} {
		if got := normalLocale(in); got != want {
			t.Errorf("normalLocale(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"": "zh-CN", "en": "en", "en-GB,en;q=0.8": "en", "zh-HK": "zh-CN",
		"ja,en;q=0.5": "en", "ja": "zh-CN", "garbage;;;": "zh-CN"} {
		if got := browserLocale(in); got != want {
			t.Errorf("browserLocale(%q) = %q, want %q", in, got, want)
		}
	}
}
