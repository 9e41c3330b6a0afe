package pii

// IPKey returns a 32-byte key for keyed hashes of IP addresses (link
// clicks), derived from the current master key. An IP address is personal
// data: nudge stores only HMAC(IPKey, address), which lets reports tell
// repeated clicks from one address apart without keeping the address, and
// which nobody without the master key can test guesses against.
//
// The key is derived from the blind-index key with its own label, so it is
// independent of every other working key. A key rotation changes it: hashes
// made before and after a rotation do not match, which only matters for
// clicks that straddle it.
func (kr *Keyring) IPKey() []byte {
	k := kr.Current()
	return k.mac(macIndex, "nudge ip hash key v1")
}
