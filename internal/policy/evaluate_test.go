package policy

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func mustRules(t testing.TB, cfg Config) *Rules {
	t.Helper()
	r, err := Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// utc parses "2006-01-02 15:04:05" as UTC.
func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05", s)
	if err != nil {
		panic(err)
	}
	return t
}

// in parses "2006-01-02 15:04:05" as wall-clock time in zone name.
func in(name, s string) time.Time {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, l)
	if err != nil {
		panic(err)
	}
	return t
}

// ready is a marketing-ready Chinese customer: consent recorded, active.
func ready(t testing.TB) Recipient {
	return Recipient{
		CustomerID:      7,
		Country:         "CN",
		Location:        mustLoc(t, "Asia/Shanghai"),
		Consent:         ConsentOptedIn,
		ConsentAt:       utc("2025-01-02 03:04:05").Unix(),
		ConsentSourced:  true,
		LastInteraction: utc("2025-05-20 00:00:00").Unix(),
	}
}

func TestEvaluate(t *testing.T) {
	rules := mustRules(t, DefaultConfig())
	noon := in("Asia/Shanghai", "2025-06-01 12:00:00")
	with := func(f func(r *Recipient)) Recipient {
		r := ready(t)
		f(&r)
		return r
	}
	usUnknown := func(r *Recipient) { r.Country, r.Location = "US", nil }
	nyc := func(r *Recipient) { r.Country, r.Location = "US", mustLoc(t, "America/New_York") }
	tests := []struct {
		name    string
		r       Recipient
		cat     Category
		now     time.Time
		verdict Verdict
		until   time.Time
		codes   []string
	}{
		{"allowed at noon", ready(t), "marketing", noon, Allow, time.Time{}, nil},
		{"19:59 Shanghai is allowed", ready(t), "marketing", in("Asia/Shanghai", "2025-06-01 19:59:00"), Allow, time.Time{}, nil},
		{"19:59:59 Shanghai is allowed", ready(t), "marketing", in("Asia/Shanghai", "2025-06-01 19:59:59"), Allow, time.Time{}, nil},
		{"20:00 Shanghai defers to 08:00 next day", ready(t), "marketing", in("Asia/Shanghai", "2025-06-01 20:00:00"),
			Defer, utc("2025-06-02 00:00:00"), []string{"quiet_hours"}},
		{"07:59:30 Shanghai defers to 08:00", ready(t), "marketing", in("Asia/Shanghai", "2025-06-01 07:59:30"),
			Defer, utc("2025-06-01 00:00:00"), []string{"quiet_hours"}},
		{"08:00 Shanghai is allowed", ready(t), "marketing", in("Asia/Shanghai", "2025-06-01 08:00:00"), Allow, time.Time{}, nil},
		{"Chinese number without zone uses Shanghai", with(func(r *Recipient) { r.Location = nil }), "marketing",
			in("Asia/Shanghai", "2025-06-01 20:30:00"), Defer, utc("2025-06-02 00:00:00"), []string{"quiet_hours"}},

		// US, zone unknown: 08:00-21:00 must hold from New York to Honolulu.
		// Summer: EDT is UTC-4, HST UTC-10: allowed 18:00-01:00 UTC.
		{"US unknown zone, 07:00 in Honolulu defers to 08:00 Honolulu", with(usUnknown), "marketing",
			utc("2025-07-15 17:00:00"), Defer, utc("2025-07-15 18:00:00"), []string{"quiet_hours"}},
		{"US unknown zone, 08:00 Honolulu is allowed", with(usUnknown), "marketing", utc("2025-07-15 18:00:00"), Allow, time.Time{}, nil},
		{"US unknown zone, 20:59 New York is allowed", with(usUnknown), "marketing", utc("2025-07-16 00:59:00"), Allow, time.Time{}, nil},
		{"US unknown zone, 21:00 New York defers to 08:00 Honolulu", with(usUnknown), "marketing",
			utc("2025-07-16 01:00:00"), Defer, utc("2025-07-16 18:00:00"), []string{"quiet_hours"}},
		// Winter: EST is UTC-5: allowed 18:00-02:00 UTC.
		{"US unknown zone in winter, 20:30 New York is allowed", with(usUnknown), "marketing",
			utc("2025-01-16 01:30:00"), Allow, time.Time{}, nil},
		{"US unknown zone in winter, 21:00 New York defers", with(usUnknown), "marketing",
			utc("2025-01-16 02:00:00"), Defer, utc("2025-01-16 18:00:00"), []string{"quiet_hours"}},
		{"US known zone, 21:30 New York defers to 08:00 New York", with(nyc), "marketing",
			in("America/New_York", "2025-07-15 21:30:00"), Defer, utc("2025-07-16 12:00:00"), []string{"quiet_hours"}},
		{"US known zone, 20:59 New York is allowed", with(nyc), "marketing",
			in("America/New_York", "2025-07-15 20:59:00"), Allow, time.Time{}, nil},
		// DST: on 9 March 2025 New York jumps from EST to EDT at 02:00, so
		// the next 08:00 is 12:00 UTC, not the 13:00 of the night before.
		{"DST spring forward, New York", with(nyc), "marketing", in("America/New_York", "2025-03-08 22:00:00"),
			Defer, utc("2025-03-09 12:00:00"), []string{"quiet_hours"}},
		{"DST spring forward, 01:30 EST", with(nyc), "marketing", utc("2025-03-09 06:30:00"),
			Defer, utc("2025-03-09 12:00:00"), []string{"quiet_hours"}},
		{"DST fall back, New York", with(nyc), "marketing", in("America/New_York", "2025-11-01 22:00:00"),
			Defer, utc("2025-11-02 13:00:00"), []string{"quiet_hours"}},

		{"two sent in 7 days is under the cap", with(func(r *Recipient) { r.Sent = [MaxCaps]uint16{2, 2} }), "marketing", noon, Allow, time.Time{}, nil},
		{"three sent in 7 days reaches the cap", with(func(r *Recipient) { r.Sent = [MaxCaps]uint16{3, 3} }), "marketing", noon,
			Suppress, time.Time{}, []string{"cap_7d"}},
		{"four in 30 days reaches the monthly cap", with(func(r *Recipient) { r.Sent = [MaxCaps]uint16{1, 4} }), "promotions", noon,
			Suppress, time.Time{}, []string{"cap_30d"}},
		{"caps do not count transactional", with(func(r *Recipient) { r.Sent = [MaxCaps]uint16{9, 9} }), "order", noon, Allow, time.Time{}, nil},

		{"consent missing", with(func(r *Recipient) { r.Consent = ConsentUnknown }), "marketing", noon, Suppress, time.Time{}, []string{"consent_missing"}},
		{"consent pending", with(func(r *Recipient) { r.Consent = ConsentPending }), "marketing", noon, Suppress, time.Time{}, []string{"consent_pending"}},
		{"consent without time", with(func(r *Recipient) { r.ConsentAt = 0 }), "marketing", noon, Suppress, time.Time{}, []string{"consent_unproven"}},
		{"consent without source", with(func(r *Recipient) { r.ConsentSourced = false }), "marketing", noon, Suppress, time.Time{}, []string{"consent_unproven"}},

		{"marketing opt-out stops marketing", with(func(r *Recipient) { r.Suppressed = SuppressedOptedOut }), "marketing", noon,
			Suppress, time.Time{}, []string{"suppressed_opted_out"}},
		{"transactional passes a marketing opt-out, at night too",
			with(func(r *Recipient) { r.Consent, r.Suppressed = ConsentOptedOut, SuppressedOptedOut|SuppressedComplaint }),
			"order", in("Asia/Shanghai", "2025-06-01 23:30:00"), Allow, time.Time{}, nil},
		{"transactional stops at an invalid number", with(func(r *Recipient) { r.Suppressed = SuppressedInvalidNumber | SuppressedOptedOut }),
			"logistics", noon, Suppress, time.Time{}, []string{"suppressed_invalid_number"}},
		{"a manual block stops staff messages", with(func(r *Recipient) { r.Suppressed = SuppressedManual }), "staff", noon,
			Suppress, time.Time{}, []string{"suppressed_manual"}},
		{"staff ignores consent and opt-out", with(func(r *Recipient) { r.Consent, r.Suppressed = ConsentUnknown, SuppressedOptedOut }),
			"staff", noon, Allow, time.Time{}, nil},

		{"refused promotions", with(func(r *Recipient) { r.Refused = 1 << 5 }), "promotions", noon, Suppress, time.Time{}, []string{"preference_refused"}},
		{"refused promotions still gets order updates", with(func(r *Recipient) { r.Refused = 1 << 5 }), "order", noon, Allow, time.Time{}, nil},

		{"181 days without interaction", with(func(r *Recipient) { r.LastInteraction = noon.Unix() - 181*86400 }), "marketing", noon,
			Suppress, time.Time{}, []string{"inactive"}},
		{"exactly 180 days is still active", with(func(r *Recipient) { r.LastInteraction = noon.Unix() - 180*86400 }), "marketing", noon, Allow, time.Time{}, nil},
		{"no interaction recorded", with(func(r *Recipient) { r.LastInteraction = 0 }), "marketing", noon, Suppress, time.Time{}, []string{"inactive"}},

		{"unknown category", ready(t), "flyers", noon, Suppress, time.Time{}, []string{"unknown_category"}},
		{"suppress wins over defer and lists both", with(func(r *Recipient) { r.Consent = ConsentUnknown }), "marketing",
			in("Asia/Shanghai", "2025-06-01 22:00:00"), Suppress, time.Time{}, []string{"consent_missing", "quiet_hours"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Evaluate(&tc.r, tc.cat, tc.now, rules)
			if d.Verdict != tc.verdict || !d.Until.Equal(tc.until) || !reflect.DeepEqual(d.Codes(), tc.codes) {
				t.Fatalf("got %s until %v codes %q; want %s until %v codes %q",
					d.Verdict, d.Until, d.Codes(), tc.verdict, tc.until, tc.codes)
			}
		})
	}
}

