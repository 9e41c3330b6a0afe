// Package e2e holds the end-to-end tests: the real server, as `nudge serve`
// builds it, driven by headless Chromium.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"nudge/internal/app"
	"nudge/internal/auth"
	"nudge/internal/customer"
)

// Chromium is Debian's package; CHROMIUM points elsewhere.
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// need skips the test when a tool is missing, except under CI=true, where
// .ci/run installs everything and a skip would hide a broken machine.
func need(t *testing.T, what, path string) {
	t.Helper()
	if _, err := os.Stat(path); err == nil {
		return
	}
	msg := fmt.Sprintf("%s not found at %s", what, path)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s: .ci/run should have installed it (apt-get install chromium; npm ci)", msg)
	}
	t.Skip(msg + "; install it (see .ci/run) to run the browser test")
}

// result is what e2e/login.mjs prints.
type result struct {
	OK    bool `json:"ok"`
	Steps []struct {
		Name        string   `json:"name"`
		URL         string   `json:"url"`
		Status      int      `json:"status"`
		Rows        int      `json:"rows"`
		HTMXSwap    bool     `json:"htmxSwap"`
		MaskedPhone string   `json:"maskedPhone"`
		Amounts     []string `json:"amounts"`
	} `json:"steps"`
	ConsoleErrors []string `json:"consoleErrors"`
	Failures      []string `json:"failures"`
}

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

// TestBrowserLoginFindsCustomer signs in through the console in headless
// Chromium, finds an imported customer by phone and opens their page.
func TestBrowserLoginFindsCustomer(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	need(t, "Chromium", chromiumPath())
	need(t, "playwright-core", filepath.Join(root, "node_modules", "playwright-core", "package.json"))
	node, err := exec.LookPath("node")
	if err != nil {
		need(t, "node", "/usr/bin/node")
		node = "/usr/bin/node"
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &syncBuffer{}
	dir := t.TempDir()
	cfg := app.Config{DataDir: dir, DB: "sqlite:" + filepath.Join(dir, "nudge.db"), Addr: "127.0.0.1:0",
		Region: "CN", Timezone: "Asia/Shanghai", ShutdownTimeout: 10 * time.Second}
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()

	const user, password, phone = "e2e-admin", "e2e password 1", "138 1234 1234"
	if _, err := a.Auth.AddUser(ctx, user, password, auth.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Customers.UpsertCustomers(ctx, []customer.Customer{
		{ExternalID: "E2E-1", Phone: phone, Name: "王小明", City: "杭州", Consent: "opted_in"},
		{ExternalID: "E2E-2", Phone: "139 0000 0001", Name: "李娜"},
	}); err != nil {
		t.Fatal(err)
	}
	res, err := a.Customers.UpsertOrders(ctx, []customer.Order{{OrderID: "E2E-O1", CustomerID: "E2E-1",
		OrderedAt: time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC), Status: "paid",
		Lines: []customer.Line{{SKU: "CAT-FOOD-2KG", Category: "cat food", Quantity: 1, Amount: 29900}}}})
	if err != nil || res.Orders.Inserted != 1 {
		t.Fatalf("order: %+v %v", res, err)
	}

	urls := make(chan string, 1)
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, "127.0.0.1:0", func(u string) { urls <- u }) }()
	var base string
	select {
	case base = <-urls:
	case err := <-served:
		t.Fatalf("serve: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("server did not start in 10 s")
	}

	run, stop := context.WithTimeout(ctx, 2*time.Minute)
	defer stop()
	cmd := exec.CommandContext(run, node, filepath.Join("e2e", "login.mjs"), base, user, password, phone)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromiumPath())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	began := time.Now()
	runErr := cmd.Run()
	t.Logf("browser run took %v", time.Since(began).Round(time.Millisecond))

	var r result
	if err := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &r); err != nil {
		t.Fatalf("login.mjs printed no result (%v, exit %v):\nstdout: %s\nstderr: %s", err, runErr, stdout.String(), stderr.String())
	}
	if runErr != nil || !r.OK {
		t.Fatalf("browser run failed (exit %v): %v\nconsole errors: %q\nstdout: %s\nstderr: %s", runErr, r.Failures, r.ConsoleErrors, stdout.String(), stderr.String())
	}
	steps := map[string]int{}
	for i, s := range r.Steps {
		steps[s.Name] = i
	}
	if got := strings.Join(stepNames(r), ","); got != "open,login,search,customer" {
		t.Fatalf("steps %s, want open,login,search,customer", got)
	}
	search, page := r.Steps[steps["search"]], r.Steps[steps["customer"]]
	if search.Rows != 1 || !search.HTMXSwap {
		t.Errorf("search: %d rows, htmx swap %v; want 1 row swapped in place", search.Rows, search.HTMXSwap)
	}
	c, err := a.Customers.GetByExternalID(ctx, "E2E-1")
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%s/customers/%d", base, c.ID); page.URL != want {
		t.Errorf("customer page at %s, want %s", page.URL, want)
	}
	if page.MaskedPhone != "138****1234" || strings.Join(page.Amounts, " ") != "¥299.00" {
		t.Errorf("customer page shows phone %q and amounts %q; want 138****1234 and ¥299.00", page.MaskedPhone, page.Amounts)
	}
	if len(r.ConsoleErrors) > 0 {
		t.Errorf("browser console errors: %q", r.ConsoleErrors)
	}

	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("serve returned %v after cancel", err)
		}
	case <-time.After(15 * time.Second):
		t.Error("server still running 15 s after cancel")
	}
	for _, clear := range []string{"13812341234", "138 1234 1234", "王小明"} {
		if strings.Contains(logs.String(), clear) {
			t.Errorf("server log contains %q", clear)
		}
	}
}

func stepNames(r result) []string {
	var out []string
	for _, s := range r.Steps {
		out = append(out, s.Name)
	}
	return out
}
