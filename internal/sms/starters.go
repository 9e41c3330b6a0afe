package sms

import (
	_ "embed"
	"fmt"
	"strings"
)

// Message categories of a starter. They match the categories the policy
// applies: marketing needs consent, an opt-out line and caps; transactional
// and staff messages do not.
const (
	CategoryTransactional = "transactional"
	CategoryMarketing     = "marketing"
	CategoryStaff         = "staff"
)

// Starter is one template of the starter library, in one locale.
type Starter struct {
	Key      string `json:"key"`
	Category string `json:"category"`
	Locale   string `json:"locale"`
	Text     string `json:"text"`
}

//go:embed starters/starters.txt
var startersFile string

// Starters returns the starter library: a template body per scenario
// (order confirmation, shipping, cart recovery, birthday, festivals, staff
// notices ...) in zh-CN and English, ordered as in the file, zh-CN first.
// Bodies carry no signature or opt-out line: Compose adds them. The file
// is embedded and checked by the tests, so a malformed one is a build
// mistake and panics.
func Starters() []Starter {
	s, err := parseStarters(startersFile)
	if err != nil {
		panic(err)
	}
	return s
}

// parseStarters reads the block format described at the top of
// starters/starters.txt.
func parseStarters(src string) ([]Starter, error) {
	var out []Starter
	var key, category string
	for n, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			f := strings.Fields(line[1 : len(line)-1])
			if len(f) != 2 {
				return nil, fmt.Errorf("starters line %d: want [key category]", n+1)
			}
			key, category = f[0], f[1]
			if category != CategoryTransactional && category != CategoryMarketing && category != CategoryStaff {
				return nil, fmt.Errorf("starters line %d: unknown category %q", n+1, category)
			}
		default:
			locale, text, ok := strings.Cut(line, ":")
			if !ok || key == "" {
				return nil, fmt.Errorf("starters line %d: want \"locale: text\" inside a block", n+1)
			}
			out = append(out, Starter{Key: key, Category: category, Locale: strings.TrimSpace(locale), Text: strings.TrimSpace(text)})
		}
	}
	return out, nil
}
