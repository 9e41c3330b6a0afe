package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"nudge/internal/auth"
	"nudge/internal/clock"
	"nudge/internal/compose"
	"nudge/internal/customer"
	"nudge/internal/link"
	"nudge/internal/pii"
	"nudge/internal/policy"
	"nudge/internal/segment"
	"nudge/internal/store"
)

// App holds the open store and the domain services built on it.
type App struct {
	Config    Config
	DB        *store.DB
	Keys      *pii.Keyring
	Clock     clock.Clock
	Log       *slog.Logger
	Customers *customer.Store
	// Auth keeps console users, their sessions and API tokens.
	Auth *auth.Service
	// Segments computes RFM and evaluates saved segments.
	Segments *segment.Service
	// Policy decides whether a customer may get a message now.
	Policy *policy.Policy
	// Links makes personal short links and records their clicks.
	Links *link.Service
	// Compose renders templates into the messages every sender sends, and
	// keeps the signature, opt-out and coupon settings.
	Compose *compose.Service
	// Scheduler runs the nightly jobs while `nudge serve` has the
	// scheduler role; nil otherwise.
	Scheduler *Scheduler
}

// Open opens the store, applies pending migrations, loads the master keys
// and builds the services.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	keys, err := pii.LoadKeyring(cfg.MasterKey, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	for _, m := range applied {
		log.Info("migration applied", "component", "store", "version", m.Version, "name", m.Name)
	}
	a := &App{Config: cfg, DB: db, Keys: keys, Clock: clock.System{}, Log: log}
	if err := a.build(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) build(ctx context.Context) error {
	var err error
	a.Customers, err = customer.NewStore(ctx, a.DB, a.Keys, a.Clock, customer.Options{Region: a.Config.Region, Timezone: a.Config.Timezone})
	if err != nil {
		return fmt.Errorf("customer: %w", err)
	}
	a.Auth, err = auth.New(ctx, a.DB, a.Clock)
	if err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	a.Segments, err = segment.NewService(ctx, a.DB, segment.Options{Clock: a.Clock, Location: a.Customers.Location(), Phones: a.Customers, Log: a.Log})
	if err != nil {
		return err
	}
	a.Policy, err = policy.New(ctx, a.DB, a.Keys, a.Clock, policy.Options{Region: a.Config.Region, Timezone: a.Config.Timezone, Log: a.Log})
	if err != nil {
		return err
	}
	a.Links, err = link.New(ctx, a.DB, a.Keys, a.Clock, link.Options{BaseURL: a.Config.BaseURL, Log: a.Log})
	if err != nil {
		return err
	}
	a.Compose, err = compose.New(ctx, a.DB, compose.Options{Customers: a.Customers, Links: a.Links, Policy: a.Policy, Clock: a.Clock, Log: a.Log})
	if err != nil {
		return err
	}
	return nil
}

// Close flushes what the services buffer (the decision log, queued clicks)
// and releases the store. Callers stop serving first, so nothing is added
// after the flush.
func (a *App) Close() error {
	var errs []error
	if a.Links != nil {
		errs = append(errs, a.Links.Close())
	}
	if a.Policy != nil {
		errs = append(errs, a.Policy.Close())
	}
	errs = append(errs, a.DB.Close())
	return errors.Join(errs...)
}
