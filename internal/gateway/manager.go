package gateway

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"sync"
	"time"

	"nudge/internal/clock"
)

// Running is a gateway the manager built from its configuration.
type Running struct {
	Config  Config
	Gateway Gateway
}

// Manager keeps the configured, enabled gateways built and running: it
// loads them from the store at start, rebuilds any whose configuration
// changed (here or in another process) and closes the ones removed. It
// also routes: Route picks the gateway for a message by carrier, country
// prefix and category, preferring gateways that are up.
type Manager struct {
	reg     *Registry
	store   *Store
	journal *Journal
	sink    Sink
	clock   clock.Clock
	base    *slog.Logger // handed to gateways, which add their own component
	log     *slog.Logger

	mu      sync.RWMutex
	running map[string]*Running
	order   []*Running // by priority, then name
	version string
	errors  map[string]string // gateways that failed to build, and why
	only    func(Config) bool // nil: every enabled gateway runs
}

// Only restricts the manager to the gateways keep accepts (an API-only
// process runs just the gateways that receive hooks). Call it before Load.
func (m *Manager) Only(keep func(Config) bool) {
	m.mu.Lock()
	m.only = keep
	m.version = ""
	m.mu.Unlock()
}

// NewManager returns a manager; call Load (or Run) before using it.
func NewManager(reg *Registry, st *Store, journal *Journal, sink Sink, clk clock.Clock, log *slog.Logger) *Manager {
	if log == nil {
		log = slog.Default()
	}
	return &Manager{reg: reg, store: st, journal: journal, sink: sink, clock: clk, base: log, log: log.With("component", "gateway"),
		running: map[string]*Running{}, errors: map[string]string{}}
}

// Load builds the gateways as configured now. A gateway that fails to
// build is logged and left out; the others run.
func (m *Manager) Load(ctx context.Context) error {
	v, err := m.store.Version(ctx)
	if err != nil {
		return err
	}
	m.mu.RLock()
	same := v == m.version
	m.mu.RUnlock()
	if same {
		return nil
	}
	recs, err := m.store.List(ctx)
	if err != nil {
		return err
	}
	want := map[string]Record{}
	for _, r := range recs {
		if r.Enabled {
			want[r.Name] = r
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for name, run := range m.running {
		if r, ok := want[name]; !ok || r.URL != run.Config.Raw {
			go run.Gateway.Close()
			delete(m.running, name)
			m.log.Info("gateway stopped", "gateway", name)
		}
	}
	m.errors = map[string]string{}
	for name, r := range want {
		if _, ok := m.running[name]; ok {
			continue
		}
		cfg, err := m.reg.Check(name, r.URL)
		if err != nil {
			m.errors[name] = err.Error()
			m.log.Error("gateway configuration refused", "gateway", name, "err", err)
			continue
		}
		if m.only != nil && !m.only(cfg) {
			continue
		}
		trace := func(Exchange) {}
		if m.journal != nil {
			trace = m.journal.Tracer(name, cfg.LogMode)
		}
		g, err := m.reg.Build(ctx, cfg, Deps{Clock: m.clock, Log: m.base, Sink: m.sink, Trace: trace})
		if err != nil {
			m.errors[name] = err.Error()
			m.log.Error("gateway failed to start", "gateway", name, "err", err)
			continue
		}
		m.running[name] = &Running{Config: cfg, Gateway: g}
		m.log.Info("gateway started", "gateway", name, "url", cfg.Redacted())
	}
	m.order = m.order[:0]
	for _, r := range m.running {
		m.order = append(m.order, r)
	}
	sortRunning(m.order)
	m.version = v
	return nil
}

// Plan loads the configured gateways for routing only, without starting
// them: a command that enqueues while another process dispatches routes
// its messages this way. Gateways not running count as up.
func (m *Manager) Plan(ctx context.Context) error {
	recs, err := m.store.List(ctx)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.order = m.order[:0]
	for _, r := range recs {
		if !r.Enabled {
			continue
		}
		cfg, err := m.reg.Check(r.Name, r.URL)
		if err != nil {
			continue
		}
		if run, ok := m.running[r.Name]; ok {
			m.order = append(m.order, run)
			continue
		}
		m.order = append(m.order, &Running{Config: cfg})
	}
	sortRunning(m.order)
	m.version = "" // the next Load builds for real
	return nil
}

func sortRunning(rs []*Running) {
	sort.Slice(rs, func(i, j int) bool {
		a, b := rs[i].Config, rs[j].Config
		if a.Priority != b.Priority {
			return a.Priority < b.Priority
		}
		return a.Name < b.Name
	})
}

// Run reloads the configuration every interval until ctx ends, then closes
// every gateway.
func (m *Manager) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			m.Close()
			return
		case <-t.C:
			if err := m.Load(ctx); err != nil && ctx.Err() == nil {
				m.log.Warn("gateway reload failed", "err", err)
			}
		}
	}
}

// Running returns the gateways running now, in routing order.
func (m *Manager) Running() []Running {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]Running, 0, len(m.order))
	for _, r := range m.order {
		if r.Gateway != nil {
			out = append(out, *r)
		}
	}
	return out
}

// Get returns a running gateway by name.
func (m *Manager) Get(name string) (Running, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	r, ok := m.running[name]
	if !ok {
		return Running{}, false
	}
	return *r, true
}

// Errors returns the gateways that are configured but could not start.
func (m *Manager) Errors() map[string]string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make(map[string]string, len(m.errors))
	for k, v := range m.errors {
		out[k] = v
	}
	return out
}

// Route returns the gateway for a message to the E.164 number to with the
// given carrier and category: the first by priority that serves it and is
// not excluded, preferring one that is up; "" when none serves it.
func (m *Manager) Route(to, carrier, category string, exclude []string) string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	fallback := ""
	for _, r := range m.order {
		if slices.Contains(exclude, r.Config.Name) || !r.Config.Serves(to, carrier, category) {
			continue
		}
		if r.Gateway == nil || r.Gateway.Status().Up {
			return r.Config.Name
		}
		if fallback == "" {
			fallback = r.Config.Name
		}
	}
	return fallback
}

// Close stops every gateway.
func (m *Manager) Close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for name, r := range m.running {
		r.Gateway.Close()
		delete(m.running, name)
	}
	m.order = nil
	m.version = ""
}

// HookHandler is implemented by gateways that receive receipts and
// replies over HTTP (POST /hooks/{gateway}/receipts and /replies).
type HookHandler interface {
	ServeHook(kind string, w http.ResponseWriter, r *http.Request)
}

// Hooks serves POST /hooks/{gateway}/{kind} by handing the request to the
// named gateway, which verifies its signature. Mount it on the server's
// mux at "POST /hooks/{gateway}/{kind}".
func (m *Manager) Hooks() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, kind := r.PathValue("gateway"), r.PathValue("kind")
		if kind != "receipts" && kind != "replies" {
			http.NotFound(w, r)
			return
		}
		run, ok := m.Get(name)
		if !ok {
			http.Error(w, "no such gateway", http.StatusNotFound)
			return
		}
		h, ok := run.Gateway.(HookHandler)
		if !ok {
			http.Error(w, "this gateway takes no hooks", http.StatusNotFound)
			return
		}
		h.ServeHook(kind, w, r)
	})
}
