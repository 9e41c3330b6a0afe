package smpp

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// smscEvent is one JSON line from testdata/smsc.js.
type smscEvent struct {
	Event      string   `json:"event"`
	Port       int      `json:"port"`
	Command    string   `json:"command"`
	SystemID   string   `json:"system_id"`
	Password   string   `json:"password"`
	ID         string   `json:"id"`
	IDs        []string `json:"ids"`
	To         string   `json:"to"`
	DataCoding int      `json:"data_coding"`
	ESMClass   int      `json:"esm_class"`
	UDH        []string `json:"udh"`
	Parts      int      `json:"parts"`
	Text       string   `json:"text"`
	Error      string   `json:"error"`
}

// nodeSMPP finds node and the smpp package in the module's node_modules.
// Without them the interop test cannot run: CI must fail, a developer's
// machine skips.
func nodeSMPP(t *testing.T) (node, nodePath string) {
	t.Helper()
	missing := func(why string) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("interop peer unavailable in CI: %s", why)
		}
		t.Skipf("interop peer unavailable: %s", why)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node not on PATH")
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			missing("no go.mod above " + dir)
		}
		dir = parent
	}
	nodePath = filepath.Join(dir, "node_modules")
	if _, err := os.Stat(filepath.Join(nodePath, "smpp", "package.json")); err != nil {
		missing("npm package smpp not installed in " + nodePath + " (run npm ci)")
	}
	return node, nodePath
}

// startNodeSMSC runs testdata/smsc.js and returns its address and a channel
// of the events it reports.
func startNodeSMSC(t *testing.T, throttleFirst int) (string, <-chan smscEvent) {
	node, nodePath := nodeSMPP(t)
	cmd := exec.Command(node, filepath.Join("testdata", "smsc.js"))
	cmd.Env = append(os.Environ(), "NODE_PATH="+nodePath, fmt.Sprintf("THROTTLE_FIRST=%d", throttleFirst))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close() // the script exits when its stdin closes
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if stderr.Len() > 0 {
			t.Logf("smsc.js stderr: %s", stderr.String())
		}
	})
	events := make(chan smscEvent, 256)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var e smscEvent
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				t.Errorf("smsc.js printed %q: %v", sc.Text(), err)
				continue
			}
			events <- e
		}
	}()
	select {
	case e := <-events:
		if e.Event != "listening" || e.Port == 0 {
			t.Fatalf("smsc.js started with %+v", e)
		}
		return fmt.Sprintf("127.0.0.1:%d", e.Port), events
	case <-time.After(10 * time.Second):
		t.Fatalf("smsc.js did not start: %s", stderr.String())
	}
	return "", nil
}

