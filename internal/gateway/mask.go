package gateway

import (
	"encoding/hex"

	"nudge/internal/pii"
)

// minPhoneDigits is the shortest run of digits treated as a phone number
// when masking logs. Seven catches national numbers everywhere; it also
// masks long order numbers, which costs an operator little.
const minPhoneDigits = 7

// MaskDigits masks every run of seven or more digits (with an optional
// leading +) the way pii.MaskPhone does, so that an interaction log line
// never shows a whole number: "dst=8613812341234" becomes "dst=138****1234".
func MaskDigits(s string) string {
	b := []byte(s)
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		j := i
		if b[j] == '+' {
			j++
		}
		k := j
		for k < len(b) && b[k] >= '0' && b[k] <= '9' {
			k++
		}
		if k-j >= minPhoneDigits {
			out = append(out, pii.MaskPhone(string(b[i:k]))...)
			i = k
			continue
		}
		if k == i {
			k = i + 1
		}
		out = append(out, b[i:k]...)
		i = k
	}
	return string(out)
}

// MaskBytes overwrites the middle of every run of seven or more ASCII
// digits in b with '*', keeping the first three (five after a leading 86
// country code) and the last four, and keeps the length: it is for raw
// PDUs, whose field lengths must not move.
func MaskBytes(b []byte) []byte {
	out := append([]byte(nil), b...)
	for i := 0; i < len(out); {
		j := i
		for j < len(out) && out[j] >= '0' && out[j] <= '9' {
			j++
		}
		if j-i >= minPhoneDigits {
			// Keep what 138****1234 keeps of a national number: with the
			// Chinese country code in front, that is five digits.
			keep := 3
			if j-i == 13 && out[i] == '8' && out[i+1] == '6' {
				keep = 5
			}
			for k := i + keep; k < j-4; k++ {
				out[k] = '*'
			}
		}
		if j == i {
			j++
		}
		i = j
	}
	return out
}

// MaskHex applies MaskBytes to hex-encoded bytes.
func MaskHex(h string) string {
	b, err := hex.DecodeString(h)
	if err != nil {
		return "(undecodable)"
	}
	return hex.EncodeToString(MaskBytes(b))
}
