package demo

import "math/rand/v2"

// mobilePrefixes are the voice mobile ranges of the three big operators and
// China Broadcast, weighted so that the mix of carriers looks like the
// market (China Mobile about three in five, Telecom and Unicom about a fifth
// each, Broadcast a sliver) and the old 13x/15x/18x ranges dominate the
// newer 19x ones. Data-only and IoT ranges are left out: nobody registers
// with them.
var mobilePrefixes = []struct {
	prefix string
	weight uint32
}{
	// China Mobile
	{"134", 30}, {"135", 60}, {"136", 55}, {"137", 50}, {"138", 70}, {"139", 70},
	{"147", 8}, {"150", 35}, {"151", 35}, {"152", 30}, {"157", 20}, {"158", 35},
	{"159", 35}, {"178", 15}, {"182", 25}, {"183", 20}, {"187", 30}, {"188", 25},
	{"195", 5}, {"198", 12},
	// China Unicom
	{"130", 30}, {"131", 30}, {"132", 25}, {"155", 20}, {"156", 22}, {"166", 10},
	{"175", 8}, {"176", 15}, {"185", 25}, {"186", 35},
	// China Telecom
	{"133", 30}, {"153", 25}, {"173", 15}, {"177", 18}, {"180", 25}, {"181", 25},
	{"189", 35}, {"191", 8}, {"199", 20},
	// China Broadcast Network
	{"192", 6},
}

var prefixCum = func() []uint32 {
	w := make([]uint32, len(mobilePrefixes))
	for i, p := range mobilePrefixes {
		w[i] = p.weight
	}
	return cumulative(w)
}()

// maxCustomers is the size of the subscriber-number space the phone
// permutation covers: with more customers than this, numbers would repeat.
const maxCustomers = 100_000_000

// appendPhone writes customer i's eleven-digit mobile number. The last
// eight digits are a keyed permutation of the index, so no two customers of
// a shop share a number (whatever their prefixes), and consecutive
// customers get unrelated-looking numbers.
func appendPhone(b []byte, r *rand.Rand, seed uint64, i int) []byte {
	b = append(b, mobilePrefixes[pick(r, prefixCum)].prefix...)
	return appendPad(b, int64(permute8(seed, uint64(i))), 8)
}

// permute8 is a four-round Feistel network over two base-10,000 halves: each
// round is invertible, so the whole is a bijection on [0, 10^8).
func permute8(seed, x uint64) uint64 {
	const half = 10000
	l, r := x/half, x%half
	for round := range uint64(4) {
		l, r = r, (l+mix(seed^round<<40^r)%half)%half
	}
	return l*half + r
}
