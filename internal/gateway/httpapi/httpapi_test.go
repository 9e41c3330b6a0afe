package httpapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"nudge/internal/clock"
	"nudge/internal/gateway"
)

var t0 = time.Date(2025, 3, 10, 2, 0, 0, 0, time.UTC) // Unix 1741572000

type sink struct {
	mu       sync.Mutex
	receipts []gateway.Receipt
	replies  []gateway.Reply
	trace    []gateway.Exchange
}

func (s *sink) Receipt(r gateway.Receipt) {
	s.mu.Lock()
	s.receipts = append(s.receipts, r)
	s.mu.Unlock()
}
func (s *sink) Reply(r gateway.Reply) { s.mu.Lock(); s.replies = append(s.replies, r); s.mu.Unlock() }

func newGateway(t *testing.T, endpoint string, clk clock.Clock) (*Gateway, *sink) {
	t.Helper()
	u := strings.Replace(endpoint, "http://", "http://shop1:k3y@", 1)
	cfg, err := gateway.ParseURL("prov", u+"/sms/send?timeout=2s&rate=50&lang=zh")
	if err != nil {
		t.Fatal(err)
	}
	s := &sink{}
	g, err := New(cfg, gateway.Deps{Clock: clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Sink: s,
		Trace: func(e gateway.Exchange) {
			if e.Lazy != nil {
				e.Detail, e.Lazy = e.Lazy(), nil
			}
			s.mu.Lock()
			s.trace = append(s.trace, e)
			s.mu.Unlock()
		}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return g, s
}

var msg = gateway.Message{ID: 42, To: "+8613812345678", Text: "【小店】您的订单已发货", Parts: 1, Category: "order",
	ValidUntil: t0.Add(24 * time.Hour)}

func TestSubmitExactRequest(t *testing.T) {
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		body, _ = io.ReadAll(r.Body)
		w.Write([]byte(`{"ids":["p-1"]}`))
	}))
	defer srv.Close()
	g, s := newGateway(t, srv.URL, clock.NewFake(t0))
	ids, err := g.Submit(context.Background(), msg)
	if err != nil || len(ids) != 1 || ids[0] != "p-1" {
		t.Fatal(ids, err)
	}
	wantBody := `{"id":"42","account":"shop1","to":"+8613812345678","text":"【小店】您的订单已发货","parts":1,"category":"order","valid_until":"2025-03-11T02:00:00Z"}`
	if string(body) != wantBody {
		t.Fatalf("body\n got %s\nwant %s", body, wantBody)
	}
	// The signature computed independently (Python hmac) over
	// "1741572000." + body with the secret "k3y".
	if sig := got.Header.Get("X-Nudge-Signature"); sig != "v1=3490af04b0b01b3caf916f927f2f627b8030b9e85845e5d45aba5048b15f1e38" {
		t.Fatalf("signature %s", sig)
	}
	if got.Method != "POST" || got.URL.Path != "/sms/send" || got.URL.RawQuery != "lang=zh" || got.Header.Get("X-Nudge-Timestamp") != "1741572000" ||
		got.Header.Get("Content-Type") != "application/json" || got.Header.Get("Authorization") != "" {
		t.Fatalf("request %s %s %v", got.Method, got.URL, got.Header)
	}
	// The log shows the exchange with the number masked, never the secret.
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.trace) != 2 {
		t.Fatalf("trace %+v", s.trace)
	}
	for _, e := range s.trace {
		if strings.Contains(e.Summary+e.Detail, "13812345678") || strings.Contains(e.Summary+e.Detail, "k3y") {
			t.Fatalf("leak in log: %+v", e)
		}
	}
	if !strings.Contains(s.trace[0].Detail, `"to":"+138****5678"`) && !strings.Contains(s.trace[0].Detail, `"to":"138****5678"`) {
		t.Fatalf("request log %q", s.trace[0].Detail)
	}
}

