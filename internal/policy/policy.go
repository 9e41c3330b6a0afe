package policy

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"nudge/internal/clock"
	"nudge/internal/pii"
	"nudge/internal/store"
)

//go:embed queries.sql
var queryFS embed.FS

// SettingsKey is where the policy Config lives in the settings table.
const SettingsKey = "policy"

// fieldPhone is the field name bound into sealed phone numbers and blind
// indexes; it must match the customer package's so that a suppression
// matches customers.phone_index.
const fieldPhone = "phone"

// Policy is the policy service: it decides (Decide), records each decision,
// and keeps the facts decisions depend on — consent with its proof, the
// suppression list, preferences, the sends ledger and interactions.
type Policy struct {
	db     *store.DB
	keys   *pii.Keyring
	clock  clock.Clock
	log    *slog.Logger
	q      store.Queries
	region string
	rules  atomic.Pointer[Rules]
	dlog   *decisionLog
}

// Options configure a Policy.
type Options struct {
	// Region applies to phone numbers written without a country code
	// (default CN).
	Region string
	// Timezone is the shop's zone when the stored config names none.
	Timezone string
	// Log receives the decision log writer's errors; default slog.Default.
	Log *slog.Logger
	// LogBuffer and LogBatch size the decision log writer; see
	// decisionlog.go. Defaults 8192 and 1000.
	LogBuffer, LogBatch int
}

// New loads the package's queries and the stored config (the defaults when
// none is stored) and starts the decision log writer. Close stops it.
func New(ctx context.Context, db *store.DB, keys *pii.Keyring, clk clock.Clock, opt Options) (*Policy, error) {
	q, err := store.LoadQueries(ctx, db, queryFS, "queries.sql")
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	if opt.Region == "" {
		opt.Region = "CN"
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	p := &Policy{db: db, keys: keys, clock: clk, log: opt.Log.With("component", "policy"), q: q, region: opt.Region}
	cfg, err := p.loadConfig(ctx, opt.Timezone)
	if err != nil {
		return nil, err
	}
	rules, err := Compile(cfg)
	if err != nil {
		return nil, fmt.Errorf("stored policy settings: %w", err)
	}
	p.rules.Store(rules)
	p.dlog = newDecisionLog(db, p.log, opt.LogBuffer, opt.LogBatch)
	return p, nil
}

// loadConfig reads the stored config over the defaults: fields the stored
// JSON leaves out keep their default, maps merge key by key.
func (p *Policy) loadConfig(ctx context.Context, tz string) (Config, error) {
	cfg := DefaultConfig()
	if tz != "" {
		cfg.Timezone = tz
	}
	var raw string
	err := p.db.R.QueryRowContext(ctx, p.q.Get("settings_get"), SettingsKey).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return cfg, nil
	}
	if err != nil {
		return cfg, fmt.Errorf("policy: read settings: %w", err)
	}
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		return cfg, fmt.Errorf("policy: stored settings: %w", err)
	}
	return cfg, nil
}

// Rules returns the rules in force. The pointer stays valid (and
// unchanged) after SetConfig installs new ones.
func (p *Policy) Rules() *Rules { return p.rules.Load() }

// SetConfig checks cfg, stores it and puts it in force at once.
func (p *Policy) SetConfig(ctx context.Context, cfg Config) error {
	rules, err := Compile(cfg)
	if err != nil {
		return err
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	if _, err := p.db.W.ExecContext(ctx, p.q.Get("settings_put"), SettingsKey, string(b)); err != nil {
		return fmt.Errorf("policy: save settings: %w", err)
	}
	p.rules.Store(rules)
	return nil
}

// Decide evaluates the rules for recipient c, a message of category cat at
// now, and records the decision in the decision log. Every sender calls it
// before enqueueing. It does not allocate; the log write is batched (see
// decisionlog.go) and only blocks when the writer has fallen more than a
// buffer behind.
func (p *Policy) Decide(ctx context.Context, c Recipient, cat Category, now time.Time) Decision {
	return p.DecideWith(ctx, c, cat, now, nil)
}

// DecideWith is Decide with the sending window of the gateway that will
// carry the message; nil means no gateway window.
func (p *Policy) DecideWith(ctx context.Context, c Recipient, cat Category, now time.Time, gateway *Window) Decision {
	d := evaluate(&c, cat, now, p.rules.Load(), gateway)
	p.dlog.add(ctx, c.CustomerID, cat, now, &d)
	return d
}

// FlushDecisions waits until every decision taken so far is in the store.
func (p *Policy) FlushDecisions(ctx context.Context) error { return p.dlog.flush(ctx) }

// Close writes the decisions still buffered and stops the writer. Call it
// after the last Decide.
func (p *Policy) Close() error { return p.dlog.close() }

// now is the policy's clock reading, in UTC.
func (p *Policy) now() time.Time { return p.clock.Now().UTC() }
