package link

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"nudge/internal/clock"
	"nudge/internal/pii"
	"nudge/internal/store"
)

//go:embed queries.sql
var queryFS embed.FS

// Options configure a Service.
type Options struct {
	// BaseURL is how the redirect is reached from a phone
	// ("https://s.shop.example"); links are BaseURL + "/l/" + token.
	BaseURL string
	// TokenLength is the token size in characters (default 8, at least 8).
	TokenLength int
	// TrustProxy takes the client address from X-Forwarded-For / X-Real-IP,
	// for a server behind a reverse proxy. Off, the peer address is used.
	TrustProxy bool
	// Buffer is the click queue's capacity (default 65,536) and Batch the
	// most clicks written per insert (default 2,000).
	Buffer, Batch int
	// Linger is how long the click writer waits to fill a batch (default
	// 20 ms; negative: not at all).
	Linger time.Duration
	// QueueWait is how long a redirect waits for room in a full click
	// queue before it drops the click (default 100 ms); see clicks.go.
	QueueWait time.Duration
	// Synchronous records each click with a single-row insert before the
	// redirect is answered, instead of through the queue. It exists to
	// measure the difference (linkbench); the queue is the default.
	Synchronous bool
	// CacheSize bounds the token cache (default 100,000 links).
	CacheSize int
	// Log receives the click writer's errors; default slog.Default.
	Log *slog.Logger
}

// Service creates links, resolves tokens and records clicks.
type Service struct {
	db    *store.DB
	clock clock.Clock
	q     store.Queries
	opt   Options
	base  string
	log   *slog.Logger
	rec   *recorder

	// token draws a new token; tests replace it to force collisions.
	token func(n int) string

	mu    sync.RWMutex
	cache map[string]*entry
}

// entry is a resolved link, cached by token.
type entry struct {
	id       int64
	location string
}

// ErrNotFound is returned for a token that names no link.
var ErrNotFound = store.ErrNotFound

// New loads the package's queries and starts the click writer; Close stops
// it after writing every queued click.
func New(ctx context.Context, db *store.DB, keys *pii.Keyring, clk clock.Clock, opt Options) (*Service, error) {
	q, err := store.LoadQueries(ctx, db, queryFS, "queries.sql")
	if err != nil {
		return nil, fmt.Errorf("link: %w", err)
	}
	if opt.TokenLength == 0 {
		opt.TokenLength = 8
	}
	if opt.TokenLength < 8 || opt.TokenLength > 32 {
		return nil, fmt.Errorf("link: token length %d is outside 8..32", opt.TokenLength)
	}
	if opt.CacheSize <= 0 {
		opt.CacheSize = 100000
	}
	if opt.QueueWait <= 0 {
		opt.QueueWait = 100 * time.Millisecond
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	base := strings.TrimRight(opt.BaseURL, "/")
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("link: base URL %q is not an http(s) URL", opt.BaseURL)
	}
	s := &Service{db: db, clock: clk, q: q, opt: opt, base: base, log: opt.Log.With("component", "link"),
		cache: map[string]*entry{}, token: newToken}
	s.rec = newRecorder(db, keys.IPKey(), opt, s.log)
	return s, nil
}

// Close writes the clicks still queued and stops the writer. Call it after
// the HTTP server has shut down; a click that arrives later is written
// synchronously, so none is lost.
func (s *Service) Close() error { return s.rec.close() }

// Flush waits until every click recorded so far is in the store.
func (s *Service) Flush(ctx context.Context) error { return s.rec.flush(ctx) }

// URL returns the short URL of a token.
func (s *Service) URL(token string) string { return s.base + "/l/" + token }

// CheckTarget accepts absolute http(s) URLs only: a short link must not
// become a redirect to javascript: or to a relative path on our host.
func CheckTarget(target string) error {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("link: target %q is not an absolute http(s) URL", target)
	}
	return nil
}

