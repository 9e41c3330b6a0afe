// Package compose is the render step of the send path: it turns a template
// and a customer into the exact text that will be sent. Every sender
// (direct sends, campaigns, flows) and the console's live preview go
// through it, so that a message reads the same whoever sends it.
//
// Render parses the template (parsed templates are cached), fills its
// fields from the customer and the sender's per-message values (see
// Fields), draws a single-use code for {{coupon}} from a coupon pool
// (atomic and idempotent per pool and message key), makes a personal short
// link for {{link}}, adds the shop's signature and, for marketing, the
// opt-out line (the shop's Settings), counts the result as a carrier bills
// it and lints it. Preview does the same for a real customer without
// drawing a code or making a link. A sender that sends one template to
// many customers (a campaign step) makes a Renderer once and renders each
// customer with it, without the lint: the same messages, with the work
// that repeats done once and one allocation per message.
// docs/templates.md is the merchant's guide.
package compose

import (
	"context"
	"embed"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"nudge/internal/clock"
	"nudge/internal/customer"
	"nudge/internal/link"
	"nudge/internal/policy"
	"nudge/internal/sms"
	"nudge/internal/store"
)

//go:embed queries.sql
var queryFS embed.FS

// Service renders messages and keeps the compose settings and the coupon
// pools. It is safe for concurrent use.
type Service struct {
	db        *store.DB
	q         store.Queries
	clock     clock.Clock
	log       *slog.Logger
	customers *customer.Store
	links     *link.Service
	policy    *policy.Policy
	settings  atomic.Pointer[Settings]
	cache     templateCache
	// scratch holds the buffers of renders done through Render and
	// Preview, reused across calls (see render.go).
	scratch sync.Pool
	// placeholder is the preview's stand-in for a short link.
	placeholder string
}

// Options are the services compose builds on.
type Options struct {
	// Customers finds the customer of a preview and gives the shop's zone.
	Customers *customer.Store
	// Links makes {{link}}; without it a template with {{link}} fails to
	// render (previews still show a placeholder).
	Links *link.Service
	// Policy maps categories to kinds (marketing gets the opt-out line);
	// without it only transactional, marketing and staff are known.
	Policy *policy.Policy
	// Clock dates coupon draws and member_days; default the system clock.
	Clock clock.Clock
	// Log defaults to slog.Default.
	Log *slog.Logger
}

// New loads the package's queries and the stored settings (the defaults
// when none are stored).
func New(ctx context.Context, db *store.DB, opt Options) (*Service, error) {
	q, err := store.LoadQueries(ctx, db, queryFS, "queries.sql")
	if err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	if opt.Clock == nil {
		opt.Clock = clock.System{}
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	s := &Service{db: db, q: q, clock: opt.Clock, log: opt.Log.With("component", "compose"),
		customers: opt.Customers, links: opt.Links, policy: opt.Policy}
	s.placeholder = "https://n.example/l/" + placeholderToken
	if opt.Links != nil {
		s.placeholder = opt.Links.URL(placeholderToken)
	}
	st, err := s.loadSettings(ctx)
	if err != nil {
		return nil, err
	}
	s.settings.Store(&st)
	return s, nil
}

// placeholderToken stands in for a short link's token in previews; it has
// the length of a real one (link.Options.TokenLength's default), so that
// the count is the one the message will have.
const placeholderToken = "xxxxxxxx"

// Message is a rendered message: the exact text to send, what it costs
// (the same count as `nudge sms count`), and the copy lint's warnings,
// whose positions are rune offsets into Text.
type Message struct {
	Text       string       `json:"text"`
	Encoding   sms.Encoding `json:"encoding"`
	Segments   int          `json:"segments"`
	Units      int          `json:"units"`
	PerSegment int          `json:"per_segment"`
	// Chars is the number of characters (runes) of Text.
	Chars    int           `json:"chars"`
	Warnings []sms.Warning `json:"warnings"`
}

// Extras are what a sender knows about one message beyond the customer.
type Extras struct {
	// Values are per-message fields (order_no, amount, ...). They win over
	// every other source, so a sender that already has a coupon code or a
	// link for this message passes it as "coupon" or "link" and nothing is
	// drawn or made.
	Values map[string]string
	// Locale picks the opt-out line and the form of {{surname_title}};
	// default the settings' DefaultLocale.
	Locale string
	// MessageKey identifies the message (the outbox key): a coupon is
	// drawn once per pool and key, so a retried send gets the same code.
	// Required when the template draws a coupon.
	MessageKey string
	// CouponPool is the pool of a bare {{coupon}}; {{coupon.NAME}} names
	// its own.
	CouponPool string
	// LinkTarget is where {{link}} leads; default the template's own
	// {{link|https://...}}.
	LinkTarget string
	// Campaign and Content become the link's utm_campaign and utm_content.
	Campaign, Content string
	// NoLint skips the copy lint, for senders that linted the template
	// when it was written and send it a million times.
	NoLint bool
}

// Render renders template src for customer c (nil for a number that is no
// customer's) as a message of category (a policy category; "" is
// transactional). Errors: *sms.ParseError for a
// malformed template, *RenderError naming the field and its position for a
// field that cannot be filled (no value and no fallback, an empty coupon
// pool, a link without target), ErrUnknownCategory, ErrNoText.
func (s *Service) Render(ctx context.Context, src string, c *customer.Customer, category string, x Extras) (Message, error) {
	return s.render(ctx, src, c, category, x, false)
}

// isMarketing maps a category to whether it is marketing; "" is
// transactional.
func (s *Service) isMarketing(category string) (bool, error) {
	if category == "" {
		return false, nil
	}
	if s.policy != nil {
		k, ok := s.policy.Rules().Kind(policy.Category(category))
		if !ok {
			return false, fmt.Errorf("compose: %w %q", ErrUnknownCategory, category)
		}
		return k == policy.Marketing, nil
	}
	switch policy.Kind(category) {
	case policy.Transactional, policy.Staff:
		return false, nil
	case policy.Marketing:
		return true, nil
	}
	return false, fmt.Errorf("compose: %w %q", ErrUnknownCategory, category)
}

// location is the shop's zone, for dates in fields.
func (s *Service) location() *time.Location {
	if s.customers != nil {
		return s.customers.Location()
	}
	return time.UTC
}

// Categories returns the categories a message may have, in the policy's table
// order, for forms that offer them.
func (s *Service) Categories() []string {
	if s.policy == nil {
		return []string{string(policy.Transactional), string(policy.Marketing), string(policy.Staff)}
	}
	var out []string
	for _, c := range s.policy.Rules().Categories() {
		out = append(out, string(c))
	}
	return out
}
