// Package pii seals personal data before it reaches a store and masks it
// before it reaches a screen or a log.
//
// A master key (32 random bytes) yields, through HKDF-SM3, three working keys:
// an SM4 key for SM4-GCM sealing (GB/T 32907), a key for the blind index
// (HMAC-SM3 of a normalised value, used for lookup and dedup without
// decrypting), and a key for row fingerprints (to tell whether an imported row
// changed without comparing ciphertexts). Several master keys can be loaded at
// once: the newest seals, all of them open, which is what makes rotation
// resumable.
package pii

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"
)

// MasterKeySize is the length of a master key in bytes.
const MasterKeySize = 32

// KeyFileName is the key file created in the data directory on first start.
const KeyFileName = "master.key"

// Key is one master key and the working keys derived from it.
type Key struct {
	// ID names the key in sealed values and in the pii_key column: the first
	// four bytes of SM3(master), hex encoded. It reveals nothing usable.
	ID       string
	idBytes  [4]byte
	aead     cipher.AEAD
	indexKey []byte
	printKey []byte

	poolsOnce sync.Once
	pools     [2]sync.Pool // HMAC states keyed with indexKey and printKey
}

// Keyring holds the loaded master keys. The last one is current: it seals new
// values and computes blind indexes; the others only open old values.
type Keyring struct {
	keys []*Key
	byID map[[4]byte]*Key
}

// NewKey derives the working keys from a master key.
func NewKey(master []byte) (*Key, error) {
	if len(master) != MasterKeySize {
		return nil, fmt.Errorf("pii: master key must be %d bytes, got %d", MasterKeySize, len(master))
	}
	sum := sm3.Sum(master)
	k := &Key{ID: hex.EncodeToString(sum[:4])}
	copy(k.idBytes[:], sum[:4])
	derive := func(info string, n int) []byte {
		out, err := hkdf.Key(sm3.New, master, nil, info, n)
		if err != nil {
			panic(err) // only fails for absurd lengths, which are constants here
		}
		return out
	}
	block, err := sm4.NewCipher(derive("nudge seal sm4-gcm v1", 16))
	if err != nil {
		return nil, err
	}
	if k.aead, err = cipher.NewGCM(block); err != nil {
		return nil, err
	}
	k.indexKey = derive("nudge blind index hmac-sm3 v1", 32)
	k.printKey = derive("nudge row fingerprint hmac-sm3 v1", 32)
	return k, nil
}

// NewKeyring builds a keyring from master keys, oldest first.
func NewKeyring(masters ...[]byte) (*Keyring, error) {
	if len(masters) == 0 {
		return nil, errors.New("pii: no master key")
	}
	kr := &Keyring{byID: map[[4]byte]*Key{}}
	for _, m := range masters {
		k, err := NewKey(m)
		if err != nil {
			return nil, err
		}
		if _, dup := kr.byID[k.idBytes]; dup {
			continue
		}
		kr.keys = append(kr.keys, k)
		kr.byID[k.idBytes] = k
	}
	return kr, nil
}

// Current is the key that seals new values.
func (kr *Keyring) Current() *Key { return kr.keys[len(kr.keys)-1] }

// Keys returns every loaded key, oldest first.
func (kr *Keyring) Keys() []*Key { return kr.keys }

// GenerateMasterKey returns 32 fresh random bytes.
func GenerateMasterKey() []byte {
	b := make([]byte, MasterKeySize)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return b
}

// ParseMasterKeys reads master keys written as hex, one per line or separated
// by commas, oldest first. Blank lines and lines starting with # are ignored.
func ParseMasterKeys(text string) ([][]byte, error) {
	var out [][]byte
	fields := strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ',' || r == '\r' })
	for i, f := range fields {
		f = strings.TrimSpace(f)
		if f == "" || strings.HasPrefix(f, "#") {
			continue
		}
		b, err := hex.DecodeString(f)
		if err != nil || len(b) != MasterKeySize {
			return nil, fmt.Errorf("pii: master key %d is not %d bytes of hex", i+1, MasterKeySize)
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		return nil, errors.New("pii: no master key found")
	}
	return out, nil
}

// LoadKeyring loads the master keys from env (the value of NUDGE_MASTER_KEY)
// when it is set, else from the key file in dataDir, creating that file with
// a fresh key and 0600 permissions when it does not exist.
func LoadKeyring(env, dataDir string) (*Keyring, error) {
	if strings.TrimSpace(env) != "" {
		masters, err := ParseMasterKeys(env)
		if err != nil {
			return nil, fmt.Errorf("NUDGE_MASTER_KEY: %w", err)
		}
		return NewKeyring(masters...)
	}
	path := filepath.Join(dataDir, KeyFileName)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, err
		}
		data = []byte(hex.EncodeToString(GenerateMasterKey()) + "\n")
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("pii: create key file: %w", err)
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			return nil, err
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, fmt.Errorf("pii: read key file: %w", err)
	}
	masters, err := ParseMasterKeys(string(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return NewKeyring(masters...)
}

// AppendKeyFile adds a new master key to the key file in dataDir, making it
// current for the next start. The file keeps the old keys so that values
// sealed with them can still be opened until rotation has re-sealed them.
func AppendKeyFile(dataDir string) (*Keyring, error) {
	path := filepath.Join(dataDir, KeyFileName)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("pii: open key file: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(GenerateMasterKey()) + "\n"); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return LoadKeyring("", dataDir)
}

func (k *Key) mac(which macKey, parts ...string) []byte {
	pool := k.macPool(which)
	h := pool.Get().(hash.Hash)
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write(separator[:]) // ("ab","c") and ("a","bc") must differ
	}
	sum := h.Sum(make([]byte, 0, sm3.Size))
	h.Reset() // back to the keyed state, which Reset restores without rehashing the key
	pool.Put(h)
	return sum
}

var separator = [1]byte{0}

// macKey names one of a key's derived HMAC keys.
type macKey int

const (
	macIndex macKey = iota // blind indexes (and the IP hash key)
	macPrint               // row fingerprints
)

// macPool keeps keyed HMAC-SM3 states for one of the derived keys: setting
// up HMAC hashes two blocks, as much as the digest of a short value itself,
// and a bulk import computes two digests per row.
func (k *Key) macPool(which macKey) *sync.Pool {
	k.poolsOnce.Do(func() {
		for i, dk := range [...][]byte{macIndex: k.indexKey, macPrint: k.printKey} {
			k.pools[i].New = func() any { return hmac.New(sm3.New, dk) }
		}
	})
	return &k.pools[which]
}