func TestEvaluateGatewayWindowNarrows(t *testing.T) {
	rules := mustRules(t, DefaultConfig())
	r := ready(t)
	gw := Window{9 * 60, 18 * 60}
	d := EvaluateWith(&r, "marketing", in("Asia/Shanghai", "2025-06-01 08:30:00"), rules, &gw)
	if d.Verdict != Defer || !d.Until.Equal(in("Asia/Shanghai", "2025-06-01 09:00:00")) {
		t.Fatalf("got %s until %v", d.Verdict, d.Until)
	}
	// A gateway cannot widen the shop's window: 06:00-23:00 still stops at 20:00.
	wide := Window{6 * 60, 23 * 60}
	d = EvaluateWith(&r, "marketing", in("Asia/Shanghai", "2025-06-01 21:00:00"), rules, &wide)
	if d.Verdict != Defer || !d.Until.Equal(in("Asia/Shanghai", "2025-06-02 08:00:00")) {
		t.Fatalf("got %s until %v", d.Verdict, d.Until)
	}
	// Windows that never meet allow no minute: suppressed, said so.
	night := Window{21 * 60, 22 * 60}
	d = EvaluateWith(&r, "marketing", in("Asia/Shanghai", "2025-06-01 12:00:00"), rules, &night)
	if d.Verdict != Suppress || strings.Join(d.Codes(), ",") != "quiet_hours_no_window" {
		t.Fatalf("got %s %q", d.Verdict, d.Codes())
	}
}

