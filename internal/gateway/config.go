package gateway

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config is one gateway as the operator wrote it: a name and a URL such as
//
//	smpp://SYSTEM_ID:PASSWORD@HOST:PORT?bind=transceiver&window=256&rate=500
//	https://account:SECRET@api.example.com/sms/send?price=0.04
//	sim://?latency=20ms&fail_empty=0.01&seed=7
//
// The query parameters below are nudge's and mean the same for every kind of
// gateway; ParseURL takes them out, and URL keeps only what the gateway kind
// itself reads (its own parameters, host, credentials).
//
//	rate=500             messages per second the dispatcher keeps to (0: no limit)
//	window=256           submits in flight at once
//	price=0.035          cost per billed segment, in yuan
//	carriers=china_mobile,china_unicom   destinations this gateway serves (default all)
//	prefixes=+86,+852    E.164 prefixes it serves (default all)
//	categories=marketing categories it serves (default all)
//	priority=10          lower is tried first among gateways that match
//	resend=1             resend submits whose answer was lost instead of holding them for review
//	failover_after=30s   how long the gateway may be down before its queue moves on
//	attempts=6           submits of one message before a temporary error becomes final
//	log=sample           interaction log: all, errors, sample (errors and a few per second), off
type Config struct {
	Name   string
	Scheme string
	// URL is the gateway's own URL: nudge's parameters removed, secrets
	// still in.
	URL *url.URL
	// Raw is the URL exactly as given, secrets included; it is what the
	// store seals.
	Raw string

	Rate          float64
	Window        int
	Price         int64 // milli-fen (1/1000 fen) per billed segment
	Carriers      []string
	Prefixes      []string
	Categories    []string
	Priority      int
	Resend        bool
	FailoverAfter time.Duration
	MaxAttempts   int
	LogMode       string
}

// Defaults for the common parameters.
const (
	DefaultWindow        = 10
	DefaultPriority      = 100
	DefaultFailoverAfter = 30 * time.Second
	DefaultMaxAttempts   = 6
	DefaultLogMode       = "sample"
)

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// ValidName reports whether name can name a gateway: lower-case letters,
// digits, - and _, at most 32, since it appears in hook URLs.
func ValidName(name string) bool { return nameRE.MatchString(name) }

// commonParams are the query parameters ParseURL consumes.
var commonParams = []string{"rate", "window", "price", "carriers", "prefixes", "categories", "priority",
	"resend", "failover_after", "attempts", "log"}

// ParseURL reads a gateway URL.
func ParseURL(name, raw string) (Config, error) {
	c := Config{Name: name, Raw: raw, Window: DefaultWindow, Priority: DefaultPriority,
		FailoverAfter: DefaultFailoverAfter, MaxAttempts: DefaultMaxAttempts, LogMode: DefaultLogMode}
	if !ValidName(name) {
		return c, fmt.Errorf("gateway: name %q: use 1-32 lower-case letters, digits, - or _", name)
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return c, fmt.Errorf("gateway %s: %v", name, redactErr(err))
	}
	if u.Scheme == "" {
		return c, fmt.Errorf("gateway %s: the URL needs a scheme (smpp://, smpps://, http://, https://, sim://)", name)
	}
	c.Scheme = strings.ToLower(u.Scheme)
	q := u.Query()
	bad := func(p, why string) error {
		return fmt.Errorf("gateway %s: parameter %s=%q: %s", name, p, q.Get(p), why)
	}
	if v := q.Get("rate"); v != "" {
		if c.Rate, err = strconv.ParseFloat(v, 64); err != nil || c.Rate < 0 {
			return c, bad("rate", "want messages per second, 0 or more")
		}
	}
	if v := q.Get("window"); v != "" {
		if c.Window, err = strconv.Atoi(v); err != nil || c.Window < 1 || c.Window > 10000 {
			return c, bad("window", "want 1 to 10000")
		}
	}
	if v := q.Get("price"); v != "" {
		if c.Price, err = parseYuanMilliFen(v); err != nil {
			return c, bad("price", "want yuan per segment, such as 0.035")
		}
	}
	c.Carriers = list(q.Get("carriers"))
	c.Prefixes = list(q.Get("prefixes"))
	for _, p := range c.Prefixes {
		if !strings.HasPrefix(p, "+") {
			return c, bad("prefixes", "each prefix starts with + (E.164), such as +86")
		}
	}
	c.Categories = list(q.Get("categories"))
	if v := q.Get("priority"); v != "" {
		if c.Priority, err = strconv.Atoi(v); err != nil {
			return c, bad("priority", "want an integer")
		}
	}
	if v := q.Get("resend"); v != "" {
		if c.Resend, err = strconv.ParseBool(v); err != nil {
			return c, bad("resend", "want 1 or 0")
		}
	}
	if v := q.Get("failover_after"); v != "" {
		if c.FailoverAfter, err = time.ParseDuration(v); err != nil || c.FailoverAfter <= 0 {
			return c, bad("failover_after", "want a duration such as 30s")
		}
	}
	if v := q.Get("attempts"); v != "" {
		if c.MaxAttempts, err = strconv.Atoi(v); err != nil || c.MaxAttempts < 1 {
			return c, bad("attempts", "want 1 or more")
		}
	}
	if v := q.Get("log"); v != "" {
		if !slices.Contains([]string{"all", "errors", "sample", "off"}, v) {
			return c, bad("log", "want all, errors, sample or off")
		}
		c.LogMode = v
	}
	for _, p := range commonParams {
		q.Del(p)
	}
	own := *u
	own.RawQuery = q.Encode()
	c.URL = &own
	return c, nil
}

