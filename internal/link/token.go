package link

import (
	"crypto/rand"
)

// tokenAlphabet is the 62 ASCII letters and digits: safe in a URL without
// escaping. Links in SMS are tapped rather than retyped, so look-alikes
// (0/O, 1/l) need not be avoided. 62 symbols give 47.6 bits in 8
// characters: with a million live links, a guess hits one about once in
// 2*10^8 tries.
const tokenAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newToken returns n random characters of tokenAlphabet, without modulo
// bias (bytes of 248 and above are drawn again).
func newToken(n int) string {
	out := make([]byte, 0, n)
	var buf [32]byte
	for len(out) < n {
		rand.Read(buf[:]) // never fails on supported platforms
		for _, b := range buf {
			if b < 248 && len(out) < n {
				out = append(out, tokenAlphabet[b%62])
			}
		}
	}
	return string(out)
}

// validToken says whether s could be a token, so that junk paths never
// reach the store.
func validToken(s string) bool {
	if len(s) < 6 || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}
