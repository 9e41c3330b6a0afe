package sms

import (
	"fmt"
	"strings"
)

// Encoding names the data coding of a message as carriers bill it.
type Encoding string

const (
	// GSM7 is the GSM 03.38 default alphabet with its extension table,
	// one septet per character (two for extension characters).
	GSM7 Encoding = "GSM-7"
	// UCS2 is UTF-16BE; characters outside the BMP take a surrogate pair.
	UCS2 Encoding = "UCS-2"
)

// esc is the escape septet that announces a character from the extension table.
const esc = 0x1B

// gsmDefault is the GSM 03.38 default alphabet (3GPP TS 23.038 §6.2.1),
// indexed by septet value. Position 0x1B is the escape to the extension
// table and never stands for a character of its own; 0x09 is the capital
// C-cedilla as the 3GPP table prints it (see gsm7Index for the small one).
const gsmDefault = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmExtension maps each character of the extension table (3GPP TS 23.038
// §6.2.1.1) to the code that follows the escape septet.
var gsmExtension = map[rune]byte{
	'\f': 0x0A, '^': 0x14, '{': 0x28, '}': 0x29, '\\': 0x2F,
	'[': 0x3C, '~': 0x3D, ']': 0x3E, '|': 0x40, '€': 0x65,
}

// gsmIndex maps a default-alphabet character to its septet. It is built once
// from gsmDefault and only read afterwards.
var gsmIndex = func() map[rune]byte {
	m := make(map[rune]byte, 128)
	for i, r := range []rune(gsmDefault) {
		if i == esc {
			continue
		}
		m[r] = byte(i)
	}
	return m
}()

// gsmExtensionDecode is the inverse of gsmExtension.
var gsmExtensionDecode = func() map[byte]rune {
	m := make(map[byte]rune, len(gsmExtension))
	for r, c := range gsmExtension {
		m[c] = r
	}
	return m
}()

// septets returns how many septets r costs in GSM-7: 1 for the default
// alphabet, 2 for the extension table (escape + code), 0 when r cannot be
// written in GSM-7 at all.
func septets(r rune) int {
	if r >= 0 && r < 128 {
		return int(asciiSeptets[r])
	}
	return septetsOf(r)
}

// asciiSeptets is septets for ASCII, the bulk of Latin copy, read from a
// table instead of two map lookups per character.
var asciiSeptets = func() (t [128]uint8) {
	for r := range t {
		t[r] = uint8(septetsOf(rune(r)))
	}
	return t
}()

// septetsOf is septets from the alphabet's maps.
func septetsOf(r rune) int {
	if _, ok := gsmIndex[r]; ok {
		return 1
	}
	if _, ok := gsmExtension[r]; ok {
		return 2
	}
	return 0
}

// IsGSM7 reports whether every character of text is in the GSM 03.38 default
// alphabet or its extension table.
func IsGSM7(text string) bool {
	for _, r := range text {
		if septets(r) == 0 {
			return false
		}
	}
	return true
}

// CharError reports a character that the GSM-7 alphabet cannot carry.
type CharError struct {
	Char   rune // the offending character
	Index  int  // its position in runes from the start of the text
	Offset int  // its position in bytes from the start of the text
}

func (e *CharError) Error() string {
	return fmt.Sprintf("sms: %q (U+%04X) at character %d (byte %d) is not in the GSM 03.38 alphabet",
		e.Char, e.Char, e.Index, e.Offset)
}

// EncodeGSM7 returns one byte per septet (unpacked): default-alphabet
// characters as their code, extension characters as 0x1B followed by their
// code. The first character outside the alphabet stops the encoding with a
// *CharError naming it and its position.
func EncodeGSM7(text string) ([]byte, error) {
	out := make([]byte, 0, len(text))
	i := 0
	for off, r := range text {
		if c, ok := gsmIndex[r]; ok {
			out = append(out, c)
		} else if c, ok := gsmExtension[r]; ok {
			out = append(out, esc, c)
		} else {
			return nil, &CharError{Char: r, Index: i, Offset: off}
		}
		i++
	}
	return out, nil
}

// DecodeGSM7 turns unpacked septets back into text. Following 3GPP TS 23.038
// §6.2.1.1, an escape followed by a code the extension table does not define
// reads as the default-alphabet character for that code, and a double escape
// (reserved for a future table) reads as a space. A septet above 0x7F or an
// escape with nothing after it is an error.
func DecodeGSM7(septets []byte) (string, error) {
	def := []rune(gsmDefault)
	var b strings.Builder
	b.Grow(len(septets))
	for i := 0; i < len(septets); i++ {
		c := septets[i]
		if c > 0x7F {
			return "", fmt.Errorf("sms: septet 0x%02X at %d is out of the 7-bit range", c, i)
		}
		if c != esc {
			b.WriteRune(def[c])
			continue
		}
		if i+1 == len(septets) {
			return "", fmt.Errorf("sms: escape septet at %d ends the text without a code", i)
		}
		i++
		next := septets[i]
		switch r, ok := gsmExtensionDecode[next]; {
		case ok:
			b.WriteRune(r)
		case next == esc:
			b.WriteByte(' ')
		case next > 0x7F:
			return "", fmt.Errorf("sms: septet 0x%02X at %d is out of the 7-bit range", next, i)
		default:
			b.WriteRune(def[next])
		}
	}
	return b.String(), nil
}
