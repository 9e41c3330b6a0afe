package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"nudge/internal/clock"
	"nudge/internal/customer"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testApp opens an app on a fresh SQLite store in a temporary data dir.
func testApp(t *testing.T) (*App, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := Config{DataDir: t.TempDir(), Addr: "127.0.0.1:0", Region: "CN", Timezone: "Asia/Shanghai", ShutdownTimeout: 10 * time.Second}
	a, err := Open(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a, logs
}

// running is a server started by start.
type running struct {
	url     string
	cancel  context.CancelFunc
	stopped chan struct{} // closed when serve has returned, with err set
	err     error
}

func start(t *testing.T, a *App, extra func(*http.ServeMux)) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, stopped: make(chan struct{})}
	urls := make(chan string, 1)
	go func() {
		r.err = a.serve(ctx, "127.0.0.1:0", func(u string) { urls <- u }, extra)
		close(r.stopped)
	}()
	select {
	case r.url = <-urls:
	case <-r.stopped:
		t.Fatalf("serve: %v", r.err)
	case <-time.After(10 * time.Second):
		t.Fatal("server did not start")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.stopped:
		case <-time.After(15 * time.Second):
			t.Error("server still running 15 s after cancel")
		}
	})
	return r
}

func get(t *testing.T, url string, header ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestGracefulShutdownFinishesRequestsInFlight cancels the server's context
// while a request is in its handler: the listener closes at once, the
// request completes with 200 and its database write lands, and only then
// does Serve return nil.
func TestGracefulShutdownFinishesRequestsInFlight(t *testing.T) {
	a, logs := testApp(t)
	entered, release := make(chan struct{}), make(chan struct{})
	srv := start(t, a, func(mux *http.ServeMux) {
		mux.HandleFunc("POST /test/slow", func(w http.ResponseWriter, r *http.Request) {
			close(entered)
			<-release
			_, err := a.Customers.UpsertCustomers(r.Context(), []customer.Customer{{ExternalID: "SLOW", Phone: "13812341234"}})
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			io.WriteString(w, "written")
		})
	})
	if code, body := get(t, srv.url+"/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("/healthz = %d %q", code, body)
	}

	type result struct {
		code int
		body string
		err  error
	}
	slow := make(chan result, 1)
	go func() {
		resp, err := http.Post(srv.url+"/test/slow", "text/plain", nil)
		if err != nil {
			slow <- result{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		slow <- result{code: resp.StatusCode, body: string(b)}
	}()
	<-entered
	srv.cancel()

	// The listener closes while the request is still being served.
	host := strings.TrimPrefix(srv.url, "http://")
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", host, 200*time.Millisecond)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting connections 5 s after cancel")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case <-srv.stopped:
		t.Fatalf("Serve returned %v with a request in flight", srv.err)
	case <-time.After(100 * time.Millisecond):
	}

	close(release)
	r := <-slow
	if r.err != nil || r.code != 200 || r.body != "written" {
		t.Fatalf("in-flight request: %d %q %v", r.code, r.body, r.err)
	}
	select {
	case <-srv.stopped:
		if srv.err != nil {
			t.Fatalf("Serve returned %v, want nil", srv.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after the last request")
	}
	if c, err := a.Customers.GetByExternalID(context.Background(), "SLOW"); err != nil || c.Phone != "+8613812341234" {
		t.Fatalf("the in-flight write: %+v %v", c, err)
	}
	if !strings.Contains(logs.String(), "shutting down") || !strings.Contains(logs.String(), "msg=stopped") {
		t.Fatalf("shutdown not logged:\n%s", logs)
	}
}

func TestMetricsHealthAndRequestLog(t *testing.T) {
	a, logs := testApp(t)
	fake := clock.NewFake(time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC))
	a.Clock = fake // only the metrics cache and the console read it after Open
	ctx := context.Background()
	if _, err := a.Customers.UpsertCustomers(ctx, []customer.Customer{{ExternalID: "A", Phone: "13812341234"}, {ExternalID: "B", Phone: "13912341234"}}); err != nil {
		t.Fatal(err)
	}
	token, err := a.Auth.CreateToken(ctx, "metrics-test")
	if err != nil {
		t.Fatal(err)
	}
	srv := start(t, a, func(mux *http.ServeMux) {
		mux.HandleFunc("GET /test/panic", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	})
	for range 2 {
		if code, _ := get(t, srv.url+"/api/openapi.json"); code != 200 {
			t.Fatalf("openapi: %d", code)
		}
	}
	if code, _ := get(t, srv.url+"/api/v1/customers"); code != 401 {
		t.Fatalf("no token: %d", code)
	}
	if code, body := get(t, srv.url+"/api/v1/customers?phone=13812341234", "Authorization", "Bearer "+token); code != 200 || !strings.Contains(body, `"phone_masked":"138****1234"`) {
		t.Fatalf("find by phone: %d %s", code, body)
	}
	if code, body := get(t, srv.url+"/test/panic"); code != 500 || body != "internal error\n" {
		t.Fatalf("panic: %d %q", code, body)
	}
	if code, body := get(t, srv.url+"/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("healthz after a panic: %d %q", code, body)
	}
	if code, _ := get(t, srv.url+"/login"); code != 200 {
		t.Fatalf("console sign-in page: %d", code)
	}

	code, metrics := get(t, srv.url+"/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	for _, want := range []string{
		`nudge_http_requests_total{code="200",route="GET /api/openapi.json"} 2`,
		`nudge_http_requests_total{code="401",route="GET /api/v1/customers"} 1`,
		`nudge_http_requests_total{code="200",route="GET /api/v1/customers"} 1`,
		`nudge_http_requests_total{code="500",route="GET /test/panic"} 1`,
		`nudge_http_request_duration_seconds_count{code="200",route="GET /api/openapi.json"} 2`,
		`nudge_http_requests_in_flight 1`, // the scrape itself
		"nudge_customers 2",
		"nudge_orders 0",
		"nudge_order_lines 0",
		"go_goroutines ",
		"process_resident_memory_bytes ",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	// Counts are reused for 30 s, then refreshed.
	if _, err := a.Customers.UpsertCustomers(ctx, []customer.Customer{{ExternalID: "C", Phone: "13712341234"}}); err != nil {
		t.Fatal(err)
	}
	fake.Advance(29 * time.Second)
	if _, m := get(t, srv.url+"/metrics"); !strings.Contains(m, "nudge_customers 2\n") {
		t.Errorf("customers recounted before 30 s")
	}
	fake.Advance(time.Second)
	if _, m := get(t, srv.url+"/metrics"); !strings.Contains(m, "nudge_customers 3\n") {
		t.Errorf("customers not recounted after 30 s")
	}

	log := logs.String()
	for _, want := range []string{
		`msg=request component=http method=GET route="GET /api/v1/customers" status=401`,
		`msg=request component=http method=GET route="GET /api/v1/customers" status=200`,
		`msg="panic in handler" component=http route="GET /test/panic" panic=boom`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	for _, never := range []string{"13812341234", "phone=1", token} {
		if strings.Contains(log, never) {
			t.Errorf("log contains %q", never)
		}
	}
}

func TestHealthzFailsWithoutStore(t *testing.T) {
	a, _ := testApp(t)
	srv := start(t, a, nil)
	a.DB.R.Close()
	if code, body := get(t, srv.url+"/healthz"); code != 503 || body != "unavailable\n" {
		t.Fatalf("/healthz with the store closed: %d %q", code, body)
	}
}

func TestServeReportsListenErrors(t *testing.T) {
	a, _ := testApp(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = a.Serve(context.Background(), ln.Addr().String(), nil)
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("Serve on a taken port: %v", err)
	}
}
