package smpp

import "nudge/internal/sms"

// unpackAfterUDH unpacks GSM-7 septets that follow hdr octets of user data
// header, skipping the fill bits that align them to a septet boundary.
//
// SMPP carries no septet count, so the count is what the octets hold. When
// the last 7 bits are padding they read as septet 0 ('@'); 3GPP 23.038
// 6.1.2.3.1 has senders avoid exactly that ambiguity, and a trailing '@'
// is far rarer than a padded end, so such a final 0 is dropped.
func unpackAfterUDH(ud []byte, hdr int) []byte {
	bits := 8 * hdr
	fill := (7 - bits%7) % 7
	avail := 8*len(ud) - bits - fill
	if avail < 7 {
		return nil
	}
	septets := sms.Unpack7(ud[hdr:], fill, avail/7)
	if avail%7 == 0 && septets[len(septets)-1] == 0 {
		septets = septets[:len(septets)-1]
	}
	return septets
}
