package pii

import (
	"crypto/rand"
	"errors"
	"fmt"
)

// sealVersion is the first byte of every sealed value, so that the format can
// change without guessing.
const sealVersion = 1

const nonceSize = 12

// headerSize is version (1) + key id (4) + nonce (12).
const headerSize = 1 + 4 + nonceSize

// ErrUnknownKey means a sealed value names a key that is not loaded.
var ErrUnknownKey = errors.New("pii: value sealed with a key that is not loaded")

// Seal encrypts plain with the current key. The field name is bound as
// associated data, so a sealed phone cannot be passed off as a sealed name.
// An empty value seals to nil: absence is not secret and costs nothing.
func (kr *Keyring) Seal(field, plain string) []byte {
	if plain == "" {
		return nil
	}
	k := kr.Current()
	out := make([]byte, headerSize, headerSize+len(plain)+k.aead.Overhead())
	out[0] = sealVersion
	copy(out[1:5], k.idBytes[:])
	if _, err := rand.Read(out[5:headerSize]); err != nil {
		panic(err)
	}
	return k.aead.Seal(out, out[5:headerSize], []byte(plain), []byte(field))
}

// Open decrypts a value produced by Seal with any loaded key.
func (kr *Keyring) Open(field string, sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	if len(sealed) < headerSize || sealed[0] != sealVersion {
		return "", fmt.Errorf("pii: %s: not a sealed value", field)
	}
	var id [4]byte
	copy(id[:], sealed[1:5])
	k, ok := kr.byID[id]
	if !ok {
		return "", fmt.Errorf("%w (%x)", ErrUnknownKey, id)
	}
	plain, err := k.aead.Open(nil, sealed[5:headerSize], sealed[headerSize:], []byte(field))
	if err != nil {
		return "", fmt.Errorf("pii: %s: sealed value fails authentication", field)
	}
	return string(plain), nil
}

// KeyID tells which key sealed a value, or "" if it is not a sealed value.
func KeyID(sealed []byte) string {
	if len(sealed) < headerSize {
		return ""
	}
	const digits = "0123456789abcdef"
	b := make([]byte, 8)
	for i, c := range sealed[1:5] {
		b[2*i], b[2*i+1] = digits[c>>4], digits[c&15]
	}
	return string(b)
}

// IndexSize is the length of a blind index in bytes. Sixteen bytes of
// HMAC-SM3 keep the chance of a collision negligible for any shop's customer
// base while halving the index size.
const IndexSize = 16

// Index computes the blind index of a normalised value with the current key.
func (kr *Keyring) Index(field, normalised string) []byte {
	return kr.Current().Index(field, normalised)
}

// Index computes the blind index of a normalised value with this key.
func (k *Key) Index(field, normalised string) []byte {
	return k.mac(macIndex, field, normalised)[:IndexSize]
}

// IndexAll computes the blind index under every loaded key, newest first.
// Lookups use all of them so that they keep working in the middle of a key
// rotation, when some rows carry the old index and some the new.
func (kr *Keyring) IndexAll(field, normalised string) [][]byte {
	out := make([][]byte, 0, len(kr.keys))
	for i := len(kr.keys) - 1; i >= 0; i-- {
		out = append(out, kr.keys[i].Index(field, normalised))
	}
	return out
}

// Fingerprint is a keyed digest of a row's canonical fields. Stores compare
// fingerprints to skip updates that would change nothing; keying it stops a
// reader of the database from testing guesses against it.
func (kr *Keyring) Fingerprint(parts ...string) []byte {
	k := kr.Current()
	return k.mac(macPrint, parts...)[:IndexSize]
}
