package ingest_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nudge/internal/clock"
	"nudge/internal/customer"
	"nudge/internal/ingest"
	"nudge/internal/pii"
	"nudge/internal/store"
)

var testKey = bytes.Repeat([]byte{7}, 32)

func newStore(t testing.TB, db *store.DB) *customer.Store {
	t.Helper()
	kr, err := pii.NewKeyring(testKey)
	if err != nil {
		t.Fatal(err)
	}
	s, err := customer.NewStore(context.Background(), db, kr, clock.NewFake(time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)), customer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// writeFile puts content into a fresh temporary directory.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func noFile(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("%s should not exist (%v)", path, err)
	}
}

// importFile runs ImportFile with a clock that stands still, so that the
// summary line is exact.
func importFile(t *testing.T, cs *customer.Store, kind ingest.Kind, path string, opt ingest.Options) (ingest.Summary, error) {
	t.Helper()
	opt.Kind = kind
	opt.Clock = clock.NewFake(time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC))
	return ingest.ImportFile(context.Background(), cs, path, opt)
}

func lines(s ...string) string { return strings.Join(s, "\n") + "\n" }

func count(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.R.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func writeTo(path, content string) error { return os.WriteFile(path, []byte(content), 0o600) }
