package auth_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"nudge/internal/auth"
	"nudge/internal/clock"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

var start = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)

func newService(t *testing.T, db *store.DB) (*auth.Service, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(start)
	s, err := auth.New(context.Background(), db, clk)
	if err != nil {
		t.Fatal(err)
	}
	return s, clk
}

func TestAddUserAndAuthenticate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		u, err := s.AddUser(ctx, "alice", "correct horse", auth.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		want := auth.User{ID: u.ID, Name: "alice", Role: auth.RoleAdmin, Locale: "zh-CN", CreatedAt: start}
		if u.ID <= 0 || u != want {
			t.Fatalf("AddUser = %+v, want %+v", u, want)
		}
		got, err := s.Authenticate(ctx, "alice", "correct horse")
		if err != nil || got != want {
			t.Fatalf("Authenticate = %+v, %v; want %+v", got, err, want)
		}
		for _, c := range []struct{ name, password string }{
			{"alice", "correct horsf"}, // wrong password
			{"alice", "Correct horse"}, // case matters
			{"alice", ""},
			{"bob", "correct horse"}, // unknown user
			{"", ""},
		} {
			if _, err := s.Authenticate(ctx, c.name, c.password); !errors.Is(err, auth.ErrBadCredentials) {
				t.Errorf("Authenticate(%q, %q) = %v, want ErrBadCredentials", c.name, c.password, err)
			}
		}
		if _, err := s.AddUser(ctx, "alice", "another password", auth.RoleOperator); !errors.Is(err, auth.ErrExists) {
			t.Fatalf("second alice: %v, want ErrExists", err)
		}
		// Eight characters is enough, counted as characters, not bytes.
		op, err := s.AddUser(ctx, "王店长", "八个汉字的密码啊", auth.RoleOperator)
		if err != nil || op.Role != auth.RoleOperator || op.ID == u.ID {
			t.Fatalf("operator: %+v %v", op, err)
		}
		if _, err := s.Authenticate(ctx, "王店长", "八个汉字的密码啊"); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name, password string
			role           auth.Role
			wantErr        string
		}{
			{"carol", "1234567", auth.RoleOperator, "password too short: 7 characters, at least 8"},
			{"carol", "七个汉字的密码", auth.RoleOperator, "password too short: 7 characters, at least 8"},
			{"carol", "long enough", "root", `role "root" is neither admin nor operator`},
			{"", "long enough", auth.RoleAdmin, "empty user name"},
			{"carol smith", "long enough", auth.RoleAdmin, "contains a space"},
		} {
			if _, err := s.AddUser(ctx, c.name, c.password, c.role); err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("AddUser(%q, %q, %q) = %v, want error containing %q", c.name, c.password, c.role, err, c.wantErr)
			}
		}
		var users int
		if err := db.R.QueryRow("SELECT COUNT(*) FROM users").Scan(&users); err != nil || users != 2 {
			t.Fatalf("users stored: %d %v, want 2", users, err)
		}
	})
}

func TestPasswordStoredAsArgon2idHash(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		const password = "same password"
		for _, name := range []string{"a1", "a2"} {
			if _, err := s.AddUser(ctx, name, password, auth.RoleOperator); err != nil {
				t.Fatal(err)
			}
		}
		rows, err := db.R.Query("SELECT password_hash FROM users ORDER BY name")
		if err != nil {
			t.Fatal(err)
		}
		var hashes []string
		for rows.Next() {
			var h string
			rows.Scan(&h)
			hashes = append(hashes, h)
		}
		rows.Close()
		if len(hashes) != 2 {
			t.Fatalf("%d hashes", len(hashes))
		}
		for _, h := range hashes {
			if h == password || strings.Contains(h, password) {
				t.Fatalf("hash %q contains the password", h)
			}
			parts := strings.Split(h, "$")
			if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != "v=19" || parts[3] != "m=19456,t=2,p=1" {
				t.Fatalf("hash %q: want $argon2id$v=19$m=19456,t=2,p=1$salt$key", h)
			}
			salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
			key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
			if err1 != nil || err2 != nil || len(salt) != 16 || len(key) != 32 {
				t.Fatalf("hash %q: salt %d bytes, key %d bytes (%v %v)", h, len(salt), len(key), err1, err2)
			}
		}
		if hashes[0] == hashes[1] {
			t.Fatal("two users with the same password got the same hash: the salt is not per user")
		}
	})
}

