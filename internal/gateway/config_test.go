package gateway

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestParseURL(t *testing.T) {
	c, err := ParseURL("cmcc", "smpp://sys:pw@10.0.0.1:2775?bind=transceiver&window=256&rate=500&price=0.035"+
		"&carriers=china_mobile&prefixes=%2B86&categories=marketing,order&priority=5&resend=1&failover_after=1m&attempts=4&log=all")
	if err != nil {
		t.Fatal(err)
	}
	if c.Scheme != "smpp" || c.Window != 256 || c.Rate != 500 || c.Price != 3500 || c.Priority != 5 || !c.Resend ||
		c.FailoverAfter != time.Minute || c.MaxAttempts != 4 || c.LogMode != "all" ||
		strings.Join(c.Carriers, ",") != "china_mobile" || strings.Join(c.Prefixes, ",") != "+86" ||
		strings.Join(c.Categories, ",") != "marketing,order" {
		t.Fatalf("%+v", c)
	}
	// The gateway kind sees only its own parameters.
	if c.URL.RawQuery != "bind=transceiver" || c.URL.User.Username() != "sys" {
		t.Fatalf("own URL %s", c.URL)
	}
	if got := c.Redacted(); strings.Contains(got, "pw") || !strings.Contains(got, "sys:***@10.0.0.1:2775") {
		t.Fatalf("redacted %s", got)
	}
	d, _ := ParseURL("d", "sim://")
	if d.Window != DefaultWindow || d.Priority != DefaultPriority || d.MaxAttempts != DefaultMaxAttempts || d.LogMode != "sample" || d.Price != 0 {
		t.Fatalf("defaults %+v", d)
	}
	for _, bad := range []struct{ name, url, want string }{
		{"Bad Name", "sim://", "name"},
		{"g", "no-scheme", "scheme"},
		{"g", "sim://?window=0", "window"},
		{"g", "sim://?price=abc", "price"},
		{"g", "sim://?price=0.123456", "price"},
		{"g", "sim://?prefixes=86", "prefixes"},
		{"g", "sim://?log=verbose", "log"},
		{"g", "http://[::1", "missing ']'"},
	} {
		if _, err := ParseURL(bad.name, bad.url); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s %s: %v", bad.name, bad.url, err)
		}
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://acct:topsecret@api.example.com/send?token=abc&x=1": "https://acct:***@api.example.com/send?token=***&x=1",
		"sim://?seed=1":                         "sim://?seed=1",
		"http://h/p?apikey=k&signature=s&sid=9": "http://h/p?apikey=***&sid=9&signature=***",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestMilliFen(t *testing.T) {
	for in, want := range map[string]int64{"0.035": 3500, "1": 100000, ".5": 50000, "0.00001": 1, "12.3": 1230000} {
		got, err := parseYuanMilliFen(in)
		if err != nil || got != want {
			t.Errorf("%s: %d %v", in, got, err)
		}
	}
	for in, want := range map[int64]string{3500: "0.035", 100000: "1", 1: "0.00001", 1230000: "12.3", 0: "0"} {
		if got := FormatMilliFen(in); got != want {
			t.Errorf("FormatMilliFen(%d) = %s, want %s", in, got, want)
		}
	}
}

func TestServes(t *testing.T) {
	c, _ := ParseURL("g", "sim://?carriers=china_mobile,china_unicom&prefixes=%2B86&categories=marketing")
	for _, tc := range []struct {
		to, carrier, cat string
		want             bool
	}{
		{"+8613800000000", "china_mobile", "marketing", true},
		{"+8613300000000", "china_telecom", "marketing", false},
		{"+8613800000000", "china_mobile", "order", false},
		{"+85291234567", "", "marketing", false},
	} {
		if got := c.Serves(tc.to, tc.carrier, tc.cat); got != tc.want {
			t.Errorf("%+v: %v", tc, got)
		}
	}
	all, _ := ParseURL("all", "sim://")
	if !all.Serves("+14155550100", "", "staff") {
		t.Error("a gateway without filters serves everything")
	}
}

func TestMasking(t *testing.T) {
	for in, want := range map[string]string{
		`dst="8613812345678" src="10690001"`: `dst="138****5678" src="106*0001"`,
		"to=+8613812345678 parts=2":          "to=138****5678 parts=2",
		"order 123456 total 99":              "order 123456 total 99",
	} {
		if got := MaskDigits(in); got != want {
			t.Errorf("MaskDigits(%q) = %q, want %q", in, got, want)
		}
	}
	if got := string(MaskBytes([]byte("\x008613812345678\x00hello 1234567"))); got != "\x0086138****5678\x00hello 1234567" {
		t.Errorf("MaskBytes: %q", got)
	}
}

type nopGateway struct{}

func (nopGateway) Submit(ctx context.Context, m Message) ([]string, error) { return nil, nil }
func (nopGateway) Status() Status                                          { return Status{Up: true} }
func (nopGateway) Close() error                                            { return nil }

func TestRegistry(t *testing.T) {
	k := Kind{Name: "nop", Schemes: []string{"nop"}, New: func(ctx context.Context, cfg Config, deps Deps) (Gateway, error) {
		if deps.Sink == nil || deps.Trace == nil || deps.Clock == nil || deps.Log == nil {
			t.Error("deps not filled")
		}
		return nopGateway{}, nil
	}}
	if _, err := NewRegistry(k, Kind{Name: "again", Schemes: []string{"nop"}}); err == nil {
		t.Fatal("two kinds for one scheme")
	}
	r, err := NewRegistry(k)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Check("g", "smpp://a:b@h:1"); err == nil || !strings.Contains(err.Error(), "unknown scheme smpp:// (known: nop)") {
		t.Fatalf("%v", err)
	}
	cfg, err := r.Check("g", "nop://x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Build(context.Background(), cfg, Deps{}); err != nil {
		t.Fatal(err)
	}
}
