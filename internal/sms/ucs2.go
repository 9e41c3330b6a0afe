package sms

import (
	"fmt"
	"unicode/utf16"
)

// EncodeUCS2 returns text as UTF-16BE, the form SMS calls UCS-2. Characters
// outside the Basic Multilingual Plane (most emoji) become a surrogate pair:
// strict UCS-2 cannot carry them, but every handset and carrier in use
// reads UTF-16, and billing counts them as two units.
func EncodeUCS2(text string) []byte {
	units := utf16.Encode([]rune(text))
	out := make([]byte, 2*len(units))
	for i, u := range units {
		out[2*i] = byte(u >> 8)
		out[2*i+1] = byte(u)
	}
	return out
}

// DecodeUCS2 reads UTF-16BE. An odd number of bytes or a surrogate without
// its partner is an error naming the byte offset, rather than a silent
// U+FFFD, because it usually means a part of a concatenated message was cut
// in the wrong place.
func DecodeUCS2(b []byte) (string, error) {
	if len(b)%2 != 0 {
		return "", fmt.Errorf("sms: UCS-2 data has an odd length %d", len(b))
	}
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	for i := 0; i < len(units); i++ {
		u := units[i]
		switch {
		case u >= 0xD800 && u < 0xDC00:
			if i+1 == len(units) || units[i+1] < 0xDC00 || units[i+1] > 0xDFFF {
				return "", fmt.Errorf("sms: high surrogate 0x%04X at byte %d has no low surrogate", u, 2*i)
			}
			i++
		case u >= 0xDC00 && u <= 0xDFFF:
			return "", fmt.Errorf("sms: low surrogate 0x%04X at byte %d has no high surrogate", u, 2*i)
		}
	}
	return string(utf16.Decode(units)), nil
}

// ucs2Units returns how many UTF-16 code units r takes: 2 outside the BMP.
func ucs2Units(r rune) int {
	if r > 0xFFFF {
		return 2
	}
	return 1
}
