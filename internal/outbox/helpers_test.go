package outbox

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"nudge/internal/clock"
	"nudge/internal/gateway"
	"nudge/internal/pii"
	"nudge/internal/store"
)

var t0 = time.Date(2025, 3, 10, 2, 0, 0, 0, time.UTC)

func testKeys(t testing.TB) *pii.Keyring {
	t.Helper()
	kr, err := pii.NewKeyring(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newStore(t testing.TB, db *store.DB, clk clock.Clock, opt Options) *Store {
	t.Helper()
	s, err := NewStore(context.Background(), db, testKeys(t), clk, opt)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// phoneN is the n-th test number: +8613800000000 + n (China Mobile).
func phoneN(n int) string { return fmt.Sprintf("+86138%08d", n) }

// msgs builds n messages of one source with keys k0..k(n-1).
func msgs(src Source, n int, category string) []Message {
	out := make([]Message, n)
	for i := range out {
		out[i] = Message{Key: fmt.Sprintf("%s:k%d", src, i), Source: src, CustomerID: int64(i + 1), Phone: phoneN(i),
			Text: fmt.Sprintf("msg %d", i), Category: category}
	}
	return out
}

// fakeGateway counts submits by text and answers through fn.
type fakeGateway struct {
	mu      sync.Mutex
	submits map[string]int
	order   []string
	up      bool
	seq     int
	fn      func(m gateway.Message, n int) ([]string, error) // n: submits of this text so far, 1-based
	delay   time.Duration
}

func newFake() *fakeGateway { return &fakeGateway{submits: map[string]int{}, up: true} }

func (f *fakeGateway) Submit(ctx context.Context, m gateway.Message) ([]string, error) {
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	f.mu.Lock()
	f.submits[m.Text]++
	f.order = append(f.order, m.Text)
	n := f.submits[m.Text]
	f.seq++
	seq := f.seq
	fn := f.fn
	f.mu.Unlock()
	if fn != nil {
		return fn(m, n)
	}
	ids := make([]string, max(m.Parts, 1))
	for i := range ids {
		ids[i] = fmt.Sprintf("gw-%d-%d", seq, i+1)
	}
	return ids, nil
}

func (f *fakeGateway) Status() gateway.Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return gateway.Status{Up: f.up}
}

func (f *fakeGateway) Close() error { return nil }

func (f *fakeGateway) setUp(up bool) {
	f.mu.Lock()
	f.up = up
	f.mu.Unlock()
}

func (f *fakeGateway) count(text string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.submits[text]
}

func (f *fakeGateway) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.order)
}

func line(t testing.TB, name, query string, g gateway.Gateway) Line {
	t.Helper()
	cfg, err := gateway.ParseURL(name, "sim://?"+query)
	if err != nil {
		t.Fatal(err)
	}
	return Line{Gateway: g, Config: cfg}
}

// staticRouter routes everything to the first gateway not excluded.
type staticRouter []string

func (r staticRouter) Route(to, carrier, category string, exclude []string) string {
	for _, g := range r {
		ok := true
		for _, e := range exclude {
			if e == g {
				ok = false
			}
		}
		if ok {
			return g
		}
	}
	return ""
}

// startDispatcher runs a dispatcher until the test ends.
func startDispatcher(t testing.TB, s *Store, opt DispatcherOptions) *Dispatcher {
	t.Helper()
	if opt.Log == nil {
		opt.Log = quietLog()
	}
	if opt.Poll == 0 {
		opt.Poll = 20 * time.Millisecond
	}
	d := NewDispatcher(s, opt)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return d
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// statusCounts counts all messages per status ("review" apart).
func statusCounts(t testing.TB, s *Store) map[string]int64 {
	t.Helper()
	m, err := s.Totals(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func statusOf(t testing.TB, s *Store, id int64) Status {
	t.Helper()
	var st string
	if err := s.db.R.QueryRow(s.db.Rebind(`SELECT status FROM messages WHERE id = ?`), id).Scan(&st); err != nil {
		t.Fatal(err)
	}
	return Status(st)
}

func dump(s *Store) string {
	rows, err := s.db.R.Query(`SELECT id, status, gateway, attempts, error FROM messages ORDER BY id`)
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id int64
		var st, gw, e string
		var a int
		rows.Scan(&id, &st, &gw, &a, &e)
		fmt.Fprintf(&b, "%d %s %s a=%d %s\n", id, st, gw, a, e)
	}
	return b.String()
}

// recordingLedger remembers what it was asked to record.
type recordingLedger struct {
	mu    sync.Mutex
	sends []Send
}

func (l *recordingLedger) Record(ctx context.Context, tx *sql.Tx, sends []Send) error {
	l.mu.Lock()
	l.sends = append(l.sends, sends...)
	l.mu.Unlock()
	return nil
}
