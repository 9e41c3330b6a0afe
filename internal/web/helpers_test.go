package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"nudge/internal/auth"
	"nudge/internal/clock"
	"nudge/internal/customer"
	"nudge/internal/pii"
	"nudge/internal/policy"
	"nudge/internal/store"
	"nudge/internal/web"
)

// start is the fixed time of every console test.
var start = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)

const (
	testUser     = "ops"
	testPassword = "correct horse battery"
)

// fixture is a console over a real store, served by httptest, with one
// admin user, one well-known customer (C1, 138 1234 1234, 王小明) with an
// order of ¥299.00, and the console's log captured.
type fixture struct {
	srv       *httptest.Server
	auth      *auth.Service
	customers *customer.Store
	clock     *clock.Fake
	logs      *syncBuffer
	c1        customer.Customer
}

// syncBuffer is a log sink the server's goroutines can share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newFixture(t *testing.T, db *store.DB, secure bool) *fixture {
	t.Helper()
	ctx := context.Background()
	b := newConsoleBase(t, db, customer.Customer{
		ExternalID: "C1", Phone: "138 1234 1234", Name: "王小明", Gender: "男", City: "上海",
		Tags: []string{"vip", "猫粮"}, Consent: "opted_in", ConsentSource: "pos",
		ConsentAt:  time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		Attributes: json.RawMessage(`{"level":"gold","points":1200}`),
	})
	_, err := b.cs.UpsertOrders(ctx, []customer.Order{{
		OrderID: "O-1001", CustomerID: "C1", OrderedAt: time.Date(2026, 10, 30, 16, 30, 0, 0, time.UTC),
		Status: "paid", Lines: []customer.Line{
			{SKU: "CAT-FOOD-2KG", Category: "cat food", Quantity: 2, Amount: 19900},
			{SKU: "CAT-TOY", Category: "toys", Quantity: 1, Amount: 10000},
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	c1, err := b.cs.GetByExternalID(ctx, "C1")
	if err != nil {
		t.Fatal(err)
	}
	// Whatever a test did, the console's log must not hold the customer's
	// number or name in the clear.
	f := b.serve(web.Deps{SecureCookies: secure}, "13812341234", "1234 1234", "王小明")
	f.c1 = c1
	return f
}

// consoleBase is what every console fixture starts from: a keyring, the
// fake clock at start, the customer store holding the seed customers, the
// auth service with the test administrator, and a log buffer.
type consoleBase struct {
	t    *testing.T
	db   *store.DB
	kr   *pii.Keyring
	clk  *clock.Fake
	cs   *customer.Store
	as   *auth.Service
	logs *syncBuffer
	log  *slog.Logger
}

func newConsoleBase(t *testing.T, db *store.DB, seed ...customer.Customer) *consoleBase {
	t.Helper()
	ctx := context.Background()
	b := &consoleBase{t: t, db: db, clk: clock.NewFake(start), logs: &syncBuffer{}}
	b.log = slog.New(slog.NewTextHandler(b.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var err error
	if b.kr, err = pii.NewKeyring(bytes.Repeat([]byte{7}, 32)); err != nil {
		t.Fatal(err)
	}
	if b.cs, err = customer.NewStore(ctx, db, b.kr, b.clk, customer.Options{}); err != nil {
		t.Fatal(err)
	}
	if b.as, err = auth.New(ctx, db, b.clk); err != nil {
		t.Fatal(err)
	}
	if _, err := b.as.AddUser(ctx, testUser, testPassword, auth.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if len(seed) > 0 {
		if _, err := b.cs.UpsertCustomers(ctx, seed); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// policy opens the policy service, closed when the test ends.
func (b *consoleBase) policy() *policy.Policy {
	b.t.Helper()
	pol, err := policy.New(context.Background(), b.db, b.kr, b.clk, policy.Options{Log: b.log})
	if err != nil {
		b.t.Fatal(err)
	}
	b.t.Cleanup(func() { pol.Close() })
	return pol
}

// serve starts the console with deps, the base's customers, auth, clock
// and log filled in; when the test ends, the log must not hold any of
// clear.
func (b *consoleBase) serve(deps web.Deps, clear ...string) *fixture {
	b.t.Helper()
	deps.Customers, deps.Auth, deps.Clock, deps.Log = b.cs, b.as, b.clk, b.log
	console, err := web.New(deps)
	if err != nil {
		b.t.Fatal(err)
	}
	mux := http.NewServeMux()
	console.Register(mux)
	srv := httptest.NewServer(mux)
	b.t.Cleanup(srv.Close)
	t, logs := b.t, b.logs
	t.Cleanup(func() {
		for _, s := range clear {
			if strings.Contains(logs.String(), s) {
				t.Errorf("console log contains %q:\n%s", s, logs.String())
			}
		}
	})
	return &fixture{srv: srv, auth: b.as, customers: b.cs, clock: b.clk, logs: b.logs}
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects, so tests see each 303.
type browser struct {
	t      *testing.T
	base   string
	hc     *http.Client
	header http.Header // sent with every request
}

func (f *fixture) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: f.srv.URL, header: http.Header{}, hc: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type response struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(method, path string, body io.Reader, hdr ...string) response {
	b.t.Helper()
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	for k, v := range b.header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := b.hc.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(data)}
}

func (b *browser) get(path string, hdr ...string) response { return b.do("GET", path, nil, hdr...) }

func (b *browser) post(path string, form url.Values, hdr ...string) response {
	return b.do("POST", path, strings.NewReader(form.Encode()), hdr...)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token of the first form in a page.
func csrf(t *testing.T, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf field in page:\n%s", page)
	}
	return m[1]
}

// login signs in through the form and returns the response to the POST.
func (b *browser) login(name, password string) response {
	b.t.Helper()
	page := b.get("/login")
	if page.status != http.StatusOK {
		b.t.Fatalf("GET /login: %d", page.status)
	}
	return b.post("/login", url.Values{"csrf": {csrf(b.t, page.body)}, "name": {name}, "password": {password}})
}

// signedIn returns a browser signed in as the test user.
func (f *fixture) signedIn(t *testing.T) *browser {
	t.Helper()
	b := f.browser(t)
	if res := b.login(testUser, testPassword); res.status != http.StatusSeeOther {
		t.Fatalf("login: %d\n%s", res.status, res.body)
	}
	return b
}

func mustContain(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
	if t.Failed() {
		t.Logf("page:\n%s", body)
	}
}

func mustNotContain(t *testing.T, body string, nots ...string) {
	t.Helper()
	for _, n := range nots {
		if strings.Contains(body, n) {
			t.Errorf("page contains %q", n)
		}
	}
}

func customerPath(c customer.Customer) string { return fmt.Sprintf("/customers/%d", c.ID) }
