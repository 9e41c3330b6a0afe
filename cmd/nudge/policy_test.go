package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nudge/internal/customer"
)

func policyShop(t *testing.T) []string {
	return intelStore(t, func(ctx context.Context, cs *customer.Store) {
		if _, err := cs.UpsertCustomers(ctx, []customer.Customer{
			{ExternalID: "A", Phone: "13800000001", Consent: "opted_in", ConsentSource: "pos",
				ConsentAt: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)},
			{ExternalID: "B", Phone: "13800000002"},
		}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestWhyJSONAndText(t *testing.T) {
	flags := policyShop(t)
	code, out, errs := intelRun(t, append([]string{"why", "138 0000 0001", "--at", "2026-11-01 21:30", "--json"}, flags...)...)
	want := `{"decision":"defer","until":"2026-11-02T00:00:00Z","reasons":[` +
		`"consent pass: opted in at 2026-10-01T00:00:00Z, source recorded",` +
		`"suppression pass: the number is not on the suppression list",` +
		`"preference pass: marketing messages not refused",` +
		`"cap_7d pass: 0 of at most 3 marketing messages queued in the last 7d",` +
		`"cap_30d pass: 0 of at most 4 marketing messages queued in the last 30d",` +
		`"quiet_hours defer quiet_hours: 21:30 Asia/Shanghai outside 08:00-20:00; next allowed 2026-11-02 08:00 Asia/Shanghai",` +
		`"hygiene pass: last interaction 2026-10-01T00:00:00Z, 31 days ago (limit 180d)"]}` + "\n"
	if code != 0 || out != want {
		t.Fatalf("code %d\n got %s\nwant %s\nstderr %s", code, out, want, errs)
	}
	// No consent: suppressed, no until; an order update goes.
	code, out, _ = intelRun(t, append([]string{"why", "13800000002", "--at", "2026-11-01 12:00", "--json"}, flags...)...)
	if code != 0 || !strings.HasPrefix(out, `{"decision":"suppress","reasons":["consent fail consent_missing: no recorded marketing consent (state unknown)",`) {
		t.Fatalf("B marketing: %d %s", code, out)
	}
	code, out, _ = intelRun(t, append([]string{"why", "13800000002", "--category", "order", "--at", "2026-11-01 23:00", "--json"}, flags...)...)
	if code != 0 || !strings.HasPrefix(out, `{"decision":"allow","reasons":[`) {
		t.Fatalf("B order: %d %s", code, out)
	}
	code, out, _ = intelRun(t, append([]string{"why", "13800000001", "--at", "2026-11-01 21:30"}, flags...)...)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 9 || lines[0] != "138****0001 (customer 1, CN, zone unknown): marketing message at 2026-11-01 21:30 CST" ||
		lines[1] != "decision: defer until 2026-11-02T08:00:00+08:00" || lines[7] != "  quiet_hours defer quiet_hours: 21:30 Asia/Shanghai outside 08:00-20:00; next allowed 2026-11-02 08:00 Asia/Shanghai" {
		t.Fatalf("text:\n%s", out)
	}
	if strings.Contains(out, "13800000001") {
		t.Fatal("phone in the clear")
	}
}

func TestSuppressCommands(t *testing.T) {
	flags := policyShop(t)
	dir := t.TempDir()
	run := func(args ...string) (int, string, string) { return intelRun(t, append(args, flags...)...) }
	if code, out, errs := run("suppress", "add", "13800000001", "--reason", "invalid_number", "--note", "3 bounces"); code != 0 ||
		out != "138****0001 added (invalid_number)\n" {
		t.Fatalf("add: %d %q %s", code, out, errs)
	}
	if code, out, _ := run("suppress", "add", "13800000001", "--reason", "invalid_number"); code != 0 || out != "138****0001 already suppressed (invalid_number)\n" {
		t.Fatalf("add again: %d %q", code, out)
	}
	code, out, _ := run("why", "13800000001", "--category", "order", "--at", "2026-11-01 12:00", "--json")
	if code != 0 || !strings.Contains(out, `"decision":"suppress"`) || !strings.Contains(out, "suppression fail suppressed_invalid_number") {
		t.Fatalf("why after suppress: %s", out)
	}
	csvIn := filepath.Join(dir, "in.csv")
	os.WriteFile(csvIn, []byte("phone,reason\n13900000001,opted_out\n13900000002,\nnot-a-number,\n"), 0o600)
	if code, out, errs := run("suppress", "import", csvIn); code != 2 || out != "2 added, 0 already suppressed, 1 rejected\n" ||
		!strings.Contains(errs, "line 4: ") {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	code, out, _ = run("suppress", "list")
	if code != 0 || !strings.Contains(out, "138****0001    invalid_number") || !strings.HasSuffix(out, "3 shown of 3\n") || strings.Contains(out, "13900000001") {
		t.Fatalf("list:\n%s", out)
	}
	code, out, _ = run("suppress", "export")
	if code != 0 || !strings.HasPrefix(out, "phone,reason,source,note,created_at\n138****0001,invalid_number,cli:") ||
		!strings.Contains(out, "\n139****0002,manual,import,,") {
		t.Fatalf("export:\n%s", out)
	}
	exported := filepath.Join(dir, "clear.csv")
	if code, _, _ := run("suppress", "export", exported, "--clear"); code != 0 {
		t.Fatal(code)
	}
	b, _ := os.ReadFile(exported)
	if fi, _ := os.Stat(exported); !strings.Contains(string(b), "\n+8613900000001,opted_out,import,,") || fi.Mode().Perm() != 0o600 {
		t.Fatalf("clear export %v:\n%s", fi.Mode(), b)
	}
	if code, out, _ := run("suppress", "remove", "13900000001"); code != 0 || out != "139****0001: 1 entry removed\n" {
		t.Fatalf("remove: %d %q", code, out)
	}
	if code, _, _ := run("suppress", "remove", "13900000001"); code != 2 {
		t.Fatalf("remove again: %d", code)
	}
}

func TestLinkCommands(t *testing.T) {
	flags := policyShop(t)
	t.Setenv("NUDGE_BASE_URL", "https://s.shop.example")
	code, out, errs := intelRun(t, append([]string{"link", "create", "https://shop.example/p?id=1#reviews", "--campaign", "spring", "--customer", "A"}, flags...)...)
	if code != 0 || !strings.HasPrefix(out, "https://s.shop.example/l/") || len(strings.TrimSpace(out)) != len("https://s.shop.example/l/")+8 {
		t.Fatalf("create: %d %q %s", code, out, errs)
	}
	code, out, _ = intelRun(t, append([]string{"link", "stats", "spring"}, flags...)...)
	if code != 0 || out != "spring: 1 links, 0 clicks by 0 customers, 0 bot or preview requests left out\n" {
		t.Fatalf("stats: %d %q", code, out)
	}
}
