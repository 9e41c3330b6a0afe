package sms

// Per-message capacities. A single message holds 140 octets of user data:
// 160 septets or 70 UTF-16 units. A part of a concatenated message gives 6
// octets to the concatenation header (IEI 0x00, 8-bit reference), leaving
// 153 septets (with one fill bit) or 67 units.
const (
	GSM7Single = 160
	GSM7Part   = 153
	UCS2Single = 70
	UCS2Part   = 67
)

// Count is what a text costs: its encoding, the number of billed segments,
// the total units (septets for GSM-7, escapes included; UTF-16 code units for
// UCS-2) and how many units one segment holds.
type Count struct {
	Encoding   Encoding `json:"encoding"`
	Segments   int      `json:"segments"`
	Units      int      `json:"units"`
	PerSegment int      `json:"per_segment"`
}

// CountText counts text as a carrier bills it. PerSegment is 160 (GSM-7) or
// 70 (UCS-2) when the text fits one message, 153 or 67 when it is split.
// Segments always equals the number of parts Split returns, so an escape or
// surrogate pair pushed to the next part is counted. The empty text costs
// nothing: zero segments, GSM-7, 160 per segment.
func CountText(text string) Count {
	enc, units := measure(text)
	c := Count{Encoding: enc, Units: units, PerSegment: GSM7Single}
	single, part := GSM7Single, GSM7Part
	if enc == UCS2 {
		single, part = UCS2Single, UCS2Part
		c.PerSegment = UCS2Single
	}
	switch {
	case units == 0:
		c.Segments = 0
	case units <= single:
		c.Segments = 1
	default:
		c.Segments = countParts(text, enc, part)
		c.PerSegment = part
	}
	return c
}

// measure picks the encoding (GSM-7 when every character allows it) and
// returns the total units in that encoding.
func measure(text string) (Encoding, int) {
	n := 0
	for _, r := range text {
		s := septets(r)
		if s == 0 {
			return UCS2, ucs2Len(text)
		}
		n += s
	}
	return GSM7, n
}

func ucs2Len(text string) int {
	n := 0
	for _, r := range text {
		n += ucs2Units(r)
	}
	return n
}
