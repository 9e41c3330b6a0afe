package policy

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind is what a category of message is, which decides the rules that apply
// to it.
type Kind string

// The three kinds of message.
const (
	// Transactional messages answer something the customer did: order,
	// logistics, service. They need no marketing consent and pass a
	// marketing opt-out, but not an invalid number or a manual block.
	Transactional Kind = "transactional"
	// Marketing messages need consent and meet every rule.
	Marketing Kind = "marketing"
	// Staff messages go to the shop's own people; only hard suppression
	// applies.
	Staff Kind = "staff"
)

// Category names a stream of messages ("order", "promotions"); Config maps
// each to a Kind.
type Category string

// CategoryDef is one row of the category table.
type CategoryDef struct {
	Name Category `json:"name"`
	Kind Kind     `json:"kind"`
}

// Cap limits how many messages of a category (or of every category of a
// kind) a customer may be queued within a rolling window.
type Cap struct {
	// Applies names a kind (then it covers all its categories) or a
	// category. A name that is both is read as the kind.
	Applies string   `json:"applies"`
	Window  Duration `json:"window"`
	Max     int      `json:"max"`
	// Name is the rule's code in decisions; default "cap_" and the window
	// ("cap_7d").
	Name string `json:"name,omitempty"`
}

// QuietConfig says when marketing may not be sent, in the recipient's local
// time.
type QuietConfig struct {
	// Kinds the quiet hours apply to (default: marketing only).
	Kinds []Kind `json:"kinds"`
	// Countries maps an ISO 3166 region to its allowed window.
	Countries map[string]Window `json:"countries"`
	// Default is the window of countries not listed.
	Default Window `json:"default"`
	// Zones lists each country's time zones, used when a recipient's own
	// zone is unknown: only minutes allowed in every zone are allowed.
	Zones map[string][]string `json:"zones"`
}

// Config is the shop's policy, stored as JSON in the settings table under
// the key "policy". DefaultConfig holds the defaults; Compile checks it.
type Config struct {
	Categories []CategoryDef `json:"categories"`
	Caps       []Cap         `json:"caps"`
	Quiet      QuietConfig   `json:"quiet_hours"`
	// HygieneAfter is how long without an interaction (order, click, reply)
	// removes a customer from marketing audiences; 0 turns the rule off.
	HygieneAfter Duration `json:"hygiene_after"`
	// DoubleOptIn makes new marketing consent pending until the customer
	// confirms by reply.
	DoubleOptIn bool `json:"double_opt_in"`
	// OptInText is the confirmation request sent by StartDoubleOptIn.
	OptInText string `json:"opt_in_text"`
	// OptInWords are the replies that confirm (compared without case,
	// spaces and punctuation).
	OptInWords []string `json:"opt_in_words"`
	// OptInTTL is how long a pending opt-in waits for its confirmation.
	OptInTTL Duration `json:"opt_in_ttl"`
	// HardFailures is how many hard delivery failures in a row suppress a
	// number as invalid.
	HardFailures int `json:"hard_failures"`
	// Timezone is the shop's zone, used for a recipient whose zone and
	// country are both unknown.
	Timezone string `json:"timezone"`
}

// USZones are the United States' zones from Eastern to Hawaii, the set a US
// number without a known zone must satisfy at once.
var USZones = []string{
	"America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
	"America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu",
}

