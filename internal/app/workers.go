package app

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"nudge/internal/api"
	"nudge/internal/gateway"
	"nudge/internal/gateway/httpapi"
	"nudge/internal/gateway/sim"
	"nudge/internal/gateway/smppgw"
	"nudge/internal/inbound"
	"nudge/internal/outbox"
	"nudge/internal/outbox/direct"
	"nudge/internal/policy"
	"nudge/internal/web"
)

// GatewayKinds is every kind of gateway this build knows. The registry is
// built from this list and nothing else: adding a gateway kind is one line
// here.
func GatewayKinds() []gateway.Kind {
	return []gateway.Kind{smppgw.Kind, httpapi.Kind, sim.Kind}
}

// Roles say which workers a `nudge serve` process runs. In the embedded
// mode one process runs them all; in scale-out mode (PostgreSQL) any number
// of processes share the work, each with the roles it is given.
type Roles struct {
	API      bool // the console, the API and the gateway hooks
	Dispatch bool // gateways, the dispatcher, receipts and replies
	// Scheduler runs the nightly jobs (RFM, predictions; see schedule.go).
	Scheduler bool
	// Links is for the short link service; it is parsed here so that one
	// setting names every role.
	Links bool
}

// AllRoles is the embedded default.
var AllRoles = Roles{API: true, Dispatch: true, Scheduler: true, Links: true}

// ParseRoles reads "api,dispatch,scheduler,links" or "all".
func ParseRoles(s string) (Roles, error) {
	if s = strings.TrimSpace(s); s == "" || s == "all" {
		return AllRoles, nil
	}
	var r Roles
	for _, f := range strings.Split(s, ",") {
		switch strings.TrimSpace(f) {
		case "api":
			r.API = true
		case "dispatch":
			r.Dispatch = true
		case "scheduler":
			r.Scheduler = true
		case "links":
			r.Links = true
		default:
			return r, fmt.Errorf("unknown role %q (roles: api, dispatch, scheduler, links, all)", f)
		}
	}
	return r, nil
}

// Delivery is the back half of the send path built on an App: the outbox,
// the gateways (configuration, registry, the running set), the interaction
// journal, the inbound service and, once started, the dispatcher.
type Delivery struct {
	Outbox   *outbox.Store
	Policy   *policy.Policy
	Gateways *gateway.Store
	Registry *gateway.Registry
	Manager  *gateway.Manager
	Journal  *gateway.Journal
	Inbound  *inbound.Service
	// Dispatcher is set by Start when the process dispatches.
	Dispatcher *outbox.Dispatcher

	a         *App
	ownPolicy bool
	mu        sync.Mutex
	stop      func()
}

// Delivery builds the delivery services. pol may be nil: the App's policy
// service is used then, or, when the App has none, one is opened and
// closed with the Delivery.
func (a *App) Delivery(ctx context.Context, pol *policy.Policy) (*Delivery, error) {
	if pol == nil {
		pol = a.Policy
	}
	d := &Delivery{a: a, Policy: pol}
	if pol == nil {
		p, err := policy.New(ctx, a.DB, a.Keys, a.Clock, policy.Options{Region: a.Config.Region, Timezone: a.Config.Timezone, Log: a.Log})
		if err != nil {
			return nil, fmt.Errorf("policy: %w", err)
		}
		d.Policy, d.ownPolicy = p, true
	}
	reg, err := gateway.NewRegistry(GatewayKinds()...)
	if err != nil {
		return nil, err
	}
	d.Registry = reg
	d.Gateways = gateway.NewStore(a.DB, a.Keys, a.Clock)
	d.Outbox, err = outbox.NewStore(ctx, a.DB, a.Keys, a.Clock, outbox.Options{
		Region: a.Config.Region,
		Ledger: policyLedger{d.Policy},
		KindOf: policyKind(d.Policy),
	})
	if err != nil {
		d.Close()
		return nil, err
	}
	d.Journal = gateway.NewJournal(a.DB, a.Clock, a.Log)
	d.Inbound = inbound.New(a.DB, a.Keys, a.Clock, d.Outbox,
		inbound.PolicyConsent{P: d.Policy, Customers: a.Customers}, a.Customers,
		inbound.Options{Region: a.Config.Region, OptOutReply: inbound.DefaultOptOutReply, StartReply: inbound.DefaultStartReply}, a.Log)
	d.Manager = gateway.NewManager(reg, d.Gateways, d.Journal, d.Inbound, a.Clock, a.Log)
	d.Outbox.SetRouter(d.Manager)
	return d, nil
}

