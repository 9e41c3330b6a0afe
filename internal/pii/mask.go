package pii

import "strings"

// MaskPhone shows a phone number the way Chinese apps do: the first three and
// last four digits of the national number, the middle as asterisks
// (138****1234). It accepts E.164 (+8613812341234) or national digits.
// Anything too short to mask safely becomes all asterisks.
func MaskPhone(phone string) string {
	digits := make([]byte, 0, len(phone))
	for i := 0; i < len(phone); i++ {
		if c := phone[i]; c >= '0' && c <= '9' {
			digits = append(digits, c)
		}
	}
	national := string(digits)
	if strings.HasPrefix(phone, "+86") || (strings.HasPrefix(national, "86") && len(national) == 13) {
		national = national[2:]
	} else if strings.HasPrefix(phone, "+") && len(national) > 10 {
		// Other countries: drop the country code as best we can by keeping
		// the last ten digits, which is the national number for NANP and
		// close enough for masking elsewhere.
		national = national[len(national)-10:]
	}
	if len(national) < 8 {
		return strings.Repeat("*", len(national))
	}
	return national[:3] + strings.Repeat("*", len(national)-7) + national[len(national)-4:]
}

// MaskName keeps the first character of a name (the surname, for Chinese
// names; the initial for Western ones) and hides the rest: 王** / J***.
func MaskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	if len(r) == 0 {
		return ""
	}
	if len(r) == 1 {
		return "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-1)
}
