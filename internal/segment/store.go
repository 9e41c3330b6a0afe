package segment

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"nudge/internal/store"
)

// Segment is a saved rule tree.
type Segment struct {
	ID          int64           `json:"id"`
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Rule        json.RawMessage `json:"rule"`
	Builtin     bool            `json:"builtin"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

// Parsed returns the segment's rule tree.
func (sg Segment) Parsed() (*Rule, error) { return ParseRule(sg.Rule) }

// ErrBadName is wrapped by the errors that refuse a segment name.
var ErrBadName = errors.New("segment: bad name")

// checkName keeps names usable on a command line and in a URL path.
func checkName(name string) error {
	switch {
	case name == "" || strings.TrimSpace(name) != name:
		return fmt.Errorf("%w: a name must not be empty or start or end with spaces", ErrBadName)
	case utf8.RuneCountInString(name) > 64:
		return fmt.Errorf("%w: a name has at most 64 characters", ErrBadName)
	case strings.ContainsAny(name, "/?#%\\\n\t"):
		return fmt.Errorf("%w: a name cannot contain / ? # %% \\ or control characters", ErrBadName)
	}
	return nil
}

// Create saves a new segment after checking that its rule compiles.
func (s *Service) Create(ctx context.Context, name, description string, rule []byte) (Segment, error) {
	if err := checkName(name); err != nil {
		return Segment{}, err
	}
	r, err := s.checkRule(rule)
	if err != nil {
		return Segment{}, err
	}
	now := s.opt.Clock.Now().Unix()
	var id int64
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.db.Rebind(`SELECT COUNT(*) FROM segments WHERE name = ?`), name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrExists
		}
		return tx.QueryRowContext(ctx, s.q.Get("segment_insert"), name, description, string(r.JSON()), now, now).Scan(&id)
	})
	if err != nil {
		return Segment{}, err
	}
	return s.GetByID(ctx, id)
}

// Update replaces a segment's rule and description; built-in segments can
// be edited like any other.
func (s *Service) Update(ctx context.Context, name, description string, rule []byte) (Segment, error) {
	r, err := s.checkRule(rule)
	if err != nil {
		return Segment{}, err
	}
	res, err := s.db.W.ExecContext(ctx, s.q.Get("segment_update"), description, string(r.JSON()), s.opt.Clock.Now().Unix(), name)
	if err != nil {
		return Segment{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Segment{}, store.ErrNotFound
	}
	return s.Get(ctx, name)
}

// Delete removes a segment that is not built in and has no snapshots.
func (s *Service) Delete(ctx context.Context, name string) error {
	sg, err := s.Get(ctx, name)
	if err != nil {
		return err
	}
	if sg.Builtin {
		return ErrBuiltin
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.q.Get("segment_has_snapshots"), sg.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrInUse
		}
		_, err := tx.ExecContext(ctx, s.q.Get("segment_delete"), sg.ID)
		return err
	})
}

func (s *Service) checkRule(src []byte) (*Rule, error) {
	r, err := ParseRule(src)
	if err != nil {
		return nil, err
	}
	if _, err := s.Compile(r); err != nil {
		return nil, err
	}
	return r, nil
}

// Get returns the segment with the name.
func (s *Service) Get(ctx context.Context, name string) (Segment, error) {
	return scanSegment(s.db.R.QueryRowContext(ctx, s.q.Get("segment_by_name"), name))
}

// GetByID returns the segment with the id.
func (s *Service) GetByID(ctx context.Context, id int64) (Segment, error) {
	return scanSegment(s.db.R.QueryRowContext(ctx, s.q.Get("segment_by_id"), id))
}

// List returns every segment, built-in ones first, then by name.
func (s *Service) List(ctx context.Context) ([]Segment, error) {
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("segment_list"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Segment
	for rows.Next() {
		sg, err := scanSegment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sg)
	}
	return out, rows.Err()
}

type scanner interface{ Scan(...any) error }

func scanSegment(r scanner) (Segment, error) {
	var sg Segment
	var rule string
	var builtin int
	var created, updated int64
	err := r.Scan(&sg.ID, &sg.Name, &sg.Description, &rule, &builtin, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return sg, store.ErrNotFound
	}
	if err != nil {
		return sg, err
	}
	sg.Rule = json.RawMessage(rule)
	sg.Builtin = builtin != 0
	sg.CreatedAt, sg.UpdatedAt = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	return sg, nil
}