// Start runs the workers of roles until Stop: with Dispatch, every
// configured gateway, the dispatcher, and the inbound service that applies
// receipts and routes replies; with API alone, the gateways that receive
// hooks (HTTP) and the inbound service, so that hooks work on API-only
// processes.
func (d *Delivery) Start(ctx context.Context, roles Roles) error {
	if !roles.Dispatch && !roles.API {
		return nil
	}
	if !roles.Dispatch {
		d.Manager.Only(func(cfg gateway.Config) bool { return cfg.Scheme == "http" || cfg.Scheme == "https" })
	}
	if err := d.Manager.Load(ctx); err != nil {
		return fmt.Errorf("gateways: %w", err)
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	run := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	inCtx, stopInbound := context.WithCancel(context.WithoutCancel(ctx))
	inDone := make(chan struct{})
	go func() { d.Inbound.Run(inCtx); close(inDone) }()
	run(func() { d.Manager.Run(ctx, 2*time.Second) })
	if roles.Dispatch {
		d.Dispatcher = outbox.NewDispatcher(d.Outbox, outbox.DispatcherOptions{
			Lines:      d.lines,
			Router:     d.Manager,
			Suppressor: policySuppressor{d.Policy},
			Log:        d.a.Log,
		})
		run(func() { d.Dispatcher.Run(ctx) })
	}
	d.mu.Lock()
	d.stop = func() {
		// The dispatcher stops first and lets in-flight submits finish;
		// then the gateways close; the inbound service drains what they
		// said last.
		cancel()
		wg.Wait()
		stopInbound()
		<-inDone
	}
	d.mu.Unlock()
	return nil
}

func (d *Delivery) lines() []outbox.Line {
	run := d.Manager.Running()
	out := make([]outbox.Line, len(run))
	for i, r := range run {
		out[i] = outbox.Line{Gateway: r.Gateway, Config: r.Config}
	}
	return out
}

// Stop stops the workers Start started, gracefully.
func (d *Delivery) Stop() {
	d.mu.Lock()
	stop := d.stop
	d.stop = nil
	d.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// Close stops the workers and releases what the Delivery opened.
func (d *Delivery) Close() {
	d.Stop()
	if d.Manager != nil {
		d.Manager.Close()
	}
	if d.Journal != nil {
		d.Journal.Close()
	}
	if d.ownPolicy && d.Policy != nil {
		d.Policy.Close()
	}
}

// startDelivery builds the delivery services for `nudge serve` and starts
// the workers of roles.
func (a *App) startDelivery(ctx context.Context, roles Roles) (*Delivery, error) {
	d, err := a.Delivery(ctx, nil)
	if err != nil {
		return nil, err
	}
	if err := d.Start(ctx, roles); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// API returns what the REST API's message and gateway endpoints need.
func (d *Delivery) API() *api.Delivery {
	return &api.Delivery{Outbox: d.Outbox, Gateways: d.Gateways, Registry: d.Registry,
		Direct: d.Direct()}
}

// Direct returns the sender without a campaign, rendering through the
// App's compose service when it has one.
func (d *Delivery) Direct() *direct.Service {
	s := &direct.Service{Outbox: d.Outbox, Policy: d.Policy, Customers: d.a.Customers, Clock: d.a.Clock, Region: d.a.Config.Region}
	if d.a.Compose != nil {
		s.Compose = d.a.Compose
	}
	return s
}

// Web returns what the console's gateways, message log and inbox pages
// need.
func (d *Delivery) Web() *web.Delivery {
	return &web.Delivery{Outbox: d.Outbox, Gateways: d.Gateways, Registry: d.Registry, Inbox: d.Inbound}
}

// DemoSimulatorURL is the simulated network a demo store sends through:
// realistic failures and replies, receipts within seconds.
const DemoSimulatorURL = "sim://?receipt_delay=2s&receipt_jitter=3s&fail_empty=0.01&fail_off=0.02&fail_black=0.002&fail_carrier=0.005&reply_rate=0.01&seed=1"

// AddDemoSimulator configures the simulator as gateway "sim" when no
// gateway is configured yet, so that a demo store can send at once. It is
// for `nudge demo` only: a real shop whose gateways are missing must see
// its messages wait, not vanish into a simulation.
func (d *Delivery) AddDemoSimulator(ctx context.Context) (bool, error) {
	recs, err := d.Gateways.List(ctx)
	if err != nil || len(recs) > 0 {
		return false, err
	}
	cfg, err := d.Registry.Check("sim", DemoSimulatorURL)
	if err != nil {
		return false, err
	}
	return true, d.Gateways.Add(ctx, cfg)
}

// RegisterHooks mounts POST /hooks/{gateway}/{kind} for gateways that
// receive receipts and replies over HTTP.
func (d *Delivery) RegisterHooks(mux *http.ServeMux) {
	mux.Handle("POST /hooks/{gateway}/{kind}", d.Manager.Hooks())
}

// policyLedger records queued messages for frequency caps in the enqueue
// transaction.
type policyLedger struct{ p *policy.Policy }

func (l policyLedger) Record(ctx context.Context, tx *sql.Tx, sends []outbox.Send) error {
	for _, s := range sends {
		if err := l.p.Record(ctx, tx, s.CustomerID, policy.Category(s.Category), s.At); err != nil {
			return err
		}
	}
	return nil
}

// policyKind maps a category to its kind; an unknown category counts as
// marketing, the strictest, as the policy itself treats it.
func policyKind(p *policy.Policy) func(string) string {
	return func(c string) string {
		if k, ok := p.Rules().Kind(policy.Category(c)); ok {
			return string(k)
		}
		return string(policy.Marketing)
	}
}

// policySuppressor asks the policy, just before each submit, whether the
// number is suppressed for the message's category.
type policySuppressor struct{ p *policy.Policy }

func (s policySuppressor) Suppressed(ctx context.Context, rs []outbox.Recipient) ([]string, error) {
	phones, cats := make([]string, len(rs)), make([]policy.Category, len(rs))
	for i, r := range rs {
		phones[i], cats[i] = r.Phone, policy.Category(r.Category)
	}
	reasons, err := s.p.CheckSuppressedMany(ctx, phones, cats)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(rs))
	for i, r := range reasons {
		out[i] = string(r)
	}
	return out, nil
}