func TestExplainLines(t *testing.T) {
	rules := mustRules(t, DefaultConfig())
	r := ready(t)
	r.Sent = [MaxCaps]uint16{1, 2}
	now := in("Asia/Shanghai", "2025-06-01 21:30:00")
	d, lines := Explain(&r, "marketing", now, rules, nil)
	want := []string{
		"consent pass: opted in at 2025-01-02T03:04:05Z, source recorded",
		"suppression pass: the number is not on the suppression list",
		"preference pass: marketing messages not refused",
		"cap_7d pass: 1 of at most 3 marketing messages queued in the last 7d",
		"cap_30d pass: 2 of at most 4 marketing messages queued in the last 30d",
		"quiet_hours defer quiet_hours: 21:30 Asia/Shanghai outside 08:00-20:00; next allowed 2025-06-02 08:00 Asia/Shanghai",
		"hygiene pass: last interaction 2025-05-20T00:00:00Z, 12 days ago (limit 180d)",
	}
	if d.Verdict != Defer || !reflect.DeepEqual(lines, want) {
		t.Fatalf("verdict %s, lines:\n%s", d.Verdict, strings.Join(lines, "\n"))
	}
	us := Recipient{Country: "US", Suppressed: SuppressedOptedOut}
	_, lines = Explain(&us, "order", utc("2025-07-15 17:00:00"), rules, nil)
	want = []string{
		"consent n/a: transactional messages need no marketing consent",
		"suppression pass: suppressed for marketing only (opted_out); transactional messages still go",
		"preference pass: order messages not refused",
		"cap_7d n/a: the cap counts marketing messages only",
		"cap_30d n/a: the cap counts marketing messages only",
		"quiet_hours n/a: quiet hours do not apply to transactional messages",
		"hygiene n/a: transactional messages are not held back for inactivity",
	}
	if !reflect.DeepEqual(lines, want) {
		t.Fatalf("lines:\n%s", strings.Join(lines, "\n"))
	}
	_, lines = Explain(&us, "marketing", utc("2025-07-15 17:00:00"), rules, nil)
	if got := lines[5]; !strings.HasPrefix(got, "quiet_hours defer quiet_hours: 13:00 America/New_York, 12:00 America/Chicago") ||
		!strings.Contains(got, "07:00 Pacific/Honolulu outside 08:00-21:00 (zone unknown: must hold in all 7 zones of US); next allowed 2025-07-15 14:00 America/New_York") {
		t.Fatalf("US line: %s", got)
	}
}

