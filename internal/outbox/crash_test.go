package outbox

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"nudge/internal/clock"
	"nudge/internal/gateway"
	"nudge/internal/gateway/smpp"
	"nudge/internal/gateway/smpp/smsctest"
	"nudge/internal/gateway/smppgw"
	"nudge/internal/pii"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

// The crash test runs the dispatcher in a child process (this test binary,
// re-executed), kills it with SIGKILL at random moments while it sends to
// an SMSC living in the parent, restarts it, and finally checks that every
// message reached the SMSC exactly once, except those held for review,
// which must be exactly the ones that were in sending at a kill.

const (
	crashChildEnv = "NUDGE_OUTBOX_CRASH_CHILD" // store DSN
	crashSMSCEnv  = "NUDGE_OUTBOX_CRASH_SMSC"  // SMSC address
)

func TestMain(m *testing.M) {
	if dsn := os.Getenv(crashChildEnv); dsn != "" {
		os.Exit(crashChild(dsn, os.Getenv(crashSMSCEnv)))
	}
	os.Exit(m.Run())
}

// crashChild dispatches until nothing is left to send, then exits 0. The
// parent usually kills it long before.
func crashChild(dsn, smsc string) int {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := store.Open(ctx, dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	defer db.Close()
	keys, _ := pii.NewKeyring(make([]byte, 32)) // testKeys' key
	s, err := NewStore(ctx, db, keys, clock.System{}, Options{Router: staticRouter{"smsc"}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	cfg, err := gateway.ParseURL("smsc", "smpp://crash:pw@"+smsc+"?window=16")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	g, err := smppgw.New(cfg, gateway.Deps{Clock: clock.System{}, Log: log, Sink: gateway.SinkFuncs{}, Trace: func(gateway.Exchange) {}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	defer g.Close()
	runCtx, stop := context.WithCancel(ctx)
	d := NewDispatcher(s, DispatcherOptions{Log: log, Poll: 20 * time.Millisecond, Batch: 64,
		Lines: func() []Line { return []Line{{Gateway: g, Config: cfg}} }})
	done := make(chan struct{})
	go func() { d.Run(runCtx); close(done) }()
	for {
		time.Sleep(100 * time.Millisecond)
		var left int
		db.R.QueryRow(`SELECT COUNT(*) FROM messages WHERE status = 'queued' OR (status = 'sending' AND review_at IS NULL)`).Scan(&left)
		if left == 0 {
			stop()
			<-done
			return 0
		}
	}
}

func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills child processes")
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) { crashRun(t, db) })
}

func crashRun(t *testing.T, db *store.DB) {
	ctx := context.Background()
	const n = 5000
	var mu sync.Mutex
	counts := map[string]int{}
	smsc, err := smsctest.Start("127.0.0.1:0", smsctest.Options{RespDelay: 3 * time.Millisecond,
		OnSubmit: func(conn int, sm *smpp.SubmitSM) smpp.Status {
			mu.Lock()
			counts[string(sm.Message)]++
			mu.Unlock()
			return smpp.ESME_ROK
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer smsc.Close()
	s := newStore(t, db, clock.System{}, Options{Router: staticRouter{"smsc"}})
	in := make([]Message, n)
	for i := range in {
		in[i] = Message{Key: "crash-" + strconv.Itoa(i), Source: Source{SourceCampaign, "crash"}, Phone: phoneN(i),
			Text: "crash " + strconv.Itoa(i), Category: "transactional"}
	}
	res, err := s.Enqueue(ctx, in)
	if err != nil || res.New != n {
		t.Fatal(res.New, err)
	}
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 1))
	t.Logf("kill points from seed %d", seed)

	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	dsn := db.Location
	if db.Dialect == store.Postgres {
		// Named, so that the test can wait for the server to finish with a
		// killed child's connections before it looks at the rows.
		dsn += "&application_name=nudge_crash_child"
	}
	child := func() *exec.Cmd {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dsn, crashSMSCEnv+"="+smsc.Addr())
		cmd.Stdout, cmd.Stderr = io.Discard, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	inSending := map[int64]bool{}
	kills := 0
	for round := 0; round < 8; round++ {
		cmd := child()
		time.Sleep(time.Duration(80+rng.IntN(300)) * time.Millisecond)
		cmd.Process.Kill() // SIGKILL
		err := cmd.Wait()
		if err == nil {
			break // it finished before the kill
		}
		kills++
		if db.Dialect == store.Postgres {
			// A statement the child sent just before it died may still
			// be running on the server, and commit: its effects are
			// part of what the kill left behind.
			waitFor(t, "the killed child's connections to close", func() bool {
				var k int
				db.R.QueryRow(`SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = 'nudge_crash_child'`).Scan(&k)
				return k == 0
			})
		}
		// What the kill left in sending (not yet held from an earlier
		// kill) is what must end up held for review, and nothing else.
		rows, err := db.R.Query(`SELECT id FROM messages WHERE status = 'sending' AND review_at IS NULL`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			inSending[id] = true
		}
		rows.Close()
	}
	final := child()
	waited := make(chan error, 1)
	go func() { waited <- final.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Fatalf("final run: %v\n%s", err, stderr.String())
		}
	case <-time.After(90 * time.Second):
		final.Process.Kill()
		t.Fatalf("final run did not finish\n%s", stderr.String())
	}

	review, err := s.ReviewIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	reviewSet := map[int64]bool{}
	for _, id := range review {
		reviewSet[id] = true
		if !inSending[id] {
			t.Errorf("message %d held for review but was not in sending at a kill", id)
		}
	}
	for id := range inSending {
		if !reviewSet[id] {
			t.Errorf("message %d was in sending at a kill but is not held for review", id)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	submitted, lostAnswers := 0, 0
	for i, id := range res.IDs {
		text := "crash " + strconv.Itoa(i)
		st := statusOf(t, s, id)
		switch {
		case reviewSet[id]:
			if st != Sending || counts[text] > 1 {
				t.Errorf("held message %d: %s, reached the SMSC %d times", id, st, counts[text])
			}
			lostAnswers += counts[text]
		case st == Submitted:
			submitted++
			if counts[text] != 1 {
				t.Errorf("message %d submitted, reached the SMSC %d times", id, counts[text])
			}
		default:
			t.Errorf("message %d ended %s", id, st)
		}
	}
	var parts int
	db.R.QueryRow(`SELECT COUNT(*) FROM message_parts`).Scan(&parts)
	if parts != submitted {
		t.Errorf("%d gateway ids recorded for %d submitted messages", parts, submitted)
	}
	if int(smsc.Submits()) != submitted+lostAnswers {
		t.Errorf("SMSC saw %d submits; %d submitted + %d held that reached it", smsc.Submits(), submitted, lostAnswers)
	}
	t.Logf("%d kills; %d submitted exactly once; %d held for review (%d of them had reached the SMSC)",
		kills, submitted, len(review), lostAnswers)
	if kills == 0 {
		t.Error("no kill landed while sending; the test proved nothing")
	}
}
