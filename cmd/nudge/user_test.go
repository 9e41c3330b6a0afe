package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"nudge/internal/app"
	"nudge/internal/auth"
)

// lockedBuffer is a bytes.Buffer safe to read while a command writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func runWith(ctx context.Context, args []string, stdin string) (code int, stdout, stderr string) {
	var out, errb lockedBuffer
	code = run(ctx, args, strings.NewReader(stdin), &out, &errb, slog.New(slog.NewTextHandler(&errb, nil)))
	return code, out.String(), errb.String()
}

func isolate(t *testing.T) string {
	t.Helper()
	t.Setenv("NUDGE_DB", "")
	t.Setenv("NUDGE_MASTER_KEY", "")
	t.Setenv("NUDGE_MASTER_KEY_FILE", "")
	return t.TempDir()
}

func TestUserAdd(t *testing.T) {
	dir := isolate(t)
	ctx := context.Background()
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("file pass word\r\nsecond line ignored\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args       []string
		stdin      string
		code       int
		out, inErr string
	}{
		{[]string{"user", "add", "alice", "--role", "admin", "--data", dir}, "correct horse battery\n", 0, "user alice added with role admin\n", ""},
		{[]string{"user", "add", "--data", dir, "--password-file", pwFile, "bob"}, "", 0, "user bob added with role operator\n", ""},
		{[]string{"user", "add", "carol", "--data", dir}, "no newline at the end", 0, "user carol added with role operator\n", ""},
		{[]string{"user", "add", "alice", "--data", dir}, "another password\n", 1, "", `user "alice": already exists`},
		{[]string{"user", "add", "dave", "--data", dir}, "short\n", 1, "", "password too short: 5 characters, at least 8"},
		{[]string{"user", "add", "dave", "--data", dir}, "", 1, "", "no password given"},
		{[]string{"user", "add", "dave", "--role", "owner", "--data", dir}, "long enough\n", 1, "", `role "owner" is neither admin nor operator`},
		{[]string{"user", "add", "--data", dir}, "long enough\n", 2, "", "needs exactly one NAME"},
		{[]string{"user", "add", "dave", "erin", "--data", dir}, "long enough\n", 2, "", "needs exactly one NAME"},
	} {
		code, out, errOut := runWith(ctx, c.args, c.stdin)
		if code != c.code || out != c.out || !strings.Contains(errOut, c.inErr) {
			t.Errorf("nudge %s: exit %d, stdout %q, stderr %q; want %d, %q, stderr with %q",
				strings.Join(c.args, " "), code, out, errOut, c.code, c.out, c.inErr)
		}
	}
	a := openDir(t, dir)
	for name, pw := range map[string]string{"alice": "correct horse battery", "bob": "file pass word", "carol": "no newline at the end"} {
		if _, err := a.Auth.Authenticate(ctx, name, pw); err != nil {
			t.Errorf("%s cannot sign in with %q: %v", name, pw, err)
		}
	}
	if u, _ := a.Auth.Authenticate(ctx, "alice", "correct horse battery"); u.Role != auth.RoleAdmin {
		t.Errorf("alice's role = %q", u.Role)
	}
}

func openDir(t *testing.T, dir string) *app.App {
	t.Helper()
	cfg := app.DefaultConfig()
	cfg.DataDir = dir
	a, err := app.Open(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func TestTokenCreate(t *testing.T) {
	dir := isolate(t)
	ctx := context.Background()
	code, out, errOut := runWith(ctx, []string{"token", "create", "--name", "erp", "--data", dir}, "")
	if code != 0 || !regexp.MustCompile(`^nudge_[A-Za-z0-9_-]{43}\n$`).MatchString(out) || !strings.Contains(errOut, "shown only this once") {
		t.Fatalf("token create: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := runWith(ctx, []string{"token", "create", "--name", "erp", "--data", dir}, ""); code != 1 || !strings.Contains(errOut, "already exists") {
		t.Fatalf("second erp token: %d %q", code, errOut)
	}
	if code, _, errOut := runWith(ctx, []string{"token", "create", "--data", dir}, ""); code != 2 || !strings.Contains(errOut, "needs --name") {
		t.Fatalf("no name: %d %q", code, errOut)
	}
	a := openDir(t, dir)
	if name, err := a.Auth.CheckToken(ctx, strings.TrimSpace(out)); err != nil || name != "erp" {
		t.Fatalf("printed token does not check: %q %v", name, err)
	}
}

// TestServeCommand starts `nudge serve` on a free port, reads the URL it
// prints, and stops it the way SIGTERM does: by cancelling its context.
func TestServeCommand(t *testing.T) {
	dir := isolate(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir}, strings.NewReader(""), &out, &errb,
			slog.New(slog.NewTextHandler(&errb, nil)))
	}()
	re := regexp.MustCompile(`serving on (http://127\.0\.0\.1:\d+)`)
	var url string
	for deadline := time.Now().Add(20 * time.Second); url == ""; {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
			break
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, errb.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no URL printed: %q %q", out.String(), errb.String())
		}
	}
	resp, err := http.Get(url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "ok\n" {
		t.Fatalf("/healthz: %d %q", resp.StatusCode, body)
	}
	if !strings.Contains(errb.String(), `msg="nudge is serving" component=http url=`+url) {
		t.Errorf("URL not logged: %s", errb.String())
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d after cancel: %s", code, errb.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	if _, err := os.Stat(filepath.Join(dir, "nudge.db")); err != nil {
		t.Fatalf("no store created in the data dir: %v", err)
	}
}
