package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// quietSim is a simulated network that delivers everything 50 ms after
// submission and never replies.
const quietSim = "sim://?latency=0&receipt_delay=50ms&receipt_jitter=0&fail_empty=0&fail_off=0&fail_black=0&fail_carrier=0&reply_rate=0"

func TestGatewayCommands(t *testing.T) {
	dir := isolate(t)
	ctx := context.Background()
	d := "--data=" + dir
	code, out, errs := runWith(ctx, []string{"gateway", "add", d, "cmcc", "smpp://sys:hunter2@10.0.0.1:2775?window=256&rate=500&price=0.035&carriers=china_mobile"}, "")
	if code != 0 || out != "gateway cmcc added: smpp://sys:***@10.0.0.1:2775?carriers=china_mobile&price=0.035&rate=500&window=256\n" {
		t.Fatalf("add: %d %q %q", code, out, errs)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"gateway", "add", d, "cmcc", quietSim}, "a gateway with that name exists"},
		{[]string{"gateway", "add", d, "Bad", quietSim}, "use 1-32 lower-case letters"},
		{[]string{"gateway", "add", d, "x", "ftp://h/"}, "unknown scheme ftp://"},
		{[]string{"gateway", "add", d, "x", "smpp://h:1"}, "needs SYSTEM_ID:PASSWORD@"},
		{[]string{"gateway", "add", d, "x", "sim://?fail_empty=3"}, "fail_empty"},
		{[]string{"gateway", "remove", d, "nope"}, "not found"},
	} {
		code, _, errs := runWith(ctx, c.args, "")
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: %d %q", c.args, code, errs)
		}
	}
	runWith(ctx, []string{"gateway", "add", d, "sim", quietSim}, "")
	code, out, _ = runWith(ctx, []string{"gateway", "list", d}, "")
	if code != 0 || strings.Contains(out, "hunter2") || !strings.Contains(out, "cmcc  smpp  not running (no dispatcher: start nudge serve)  carriers=china_mobile priority=100 price=0.035 rate=500 window=256") {
		t.Fatalf("list:\n%s", out)
	}
	code, out, _ = runWith(ctx, []string{"gateway", "list", d, "--json"}, "")
	var rows []gatewayRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil || code != 0 || len(rows) != 2 || rows[1].Name != "sim" || rows[1].Kind != "sim" || !rows[1].Enabled {
		t.Fatalf("json: %v %s", err, out)
	}
	code, out, errs = runWith(ctx, []string{"gateway", "set", d, "cmcc", "smpp://sys:hunter3@10.0.0.2:2775?window=64"}, "")
	if code != 0 || out != "gateway cmcc changed: smpp://sys:***@10.0.0.2:2775?window=64\n" {
		t.Fatalf("set: %d %q %q", code, out, errs)
	}
	if code, _, errs = runWith(ctx, []string{"gateway", "set", d, "nope", quietSim}, ""); code == 0 || !strings.Contains(errs, "not found") {
		t.Errorf("set of an unknown gateway: %d %q", code, errs)
	}
	if code, out, _ = runWith(ctx, []string{"gateway", "remove", d, "cmcc"}, ""); code != 0 || out != "gateway cmcc removed\n" {
		t.Fatalf("remove: %d %q", code, out)
	}
}

