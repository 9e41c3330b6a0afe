// Package inbound takes what gateways hear back: delivery receipts, which
// update the outbox, and customers' replies, which are stored and routed.
//
// Receipts are applied in batches. One that arrives before the submit
// response naming its id has been recorded (a fast SMSC answers with the
// receipt right behind the response) is held: retried in memory for a few
// seconds, then kept in pending_receipts and applied when the id appears,
// so it is never lost. Duplicates change nothing and a final state never
// goes back (the outbox's compare-and-set). Hard failures (no such number)
// are counted by the policy, which suppresses the number after its
// configured count.
//
// Replies are stored in the inbox. An opt-out word (TD, 退订, STOP...)
// opts the sender out at once, cancels what is still queued for the number,
// and sends at most one confirmation with no marketing in it; START
// restores what the sender's consent allows; a double opt-in confirmation
// goes to the policy; everything else waits in the inbox for a person.
package inbound

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"nudge/internal/clock"
	"nudge/internal/customer"
	"nudge/internal/gateway"
	"nudge/internal/outbox"
	"nudge/internal/pii"
	"nudge/internal/store"
)

// Consent is what inbound needs from the policy. PolicyConsent adapts
// *policy.Policy to it.
type Consent interface {
	// OptOut opts a number out everywhere; source and proof say how.
	OptOut(ctx context.Context, phone, source, proof string) error
	// OptedOut reports whether the number is already opted out, so that a
	// second TD gets no second confirmation.
	OptedOut(ctx context.Context, phone string) (bool, error)
	// Restore lifts an opt-out as far as the customers' consent allows
	// and reports whether anything changed.
	Restore(ctx context.Context, phone, proof string) (bool, error)
	// ConfirmByReply completes a pending double opt-in; it returns how
	// many customers it confirmed.
	ConfirmByReply(ctx context.Context, phone, text string) (int, error)
	// HardFailure counts a delivery that failed because the number does
	// not exist; Delivered resets the count.
	HardFailure(ctx context.Context, phone string) error
	Delivered(ctx context.Context, phone string) error
	// Touch records a reply as an interaction of a customer.
	Touch(ctx context.Context, customerID int64, at time.Time) error
}

// Customers finds the customers with a number.
type Customers interface {
	FindByPhone(ctx context.Context, raw string) ([]customer.Customer, error)
}

// Options configure the service.
type Options struct {
	Region      string   // for numbers without a country code; default CN
	OptOutWords []string // default DefaultOptOutWords
	StartWords  []string // default DefaultStartWords
	// OptOutReply confirms an opt-out, once; empty sends none. It must
	// not market: it is sent to someone who just said no.
	OptOutReply string
	// StartReply confirms a restore; empty sends none.
	StartReply string
	// ReplyCategory is the category confirmations are sent under; it must
	// be transactional so that the opt-out itself does not stop it.
	ReplyCategory string
	// PendingTTL is how long a receipt whose message is unknown is kept;
	// default 7 days.
	PendingTTL time.Duration
	// SweepEvery is how often messages without receipts and messages
	// past their validity are expired; default 1 minute.
	SweepEvery time.Duration
}

// Defaults for the confirmations.
const (
	DefaultOptOutReply = "您已成功退订，将不再收到营销短信。"
	DefaultStartReply  = "您已恢复接收短信。"
)

// Service applies receipts and routes replies.
type Service struct {
	db        *store.DB
	keys      *pii.Keyring
	clock     clock.Clock
	out       *outbox.Store
	consent   Consent
	customers Customers
	opt       Options
	log       *slog.Logger
	optOut    Keywords
	start     Keywords

	receipts chan gateway.Receipt
	replies  chan gateway.Reply
	held     []heldReceipt // unmatched receipts retried in memory
	wg       sync.WaitGroup
}

// New builds the service; Run processes what the Sink methods take in.
func New(db *store.DB, keys *pii.Keyring, clk clock.Clock, out *outbox.Store, consent Consent, customers Customers, opt Options, log *slog.Logger) *Service {
	if opt.Region == "" {
		opt.Region = "CN"
	}
	if opt.OptOutWords == nil {
		opt.OptOutWords = DefaultOptOutWords
	}
	if opt.StartWords == nil {
		opt.StartWords = DefaultStartWords
	}
	if opt.ReplyCategory == "" {
		opt.ReplyCategory = "service"
	}
	if opt.PendingTTL <= 0 {
		opt.PendingTTL = 7 * 24 * time.Hour
	}
	if opt.SweepEvery <= 0 {
		opt.SweepEvery = time.Minute
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: db, keys: keys, clock: clk, out: out, consent: consent, customers: customers, opt: opt,
		log: log.With("component", "inbound"), optOut: NewKeywords(opt.OptOutWords), start: NewKeywords(opt.StartWords),
		receipts: make(chan gateway.Receipt, 16384), replies: make(chan gateway.Reply, 1024)}
}

// Receipt takes a receipt from a gateway. It blocks when the service is a
// whole buffer behind, which slows the gateway's reading down rather than
// dropping receipts.
func (s *Service) Receipt(r gateway.Receipt) { s.receipts <- r }

// Reply takes a customer's reply from a gateway.
func (s *Service) Reply(r gateway.Reply) { s.replies <- r }

// Run processes receipts and replies until ctx ends, then what is still
// buffered. It also runs the expiry sweeps and retries held receipts.
func (s *Service) Run(ctx context.Context) {
	sweep := time.NewTicker(s.opt.SweepEvery)
	defer sweep.Stop()
	retry := time.NewTicker(250 * time.Millisecond)
	defer retry.Stop()
	s.Sweep(ctx)
	for {
		select {
		case <-ctx.Done():
			bg := context.WithoutCancel(ctx)
			s.drain(bg)
			s.persistHeld(bg, true)
			return
		case r := <-s.receipts:
			s.applyBatch(ctx, s.collect(r))
		case r := <-s.replies:
			if err := s.HandleReply(ctx, r); err != nil {
				s.log.Error("reply not handled", "gateway", r.Gateway, "from", pii.MaskPhone(r.From), "err", err)
			}
		case <-retry.C:
			s.retryHeld(ctx)
		case <-sweep.C:
			s.Sweep(ctx)
		}
	}
}

// collect gathers the receipts already waiting, up to a batch.
func (s *Service) collect(first gateway.Receipt) []gateway.Receipt {
	batch := []gateway.Receipt{first}
	for len(batch) < 500 {
		select {
		case r := <-s.receipts:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

func (s *Service) drain(ctx context.Context) {
	for {
		select {
		case r := <-s.receipts:
			s.applyBatch(ctx, s.collect(r))
		case r := <-s.replies:
			s.HandleReply(ctx, r)
		default:
			return
		}
	}
}

// Sweep expires submitted messages that never got a receipt, queued ones
// past their validity, and held receipts older than PendingTTL.
func (s *Service) Sweep(ctx context.Context) {
	if n, err := s.out.ExpireUnconfirmed(ctx); err != nil {
		s.log.Warn("expiry sweep failed", "err", err)
	} else if n > 0 {
		s.log.Info("messages without receipt expired", "count", n)
	}
	if n, err := s.out.ExpireStale(ctx); err != nil {
		s.log.Warn("validity sweep failed", "err", err)
	} else if n > 0 {
		s.log.Info("messages past their validity expired unsent", "count", n)
	}
	cut := s.clock.Now().Add(-s.opt.PendingTTL).Unix()
	s.db.W.ExecContext(ctx, s.db.Rebind(`DELETE FROM pending_receipts WHERE received_at < ?`), cut)
}
