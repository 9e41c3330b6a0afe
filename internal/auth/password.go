package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters for new hashes. They follow the OWASP password storage
// recommendation (19 MiB, 2 passes, 1 lane): about 30 ms on this project's
// 2-core machine, slow enough to make offline guessing expensive and fast
// enough that a login does not stall the console. They are written into
// every hash, so raising them later does not invalidate stored passwords.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// MinPasswordLength is the shortest password AddUser accepts, in characters.
const MinPasswordLength = 8

// maxPasswordLength bounds the input to the KDF so that a huge form field
// cannot be used to burn CPU.
const maxPasswordLength = 1024

var b64 = base64.RawStdEncoding

// hashPassword returns the PHC string form of an argon2id hash of password
// with a fresh random salt:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func hashPassword(password string) string {
	salt := make([]byte, argonSaltLen)
	rand.Read(salt) // crypto/rand.Read never fails on supported platforms
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// argonHash is a parsed PHC argon2id string.
type argonHash struct {
	memory  uint32
	time    uint32
	threads uint8
	salt    []byte
	key     []byte
}

func parseHash(s string) (argonHash, error) {
	var h argonHash
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return h, errors.New("auth: not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return h, fmt.Errorf("auth: unsupported argon2 version %q", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.memory, &h.time, &h.threads); err != nil {
		return h, fmt.Errorf("auth: bad argon2 parameters %q", parts[3])
	}
	if h.memory == 0 || h.time == 0 || h.threads == 0 {
		return h, fmt.Errorf("auth: bad argon2 parameters %q", parts[3])
	}
	var err error
	if h.salt, err = b64.DecodeString(parts[4]); err != nil {
		return h, errors.New("auth: bad argon2 salt")
	}
	if h.key, err = b64.DecodeString(parts[5]); err != nil || len(h.key) == 0 {
		return h, errors.New("auth: bad argon2 key")
	}
	return h, nil
}

// checkPassword reports whether password matches the stored hash, comparing
// in constant time. It recomputes with the parameters stored in the hash.
func checkPassword(stored, password string) (bool, error) {
	h, err := parseHash(stored)
	if err != nil {
		return false, err
	}
	key := argon2.IDKey([]byte(password), h.salt, h.time, h.memory, h.threads, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(key, h.key) == 1, nil
}
