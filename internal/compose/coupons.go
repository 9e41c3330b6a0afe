package compose

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Coupon pools hold single-use codes. A template draws one with
// {{coupon.POOL}} (or {{coupon}} and the pool named by the send): the draw
// marks the pool's first free code as the message's in one statement, so
// that two messages never get the same code, and it is keyed by the
// message, so that a retried send gets the code it drew the first time.

// poolNamePattern is what a pool may be called: it is written inside a
// field name, {{coupon.spring618}}.
var poolNamePattern = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)

// CheckPoolName refuses a name that cannot be written as {{coupon.NAME}}.
func CheckPoolName(name string) error {
	if !poolNamePattern.MatchString(name) {
		return &FieldError{Field: "name", Reason: fmt.Sprintf("pool name %q: use 1-64 letters, digits or _ (it is written {{coupon.NAME}})", name)}
	}
	return nil
}

// Pool is a coupon pool and how many of its codes are drawn.
type Pool struct {
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Total       int64     `json:"total"`
	Drawn       int64     `json:"drawn"`
	Remaining   int64     `json:"remaining"`
	CreatedAt   time.Time `json:"created_at"`
	id          int64
}

// CreatePool makes a pool; created is false when one of that name already
// exists (its description is then left as it was).
func (s *Service) CreatePool(ctx context.Context, name, description string) (p Pool, created bool, err error) {
	if err := CheckPoolName(name); err != nil {
		return p, false, err
	}
	description = strings.TrimSpace(description)
	if utf8.RuneCountInString(description) > 200 {
		return p, false, &FieldError{Field: "description", Reason: "at most 200 characters"}
	}
	res, err := s.db.W.ExecContext(ctx, s.q.Get("pool_add"), name, description, s.clock.Now().Unix())
	if err != nil {
		return p, false, fmt.Errorf("compose: create pool: %w", err)
	}
	n, _ := res.RowsAffected()
	p, err = s.PoolStatus(ctx, name)
	return p, n == 1, err
}

// PoolStatus returns a pool with its counts; ErrNoPool when there is none
// of that name.
func (s *Service) PoolStatus(ctx context.Context, name string) (Pool, error) {
	p, err := s.pool(ctx, name)
	if err != nil {
		return p, err
	}
	return p, s.counts(ctx, &p)
}

// Pools returns every pool with its counts, by name.
func (s *Service) Pools(ctx context.Context) ([]Pool, error) {
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("pools"))
	if err != nil {
		return nil, err
	}
	var out []Pool
	for rows.Next() {
		p, err := scanPool(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := s.counts(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

type scanner interface{ Scan(...any) error }

func scanPool(r scanner) (Pool, error) {
	var p Pool
	var created int64
	err := r.Scan(&p.id, &p.Name, &p.Description, &created)
	p.CreatedAt = time.Unix(created, 0).UTC()
	return p, err
}

// pool looks a pool up by name, without its counts.
func (s *Service) pool(ctx context.Context, name string) (Pool, error) {
	p, err := scanPool(s.db.R.QueryRowContext(ctx, s.q.Get("pool_by_name"), name))
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("compose: %w %q", ErrNoPool, name)
	}
	return p, err
}

func (s *Service) counts(ctx context.Context, p *Pool) error {
	if err := s.db.R.QueryRowContext(ctx, s.q.Get("pool_counts"), p.id).Scan(&p.Total, &p.Drawn); err != nil {
		return err
	}
	p.Remaining = p.Total - p.Drawn
	return nil
}

// Draw gives message key the next free code of pool, or the code it was
// given before: the draw is atomic (one UPDATE claims one free row) and
// idempotent per (pool, key). customerID (0 for none) is recorded with the
// code. Errors: ErrNoPool, ErrPoolEmpty, ErrNoMessageKey.
func (s *Service) Draw(ctx context.Context, pool, key string, customerID int64) (string, error) {
	if key == "" {
		return "", ErrNoMessageKey
	}
	p, err := s.pool(ctx, pool)
	if err != nil {
		return "", err
	}
	var cust any
	if customerID != 0 {
		cust = customerID
	}
	var code string
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.q.Get("code_of_message"), p.id, key).Scan(&code)
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		err = tx.QueryRowContext(ctx, s.q.Get("code_claim"), key, cust, s.clock.Now().Unix(), p.id).Scan(&code)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("compose: %w: %q", ErrPoolEmpty, pool)
		}
		return err
	})
	if err != nil && !errors.Is(err, ErrPoolEmpty) {
		// On PostgreSQL a concurrent draw for the same message may have
		// claimed a code first; ours then broke the unique (pool, key)
		// and rolled back. The winner's code is the answer.
		if s.db.W.QueryRowContext(ctx, s.q.Get("code_of_message"), p.id, key).Scan(&code) == nil {
			return code, nil
		}
		return "", fmt.Errorf("compose: draw from %q: %w", pool, err)
	}
	return code, err
}

// sampleFrom is the preview's coupon: X repeated to the length of the
// pool's newest code, after checking that the pool exists and has a free
// code (the send would fail otherwise).
func (s *Service) sampleFrom(ctx context.Context, pool string) (string, error) {
	p, err := s.PoolStatus(ctx, pool)
	if err != nil {
		return "", err
	}
	if p.Remaining == 0 {
		return "", fmt.Errorf("compose: %w: %q", ErrPoolEmpty, pool)
	}
	var newest string
	if err := s.db.R.QueryRowContext(ctx, s.q.Get("code_newest"), p.id).Scan(&newest); err != nil {
		return "", err
	}
	return sampleCode(utf8.RuneCountInString(newest)), nil
}
