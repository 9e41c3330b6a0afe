package auth

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"nudge/internal/store"
)

// CreateSession starts a console session for the user and returns its
// token (for the cookie) and its CSRF token (for forms). The session lasts
// SessionLifetime by the service's clock. Expired sessions of anyone are
// swept at the same time, so the table does not grow without bound.
func (s *Service) CreateSession(ctx context.Context, userID int64) (token, csrf string, err error) {
	token, csrf = randomString(32), randomString(32)
	now := s.clock.Now()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Get("sessions_expired_delete"), now.Unix()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q.Get("session_insert"), secretHash(token), userID, csrf, now.Unix(), now.Add(SessionLifetime).Unix())
		return err
	})
	if err != nil {
		return "", "", err
	}
	return token, csrf, nil
}

// Session returns the user a session token belongs to and the session's
// CSRF token, or store.ErrNotFound when the token is unknown or expired.
func (s *Service) Session(ctx context.Context, token string) (User, string, error) {
	if token == "" {
		return User{}, "", store.ErrNotFound
	}
	var (
		u       User
		role    string
		created int64
		csrf    string
	)
	err := s.db.R.QueryRowContext(ctx, s.q.Get("session_user"), secretHash(token), s.clock.Now().Unix()).
		Scan(&u.ID, &u.Name, &role, &u.Locale, &created, &csrf)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, "", store.ErrNotFound
	}
	if err != nil {
		return User{}, "", err
	}
	u.Role, u.CreatedAt = Role(role), time.Unix(created, 0).UTC()
	return u, csrf, nil
}

// DeleteSession ends a session (logout). Deleting an unknown session is not
// an error: the outcome the caller wants already holds.
func (s *Service) DeleteSession(ctx context.Context, token string) error {
	_, err := s.db.W.ExecContext(ctx, s.q.Get("session_delete"), secretHash(token))
	return err
}
