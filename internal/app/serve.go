package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"nudge/internal/api"
	"nudge/internal/web"
)

// HTTP server limits. Reads allow a 32 MiB bulk import on a slow link;
// writes allow that import's transaction; idle keep-alive connections are
// dropped after two minutes.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = time.Minute
	writeTimeout      = 2 * time.Minute
	idleTimeout       = 2 * time.Minute
	healthTimeout     = 2 * time.Second
	defaultShutdown   = 20 * time.Second
)

// Serve serves the console, the API, /healthz and /metrics on addr until
// ctx is cancelled (SIGTERM or SIGINT in `nudge serve`). It calls ready
// with the server's URL once it is listening. On cancellation it stops
// accepting connections and waits up to Config.ShutdownTimeout for
// requests in flight, and the writes they make, to finish; then it returns
// nil. The store stays open: the caller closes the App.
func (a *App) Serve(ctx context.Context, addr string, ready func(url string)) error {
	return a.serve(ctx, addr, ready, nil)
}

// serve is Serve with a hook to add routes, which tests use for handlers
// that block or panic on purpose.
func (a *App) serve(ctx context.Context, addr string, ready func(url string), extra func(*http.ServeMux)) error {
	roles, err := ParseRoles(os.Getenv("NUDGE_ROLES"))
	if err != nil {
		return fmt.Errorf("NUDGE_ROLES: %w", err)
	}
	d, err := a.startDelivery(ctx, roles)
	if err != nil {
		return err
	}
	defer d.Close() // after the HTTP shutdown below: requests in flight may still enqueue
	if roles.Scheduler {
		stop, err := a.startScheduler(ctx)
		if err != nil {
			return fmt.Errorf("scheduler: %w", err)
		}
		defer stop() // a job in progress finishes its statement and stops
	}
	h, err := a.handler(extra, d)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log := a.Log.With("component", "http")
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		// Request contexts deliberately do not derive from ctx: cancelling
		// ctx must let in-flight requests finish, not abort them.
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if ready != nil {
		ready("http://" + ln.Addr().String())
	}
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	wait := a.Config.ShutdownTimeout
	if wait <= 0 {
		wait = defaultShutdown
	}
	log.Info("shutting down: no new connections, waiting for requests in flight", "timeout", wait)
	sctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	err = srv.Shutdown(sctx)
	<-served // http.ErrServerClosed, now that Shutdown has closed the listener
	if err != nil {
		srv.Close()
		return fmt.Errorf("serve: shutdown after %s: %w", wait, err)
	}
	log.Info("stopped")
	return nil
}

// handler builds the whole HTTP surface: the console, the API, /healthz and
// /metrics, wrapped in request logging, metrics and panic recovery.
func (a *App) handler(extra func(*http.ServeMux), d *Delivery) (http.Handler, error) {
	m := newHTTPMetrics(a)
	mux := http.NewServeMux()
	console, err := web.New(web.Deps{
		Customers: a.Customers, Auth: a.Auth, Log: a.Log, Clock: a.Clock,
		SecureCookies: strings.HasPrefix(a.Config.BaseURL, "https://"),
		Segments:      a.Segments,
		Policy:        a.Policy,
		Delivery:      d.Web(),
		Compose:       a.Compose,
	})
	if err != nil {
		return nil, err
	}
	console.Register(mux)
	api.New(api.Deps{Customers: a.Customers, Auth: a.Auth, Log: a.Log, Clock: a.Clock, Segments: a.Segments,
		Policy: a.Policy, Links: a.Links, Delivery: d.API(), Compose: a.Compose}).Register(mux)
	a.Links.Handler().Register(mux)
	d.RegisterHooks(mux)
	mux.HandleFunc("GET /healthz", a.healthz)
	// Metrics carry counts and timings only, never personal data, so they
	// are served without a token, like /healthz, for the scraper.
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}))
	if extra != nil {
		extra(mux)
	}
	return a.instrument(mux, m), nil
}

// healthz answers 200 "ok" when the store answers a read within two
// seconds, 503 otherwise. It reads through the read pool, so that a long
// import holding SQLite's writer does not make the server look dead.
func (a *App) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
	defer cancel()
	var v any
	err := a.DB.R.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&v)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err != nil {
		if !errors.Is(r.Context().Err(), context.Canceled) {
			a.Log.Error("health check failed", "component", "http", "err", err)
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("unavailable\n"))
		return
	}
	w.Write([]byte("ok\n"))
}
