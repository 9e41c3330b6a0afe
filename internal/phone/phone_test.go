package phone

import (
	"errors"
	"testing"
)

func TestNormalize(t *testing.T) {
	cases := []struct {
		in, region, e164 string
		carrier          Carrier
	}{
		{"13812341234", "CN", "+8613812341234", ChinaMobile},
		{"138 1234 1234", "CN", "+8613812341234", ChinaMobile},
		{"138-1234-1234", "CN", "+8613812341234", ChinaMobile},
		{"+86 138 1234 1234", "CN", "+8613812341234", ChinaMobile},
		{"8613012341234", "CN", "+8613012341234", ChinaUnicom},
		{"008618912341234", "CN", "+8618912341234", ChinaTelecom},
		{"13491234567", "CN", "+8613491234567", ChinaTelecom},
		{"13401234567", "CN", "+8613401234567", ChinaMobile},
		{"17051234567", "CN", "+8617051234567", ChinaMobile},
		{"17091234567", "CN", "+8617091234567", ChinaUnicom},
		{"19212341234", "CN", "+8619212341234", ChinaBroadcast},
		// A US mobile-or-fixed number through libphonenumber.
		{"+1 202-555-0143", "CN", "+12025550143", ""},
		{"(202) 555-0143", "US", "+12025550143", ""},
		// Hong Kong mobile.
		{"+852 5123 4567", "CN", "+85251234567", ""},
	}
	for _, c := range cases {
		n, err := Normalize(c.in, c.region)
		if err != nil {
			t.Errorf("Normalize(%q): %v", c.in, err)
			continue
		}
		if n.E164 != c.e164 || n.Carrier != c.carrier {
			t.Errorf("Normalize(%q) = %+v, want %s %s", c.in, n, c.e164, c.carrier)
		}
	}
}

func TestNormalizeRejects(t *testing.T) {
	for in, reason := range map[string]string{
		"":             "empty",
		"hello":        "not a phone number",
		"1381234123":   "no such number (wrong length or prefix)",
		"10012341234":  "no such number (wrong length or prefix)",
		"010 62345678": "not a mobile number", // a Beijing fixed line
	} {
		_, err := Normalize(in, "CN")
		var pe *Error
		if !errors.As(err, &pe) || pe.Reason != reason {
			t.Errorf("Normalize(%q) error = %v, want reason %q", in, err, reason)
		}
	}
}

func BenchmarkNormalizeCN(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := Normalize("13812341234", "CN"); err != nil {
			b.Fatal(err)
		}
	}
}
