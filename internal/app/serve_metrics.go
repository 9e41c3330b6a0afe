package app

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// httpMetrics are the server's Prometheus metrics, in a registry of their
// own (no package-level default registry, so that two servers in one test
// binary do not collide).
type httpMetrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
}

func newHTTPMetrics(a *App) *httpMetrics {
	m := &httpMetrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nudge_http_requests_total",
			Help: "HTTP requests answered, by route pattern and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "nudge_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route pattern and status code.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "code"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "nudge_http_requests_in_flight",
			Help: "HTTP requests being answered now.",
		}),
	}
	m.registry.MustRegister(m.requests, m.duration, m.inFlight,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&storeCounts{app: a},
		jobMetrics{a},
	)
	return m
}

var (
	jobRunsDesc     = prometheus.NewDesc("nudge_job_runs_total", "Runs of a scheduled job by this process.", []string{"job"}, nil)
	jobFailuresDesc = prometheus.NewDesc("nudge_job_failures_total", "Failed runs of a scheduled job by this process.", []string{"job"}, nil)
	jobLastRunDesc  = prometheus.NewDesc("nudge_job_last_run_timestamp_seconds", "Start of a scheduled job's last run by this process.", []string{"job"}, nil)
	jobLastTookDesc = prometheus.NewDesc("nudge_job_last_duration_seconds", "Duration of a scheduled job's last run by this process.", []string{"job"}, nil)
)

// jobMetrics reports the scheduler's jobs, when this process runs them.
type jobMetrics struct{ app *App }

func (j jobMetrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- jobRunsDesc
	ch <- jobFailuresDesc
	ch <- jobLastRunDesc
	ch <- jobLastTookDesc
}

func (j jobMetrics) Collect(ch chan<- prometheus.Metric) {
	if j.app.Scheduler == nil {
		return
	}
	for _, st := range j.app.Scheduler.Status() {
		ch <- prometheus.MustNewConstMetric(jobRunsDesc, prometheus.CounterValue, float64(st.Runs), st.Name)
		ch <- prometheus.MustNewConstMetric(jobFailuresDesc, prometheus.CounterValue, float64(st.Failures), st.Name)
		if !st.LastRun.IsZero() {
			ch <- prometheus.MustNewConstMetric(jobLastRunDesc, prometheus.GaugeValue, float64(st.LastRun.Unix()), st.Name)
			ch <- prometheus.MustNewConstMetric(jobLastTookDesc, prometheus.GaugeValue, st.LastTook.Seconds(), st.Name)
		}
	}
}

// countsMaxAge is how long customer and order counts are reused: counting a
// million rows on every scrape would load the store for a number that
// hardly moves.
const countsMaxAge = 30 * time.Second

var (
	customersDesc = prometheus.NewDesc("nudge_customers", "Customers in the store (refreshed at most every 30 s).", nil, nil)
	ordersDesc    = prometheus.NewDesc("nudge_orders", "Orders in the store (refreshed at most every 30 s).", nil, nil)
	linesDesc     = prometheus.NewDesc("nudge_order_lines", "Order lines in the store (refreshed at most every 30 s).", nil, nil)
)

// storeCounts collects the customer and order counts, cached.
type storeCounts struct {
	app *App

	mu                       sync.Mutex
	at                       time.Time
	customers, orders, lines int64
	ok                       bool
}

func (s *storeCounts) Describe(ch chan<- *prometheus.Desc) {
	ch <- customersDesc
	ch <- ordersDesc
	ch <- linesDesc
}

func (s *storeCounts) Collect(ch chan<- prometheus.Metric) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.app.Clock.Now()
	if !s.ok || now.Sub(s.at) >= countsMaxAge {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, err := s.app.Customers.Count(ctx)
		var o, l int64
		if err == nil {
			o, l, err = s.app.Customers.Counts(ctx)
		}
		if err != nil {
			// Keep serving the last counts; a scrape should not fail because
			// the store is slow for a moment.
			s.app.Log.Warn("metrics: counting customers and orders failed", "component", "http", "err", err)
		} else {
			s.customers, s.orders, s.lines, s.at, s.ok = c, o, l, now, true
		}
	}
	if !s.ok {
		return
	}
	ch <- prometheus.MustNewConstMetric(customersDesc, prometheus.GaugeValue, float64(s.customers))
	ch <- prometheus.MustNewConstMetric(ordersDesc, prometheus.GaugeValue, float64(s.orders))
	ch <- prometheus.MustNewConstMetric(linesDesc, prometheus.GaugeValue, float64(s.lines))
}

// statusWriter remembers the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach Flush and deadlines.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument logs every request, counts and times it by route pattern, and
// turns a panic into a 500 instead of a dropped connection. The log line
// has the route pattern, not the URL: paths and query strings may carry
// phone numbers (?phone=) or ids.
func (a *App) instrument(next http.Handler, m *httpMetrics) http.Handler {
	log := a.Log.With("component", "http")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		m.inFlight.Inc()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			m.inFlight.Dec()
			p := recover()
			if p == http.ErrAbortHandler {
				panic(p) // the handler asked for the connection to be cut
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			if p != nil {
				log.Error("panic in handler", "route", route, "panic", p, "stack", string(debug.Stack()))
				if sw.status == 0 {
					http.Error(sw, "internal error", http.StatusInternalServerError)
				}
				sw.status = http.StatusInternalServerError
			}
			if sw.status == 0 {
				sw.status = http.StatusOK
			}
			d := time.Since(start)
			code := strconv.Itoa(sw.status)
			m.requests.WithLabelValues(route, code).Inc()
			m.duration.WithLabelValues(route, code).Observe(d.Seconds())
			level := slog.LevelInfo
			if route == "GET /healthz" || route == "GET /metrics" {
				level = slog.LevelDebug // scrapers and probes would drown the log
			}
			log.Log(r.Context(), level, "request", "method", r.Method, "route", route, "status", sw.status,
				"duration", d.Round(time.Microsecond), "bytes", sw.bytes)
		}()
		next.ServeHTTP(sw, r)
	})
}
