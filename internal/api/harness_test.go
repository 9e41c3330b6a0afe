package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"nudge/internal/api"
	"nudge/internal/auth"
	"nudge/internal/clock"
	"nudge/internal/customer"
	"nudge/internal/link"
	"nudge/internal/pii"
	"nudge/internal/policy"
	"nudge/internal/store"
)

// scenario is one request against the API and what must come back. The
// scenarios of a table run in order against one store, so later ones see
// what earlier ones wrote.
type scenario struct {
	name   string
	method string
	path   string // {{var}} is replaced by a value captured earlier
	// token is "" for none, "valid" for the test token, or else the whole
	// Authorization header, with TOKEN replaced by the test token.
	token  string
	header map[string]string
	body   string
	status int
	// want is a JSON fragment: every key it has must be in the response with
	// an equal value (recursively); arrays must have the same length.
	want string
	// wantHeader lists response headers that must have exactly these values.
	wantHeader map[string]string
	// absent are strings that must not appear anywhere in the response body.
	absent []string
	// capture stores top-level response keys as variables for later paths.
	capture []string
}

// logBuffer collects the API's log lines for checks on what it logs.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

type fixture struct {
	mux       *http.ServeMux
	token     string
	customers *customer.Store
	log       *logBuffer
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	return newBase(t, db, time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)).fixture(api.Deps{})
}

// base is what every fixture starts from: a keyring, a clock stopped at
// the given time, the customer store holding the seed customers, the auth
// service with a test token, and a logger writing into a buffer.
type base struct {
	t     *testing.T
	db    *store.DB
	kr    *pii.Keyring
	clk   *clock.Fake
	cs    *customer.Store
	as    *auth.Service
	token string
	lb    *logBuffer
	log   *slog.Logger
}

func newBase(t *testing.T, db *store.DB, now time.Time, seed ...customer.Customer) *base {
	t.Helper()
	ctx := context.Background()
	b := &base{t: t, db: db, clk: clock.NewFake(now), lb: &logBuffer{}}
	b.log = slog.New(slog.NewTextHandler(b.lb, nil))
	var err error
	if b.kr, err = pii.NewKeyring(bytes.Repeat([]byte{9}, 32)); err != nil {
		t.Fatal(err)
	}
	if b.cs, err = customer.NewStore(ctx, db, b.kr, b.clk, customer.Options{}); err != nil {
		t.Fatal(err)
	}
	if len(seed) > 0 {
		if _, err := b.cs.UpsertCustomers(ctx, seed); err != nil {
			t.Fatal(err)
		}
	}
	if b.as, err = auth.New(ctx, db, b.clk); err != nil {
		t.Fatal(err)
	}
	if b.token, err = b.as.CreateToken(ctx, "test-erp"); err != nil {
		t.Fatal(err)
	}
	return b
}

// policy opens the policy service, closed when the test ends.
func (b *base) policy(log *slog.Logger) *policy.Policy {
	b.t.Helper()
	pol, err := policy.New(context.Background(), b.db, b.kr, b.clk, policy.Options{Log: log})
	if err != nil {
		b.t.Fatal(err)
	}
	b.t.Cleanup(func() { pol.Close() })
	return pol
}

// links opens the short link service, closed when the test ends.
func (b *base) links() *link.Service {
	b.t.Helper()
	links, err := link.New(context.Background(), b.db, b.kr, b.clk, link.Options{BaseURL: "https://s.shop.example", Log: b.log})
	if err != nil {
		b.t.Fatal(err)
	}
	b.t.Cleanup(func() { links.Close() })
	return links
}

// fixture serves the API with deps, the base's customers, auth, clock and
// log filled in.
func (b *base) fixture(deps api.Deps) *fixture {
	deps.Customers, deps.Auth, deps.Clock, deps.Log = b.cs, b.as, b.clk, b.log
	mux := http.NewServeMux()
	api.New(deps).Register(mux)
	return &fixture{mux: mux, token: b.token, customers: b.cs, log: b.lb}
}

func (f *fixture) run(t *testing.T, table []scenario) {
	t.Helper()
	vars := map[string]string{}
	for i, sc := range table {
		path := sc.path
		for k, v := range vars {
			path = strings.ReplaceAll(path, "{{"+k+"}}", v)
		}
		req := httptest.NewRequest(sc.method, path, strings.NewReader(sc.body))
		if sc.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		switch sc.token {
		case "":
		case "valid":
			req.Header.Set("Authorization", "Bearer "+f.token)
		default:
			req.Header.Set("Authorization", strings.ReplaceAll(sc.token, "TOKEN", f.token))
		}
		for k, v := range sc.header {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		f.mux.ServeHTTP(rec, req)
		label := fmt.Sprintf("#%d %s (%s %s)", i, sc.name, sc.method, path)
		body := rec.Body.String()
		if rec.Code != sc.status {
			t.Errorf("%s: status %d, want %d; body %s", label, rec.Code, sc.status, body)
			continue
		}
		for k, v := range map[string]string{
			"Content-Type":           "application/json; charset=utf-8",
			"X-Content-Type-Options": "nosniff",
			"Cache-Control":          "no-store",
		} {
			if got := rec.Header().Get(k); got != v {
				t.Errorf("%s: header %s = %q, want %q", label, k, got, v)
			}
		}
		for k, v := range sc.wantHeader {
			if got := rec.Header().Get(k); got != v {
				t.Errorf("%s: header %s = %q, want %q", label, k, got, v)
			}
		}
		var got any
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Errorf("%s: response is not JSON: %v: %s", label, err, body)
			continue
		}
		if sc.want != "" {
			var want any
			if err := json.Unmarshal([]byte(sc.want), &want); err != nil {
				t.Fatalf("%s: bad want fragment: %v", label, err)
			}
			if path, ok := contains(got, want, "$"); !ok {
				t.Errorf("%s: response does not match at %s\n got: %s\nwant: %s", label, path, body, sc.want)
			}
		}
		for _, s := range sc.absent {
			if strings.Contains(body, s) {
				t.Errorf("%s: response contains %q: %s", label, s, body)
			}
		}
		if m, ok := got.(map[string]any); ok {
			for _, k := range sc.capture {
				v, ok := m[k]
				if !ok {
					t.Fatalf("%s: nothing to capture at %q: %s", label, k, body)
				}
				vars[k] = fmt.Sprint(v)
				if n, ok := v.(float64); ok {
					vars[k] = fmt.Sprintf("%d", int64(n))
				}
			}
		}
	}
}

// contains reports whether got has everything want has, and where not.
func contains(got, want any, path string) (string, bool) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return path, false
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				return path + "." + k + " (missing)", false
			}
			if p, ok := contains(gv, wv, path+"."+k); !ok {
				return p, false
			}
		}
		return "", true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return path + " (length)", false
		}
		for i := range w {
			if p, ok := contains(g[i], w[i], fmt.Sprintf("%s[%d]", path, i)); !ok {
				return p, false
			}
		}
		return "", true
	default:
		if !reflect.DeepEqual(got, want) {
			return path, false
		}
		return "", true
	}
}
