package compose

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"

	"nudge/internal/sms"
)

// SettingsKey is where the compose Settings live in the settings table.
const SettingsKey = "compose"

// Signature positions.
const (
	SignatureStart = "start"
	SignatureEnd   = "end"
)

// Limits on what the settings hold: a signature of more than 20
// characters is refused by carriers (and not recognised by the lint), and
// a sensitive-word list is read on every lint.
const (
	MaxBrandRunes  = 20
	MaxOptOutRunes = 40
	MaxWordRunes   = 20
	MaxWords       = 500
)

// Settings say how every message of the shop is dressed: the signature
// that carriers require, the opt-out line marketing messages end with, the
// locale used when a send names none, and the words the copy lint flags.
// They are stored as JSON in the settings table under SettingsKey;
// DefaultSettings holds the defaults.
type Settings struct {
	// Brand is the shop's signature name, sent as 【Brand】. Empty sends no
	// signature (and the lint warns no_signature).
	Brand string `json:"brand"`
	// SignaturePosition is "start" (the common form) or "end".
	SignaturePosition string `json:"signature_position"`
	// OptOut maps a locale (BCP 47: zh-CN, en) to the line marketing
	// messages in that locale end with. A locale not listed falls back to
	// its language ("en" for "en-US"), then to the built-in line.
	OptOut map[string]string `json:"opt_out"`
	// DefaultLocale is the locale of a send that names none: it picks the
	// opt-out line and the form of {{surname_title}}.
	DefaultLocale string `json:"default_locale"`
	// SensitiveWords are the words the lint flags as sensitive_word; an
	// empty list turns the check off.
	SensitiveWords []string `json:"sensitive_words"`
}

// DefaultSettings returns the defaults: no brand yet, the signature at the
// start, 回TD退订 for zh-CN and "Reply STOP to opt out" for en, zh-CN as the
// default locale and sms.DefaultSensitiveWords.
func DefaultSettings() Settings {
	return Settings{
		SignaturePosition: SignatureStart,
		OptOut:            map[string]string{"zh-CN": sms.OptOutZH, "en": sms.OptOutEN},
		DefaultLocale:     "zh-CN",
		SensitiveWords:    slices.Clone(sms.DefaultSensitiveWords),
	}
}

// FieldError names the input that is wrong and why: a setting (its JSON
// name, with the locale for an opt-out line: "opt_out.en") or a coupon
// pool's name or description.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

func settingsErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Normalize checks the settings and brings them to canonical form: spaces
// trimmed, locales in canonical BCP 47 spelling, empty opt-out lines and
// repeated sensitive words dropped. The error is a *FieldError naming
// the first wrong field.
func (s *Settings) Normalize() error {
	s.Brand = strings.TrimSpace(s.Brand)
	if n := utf8.RuneCountInString(s.Brand); n > MaxBrandRunes {
		return settingsErr("brand", "%d characters; a signature holds at most %d", n, MaxBrandRunes)
	}
	if strings.ContainsAny(s.Brand, "【】") {
		return settingsErr("brand", "write the name without 【】; they are added when a message is sent")
	}
	if strings.IndexFunc(s.Brand, unicode.IsControl) >= 0 {
		return settingsErr("brand", "must be on one line")
	}
	switch s.SignaturePosition = strings.ToLower(strings.TrimSpace(s.SignaturePosition)); s.SignaturePosition {
	case "":
		s.SignaturePosition = SignatureStart
	case SignatureStart, SignatureEnd:
	default:
		return settingsErr("signature_position", "%q is neither start nor end", s.SignaturePosition)
	}
	loc, err := canonicalLocale(s.DefaultLocale)
	if err != nil {
		return settingsErr("default_locale", "%v", err)
	}
	s.DefaultLocale = loc
	lines := map[string]string{}
	for k, v := range s.OptOut {
		loc, err := canonicalLocale(k)
		if err != nil {
			return settingsErr("opt_out."+k, "%v", err)
		}
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if err := checkOptOut(v); err != nil {
			return settingsErr("opt_out."+loc, "%v", err)
		}
		if _, dup := lines[loc]; dup {
			return settingsErr("opt_out."+k, "locale %s is listed twice", loc)
		}
		lines[loc] = v
	}
	s.OptOut = lines
	if s.SensitiveWords == nil {
		s.SensitiveWords = []string{}
	}
	var words []string
	for _, w := range s.SensitiveWords {
		w = strings.TrimSpace(w)
		if w == "" || slices.Contains(words, w) {
			continue
		}
		if n := utf8.RuneCountInString(w); n > MaxWordRunes {
			return settingsErr("sensitive_words", "%q has %d characters; at most %d", w, n, MaxWordRunes)
		}
		words = append(words, w)
	}
	if len(words) > MaxWords {
		return settingsErr("sensitive_words", "%d words; at most %d", len(words), MaxWords)
	}
	if words == nil {
		words = []string{}
	}
	s.SensitiveWords = words
	return nil
}