// A hash made with other parameters (an older, cheaper setting) still
// verifies: the parameters are read from the hash, not from the constants.
func TestStoredParametersAreHonoured(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		// Made by the reference implementation (Debian's argon2 CLI), not by
		// this package: echo -n "old password" | argon2 0123456789abcdef -id -m 13 -t 1 -p 1 -l 32 -e
		const old = "$argon2id$v=19$m=8192,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$3PdISCqTdGYcpvC2GSXV/Eh6wgEkHBNy15U3O6j3a6Q"
		if _, err := db.W.Exec(db.Rebind("INSERT INTO users (name, password_hash, role, locale, created_at) VALUES ('old', ?, 'admin', 'en', 0)"), old); err != nil {
			t.Fatal(err)
		}
		u, err := s.Authenticate(ctx, "old", "old password")
		if err != nil || u.Name != "old" || u.Role != auth.RoleAdmin || u.Locale != "en" {
			t.Fatalf("Authenticate with stored m=8192,t=1: %+v %v", u, err)
		}
		if _, err := s.Authenticate(ctx, "old", "old passwore"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("wrong password: %v", err)
		}
	})
}

func TestSessionLifetimeAndLogout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clk := newService(t, db)
		u, err := s.AddUser(ctx, "alice", "correct horse", auth.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		token, csrf, err := s.CreateSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(token) != 43 || len(csrf) != 43 || token == csrf {
			t.Fatalf("token %q csrf %q: want two different 43-character strings (32 random bytes)", token, csrf)
		}
		var stored []byte
		if err := db.R.QueryRow("SELECT token_hash FROM sessions").Scan(&stored); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(token))
		if !bytes.Equal(stored, sum[:]) || bytes.Contains(stored, []byte(token)) {
			t.Fatalf("stored %x, want the SHA-256 of the token", stored)
		}
		clk.Advance(auth.SessionLifetime - time.Second)
		got, gotCSRF, err := s.Session(ctx, token)
		if err != nil || got.ID != u.ID || got.Name != "alice" || got.Role != auth.RoleAdmin || gotCSRF != csrf {
			t.Fatalf("Session just before expiry = %+v %q %v", got, gotCSRF, err)
		}
		clk.Advance(time.Second)
		if _, _, err := s.Session(ctx, token); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Session at 12 h: %v, want ErrNotFound", err)
		}
		for _, bad := range []string{"", "x", token + "x", csrf} {
			if _, _, err := s.Session(ctx, bad); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("Session(%q): %v, want ErrNotFound", bad, err)
			}
		}
		// A new login sweeps the expired session away.
		token2, _, err := s.CreateSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		db.R.QueryRow("SELECT COUNT(*) FROM sessions").Scan(&n)
		if n != 1 {
			t.Fatalf("%d sessions stored after the sweep, want 1", n)
		}
		if err := s.SetLocale(ctx, u.ID, "en"); err != nil {
			t.Fatal(err)
		}
		if got, _, err := s.Session(ctx, token2); err != nil || got.Locale != "en" {
			t.Fatalf("locale after SetLocale: %+v %v", got, err)
		}
		if err := s.DeleteSession(ctx, token2); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Session(ctx, token2); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Session after logout: %v", err)
		}
		if err := s.DeleteSession(ctx, token2); err != nil {
			t.Fatalf("second logout: %v", err)
		}
	})
}

