package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func importCmd(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb strings.Builder
	code := run(context.Background(), append([]string{"import"}, args...), strings.NewReader(stdin), &out, &errb, slog.New(slog.NewTextHandler(&errb, nil)))
	return code, out.String(), errb.String()
}

// timing is the variable tail of a summary line.
var timing = regexp.MustCompile(`, [0-9.]+s(, [0-9]+ rows/s)?\n$`)

func TestImportCommand(t *testing.T) {
	t.Setenv("NUDGE_DB", "")
	t.Setenv("NUDGE_MASTER_KEY", "")
	t.Setenv("NUDGE_MASTER_KEY_FILE", "")
	data := t.TempDir()
	dir := t.TempDir()
	members := filepath.Join(dir, "members.csv")
	os.WriteFile(members, []byte("会员ID,手机号,姓名\nC1,13812341234,王小明\nC2,12,李娜\n"), 0o600)

	// Some rows refused: exit 2, the summary on stdout, the rejects file.
	code, out, _ := importCmd(t, "", "customers", "--data", data, members)
	if code != 2 || timing.ReplaceAllString(out, "") != "customers: 2 rows, 1 taken (1 new, 0 updated, 0 unchanged), 1 rejected -> "+members+".rejects.csv" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	if b, _ := os.ReadFile(members + ".rejects.csv"); string(b) != "\ufeffline,reason,会员ID,手机号,姓名\n3,bad phone number (no such number (wrong length or prefix)),C2,12,李娜\n" {
		t.Fatalf("rejects %q", b)
	}

	// Standard input, flags after the file: every row taken, exit 0.
	rejects := filepath.Join(dir, "in.rejects.csv")
	code, out, errs := importCmd(t, `{"订单号":"O1","会员ID":"C1","下单时间":"2026-10-01","sku":"A","金额":"9.90"}`+"\n",
		"orders", "-", "--data", data, "--format", "jsonl", "--rejects", rejects, "--batch", "10")
	if code != 0 || timing.ReplaceAllString(out, "") != "orders: 1 rows, 1 taken (1 new, 0 updated, 0 unchanged; orders 1 new, 0 updated, 0 unchanged), 0 rejected" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if _, err := os.Stat(rejects); !os.IsNotExist(err) {
		t.Fatalf("a rejects file with nothing rejected: %v", err)
	}
	// Progress went to stderr, as plain lines (stderr is not a terminal).
	if !strings.Contains(errs, "orders: 1 rows, done in ") {
		t.Fatalf("stderr %q", errs)
	}

	// A file that is not a shop export: exit 1, the reason on stderr.
	logo := filepath.Join(dir, "logo.csv")
	os.WriteFile(logo, []byte("\x89PNG\r\n\x1a\n\x00\x00"), 0o600)
	code, out, errs = importCmd(t, "", "products", "--data", data, logo)
	if code != 1 || out != "" || !strings.Contains(errs, "nudge: "+logo+": not a text file (it contains NUL bytes)\n") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}

	for _, args := range [][]string{{}, {"shoppers", members}, {"customers"}, {"customers", members, members}} {
		if code, _, errs := importCmd(t, "", append(args, "--data", data)...); code != 1 || !strings.Contains(errs, "usage: nudge import") && !strings.Contains(errs, "one file") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
}
