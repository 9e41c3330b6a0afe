package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"

	"nudge/internal/clock"
)

// Deps are what a gateway constructor gets besides its configuration.
type Deps struct {
	Clock clock.Clock
	Log   *slog.Logger
	// Sink receives receipts and replies; never nil.
	Sink Sink
	// Trace records every exchange with the outside for the interaction
	// log; never nil.
	Trace func(Exchange)
}

// Constructor builds a gateway from its configuration.
type Constructor func(ctx context.Context, cfg Config, deps Deps) (Gateway, error)

// Kind is one kind of gateway: the URL schemes it answers to and how to
// build it. Each gateway package exports its Kind; the composition root
// lists them.
type Kind struct {
	Name    string   // "smpp", "http", "sim"
	Schemes []string // URL schemes, lower case
	New     Constructor
	// Check validates a configuration without connecting, so that `nudge
	// gateway add` refuses a bad URL at once. Optional.
	Check func(cfg Config) error
}

// Registry maps URL schemes to gateway kinds. It is built once, explicitly,
// from a list of kinds: there is no init-time self-registration.
type Registry struct {
	kinds map[string]Kind
}

// NewRegistry builds a registry; two kinds claiming one scheme is a
// programming error.
func NewRegistry(kinds ...Kind) (*Registry, error) {
	r := &Registry{kinds: map[string]Kind{}}
	for _, k := range kinds {
		for _, s := range k.Schemes {
			if prev, dup := r.kinds[s]; dup {
				return nil, fmt.Errorf("gateway: scheme %s claimed by %s and %s", s, prev.Name, k.Name)
			}
			r.kinds[s] = k
		}
	}
	return r, nil
}

// Schemes lists the schemes the registry knows, sorted.
func (r *Registry) Schemes() []string {
	var out []string
	for s := range r.kinds {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Check parses and validates a gateway URL without connecting.
func (r *Registry) Check(name, raw string) (Config, error) {
	cfg, err := ParseURL(name, raw)
	if err != nil {
		return cfg, err
	}
	k, ok := r.kinds[cfg.Scheme]
	if !ok {
		return cfg, fmt.Errorf("gateway %s: unknown scheme %s:// (known: %s)", name, cfg.Scheme, strings.Join(r.Schemes(), ", "))
	}
	if k.Check != nil {
		if err := k.Check(cfg); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// Build constructs the gateway for cfg.
func (r *Registry) Build(ctx context.Context, cfg Config, deps Deps) (Gateway, error) {
	k, ok := r.kinds[cfg.Scheme]
	if !ok {
		return nil, fmt.Errorf("gateway %s: unknown scheme %s://", cfg.Name, cfg.Scheme)
	}
	if deps.Clock == nil {
		deps.Clock = clock.System{}
	}
	if deps.Log == nil {
		deps.Log = slog.Default()
	}
	deps.Log = deps.Log.With("component", "gateway", "gateway", cfg.Name)
	if deps.Sink == nil {
		deps.Sink = SinkFuncs{}
	}
	if deps.Trace == nil {
		deps.Trace = func(Exchange) {}
	}
	return k.New(ctx, cfg, deps)
}

// KindOf names the kind serving a scheme, or "".
func (r *Registry) KindOf(scheme string) string {
	return r.kinds[scheme].Name
}

// HasScheme reports whether scheme is known.
func (r *Registry) HasScheme(scheme string) bool {
	_, ok := r.kinds[scheme]
	return ok && slices.Contains(r.kinds[scheme].Schemes, scheme)
}