// DefaultConfig returns the defaults: the categories of the issue, marketing
// capped at 3 per 7 days and 4 per 30 days, quiet hours from the strictest
// published rule per country (China 08:00-20:00, United States
// 08:00-21:00, elsewhere 08:00-20:00), hygiene after 180 days, single
// opt-in, three hard failures.
func DefaultConfig() Config {
	return Config{
		Categories: []CategoryDef{
			{"transactional", Transactional},
			{"order", Transactional},
			{"logistics", Transactional},
			{"service", Transactional},
			{"marketing", Marketing},
			{"promotions", Marketing},
			{"staff", Staff},
		},
		Caps: []Cap{
			{Applies: string(Marketing), Window: Duration(7 * 24 * time.Hour), Max: 3},
			{Applies: string(Marketing), Window: Duration(30 * 24 * time.Hour), Max: 4},
		},
		Quiet: QuietConfig{
			Kinds: []Kind{Marketing},
			Countries: map[string]Window{
				"CN": {8 * 60, 20 * 60},
				"US": {8 * 60, 21 * 60},
			},
			Default: Window{8 * 60, 20 * 60},
			Zones: map[string][]string{
				"CN": {"Asia/Shanghai"},
				"HK": {"Asia/Hong_Kong"},
				"MO": {"Asia/Macau"},
				"TW": {"Asia/Taipei"},
				"SG": {"Asia/Singapore"},
				"MY": {"Asia/Kuala_Lumpur"},
				"JP": {"Asia/Tokyo"},
				"KR": {"Asia/Seoul"},
				"GB": {"Europe/London"},
				"DE": {"Europe/Berlin"},
				"FR": {"Europe/Paris"},
				"US": USZones,
				"CA": {"America/St_Johns", "America/Halifax", "America/Toronto", "America/Winnipeg",
					"America/Regina", "America/Edmonton", "America/Vancouver"},
				"AU": {"Australia/Perth", "Australia/Darwin", "Australia/Adelaide", "Australia/Brisbane", "Australia/Sydney"},
			},
		},
		HygieneAfter: Duration(180 * 24 * time.Hour),
		OptInText:    "回复Y确认接收会员优惠短信，回TD退订。Reply YES to confirm offers by SMS, STOP to opt out.",
		OptInWords:   []string{"y", "yes", "是", "确认", "同意", "好", "1"},
		OptInTTL:     Duration(7 * 24 * time.Hour),
		HardFailures: 3,
		Timezone:     "Asia/Shanghai",
	}
}

// Duration is a time.Duration written in JSON as "7d", "36h" or "90m".
type Duration time.Duration

// MarshalJSON writes whole days as "Nd", anything else in Go's notation.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

func (d Duration) String() string {
	td := time.Duration(d)
	if td != 0 && td%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(td/(24*time.Hour)), 10) + "d"
	}
	if td%time.Hour == 0 {
		return strconv.FormatInt(int64(td/time.Hour), 10) + "h"
	}
	return td.String()
}

// UnmarshalJSON reads "7d", "36h", "1h30m" or "0".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration: want a string such as \"7d\": %w", err)
	}
	v, err := ParseDuration(s)
	*d = v
	return err
}

// ParseDuration reads a duration with an optional day unit: "7d", "36h".
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("duration %q: want a number of days such as 7d", s)
		}
		return Duration(time.Duration(n) * 24 * time.Hour), nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("duration %q: want 7d, 36h or 90m", s)
	}
	return Duration(v), nil
}

// Window is a daily span of local time, [Start, End) in minutes after
// midnight. It never wraps past midnight: an allowed sending window is a
// daytime span.
type Window struct {
	Start int `json:"-"`
	End   int `json:"-"`
}

// ParseWindow reads "08:00-20:00".
func ParseWindow(s string) (Window, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return Window{}, fmt.Errorf("window %q: want HH:MM-HH:MM", s)
	}
	start, err1 := parseClock(a)
	end, err2 := parseClock(b)
	if err1 != nil || err2 != nil {
		return Window{}, fmt.Errorf("window %q: want HH:MM-HH:MM", s)
	}
	w := Window{start, end}
	return w, w.validate()
}

func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("bad time %q", s)
	}
	return hh*60 + mm, nil
}

func (w Window) validate() error {
	if w.Start < 0 || w.End > 24*60 || w.Start >= w.End {
		return fmt.Errorf("window %s: start must come before end on the same day", w)
	}
	return nil
}

// String writes the window as "08:00-20:00".
func (w Window) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", w.Start/60, w.Start%60, w.End/60, w.End%60)
}

// MarshalJSON writes "08:00-20:00".
func (w Window) MarshalJSON() ([]byte, error) { return json.Marshal(w.String()) }

// UnmarshalJSON reads "08:00-20:00".
func (w *Window) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("window: want a string such as \"08:00-20:00\": %w", err)
	}
	v, err := ParseWindow(s)
	*w = v
	return err
}

// Contains says whether minute-of-day m falls in the window.
func (w Window) Contains(m int) bool { return m >= w.Start && m < w.End }

// Intersect returns the span both windows allow; ok is false when they do
// not overlap.
func (w Window) Intersect(o Window) (Window, bool) {
	r := Window{max(w.Start, o.Start), min(w.End, o.End)}
	return r, r.Start < r.End
}
