// Package segment answers "who are my customers?" inside the database: RFM
// scores and the eight classic RFM groups, and saved segments, rule trees
// (all/any/not over customer fields, tags, attributes, order aggregates,
// RFM, distance and predictions) compiled to parameterised SQL for SQLite
// and PostgreSQL. Nothing here loads the customer base into Go: counts and
// refreshes are single statements, previews and exports stream a cursor.
package segment

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"nudge/internal/clock"
	"nudge/internal/store"
)

//go:embed queries.sql
var queryFS embed.FS

// PhoneOpener opens a sealed phone number; customer.Store implements it.
// Exports need it, everything else works on sealed rows.
type PhoneOpener interface {
	OpenPhone(sealed []byte) (string, error)
}

// Options configure a Service.
type Options struct {
	// Clock tells "now" for relative rules (within the last N days,
	// birthday within N days) and the default RFM date.
	Clock clock.Clock
	// Location is the shop's time zone: dates and day boundaries are read
	// in it.
	Location *time.Location
	// Phones opens phone numbers for previews and exports; without it they
	// show as asterisks.
	Phones PhoneOpener
	// Log records clear-phone exports, who asked and how many rows left.
	Log *slog.Logger
}

// Service computes RFM and evaluates segments against one store.
type Service struct {
	db  *store.DB
	q   store.Queries
	opt Options
}

// Errors callers map to their own answers (HTTP status, exit code).
var (
	// ErrExists is returned when a segment name is already taken.
	ErrExists = errors.New("segment: a segment with this name already exists")
	// ErrBuiltin is returned when deleting a built-in segment; they can be
	// edited but always exist.
	ErrBuiltin = errors.New("segment: built-in segments can be edited but not deleted")
	// ErrInUse is returned when deleting a segment that has snapshots a
	// campaign may rely on.
	ErrInUse = errors.New("segment: the segment has frozen snapshots")
)

// NewService loads the package's queries (failing now if one is broken)
// and returns a Service.
func NewService(ctx context.Context, db *store.DB, opt Options) (*Service, error) {
	q, err := store.LoadQueries(ctx, db, queryFS, "queries.sql")
	if err != nil {
		return nil, fmt.Errorf("segment: %w", err)
	}
	if opt.Clock == nil {
		opt.Clock = clock.System{}
	}
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	opt.Log = opt.Log.With("component", "segment")
	return &Service{db: db, q: q, opt: opt}, nil
}

// DB is the store the service reads.
func (s *Service) DB() *store.DB { return s.db }

// today returns midnight of the current date in the shop's zone.
func (s *Service) today() time.Time {
	return startOfDay(s.opt.Clock.Now(), s.opt.Location)
}

func startOfDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// ExcludedStatuses are the order states that do not count as purchases in
// RFM, segment order conditions and predictions: the order was cancelled,
// refunded or closed unpaid. Statuses are stored lower-cased.
var ExcludedStatuses = []string{"cancelled", "canceled", "refunded", "closed", "已取消", "已退款", "交易关闭"}

// CountedOrder returns the SQL condition, over the orders table aliased as
// alias, that keeps purchases and drops ExcludedStatuses. The list is
// constant, so it is written into the SQL rather than bound, which lets the
// planner use it with the covering index.
func CountedOrder(alias string) string {
	s := alias + ".status NOT IN ("
	for i, st := range ExcludedStatuses {
		if i > 0 {
			s += ", "
		}
		s += "'" + st + "'"
	}
	return s + ")"
}