// canonicalLocale checks a BCP 47 tag and returns its canonical spelling
// (zh-cn -> zh-CN, en_us -> en-US).
func canonicalLocale(s string) (string, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), "_", "-")
	if s == "" {
		return "", errors.New("empty locale; write zh-CN or en")
	}
	t, err := language.Parse(s)
	if err != nil {
		return "", fmt.Errorf("%q is not a locale such as zh-CN or en", s)
	}
	return t.String(), nil
}

// checkOptOut refuses a line that readers (and the inbound opt-out words)
// would not recognise as one: the lint, and the check that keeps a message
// from getting a second line, both look for 退订, 拒收, STOP, unsubscribe or
// opt out.
func checkOptOut(line string) error {
	if n := utf8.RuneCountInString(line); n > MaxOptOutRunes {
		return fmt.Errorf("%d characters; an opt-out line holds at most %d", n, MaxOptOutRunes)
	}
	if strings.IndexFunc(line, unicode.IsControl) >= 0 {
		return errors.New("must be on one line")
	}
	for _, w := range sms.Lint(line, sms.LintOptions{Marketing: true, SensitiveWords: []string{}}) {
		if w.Code == sms.CodeNoOptOut {
			return errors.New("does not tell how to opt out; say 回TD退订, 拒收请回复R or Reply STOP")
		}
	}
	return nil
}

// optOutFor returns the shop's opt-out line for locale: the exact locale,
// then its language, then "" (sms.Compose's built-in line for the
// language).
func (s *Settings) optOutFor(locale string) string {
	if v, ok := s.OptOut[locale]; ok {
		return v
	}
	t, err := language.Parse(locale)
	if err != nil {
		return ""
	}
	base, _ := t.Base()
	if v, ok := s.OptOut[base.String()]; ok {
		return v
	}
	// zh-CN listed, zh-Hans-CN or zh asked: the same language.
	for k, v := range s.OptOut {
		if kt, err := language.Parse(k); err == nil {
			if kb, _ := kt.Base(); kb == base {
				return v
			}
		}
	}
	return ""
}

// suffix reports whether the signature goes at the end.
func (s *Settings) suffix() bool { return s.SignaturePosition == SignatureEnd }

// clone returns a deep copy, so that a caller editing what Settings
// returned does not change the settings in force.
func (s *Settings) clone() Settings {
	c := *s
	c.OptOut = make(map[string]string, len(s.OptOut))
	for k, v := range s.OptOut {
		c.OptOut[k] = v
	}
	c.SensitiveWords = slices.Clone(s.SensitiveWords)
	return c
}

// Settings returns a copy of the settings in force.
func (svc *Service) Settings() Settings { return svc.settings.Load().clone() }

// SetSettings checks st, stores it and puts it in force at once. Other
// processes sharing the store read it when they start.
func (svc *Service) SetSettings(ctx context.Context, st Settings) error {
	if err := st.Normalize(); err != nil {
		return err
	}
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if _, err := svc.db.W.ExecContext(ctx, svc.q.Get("settings_put"), SettingsKey, string(b)); err != nil {
		return fmt.Errorf("compose: save settings: %w", err)
	}
	svc.settings.Store(&st)
	return nil
}

// loadSettings reads the stored settings over the defaults: keys the
// stored JSON leaves out keep their default.
func (svc *Service) loadSettings(ctx context.Context) (Settings, error) {
	st := DefaultSettings()
	var raw string
	err := svc.db.R.QueryRowContext(ctx, svc.q.Get("settings_get"), SettingsKey).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return st, st.Normalize()
	}
	if err != nil {
		return st, fmt.Errorf("compose: read settings: %w", err)
	}
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return st, fmt.Errorf("compose: stored settings: %w", err)
	}
	if err := st.Normalize(); err != nil {
		return st, fmt.Errorf("compose: stored settings: %w", err)
	}
	return st, nil
}