// redactErr keeps a URL parse error from echoing the URL, which may hold a
// password.
func redactErr(err error) string {
	var ue *url.Error
	if e, ok := err.(*url.Error); ok {
		ue = e
		return ue.Op + ": " + ue.Err.Error()
	}
	return "malformed URL"
}

func list(v string) []string {
	var out []string
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// parseYuanMilliFen reads a decimal amount of yuan ("0.035") as milli-fen
// (3500): prices per segment are fractions of a fen, and floats would make
// a million segments cost a few milli-fen more or less than they do.
func parseYuanMilliFen(s string) (int64, error) {
	whole, frac, _ := strings.Cut(strings.TrimSpace(s), ".")
	if whole == "" {
		whole = "0"
	}
	if len(frac) > 5 {
		return 0, fmt.Errorf("more than 5 decimals")
	}
	frac += strings.Repeat("0", 5-len(frac))
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 {
		return 0, fmt.Errorf("bad amount")
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("bad amount")
	}
	return w*100000 + f, nil
}

// FormatMilliFen writes milli-fen as yuan with as many decimals as needed.
func FormatMilliFen(v int64) string {
	s := strconv.FormatInt(v/100000, 10)
	if r := v % 100000; r != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%05d", r), "0")
	}
	return s
}

// secretParam reports whether a query parameter probably holds a secret.
func secretParam(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"pass", "secret", "key", "token", "sig", "auth"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// Redacted is the URL with its password and secret-looking parameters
// replaced by ***, fit for screens and logs.
func (c Config) Redacted() string { return RedactURL(c.Raw) }

// RedactURL hides the password and secret-looking parameters of a URL.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "***")
		}
	}
	q := u.Query()
	for k := range q {
		if secretParam(k) {
			q.Set(k, "***")
		}
	}
	u.RawQuery = q.Encode()
	// url.String escapes the asterisks in userinfo; operators read them
	// better plain. It also writes sim://?x as sim:?x.
	out := strings.Replace(u.String(), "%2A%2A%2A", "***", -1)
	if u.Host == "" && u.User == nil && strings.HasPrefix(raw, u.Scheme+"://") && !strings.HasPrefix(out, u.Scheme+"://") {
		out = u.Scheme + "://" + strings.TrimPrefix(out, u.Scheme+":")
	}
	return out
}

// Serves reports whether this gateway takes messages of category to the
// E.164 number with the given carrier.
func (c Config) Serves(e164, carrier, category string) bool {
	if len(c.Carriers) > 0 && !slices.Contains(c.Carriers, carrier) {
		return false
	}
	if len(c.Categories) > 0 && !slices.Contains(c.Categories, category) {
		return false
	}
	if len(c.Prefixes) > 0 {
		ok := false
		for _, p := range c.Prefixes {
			if strings.HasPrefix(e164, p) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