func TestSetLocale(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		u, _ := s.AddUser(ctx, "alice", "correct horse", auth.RoleAdmin)
		if err := s.SetLocale(ctx, u.ID, "fr"); err == nil || !strings.Contains(err.Error(), `locale "fr"`) {
			t.Fatalf("SetLocale fr: %v", err)
		}
		if err := s.SetLocale(ctx, u.ID+100, "en"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("SetLocale on a missing user: %v", err)
		}
		if err := s.SetLocale(ctx, u.ID, "en"); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Authenticate(ctx, "alice", "correct horse"); err != nil || got.Locale != "en" {
			t.Fatalf("%+v %v", got, err)
		}
	})
}

func TestAPITokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clk := newService(t, db)
		token, err := s.CreateToken(ctx, "erp")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(token, "nudge_") || len(token) != len("nudge_")+43 {
			t.Fatalf("token %q: want nudge_ and 43 characters", token)
		}
		other, err := s.CreateToken(ctx, "shopify")
		if err != nil || other == token {
			t.Fatalf("second token %q %v", other, err)
		}
		if _, err := s.CreateToken(ctx, "erp"); !errors.Is(err, auth.ErrExists) {
			t.Fatalf("duplicate name: %v", err)
		}
		lastUsed := func() any {
			var v *int64
			if err := db.R.QueryRow("SELECT last_used_at FROM api_tokens WHERE name = 'erp'").Scan(&v); err != nil {
				t.Fatal(err)
			}
			if v == nil {
				return nil
			}
			return *v
		}
		if v := lastUsed(); v != nil {
			t.Fatalf("last_used_at before use = %v", v)
		}
		if name, err := s.CheckToken(ctx, token); err != nil || name != "erp" {
			t.Fatalf("CheckToken = %q %v", name, err)
		}
		if v := lastUsed(); v != start.Unix() {
			t.Fatalf("last_used_at = %v, want %d", v, start.Unix())
		}
		// Within a minute the time is not rewritten; after it, it is.
		clk.Advance(59 * time.Second)
		s.CheckToken(ctx, token)
		if v := lastUsed(); v != start.Unix() {
			t.Fatalf("last_used_at after 59 s = %v, want %d", v, start.Unix())
		}
		clk.Advance(time.Second)
		s.CheckToken(ctx, token)
		if v := lastUsed(); v != start.Add(time.Minute).Unix() {
			t.Fatalf("last_used_at after 60 s = %v, want %d", v, start.Add(time.Minute).Unix())
		}
		if name, err := s.CheckToken(ctx, other); err != nil || name != "shopify" {
			t.Fatalf("CheckToken other = %q %v", name, err)
		}
		for _, bad := range []string{"", "nudge_", token[:len(token)-1], strings.TrimPrefix(token, "nudge_"), token + " ", strings.Repeat("nudge_", 40)} {
			if _, err := s.CheckToken(ctx, bad); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("CheckToken(%q) = %v, want ErrNotFound", bad, err)
			}
		}
		var stored []byte
		db.R.QueryRow("SELECT token_hash FROM api_tokens WHERE name = 'erp'").Scan(&stored)
		sum := sha256.Sum256([]byte(token))
		if !bytes.Equal(stored, sum[:]) {
			t.Fatalf("stored %x, want the SHA-256 of the token", stored)
		}
		if _, err := s.CreateToken(ctx, ""); err == nil {
			t.Fatal("empty token name accepted")
		}
	})
}

func TestParseRole(t *testing.T) {
	for in, want := range map[string]auth.Role{"admin": auth.RoleAdmin, " Operator ": auth.RoleOperator} {
		if got, err := auth.ParseRole(in); err != nil || got != want {
			t.Errorf("ParseRole(%q) = %q %v", in, got, err)
		}
	}
	if _, err := auth.ParseRole("owner"); err == nil {
		t.Error("ParseRole(owner) accepted")
	}
}