// Create makes a link to target for one message and returns its short URL:
// the template renderer's {{link}}. campaign and content become
// utm_campaign and utm_content; customerID ties the clicks to the customer
// (0 for a link that is not personal).
func (s *Service) Create(ctx context.Context, target, campaign, content string, customerID int64) (string, error) {
	if err := CheckTarget(target); err != nil {
		return "", err
	}
	var cust any
	if customerID != 0 {
		cust = customerID
	}
	// A fresh token collides with a stored one about never; when it does,
	// the unique index refuses the row and another token is drawn.
	for attempt := 0; attempt < 8; attempt++ {
		tok := s.token(s.opt.TokenLength)
		res, err := s.db.W.ExecContext(ctx, s.q.Get("link_add"), tok, target, campaign, content, cust, s.clock.Now().Unix())
		if err != nil {
			return "", fmt.Errorf("link: create: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return s.URL(tok), nil
		}
	}
	return "", errors.New("link: could not draw an unused token in 8 tries")
}

// Spec is one link of a CreateBatch.
type Spec struct {
	Target, Campaign, Content string
	CustomerID                int64
}

// CreateBatch makes many links in one transaction (a campaign's batch of
// recipients) and returns their short URLs in order. Tokens are checked
// against the store first and drawn again on a collision.
func (s *Service) CreateBatch(ctx context.Context, specs []Spec) ([]string, error) {
	if len(specs) == 0 {
		return nil, nil
	}
	for _, sp := range specs {
		if err := CheckTarget(sp.Target); err != nil {
			return nil, err
		}
	}
	toks := make([]string, len(specs))
	seen := make(map[string]bool, len(specs))
	for i := range toks {
		for toks[i] == "" || seen[toks[i]] {
			toks[i] = s.token(s.opt.TokenLength)
		}
		seen[toks[i]] = true
	}
	now := s.clock.Now().Unix()
	const chunk = 500
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		for lo := 0; lo < len(specs); lo += chunk {
			hi := min(lo+chunk, len(specs))
			if err := s.redrawTaken(ctx, tx, toks[lo:hi], seen); err != nil {
				return err
			}
			args := make([]any, 0, (hi-lo)*6)
			for i := lo; i < hi; i++ {
				var cust any
				if specs[i].CustomerID != 0 {
					cust = specs[i].CustomerID
				}
				args = append(args, toks[i], specs[i].Target, specs[i].Campaign, specs[i].Content, cust, now)
			}
			q := s.db.Rebind(`INSERT INTO links (token, target, campaign, content, customer_id, created_at) VALUES ` +
				store.Placeholders(hi-lo, 6))
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("link: create batch: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = s.URL(t)
	}
	return out, nil
}

// redrawTaken replaces the tokens of toks that the store already holds.
func (s *Service) redrawTaken(ctx context.Context, tx *sql.Tx, toks []string, seen map[string]bool) error {
	for {
		args := make([]any, len(toks))
		for i, t := range toks {
			args[i] = t
		}
		rows, err := tx.QueryContext(ctx, s.db.Rebind(`SELECT token FROM links WHERE token IN (`+
			strings.TrimSuffix(strings.Repeat("?,", len(toks)), ",")+`)`), args...)
		if err != nil {
			return err
		}
		taken := map[string]bool{}
		for rows.Next() {
			var t string
			if err := rows.Scan(&t); err != nil {
				rows.Close()
				return err
			}
			taken[t] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(taken) == 0 {
			return nil
		}
		for i, t := range toks {
			if taken[t] {
				for seen[toks[i]] {
					toks[i] = s.token(s.opt.TokenLength)
				}
				seen[toks[i]] = true
			}
		}
	}
}

// lookup resolves a token through the cache. Links never change once made,
// so a cached entry is never stale; the cache is emptied when full rather
// than kept in LRU order, which costs one store read per link afterwards.
func (s *Service) lookup(ctx context.Context, token string) (*entry, error) {
	s.mu.RLock()
	e := s.cache[token]
	s.mu.RUnlock()
	if e != nil {
		return e, nil
	}
	var (
		target, campaign, content string
	)
	e = &entry{}
	err := s.db.R.QueryRowContext(ctx, s.q.Get("link_by_token"), token).Scan(&e.id, &target, &campaign, &content)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	e.location = AppendUTM(target, campaign, content)
	s.mu.Lock()
	if len(s.cache) >= s.opt.CacheSize {
		clear(s.cache)
	}
	s.cache[token] = e
	s.mu.Unlock()
	return e, nil
}

// Resolve returns the redirect location of a token (target with UTM).
func (s *Service) Resolve(ctx context.Context, token string) (string, error) {
	if !validToken(token) {
		return "", ErrNotFound
	}
	e, err := s.lookup(ctx, token)
	if err != nil {
		return "", err
	}
	return e.location, nil
}

// ClickCounts returns the clicks stored: by people, and by bots and
// prefetchers (kept apart from every count a report shows).
func (s *Service) ClickCounts(ctx context.Context) (human, bot int64, err error) {
	err = s.db.R.QueryRowContext(ctx, s.q.Get("click_counts")).Scan(&human, &bot)
	return human, bot, err
}

// JournalCount returns the number of rows in the click journal: every
// request recorded, people's and bots'.
func (s *Service) JournalCount(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.R.QueryRowContext(ctx, s.q.Get("journal_count")).Scan(&n)
	return n, err
}

// CampaignStats are the click figures of one campaign's links.
type CampaignStats struct {
	Links    int64 `json:"links"`
	Clicks   int64 `json:"clicks"`   // by people
	Clickers int64 `json:"clickers"` // distinct customers who clicked
	BotHits  int64 `json:"bot_hits"` // previews, prefetches, crawlers
}

// Stats returns the click figures of a campaign (its utm_campaign value).
func (s *Service) Stats(ctx context.Context, campaign string) (CampaignStats, error) {
	var st CampaignStats
	err := s.db.R.QueryRowContext(ctx, s.q.Get("campaign_stats"), campaign).Scan(&st.Links, &st.Clicks, &st.Clickers, &st.BotHits)
	return st, err
}
