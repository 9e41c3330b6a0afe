// Package intel keeps per-customer predictions in the store: the BG/NBD
// and Gamma-Gamma models fitted over every customer (probability alive,
// expected orders, expected order value, lifetime value), each customer's
// habitual shopping weekday and hour, and purchase cycles per category
// with the date the next purchase is due. The numerics are
// internal/predict's; this package streams order histories out of the
// database with one ordered cursor, feeds them to the models and writes the
// results back in batches, so memory depends on the number of distinct
// histories and categories, never on the number of customers.
package intel

import (
	"context"
	"embed"
	"fmt"
	"log/slog"
	"time"

	"nudge/internal/clock"
	"nudge/internal/store"
)

//go:embed queries.sql
var queryFS embed.FS

// Options configure a Service. Zero values take the defaults.
type Options struct {
	Clock clock.Clock
	// Location is the shop's zone: purchase days, calibration dates and
	// habits of customers without their own zone are read in it.
	Location *time.Location
	// HorizonWeeks is the CLV horizon (default 52).
	HorizonWeeks int
	// AnnualDiscount is the CLV discount rate per year (default 0.10).
	AnnualDiscount float64
	// CyclePriorWeight is how many intervals the category median counts
	// for when shrinking a customer's own cycle (default 2).
	CyclePriorWeight float64
	// MaxCycleDays is the longest interval the category histograms keep
	// apart; longer ones count as this many days (default 730).
	MaxCycleDays int
	// Batch is how many rows each write transaction carries (default 2000).
	Batch int
	Log   *slog.Logger
}

// Service computes and stores predictions for one store.
type Service struct {
	db  *store.DB
	q   store.Queries
	opt Options
}

// NewService loads the package's queries and fills option defaults.
func NewService(ctx context.Context, db *store.DB, opt Options) (*Service, error) {
	q, err := store.LoadQueries(ctx, db, queryFS, "queries.sql")
	if err != nil {
		return nil, fmt.Errorf("intel: %w", err)
	}
	if opt.Clock == nil {
		opt.Clock = clock.System{}
	}
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	if opt.HorizonWeeks == 0 {
		opt.HorizonWeeks = 52
	}
	if opt.AnnualDiscount == 0 {
		opt.AnnualDiscount = 0.10
	}
	if opt.CyclePriorWeight == 0 {
		opt.CyclePriorWeight = 2
	}
	if opt.MaxCycleDays == 0 {
		opt.MaxCycleDays = 730
	}
	if opt.Batch == 0 {
		opt.Batch = 2000
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	opt.Log = opt.Log.With("component", "intel")
	return &Service{db: db, q: q, opt: opt}, nil
}

// day returns midnight of t's date in the shop's zone.
func (s *Service) day(t time.Time) time.Time {
	y, m, d := t.In(s.opt.Location).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, s.opt.Location)
}
