// Package outbox is the queue every outgoing SMS passes through, and its
// dispatcher.
//
// A message is a row in messages from the moment it is enqueued to its final
// state. Enqueue is idempotent on a key the sender chooses (campaign, step,
// customer), so a retry or a second scheduler never makes a second message.
// Status moves only forward, by compare-and-set updates:
//
//	queued -> sending -> submitted -> delivered | undelivered | expired
//	   |         |-> failed (the gateway refused for good)
//	   |         |-> queued (a temporary error: retried later, or moved to another gateway)
//	   |-> cancelled (source cancelled, opt-out, suppression just before submit)
//	   |-> expired (its validity passed before it could be sent)
//
// "sending" means claimed by a dispatcher for an immediate submit. A
// dispatcher that dies leaves its "sending" rows behind: nobody knows whether
// the gateway took them, so they are held for review (nudge outbox review)
// rather than resent, unless the gateway is configured to resend. Everything
// still queued is sent exactly once after a restart.
package outbox

import (
	"context"
	"embed"
	"fmt"
	"sync"
	"time"

	"nudge/internal/clock"
	"nudge/internal/pii"
	"nudge/internal/store"
)

//go:embed queries.sql
var queryFS embed.FS

// fieldPhone is bound into sealed numbers and blind indexes; it matches the
// customer and policy packages so that indexes compare across tables.
const fieldPhone = "phone"

// Status is where a message is in its life.
type Status string

// Message states.
const (
	Queued      Status = "queued"
	Sending     Status = "sending"
	Submitted   Status = "submitted"
	Delivered   Status = "delivered"
	Undelivered Status = "undelivered"
	Expired     Status = "expired"
	Failed      Status = "failed"
	Cancelled   Status = "cancelled"
)

// Statuses lists every state in life order.
var Statuses = []Status{Queued, Sending, Submitted, Delivered, Undelivered, Expired, Failed, Cancelled}

// Final reports whether s never changes again.
func (s Status) Final() bool {
	switch s {
	case Delivered, Undelivered, Expired, Failed, Cancelled:
		return true
	}
	return false
}

// Source kinds.
const (
	SourceCampaign = "campaign"
	SourceFlow     = "flow"
	SourceReply    = "reply"
	SourceStaff    = "staff"
	SourceAPI      = "api"
)

// Source is what a message is sent for: a kind and a reference within it
// (a campaign id, a flow id, "cli"). Pause, resume and cancel act on a
// source.
type Source struct {
	Kind string `json:"kind"`
	Ref  string `json:"ref"`
}

func (s Source) String() string { return s.Kind + ":" + s.Ref }

// sourcePriority orders sources when a dispatcher claims: answers to a
// customer and staff notices before API sends and flows, campaigns last, so
// that an order confirmation never waits behind a million-message broadcast.
func sourcePriority(kind string) int {
	switch kind {
	case SourceReply:
		return 0
	case SourceStaff:
		return 1
	case SourceAPI, SourceFlow:
		return 2
	}
	return 5
}

// Source states.
const (
	SourceActive    = "active"
	SourcePaused    = "paused"
	SourceCancelled = "cancelled"
)

// Router picks the first gateway for a new message. The gateway package's
// Manager implements it; nil leaves messages unrouted until one is set.
type Router interface {
	Route(to, carrier, category string, exclude []string) string
}

// Options configure a Store.
type Options struct {
	// Region applies to numbers written without a country code.
	Region string
	// Router routes new messages; nil means none yet.
	Router Router
	// Ledger records new messages against frequency caps inside the
	// enqueue transaction; nil records nothing.
	Ledger Ledger
	// KindOf maps a category to its kind (transactional, marketing,
	// staff); nil treats the category name as the kind.
	KindOf func(category string) string
	// MarketingValidity is how long a marketing message stays worth
	// sending after its earliest send time; default 24 h. A message still
	// unsent after it expires instead.
	MarketingValidity time.Duration
	// UnconfirmedAfter is how long a submitted message waits for its
	// receipt before it counts as expired; default 72 h.
	UnconfirmedAfter time.Duration
}

// Store reads and writes the outbox.
type Store struct {
	db    *store.DB
	keys  *pii.Keyring
	clock clock.Clock
	q     store.Queries
	opt   Options

	mu      sync.Mutex
	wakers  []chan struct{}
	routerM sync.RWMutex

	// statsMu guards the rows queued since this process last analyzed
	// messages on PostgreSQL and the table's size then (refreshStats).
	statsMu      sync.Mutex
	sinceAnalyze int64
	analyzedRows int64
}

// NewStore loads the package's queries.
func NewStore(ctx context.Context, db *store.DB, keys *pii.Keyring, clk clock.Clock, opt Options) (*Store, error) {
	q, err := store.LoadQueries(ctx, db, queryFS, "queries.sql")
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	if opt.Region == "" {
		opt.Region = "CN"
	}
	if opt.MarketingValidity <= 0 {
		opt.MarketingValidity = 24 * time.Hour
	}
	if opt.UnconfirmedAfter <= 0 {
		opt.UnconfirmedAfter = 72 * time.Hour
	}
	if opt.KindOf == nil {
		opt.KindOf = func(c string) string { return c }
	}
	return &Store{db: db, keys: keys, clock: clk, q: q, opt: opt}, nil
}

// DB is the underlying store.
func (s *Store) DB() *store.DB { return s.db }

// Keys is the keyring that seals numbers.
func (s *Store) Keys() *pii.Keyring { return s.keys }

// Clock is the store's clock.
func (s *Store) Clock() clock.Clock { return s.clock }

// KindOf returns the kind of a category.
func (s *Store) KindOf(category string) string { return s.opt.KindOf(category) }

// SetRouter installs the router once the gateways are loaded: the outbox
// is built before them in the composition root.
func (s *Store) SetRouter(r Router) {
	s.routerM.Lock()
	s.opt.Router = r
	s.routerM.Unlock()
}

func (s *Store) router() Router {
	s.routerM.RLock()
	defer s.routerM.RUnlock()
	return s.opt.Router
}

// SetLedger installs the frequency-cap ledger.
func (s *Store) SetLedger(l Ledger) { s.opt.Ledger = l }

// Wake returns a channel that receives a value whenever messages are
// enqueued or a source is resumed in this process, so that a dispatcher
// claims at once instead of at its next poll.
func (s *Store) Wake() <-chan struct{} {
	ch := make(chan struct{}, 1)
	s.mu.Lock()
	s.wakers = append(s.wakers, ch)
	s.mu.Unlock()
	return ch
}

// unwake stops waking a channel returned by Wake.
func (s *Store) unwake(ch <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, w := range s.wakers {
		if w == ch {
			s.wakers = append(s.wakers[:i], s.wakers[i+1:]...)
			return
		}
	}
}

func (s *Store) wake() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ch := range s.wakers {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