// TestInteropNodeSMPP runs the client against an SMSC built on the npm
// package smpp, an implementation written independently of this one.
func TestInteropNodeSMPP(t *testing.T) {
	const throttled = 3
	addr, events := startNodeSMSC(t, throttled)

	var mu sync.Mutex
	var receipts []Receipt
	var mos []MO
	cfg := Config{
		Addr: addr, SystemID: "nudge", Password: "secret08", Bind: Transceiver,
		SourceAddr: "1069", Window: 4, ThrottlePause: 50 * time.Millisecond,
		ResponseTimeout: 5 * time.Second, EnquireInterval: time.Hour,
		Logger:    slog.New(slog.DiscardHandler),
		OnReceipt: func(r Receipt) { mu.Lock(); receipts = append(receipts, r); mu.Unlock() },
		OnMessage: func(m MO) { mu.Lock(); mos = append(mos, m); mu.Unlock() },
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	p, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	// Short messages first: the SMSC refuses the first three submits with
	// ESME_RTHROTTLED and every message must still arrive, once.
	short := []string{"Order 1001 shipped", "Order 1002 shipped", "Your code is 4711", "Sale ends {today}"}
	var shortIDs []string
	for _, text := range short {
		ids, err := p.Submit(ctx, Message{To: "8613800138000", Text: text})
		if err != nil || len(ids) != 1 {
			t.Fatalf("submit %q: %v %v", text, ids, err)
		}
		shortIDs = append(shortIDs, ids[0])
	}
	long := strings.Repeat("您的订单已发货，请注意查收。", 6) // 84 UCS-2 units: two parts
	longIDs, err := p.Submit(ctx, Message{To: "8613800138000", Text: long})
	if err != nil || len(longIDs) != 2 {
		t.Fatalf("long submit: %v %v", longIDs, err)
	}

	var binds, refused int
	var parts []smscEvent
	var messages []smscEvent
	deadline := time.After(15 * time.Second)
	for len(messages) < len(short)+1 {
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatal("smsc.js exited early")
			}
			switch e.Event {
			case "bind":
				binds++
				if e.Command != "bind_transceiver" || e.SystemID != "nudge" || e.Password != "secret08" {
					t.Fatalf("bind as seen by the SMSC: %+v", e)
				}
			case "throttled":
				refused++
			case "submit":
				parts = append(parts, e)
			case "message":
				messages = append(messages, e)
			case "error":
				t.Fatalf("smsc.js: %s", e.Error)
			}
		case <-deadline:
			t.Fatalf("SMSC reported %d messages, want %d", len(messages), len(short)+1)
		}
	}
	if binds != 1 || refused != throttled {
		t.Fatalf("binds=%d throttled=%d", binds, refused)
	}
	for i, text := range short {
		m := messages[i]
		if m.Text != text || m.Parts != 1 || !reflect.DeepEqual(m.IDs, []string{shortIDs[i]}) {
			t.Fatalf("short message %d at the SMSC: %+v, want %q id %s", i, m, text, shortIDs[i])
		}
	}
	whole := messages[len(short)]
	if whole.Text != long || whole.Parts != 2 || !reflect.DeepEqual(whole.IDs, longIDs) {
		t.Fatalf("long message at the SMSC: %+v\nwant %q ids %v", whole, long, longIDs)
	}
	for i, part := range parts[len(short):] {
		if part.DataCoding != 8 || part.ESMClass != 0x40 || len(part.UDH) != 1 ||
			!strings.HasPrefix(part.UDH[0], "0003") || !strings.HasSuffix(part.UDH[0], fmt.Sprintf("02%02x", i+1)) {
			t.Fatalf("long part %d as seen by the SMSC: %+v", i+1, part)
		}
	}

	// Receipts for every part come back and match the ids Submit returned;
	// then the customer's replies, one of them in two parts.
	allIDs := append(slices.Clone(shortIDs), longIDs...)
	waitUntil(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(receipts) == len(allIDs) && len(mos) == 2 })
	mu.Lock()
	defer mu.Unlock()
	var got []string
	for _, r := range receipts {
		if r.State != StateDelivered || r.Stat != "DELIVRD" || r.Source != "8613800138000" {
			t.Fatalf("receipt %+v", r)
		}
		got = append(got, r.MessageID)
	}
	slices.Sort(got)
	slices.Sort(allIDs)
	if !reflect.DeepEqual(got, allIDs) {
		t.Fatalf("receipts for %v, want %v", got, allIDs)
	}
	wantMO := []MO{
		{Source: "8613800138000", Destination: "1069", Text: "好的，谢谢", DataCoding: 8, Parts: 1},
		{Source: "8613800138000", Destination: "1069", Text: "第一部分，第二部分", DataCoding: 8, Parts: 2},
	}
	for i := range mos {
		mos[i].Received = time.Time{}
	}
	if !reflect.DeepEqual(mos, wantMO) {
		t.Fatalf("MO:\n got %+v\nwant %+v", mos, wantMO)
	}
}

// waitUntil polls cond for up to ten seconds; the limit is only reached when
// something is broken.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not met in time")
}
