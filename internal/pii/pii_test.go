package pii

import (
	"bytes"
	"crypto/hmac"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/emmansun/gmsm/sm3"
)

func testKeyring(t *testing.T, masters ...string) *Keyring {
	t.Helper()
	var ms [][]byte
	for _, m := range masters {
		b, err := hex.DecodeString(m)
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, b)
	}
	kr, err := NewKeyring(ms...)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

const (
	keyA = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	keyB = "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100"
)

func TestSealOpenRoundTripAndNoPlaintext(t *testing.T) {
	kr := testKeyring(t, keyA)
	sealed := kr.Seal("phone", "+8613812341234")
	if bytes.Contains(sealed, []byte("13812341234")) {
		t.Fatal("sealed value contains the plaintext")
	}
	if len(sealed) != headerSize+len("+8613812341234")+16 {
		t.Fatalf("sealed length %d", len(sealed))
	}
	got, err := kr.Open("phone", sealed)
	if err != nil || got != "+8613812341234" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	// The field is bound: a phone cannot be opened as a name.
	if _, err := kr.Open("name", sealed); err == nil {
		t.Fatal("opened a phone as a name")
	}
	// Two seals of the same value differ (random nonce).
	if bytes.Equal(sealed, kr.Seal("phone", "+8613812341234")) {
		t.Fatal("sealing is deterministic")
	}
	// Tampering is detected.
	sealed[len(sealed)-1] ^= 1
	if _, err := kr.Open("phone", sealed); err == nil {
		t.Fatal("tampered value opened")
	}
	if s := kr.Seal("name", ""); s != nil {
		t.Fatalf("empty value sealed to %x", s)
	}
}

func TestRotationKeyringOpensOldAndSealsNew(t *testing.T) {
	old := testKeyring(t, keyA)
	both := testKeyring(t, keyA, keyB)
	sealed := old.Seal("name", "王小明")
	if got, err := both.Open("name", sealed); err != nil || got != "王小明" {
		t.Fatalf("new keyring cannot open old value: %q %v", got, err)
	}
	if KeyID(both.Seal("name", "x")) != both.Current().ID || both.Current().ID == old.Current().ID {
		t.Fatal("new keyring does not seal with the newest key")
	}
	if _, err := old.Open("name", both.Seal("name", "x")); err == nil {
		t.Fatal("old keyring opened a value sealed with a key it lacks")
	}
	all := both.IndexAll("phone", "+8613812341234")
	if len(all) != 2 || !bytes.Equal(all[0], both.Index("phone", "+8613812341234")) || !bytes.Equal(all[1], old.Index("phone", "+8613812341234")) {
		t.Fatal("IndexAll must list the current key's index first, then older ones")
	}
}

func TestIndexIsKeyedAndStable(t *testing.T) {
	a, b := testKeyring(t, keyA), testKeyring(t, keyB)
	x := a.Index("phone", "+8613812341234")
	if len(x) != IndexSize || !bytes.Equal(x, a.Index("phone", "+8613812341234")) {
		t.Fatal("index not stable")
	}
	if bytes.Equal(x, b.Index("phone", "+8613812341234")) || bytes.Equal(x, a.Index("phone", "+8613812341235")) {
		t.Fatal("index does not depend on key and value")
	}
	if bytes.Equal(a.Fingerprint("ab", "c"), a.Fingerprint("a", "bc")) {
		t.Fatal("fingerprint parts are not separated")
	}
}

func TestKeyFileCreatedWith0600AndReused(t *testing.T) {
	dir := t.TempDir()
	kr, err := LoadKeyring("", dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, KeyFileName))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v", st.Mode().Perm(), err)
	}
	again, err := LoadKeyring("", dir)
	if err != nil || again.Current().ID != kr.Current().ID {
		t.Fatal("key file not reused")
	}
	rotated, err := AppendKeyFile(dir)
	if err != nil || len(rotated.Keys()) != 2 || rotated.Keys()[0].ID != kr.Current().ID {
		t.Fatalf("append: %v", err)
	}
	env, err := LoadKeyring(keyA+","+keyB, dir)
	if err != nil || env.Current().ID != testKeyring(t, keyB).Current().ID {
		t.Fatalf("env keys: %v", err)
	}
	if _, err := LoadKeyring("zz", dir); err == nil || !strings.Contains(err.Error(), "NUDGE_MASTER_KEY") {
		t.Fatalf("bad env key error: %v", err)
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"+8613812341234": "138****1234",
		"13812341234":    "138****1234",
		"+12025550143":   "202***0143",
		"12345":          "*****",
	} {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"王小明": "王**", "欧阳娜娜": "欧***", "John Smith": "J*********", "李": "*", "": ""} {
		if got := MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkSealIndex(b *testing.B) {
	kr := testKeyring(&testing.T{}, keyA)
	for i := 0; i < b.N; i++ {
		kr.Seal("phone", "+8613812341234")
		kr.Seal("name", "王小明")
		kr.Index("phone", "+8613812341234")
	}
}

// The pooled HMAC states give what a fresh HMAC-SM3 gives, whichever state
// a call happens to reuse, and the two derived keys never mix.
func TestPooledMACsMatchAFreshHMAC(t *testing.T) {
	kr := testKeyring(t, keyA)
	k := kr.Current()
	fresh := func(key []byte, parts ...string) []byte {
		h := hmac.New(sm3.New, key)
		for _, p := range parts {
			h.Write([]byte(p))
			h.Write([]byte{0})
		}
		return h.Sum(nil)[:IndexSize]
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				v := fmt.Sprintf("+86138%08d", g*1000+i)
				if got := kr.Index("phone", v); !bytes.Equal(got, fresh(k.indexKey, "phone", v)) {
					t.Errorf("Index(%s) = %x, want %x", v, got, fresh(k.indexKey, "phone", v))
					return
				}
				if got := kr.Fingerprint(v, "x"); !bytes.Equal(got, fresh(k.printKey, v, "x")) {
					t.Errorf("Fingerprint(%s) differs from a fresh HMAC", v)
					return
				}
			}
		})
	}
	wg.Wait()
}
