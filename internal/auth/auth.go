// Package auth keeps the people and programs allowed into nudge: console
// users with roles and argon2id-hashed passwords, their browser sessions,
// and the bearer tokens the REST API accepts.
//
// No secret is stored in a form that would let someone who reads the
// database log in: passwords are kept as argon2id hashes, session and API
// tokens as SHA-256 hashes of high-entropy random strings (a fast hash is
// enough there, since 32 random bytes cannot be guessed).
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"nudge/internal/clock"
	"nudge/internal/store"
)

//go:embed queries.sql
var queryFS embed.FS

// Role says what a console user may do.
type Role string

// The roles: an admin manages users, gateways and settings; an operator runs
// campaigns and looks after customers.
const (
	RoleAdmin    Role = "admin"
	RoleOperator Role = "operator"
)

// ParseRole checks a role name as typed on the command line.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case RoleAdmin, RoleOperator:
		return r, nil
	}
	return "", fmt.Errorf("auth: role %q is neither admin nor operator", s)
}

// Locales the console speaks.
const (
	LocaleChinese = "zh-CN"
	LocaleEnglish = "en"
)

// User is a console user. The password hash never leaves this package.
type User struct {
	ID        int64
	Name      string
	Role      Role
	Locale    string
	CreatedAt time.Time
}

// ErrBadCredentials is returned by Authenticate for an unknown user and a
// wrong password alike, so that a login form does not reveal which names
// exist.
var ErrBadCredentials = errors.New("wrong user name or password")

// ErrExists is returned when a user or token name is already taken.
var ErrExists = errors.New("already exists")

// SessionLifetime is how long a console login lasts.
const SessionLifetime = 12 * time.Hour

// Service manages users, sessions and API tokens in the store.
type Service struct {
	db    *store.DB
	q     store.Queries
	clock clock.Clock
	// dummyHash is checked against when a login names an unknown user, so
	// that answering takes as long as for a known user with a wrong password.
	dummyHash string
}

// New loads the package's queries against db.
func New(ctx context.Context, db *store.DB, clk clock.Clock) (*Service, error) {
	q, err := store.LoadQueries(ctx, db, queryFS, "queries.sql")
	if err != nil {
		return nil, err
	}
	return &Service{db: db, q: q, clock: clk, dummyHash: hashPassword(randomString(16))}, nil
}

// checkName accepts user and token names: visible characters without
// spaces, so that they survive a command line and a log line unquoted.
func checkName(kind, name string) error {
	if name == "" {
		return fmt.Errorf("auth: empty %s name", kind)
	}
	if utf8.RuneCountInString(name) > 64 {
		return fmt.Errorf("auth: %s name longer than 64 characters", kind)
	}
	for _, r := range name {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return fmt.Errorf("auth: %s name %q contains a space or control character", kind, name)
		}
	}
	return nil
}

// AddUser creates a console user. The password must have at least
// MinPasswordLength characters; it is stored as an argon2id hash with its own
// salt and the parameters it was made with.
func (s *Service) AddUser(ctx context.Context, name, password string, role Role) (User, error) {
	name = strings.TrimSpace(name)
	if err := checkName("user", name); err != nil {
		return User{}, err
	}
	if role != RoleAdmin && role != RoleOperator {
		return User{}, fmt.Errorf("auth: role %q is neither admin nor operator", role)
	}
	if n := utf8.RuneCountInString(password); n < MinPasswordLength {
		return User{}, fmt.Errorf("auth: password too short: %d characters, at least %d", n, MinPasswordLength)
	} else if len(password) > maxPasswordLength {
		return User{}, fmt.Errorf("auth: password longer than %d bytes", maxPasswordLength)
	}
	u := User{Name: name, Role: role, Locale: LocaleChinese, CreatedAt: s.clock.Now().Truncate(time.Second)}
	hash := hashPassword(password)
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.q.Get("user_count_by_name"), name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("auth: user %q: %w", name, ErrExists)
		}
		return tx.QueryRowContext(ctx, s.q.Get("user_insert"), name, hash, string(role), u.Locale, u.CreatedAt.Unix()).Scan(&u.ID)
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// Authenticate checks a user name and password. It answers
// ErrBadCredentials for an unknown name and a wrong password alike, after
// the same amount of hashing work, and compares in constant time.
func (s *Service) Authenticate(ctx context.Context, name, password string) (User, error) {
	if len(password) > maxPasswordLength {
		return User{}, ErrBadCredentials
	}
	var (
		u       User
		role    string
		created int64
		hash    string
	)
	err := s.db.R.QueryRowContext(ctx, s.q.Get("user_by_name"), strings.TrimSpace(name)).
		Scan(&u.ID, &u.Name, &role, &u.Locale, &created, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		checkPassword(s.dummyHash, password)
		return User{}, ErrBadCredentials
	}
	if err != nil {
		return User{}, err
	}
	ok, err := checkPassword(hash, password)
	if err != nil {
		return User{}, fmt.Errorf("auth: user %q: %w", u.Name, err)
	}
	if !ok {
		return User{}, ErrBadCredentials
	}
	u.Role, u.CreatedAt = Role(role), time.Unix(created, 0).UTC()
	return u, nil
}

// SetLocale records the console language a user chose: "zh-CN" or "en".
func (s *Service) SetLocale(ctx context.Context, userID int64, locale string) error {
	if locale != LocaleChinese && locale != LocaleEnglish {
		return fmt.Errorf("auth: locale %q is neither %s nor %s", locale, LocaleChinese, LocaleEnglish)
	}
	res, err := s.db.W.ExecContext(ctx, s.q.Get("user_set_locale"), locale, userID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// randomString returns n random bytes, base64url-encoded without padding.
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// secretHash is how session and API tokens are stored.
func secretHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
