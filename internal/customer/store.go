package customer

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"nudge/internal/clock"
	"nudge/internal/pii"
	"nudge/internal/store"
)

//go:embed queries.sql
var queryFS embed.FS

// Sealed fields: the names bound into each ciphertext.
const (
	fieldPhone = "phone"
	fieldName  = "name"
)

// Store reads and writes customers, orders and products.
type Store struct {
	db     *store.DB
	keys   *pii.Keyring
	q      store.Queries
	clock  clock.Clock
	region string
	loc    *time.Location
	bulk   bulkCache // prepared multi-row statements, see bulk.go
}

// Options configure a Store.
type Options struct {
	// Region applies to phone numbers written without a country code.
	Region string
	// Timezone reads dates written without a zone.
	Timezone string
}

// NewStore loads the package's queries against db.
func NewStore(ctx context.Context, db *store.DB, keys *pii.Keyring, clk clock.Clock, opt Options) (*Store, error) {
	q, err := store.LoadQueries(ctx, db, queryFS, "queries.sql")
	if err != nil {
		return nil, err
	}
	if opt.Region == "" {
		opt.Region = "CN"
	}
	if opt.Timezone == "" {
		opt.Timezone = DefaultTimezone
	}
	loc, err := LoadLocation(opt.Timezone)
	if err != nil {
		return nil, fmt.Errorf("customer: time zone %q: %w", opt.Timezone, err)
	}
	return &Store{db: db, keys: keys, q: q, clock: clk, region: opt.Region, loc: loc}, nil
}

// Region is the default phone region.
func (s *Store) Region() string { return s.region }

// Location is the shop's time zone, used for dates written without one.
func (s *Store) Location() *time.Location { return s.loc }

// DB is the underlying store, for packages that join against customers.
func (s *Store) DB() *store.DB { return s.db }

// Keys is the keyring sealing personal data.
func (s *Store) Keys() *pii.Keyring { return s.keys }

const customerColumns = 20

type rowScanner interface{ Scan(...any) error }

func (s *Store) scanCustomer(r rowScanner) (Customer, error) {
	var (
		c                   Customer
		phoneEnc, nameEnc   []byte
		lat, lon            sql.NullFloat64
		registered, consent sql.NullInt64
		tags, attrs         string
		created, updated    int64
	)
	err := r.Scan(&c.ID, &c.ExternalID, &phoneEnc, &c.Region, &c.Carrier, &nameEnc, &c.Gender, &c.Birthday, &c.City,
		&lat, &lon, &registered, &c.Timezone, &tags, &attrs, &c.Consent, &consent, &c.ConsentSource, &created, &updated)
	if err != nil {
		return c, err
	}
	if c.Phone, err = s.keys.Open(fieldPhone, phoneEnc); err != nil {
		return c, fmt.Errorf("customer %s: %w", c.ExternalID, err)
	}
	if c.Name, err = s.keys.Open(fieldName, nameEnc); err != nil {
		return c, fmt.Errorf("customer %s: %w", c.ExternalID, err)
	}
	if lat.Valid && lon.Valid {
		c.Lat, c.Lon = &lat.Float64, &lon.Float64
	}
	c.RegisteredAt = unixOrZero(registered)
	c.ConsentAt = unixOrZero(consent)
	c.Tags = decodeTags(tags)
	c.Attributes = json.RawMessage(attrs)
	c.CreatedAt, c.UpdatedAt = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	return c, nil
}

func unixOrZero(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.Unix(v.Int64, 0).UTC()
}

func zeroOrUnix(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Unix()
}

// Get returns the customer with the given internal id.
func (s *Store) Get(ctx context.Context, id int64) (Customer, error) {
	c, err := s.scanCustomer(s.db.R.QueryRowContext(ctx, s.q.Get("customer_by_id"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, store.ErrNotFound
	}
	return c, err
}

// GetByExternalID returns the customer with the shop's id.
func (s *Store) GetByExternalID(ctx context.Context, externalID string) (Customer, error) {
	c, err := s.scanCustomer(s.db.R.QueryRowContext(ctx, s.q.Get("customer_by_external_id"), externalID))
	if errors.Is(err, sql.ErrNoRows) {
		return c, store.ErrNotFound
	}
	return c, err
}

// FindByPhone returns the customers whose number is raw (in any way people
// write it), through the blind index under every loaded key.
func (s *Store) FindByPhone(ctx context.Context, raw string) ([]Customer, error) {
	c := Customer{Phone: raw}
	if err := c.Normalize(s.region); err != nil {
		return nil, err
	}
	idx := s.keys.IndexAll(fieldPhone, c.Phone)
	args := make([]any, len(idx))
	for i := range idx {
		args[i] = idx[i]
	}
	q := s.db.Rebind(`SELECT id, external_id, phone_enc, region, carrier, name_enc, gender, birthday, city, lat, lon,
       registered_at, timezone, tags, attributes, consent, consent_at, consent_source, created_at, updated_at
FROM customers WHERE phone_index IN (` + strings.TrimSuffix(strings.Repeat("?,", len(idx)), ",") + `) ORDER BY id`)
	return s.queryCustomers(ctx, q, args...)
}

func (s *Store) queryCustomers(ctx context.Context, q string, args ...any) ([]Customer, error) {
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Customer
	for rows.Next() {
		c, err := s.scanCustomer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// List returns up to limit customers with an id above after, in id order:
// keyset pagination that stays fast on the millionth page.
func (s *Store) List(ctx context.Context, after int64, limit int) ([]Customer, error) {
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	return s.queryCustomers(ctx, s.q.Get("customers_page"), after, limit)
}

// Count returns the number of customers.
func (s *Store) Count(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.R.QueryRowContext(ctx, s.q.Get("customer_count")).Scan(&n)
	return n, err
}
