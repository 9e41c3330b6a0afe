package gateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"nudge/internal/clock"
	"nudge/internal/pii"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

var t0 = time.Date(2025, 3, 10, 2, 0, 0, 0, time.UTC)

// testGW is a gateway whose state a test sets.
type testGW struct {
	mu     sync.Mutex
	up     bool
	closed bool
}

func (g *testGW) Submit(ctx context.Context, m Message) ([]string, error) { return []string{"x"}, nil }
func (g *testGW) Status() Status                                          { g.mu.Lock(); defer g.mu.Unlock(); return Status{Up: g.up} }
func (g *testGW) Close() error                                            { g.mu.Lock(); g.closed = true; g.mu.Unlock(); return nil }
func (g *testGW) ServeHook(kind string, w http.ResponseWriter, r *http.Request) {
	w.Write([]byte("hook " + kind))
}

func testManager(t *testing.T, db *store.DB) (*Manager, *Store, map[string]*testGW) {
	t.Helper()
	keys, _ := pii.NewKeyring(make([]byte, 32))
	built := map[string]*testGW{}
	var mu sync.Mutex
	reg, err := NewRegistry(Kind{Name: "test", Schemes: []string{"test"}, New: func(ctx context.Context, cfg Config, deps Deps) (Gateway, error) {
		if cfg.URL.Query().Get("fail") != "" {
			return nil, errors.New("cannot start")
		}
		g := &testGW{up: cfg.URL.Query().Get("down") == ""}
		mu.Lock()
		built[cfg.Name] = g
		mu.Unlock()
		return g, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	st := NewStore(db, keys, clock.NewFake(t0))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	j := NewJournal(db, clock.NewFake(t0), log)
	t.Cleanup(j.Close)
	return NewManager(reg, st, j, SinkFuncs{}, clock.NewFake(t0), log), st, built
}

func add(t *testing.T, st *Store, name, raw string) {
	t.Helper()
	cfg, err := ParseURL(name, raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Add(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
}

func TestStoreSealsURLs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, st, _ := testManager(t, db)
		add(t, st, "cmcc", "smpp://sys:hunter2@10.1.1.1:2775?window=64")
		cfg, _ := ParseURL("cmcc", "smpp://x:y@h:1")
		if err := st.Add(ctx, cfg); !errors.Is(err, ErrExists) {
			t.Fatalf("duplicate: %v", err)
		}
		var enc []byte
		db.R.QueryRow(`SELECT url_enc FROM gateways`).Scan(&enc)
		if bytes.Contains(enc, []byte("hunter2")) || bytes.Contains(enc, []byte("10.1.1.1")) {
			t.Fatal("URL stored in the clear")
		}
		r, err := st.Get(ctx, "cmcc")
		if err != nil || r.URL != "smpp://sys:hunter2@10.1.1.1:2775?window=64" || !r.Enabled || r.Scheme != "smpp" {
			t.Fatalf("%+v %v", r, err)
		}
		if err := st.Remove(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("remove unknown: %v", err)
		}
	})
}

func TestManagerLoadsRoutesAndReloads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		m, st, built := testManager(t, db)
		add(t, st, "mobile", "test://a?carriers=china_mobile&priority=1")
		add(t, st, "backup", "test://b?priority=50")
		add(t, st, "intl", "test://c?prefixes=%2B1,%2B44&priority=10")
		add(t, st, "broken", "test://d?fail=1")
		add(t, st, "marketing", "test://e?categories=marketing&priority=5&down=1")
		if err := m.Load(ctx); err != nil {
			t.Fatal(err)
		}
		if e := m.Errors(); len(e) != 1 || !strings.Contains(e["broken"], "cannot start") {
			t.Fatalf("errors %v", e)
		}
		var names []string
		for _, r := range m.Running() {
			names = append(names, r.Config.Name)
		}
		if strings.Join(names, ",") != "mobile,marketing,intl,backup" {
			t.Fatalf("order %v", names)
		}
		for _, tc := range []struct {
			to, carrier, cat string
			exclude          []string
			want             string
		}{
			{"+8613800000000", "china_mobile", "order", nil, "mobile"},
			{"+8613800000000", "china_mobile", "order", []string{"mobile"}, "backup"},
			{"+8613300000000", "china_telecom", "order", nil, "backup"},
			{"+14155550100", "", "order", nil, "intl"},
			// marketing's gateway is down: the next that serves is chosen.
			{"+8613300000000", "china_telecom", "marketing", nil, "backup"},
			{"+8613300000000", "china_telecom", "marketing", []string{"backup"}, "marketing"},
			{"+8613300000000", "china_telecom", "order", []string{"backup"}, ""},
		} {
			if got := m.Route(tc.to, tc.carrier, tc.cat, tc.exclude); got != tc.want {
				t.Errorf("Route(%s %s %s -%v) = %q, want %q", tc.to, tc.carrier, tc.cat, tc.exclude, got, tc.want)
			}
		}
		// A change made elsewhere (another process) is picked up; the
		// changed gateway is rebuilt, the removed one closed.
		old := built["mobile"]
		cfg, _ := ParseURL("mobile", "test://a2?priority=1")
		st.Update(ctx, cfg)
		st.Remove(ctx, "intl")
		st.SetEnabled(ctx, "backup", false)
		if err := m.Load(ctx); err != nil {
			t.Fatal(err)
		}
		if _, ok := m.Get("intl"); ok {
			t.Fatal("removed gateway still running")
		}
		if _, ok := m.Get("backup"); ok {
			t.Fatal("disabled gateway still running")
		}
		if r, _ := m.Get("mobile"); r.Config.URL.Host != "a2" || built["mobile"] == old {
			t.Fatalf("not rebuilt: %+v", r.Config.URL)
		}
		time.Sleep(10 * time.Millisecond) // closes run in the background
		old.mu.Lock()
		closed := old.closed
		old.mu.Unlock()
		if !closed {
			t.Fatal("replaced gateway not closed")
		}
		// Hooks reach the named gateway.
		mux := http.NewServeMux()
		mux.Handle("POST /hooks/{gateway}/{kind}", m.Hooks())
		for path, want := range map[string]int{"/hooks/mobile/receipts": 200, "/hooks/nope/receipts": 404, "/hooks/mobile/other": 404} {
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, httptest.NewRequest("POST", path, nil))
			if w.Code != want {
				t.Errorf("%s: %d", path, w.Code)
			}
		}
	})
}

