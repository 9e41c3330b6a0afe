package sms

// Pack7 packs septets into octets as GSM 03.38 §6.1.2.1.1 prescribes: the
// first septet in the low bits of the first octet, each following septet
// continuing where the previous one ended. fillBits zero bits come first,
// so that septets start on a septet boundary after a user data header
// (a 6-octet concatenation header needs 1 fill bit). Bits of the septets
// above the seventh are ignored.
func Pack7(septets []byte, fillBits int) []byte {
	if fillBits < 0 {
		fillBits = 0
	}
	total := fillBits + 7*len(septets)
	out := make([]byte, (total+7)/8)
	bit := fillBits
	for _, s := range septets {
		v := uint16(s&0x7F) << (bit % 8)
		out[bit/8] |= byte(v)
		if hi := byte(v >> 8); hi != 0 {
			out[bit/8+1] |= hi
		}
		bit += 7
	}
	return out
}

// Unpack7 reads count septets from packed, skipping fillBits leading bits.
// The count matters: when 7 padding bits end the last octet, they would
// otherwise read as a trailing '@'. A negative count takes as many whole
// septets as the octets hold. Septets that the octets cannot hold are not
// invented: the result is then shorter than count.
func Unpack7(packed []byte, fillBits, count int) []byte {
	if fillBits < 0 {
		fillBits = 0
	}
	avail := (8*len(packed) - fillBits) / 7
	if avail < 0 {
		avail = 0
	}
	if count < 0 || count > avail {
		count = avail
	}
	out := make([]byte, count)
	bit := fillBits
	for i := range out {
		v := uint16(packed[bit/8])
		if bit/8+1 < len(packed) {
			v |= uint16(packed[bit/8+1]) << 8
		}
		out[i] = byte(v>>(bit%8)) & 0x7F
		bit += 7
	}
	return out
}
