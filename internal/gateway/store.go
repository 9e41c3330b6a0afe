package gateway

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"nudge/internal/clock"
	"nudge/internal/pii"
	"nudge/internal/store"
)

// fieldURL is bound into sealed gateway URLs: they hold passwords and
// signing secrets, so they are sealed like personal data and re-sealed by
// key rotation (internal/rekey lists the table).
const fieldURL = "gateway_url"

// ErrExists means a gateway of that name is already configured.
var ErrExists = errors.New("gateway: a gateway with that name exists")

// Record is a configured gateway, its URL in the clear: it only exists
// like this in memory.
type Record struct {
	ID        int64
	Name      string
	Scheme    string
	URL       string
	Enabled   bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Store keeps gateway configurations.
type Store struct {
	db    *store.DB
	keys  *pii.Keyring
	clock clock.Clock
}

// NewStore returns a configuration store.
func NewStore(db *store.DB, keys *pii.Keyring, clk clock.Clock) *Store {
	return &Store{db: db, keys: keys, clock: clk}
}

// Add stores a new gateway. The caller validates the URL (Registry.Check).
func (s *Store) Add(ctx context.Context, cfg Config) error {
	now := s.clock.Now().Unix()
	_, err := s.db.W.ExecContext(ctx, s.db.Rebind(`INSERT INTO gateways (name, scheme, url_enc, pii_key, enabled, created_at, updated_at)
VALUES (?, ?, ?, ?, 1, ?, ?)`), cfg.Name, cfg.Scheme, s.keys.Seal(fieldURL, cfg.Raw), s.keys.Current().ID, now, now)
	if err != nil && isUnique(err) {
		return fmt.Errorf("%w: %s", ErrExists, cfg.Name)
	}
	return err
}

// Update replaces a gateway's URL.
func (s *Store) Update(ctx context.Context, cfg Config) error {
	return s.exec(ctx, cfg.Name, `UPDATE gateways SET scheme = ?, url_enc = ?, pii_key = ?, updated_at = ? WHERE name = ?`,
		cfg.Scheme, s.keys.Seal(fieldURL, cfg.Raw), s.keys.Current().ID, s.clock.Now().Unix(), cfg.Name)
}

// SetEnabled turns a gateway on or off without forgetting it.
func (s *Store) SetEnabled(ctx context.Context, name string, on bool) error {
	v := 0
	if on {
		v = 1
	}
	return s.exec(ctx, name, `UPDATE gateways SET enabled = ?, updated_at = ? WHERE name = ?`, v, s.clock.Now().Unix(), name)
}

// Remove forgets a gateway. Messages routed to it are routed again by the
// dispatcher.
func (s *Store) Remove(ctx context.Context, name string) error {
	return s.exec(ctx, name, `DELETE FROM gateways WHERE name = ?`, name)
}

func (s *Store) exec(ctx context.Context, name, q string, args ...any) error {
	r, err := s.db.W.ExecContext(ctx, s.db.Rebind(q), args...)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return fmt.Errorf("gateway %s: %w", name, store.ErrNotFound)
	}
	return nil
}

// List returns every configured gateway, by name.
func (s *Store) List(ctx context.Context) ([]Record, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, name, scheme, url_enc, enabled, created_at, updated_at FROM gateways ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var r Record
		var enc []byte
		var enabled int
		var created, updated int64
		if err := rows.Scan(&r.ID, &r.Name, &r.Scheme, &enc, &enabled, &created, &updated); err != nil {
			return nil, err
		}
		if r.URL, err = s.keys.Open(fieldURL, enc); err != nil {
			return nil, fmt.Errorf("gateway %s: %w", r.Name, err)
		}
		r.Enabled = enabled == 1
		r.CreatedAt, r.UpdatedAt = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// Get returns one gateway.
func (s *Store) Get(ctx context.Context, name string) (Record, error) {
	all, err := s.List(ctx)
	if err != nil {
		return Record{}, err
	}
	for _, r := range all {
		if r.Name == name {
			return r, nil
		}
	}
	return Record{}, fmt.Errorf("gateway %s: %w", name, store.ErrNotFound)
}

// Version changes whenever a gateway is added, changed or removed, so that
// a running manager notices configuration made by another process. Every
// write re-seals the URL with a fresh nonce, so hashing the sealed values
// catches any change.
func (s *Store) Version(ctx context.Context) (string, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, enabled, url_enc FROM gateways ORDER BY id`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	h := sha256.New()
	for rows.Next() {
		var id int64
		var enabled int
		var enc []byte
		if err := rows.Scan(&id, &enabled, &enc); err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%d/%d/", id, enabled)
		h.Write(enc)
	}
	return hex.EncodeToString(h.Sum(nil)), rows.Err()
}

func isUnique(err error) bool {
	s := strings.ToLower(err.Error())
	return strings.Contains(s, "unique") || strings.Contains(s, "duplicate key")
}