func TestJournal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(t0)
		j := NewJournal(db, clk, slog.New(slog.NewTextHandler(io.Discard, nil)))
		sample, all, errs := j.Tracer("s", "sample"), j.Tracer("a", "all"), j.Tracer("e", "errors")
		for i := range 25 {
			e := Exchange{Direction: Out, Kind: "pdu", Summary: `submit_sm dst="8613812345678"`, Lazy: func() string { return "detail" }}
			e.Failed = i == 24
			sample(e)
			all(e)
			errs(e)
		}
		j.Close()
		count := func(g string) int {
			var n int
			db.R.QueryRow(db.Rebind(`SELECT COUNT(*) FROM gateway_log WHERE gateway = ?`), g).Scan(&n)
			return n
		}
		if count("s") != SamplePerSecond+1 || count("a") != 25 || count("e") != 1 {
			t.Fatalf("kept sample %d all %d errors %d", count("s"), count("a"), count("e"))
		}
		got, err := ReadLog(ctx, db, "e", 0, 10, false)
		if err != nil || len(got) != 1 {
			t.Fatal(got, err)
		}
		e := got[0]
		if e.Summary != `submit_sm dst="138****5678"` || e.Detail != "detail" || !e.Failed || !e.At.Equal(t0) || e.Direction != "out" || e.Kind != "pdu" {
			t.Fatalf("%+v", e)
		}
	})
}