func TestSendOneAndLog(t *testing.T) {
	dir := isolate(t)
	ctx := context.Background()
	d := "--data=" + dir
	if code, _, errs := runWith(ctx, []string{"send", d, "--to", "13812345678", "--text", "您的订单已发货"}, ""); code != 1 || !strings.Contains(errs, "no gateway configured") {
		t.Fatalf("without a gateway: %d %q", code, errs)
	}
	runWith(ctx, []string{"gateway", "add", d, "sim", quietSim}, "")
	code, out, errs := runWith(ctx, []string{"send", d, "--to", "13812345678", "--text", "您的订单已发货", "--request-id", "r1"}, "")
	if code != 0 {
		t.Fatalf("send: %d %q %q", code, out, errs)
	}
	// The first send of the test queued the message already (request ids
	// differ), so here: one new message, delivered.
	want := regexp.MustCompile(`(?s)^request r1: 1 queued, 0 already queued, 0 deferred to allowed hours, 0 refused\n1 delivered\n  #\d+ 138\*\*\*\*5678 delivered via sim\n$`)
	if !want.MatchString(out) {
		t.Fatalf("send output:\n%s", out)
	}
	if strings.Contains(out+errs, "13812345678") {
		t.Fatal("number in the clear on screen or in the log")
	}
	// The same request again queues nothing.
	code, out, _ = runWith(ctx, []string{"send", d, "--to", "13812345678", "--text", "您的订单已发货", "--request-id", "r1"}, "")
	if code != 0 || !strings.HasPrefix(out, "request r1: 0 queued, 1 already queued") {
		t.Fatalf("retry: %d %q", code, out)
	}
	code, out, _ = runWith(ctx, []string{"gateway", "log", d, "sim"}, "")
	if code != 0 || !strings.Contains(out, "out sim   submit id=") || !strings.Contains(out, "to=138****5678 parts=1 category=transactional -> ids=[") ||
		!strings.Contains(out, "in  sim   receipt id=") || strings.Contains(out, "13812345678") {
		t.Fatalf("log:\n%s", out)
	}
}

func TestSendFile(t *testing.T) {
	dir := isolate(t)
	ctx := context.Background()
	d := "--data=" + dir
	runWith(ctx, []string{"gateway", "add", d, "sim", quietSim}, "")
	list := filepath.Join(t.TempDir(), "list.csv")
	os.WriteFile(list, []byte("\xef\xbb\xbf手机号,name,order\n13812345678,王芳,A1\n12345,李雷,A2\n13912345678,张伟\n13700000000,赵敏,\"A4\"\n"), 0o600)
	tpl := filepath.Join(t.TempDir(), "t.txt")
	os.WriteFile(tpl, []byte("{{name}}您好，订单{{order}}已发货\n"), 0o600)
	code, out, errs := runWith(ctx, []string{"send", d, "--file", list, "--template", tpl, "--category", "order", "--request-id", "b1"}, "")
	if code != 2 {
		t.Fatalf("exit %d (want 2: some rows refused)\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(errs, "line 3: *****: bad phone: ") || !strings.Contains(errs, "line 4: : 2 fields, the header has 3") {
		t.Fatalf("problems:\n%s", errs)
	}
	if !strings.HasPrefix(out, "request b1: 2 queued, 0 already queued, 0 deferred to allowed hours, 2 refused\n2 delivered\n") {
		t.Fatalf("output:\n%s", out)
	}
}

func TestOutboxCommands(t *testing.T) {
	dir := isolate(t)
	ctx := context.Background()
	d := "--data=" + dir
	code, out, _ := runWith(ctx, []string{"outbox", "review", d}, "")
	if code != 0 || out != "no message is held for review\n" {
		t.Fatalf("%d %q", code, out)
	}
	if code, _, errs := runWith(ctx, []string{"outbox", "pause", d, "campaign:1"}, ""); code != 1 || !strings.Contains(errs, "no such source") {
		t.Fatalf("%d %q", code, errs)
	}
	runWith(ctx, []string{"send", d, "--no-wait", "--to", "13812345678", "--text", "hi", "--request-id", "q1"}, "")
	if code, out, _ := runWith(ctx, []string{"outbox", "pause", d, "api:q1"}, ""); code != 0 || out != "api:q1 paused\n" {
		t.Fatalf("pause %d %q", code, out)
	}
	if code, out, _ := runWith(ctx, []string{"outbox", "cancel", d, "api:q1"}, ""); code != 0 || out != "api:q1 cancelled: 1 queued messages will never be sent\n" {
		t.Fatalf("cancel %d %q", code, out)
	}
	if code, out, _ := runWith(ctx, []string{"outbox", "sources", d}, ""); code != 0 || !strings.Contains(out, "api:q1  cancelled  0") || !strings.Contains(out, "all messages: cancelled 1") {
		t.Fatalf("sources %d %q", code, out)
	}
}
