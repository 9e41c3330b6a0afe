package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"nudge/internal/store"
)

// TokenPrefix starts every API token, so that a leaked one is recognisable
// by secret scanners and in a support ticket.
const TokenPrefix = "nudge_"

// touchInterval bounds how often a token's last_used_at is written: once a
// minute is precise enough to tell an operator whether a token is in use,
// and it keeps a busy integration from turning every read into a write on
// SQLite's single writer.
const touchInterval = time.Minute

// CreateToken makes an API bearer token under a unique name and returns it.
// Only its hash is stored, so this is the one time it can be shown.
func (s *Service) CreateToken(ctx context.Context, name string) (string, error) {
	name = strings.TrimSpace(name)
	if err := checkName("token", name); err != nil {
		return "", err
	}
	token := TokenPrefix + randomString(32)
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.q.Get("token_count_by_name"), name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("auth: token %q: %w", name, ErrExists)
		}
		_, err := tx.ExecContext(ctx, s.q.Get("token_insert"), name, secretHash(token), s.clock.Now().Unix())
		return err
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// CheckToken returns the name of the API token, or store.ErrNotFound when
// there is no such token, and records when it was last used.
func (s *Service) CheckToken(ctx context.Context, token string) (string, error) {
	if !strings.HasPrefix(token, TokenPrefix) || len(token) > 200 {
		return "", store.ErrNotFound
	}
	var (
		id   int64
		name string
		last sql.NullInt64
	)
	err := s.db.R.QueryRowContext(ctx, s.q.Get("token_by_hash"), secretHash(token)).Scan(&id, &name, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return "", store.ErrNotFound
	}
	if err != nil {
		return "", err
	}
	now := s.clock.Now()
	if !last.Valid || now.Unix()-last.Int64 >= int64(touchInterval/time.Second) {
		if _, err := s.db.W.ExecContext(ctx, s.q.Get("token_touch"), now.Unix(), id); err != nil {
			return "", err
		}
	}
	return name, nil
}