func TestEvaluateAllocatesNothing(t *testing.T) {
	rules := mustRules(t, DefaultConfig())
	rs := []Recipient{ready(t), ready(t), ready(t)}
	rs[1].Country, rs[1].Location = "US", nil
	rs[2].Sent[0] = 3
	now := in("Asia/Shanghai", "2025-06-01 21:00:00")
	for i := range rs {
		r := &rs[i]
		if n := testing.AllocsPerRun(200, func() { _ = Evaluate(r, "marketing", now, rules) }); n != 0 {
			t.Fatalf("recipient %d: %v allocations per decision", i, n)
		}
	}
}

func TestCompileRejects(t *testing.T) {
	bad := []func(c *Config){
		func(c *Config) { c.Categories = append(c.Categories, CategoryDef{"x", "bulk"}) },
		func(c *Config) { c.Categories = append(c.Categories, CategoryDef{"order", Transactional}) },
		func(c *Config) { c.Caps = append(c.Caps, Cap{Applies: "nothing", Window: Duration(time.Hour), Max: 1}) },
		func(c *Config) {
			c.Caps = append(c.Caps, Cap{Applies: "marketing", Window: Duration(7 * 24 * time.Hour), Max: 1})
		},
		func(c *Config) { c.Quiet.Countries["CN"] = Window{20 * 60, 8 * 60} },
		func(c *Config) { c.Quiet.Zones["XX"] = []string{"Mars/Olympus"} },
		func(c *Config) { c.HardFailures = 0 },
	}
	for i, f := range bad {
		cfg := DefaultConfig()
		f(&cfg)
		if _, err := Compile(cfg); err == nil {
			t.Errorf("case %d: compiled", i)
		}
	}
}

func TestWindowParse(t *testing.T) {
	w, err := ParseWindow("08:00-20:00")
	if err != nil || w != (Window{480, 1200}) || w.String() != "08:00-20:00" {
		t.Fatalf("%v %v", w, err)
	}
	for _, s := range []string{"20:00-08:00", "8-20", "25:00-26:00", "08:00-24:30"} {
		if _, err := ParseWindow(s); err == nil {
			t.Errorf("%q parsed", s)
		}
	}
	if d, err := ParseDuration("7d"); err != nil || time.Duration(d) != 168*time.Hour {
		t.Fatal(d, err)
	}
}

func TestCountSendReachesTheCap(t *testing.T) {
	rules := mustRules(t, DefaultConfig())
	r := ready(t)
	now := in("Asia/Shanghai", "2025-06-01 12:00:00")
	for i := 0; i < 3; i++ {
		if d := Evaluate(&r, "promotions", now, rules); d.Verdict != Allow {
			t.Fatalf("message %d: %s %q", i+1, d.Verdict, d.Codes())
		}
		r.CountSend(rules, "promotions")
	}
	r.CountSend(rules, "order") // counts toward no cap
	if r.Sent != [MaxCaps]uint16{3, 3} {
		t.Fatalf("sent %v", r.Sent)
	}
	if d := Evaluate(&r, "marketing", now, rules); d.Verdict != Suppress || d.Codes()[0] != "cap_7d" {
		t.Fatalf("fourth: %s %q", d.Verdict, d.Codes())
	}
}