func TestSubmitDecisions(t *testing.T) {
	for _, tc := range []struct {
		status int
		header string
		body   string
		action gateway.Action
		code   string
		reason string
		after  time.Duration
	}{
		{200, "", `{"id":"x"}`, -1, "", "", 0},
		{202, "", `{}`, gateway.Uncertain, "http 202 without id", "", 0},
		{429, "7", `{"error":"slow down"}`, gateway.Retry, "http 429", "", 7 * time.Second},
		{503, "", ``, gateway.Retry, "http 503", "", 0},
		{400, "", `{"error":"bad number","reason":"invalid_number"}`, gateway.Fail, "http 400", "invalid_number", 0},
		{401, "", ``, gateway.Failover, "http 401", "", 0},
		{402, "", `{"error":"balance"}`, gateway.Failover, "http 402", "", 0},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tc.header != "" {
				w.Header().Set("Retry-After", tc.header)
			}
			w.WriteHeader(tc.status)
			w.Write([]byte(tc.body))
		}))
		g, _ := newGateway(t, srv.URL, clock.NewFake(t0))
		ids, err := g.Submit(context.Background(), msg)
		srv.Close()
		if tc.action == -1 {
			if err != nil || len(ids) != 1 || ids[0] != "x" {
				t.Errorf("%d: %v %v", tc.status, ids, err)
			}
			continue
		}
		ge := gateway.Decide(err)
		if ge.Action != tc.action || ge.Code != tc.code || ge.Reason != tc.reason || ge.RetryAfter != tc.after {
			t.Errorf("%d: got %v %q %q %s", tc.status, ge.Action, ge.Code, ge.Reason, ge.RetryAfter)
		}
	}
	// Nobody listening: safe to retry. An answer that never comes: unsure.
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close()
	g, _ := newGateway(t, addr, clock.NewFake(t0))
	if ge := gateway.Decide(func() error { _, err := g.Submit(context.Background(), msg); return err }()); ge.Action != gateway.Retry || ge.Code != "connect" {
		t.Errorf("refused connection: %v %s", ge.Action, ge.Code)
	}
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { time.Sleep(3 * time.Second) }))
	defer hang.Close()
	g, _ = newGateway(t, hang.URL, clock.NewFake(t0))
	if ge := gateway.Decide(func() error { _, err := g.Submit(context.Background(), msg); return err }()); ge.Action != gateway.Uncertain || ge.Code != "timeout" {
		t.Errorf("timeout: %v %s", ge.Action, ge.Code)
	}
}

func TestHooksVerified(t *testing.T) {
	clk := clock.NewFake(t0.Add(30 * time.Second))
	g, s := newGateway(t, "http://provider.example", clk)
	body := `{"receipts":[{"id":"p-1","status":"DELIVRD","error":"000","at":"2025-03-10T02:00:05Z"},{"id":"p-2","status":"undelivered","reason":"empty_number","error":"001"}]}`
	post := func(kind, ts, sig, body string) int {
		r := httptest.NewRequest("POST", "/hooks/prov/"+kind, strings.NewReader(body))
		if ts != "" {
			r.Header.Set("X-Nudge-Timestamp", ts)
		}
		if sig != "" {
			r.Header.Set("X-Nudge-Signature", sig)
		}
		w := httptest.NewRecorder()
		g.ServeHook(kind, w, r)
		return w.Code
	}
	// Signed independently (Python hmac) over "1741572030." + body.
	good := "v1=7a6f93ee0f1b9e49e46478d1bb8ae2b174fe151cd7ce24039e175bc8056da3ce"
	if c := post("receipts", "1741572030", "", body); c != 401 {
		t.Fatalf("unsigned: %d", c)
	}
	if c := post("receipts", "1741572030", good, strings.Replace(body, "p-2", "p-3", 1)); c != 401 {
		t.Fatalf("altered body: %d", c)
	}
	if c := post("receipts", "1741572031", good, body); c != 401 {
		t.Fatalf("altered timestamp: %d", c)
	}
	if len(s.receipts) != 0 {
		t.Fatal("a refused hook delivered receipts")
	}
	if c := post("receipts", "1741572030", "v1=00,"+good, body); c != 204 {
		t.Fatalf("good: %d", c)
	}
	want := []gateway.Receipt{
		{Gateway: "prov", ID: "p-1", State: gateway.Delivered, Err: "000", At: t0.Add(5 * time.Second)},
		{Gateway: "prov", ID: "p-2", State: gateway.Undelivered, Reason: "empty_number", Err: "001", At: t0.Add(30 * time.Second)},
	}
	for i := range want {
		if s.receipts[i] != want[i] {
			t.Errorf("receipt %d: %+v", i, s.receipts[i])
		}
	}
	// A replay ten minutes later is refused, even signed.
	clk.Advance(10 * time.Minute)
	if c := post("receipts", "1741572030", good, body); c != 401 {
		t.Fatalf("replay: %d", c)
	}
	// A single reply object.
	reply := `{"id":"mo-9","from":"+8613900001111","to":"10690001","text":"退订"}`
	ts := clk.Now().Unix()
	if c := post("replies", itoa(ts), Sign("k3y", ts, []byte(reply)), reply); c != 204 {
		t.Fatalf("reply: %d", c)
	}
	if len(s.replies) != 1 || s.replies[0] != (gateway.Reply{Gateway: "prov", ID: "mo-9", From: "+8613900001111", To: "10690001", Text: "退订", At: clk.Now()}) {
		t.Fatalf("replies %+v", s.replies)
	}
	if c := post("replies", itoa(ts), Sign("k3y", ts, []byte(`[1]`)), `[1]`); c != 400 {
		t.Fatalf("bad body: %d", c)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
