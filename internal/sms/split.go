package sms

// Split cuts text into the parts a concatenated message is sent as. A text
// that fits one message is returned whole. Otherwise each part holds at most
// 153 septets or 67 UTF-16 units, and a boundary never falls between an
// escape and its code or between the two halves of a surrogate pair: the
// whole character moves to the next part, because a handset shows half a
// pair as garbage. The empty text has no parts.
func Split(text string) (Encoding, []string) {
	enc, units := measure(text)
	single, part := GSM7Single, GSM7Part
	if enc == UCS2 {
		single, part = UCS2Single, UCS2Part
	}
	switch {
	case units == 0:
		return enc, nil
	case units <= single:
		return enc, []string{text}
	}
	return enc, splitParts(text, enc, part)
}

// splitParts cuts greedily: a character that does not fit whole in the
// current part starts the next one.
func splitParts(text string, enc Encoding, limit int) []string {
	var parts []string
	start, used := 0, 0
	for off, r := range text {
		cost := ucs2Units(r)
		if enc == GSM7 {
			cost = septets(r)
		}
		if used+cost > limit {
			parts = append(parts, text[start:off])
			start, used = off, 0
		}
		used += cost
	}
	return append(parts, text[start:])
}

// countParts returns len(splitParts(text, enc, limit)) without building
// the parts: CountText runs once per message sent.
func countParts(text string, enc Encoding, limit int) int {
	parts, used := 1, 0
	for _, r := range text {
		cost := ucs2Units(r)
		if enc == GSM7 {
			cost = septets(r)
		}
		if used+cost > limit {
			parts, used = parts+1, 0
		}
		used += cost
	}
	return parts
}
