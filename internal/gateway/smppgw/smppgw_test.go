package smppgw

import (
	"context"
	"encoding/hex"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"nudge/internal/clock"
	"nudge/internal/gateway"
	"nudge/internal/gateway/smpp"
	"nudge/internal/gateway/smpp/smsctest"
)

type capture struct {
	mu       sync.Mutex
	receipts []gateway.Receipt
	replies  []gateway.Reply
	trace    []gateway.Exchange
}

func (c *capture) Receipt(r gateway.Receipt) {
	c.mu.Lock()
	c.receipts = append(c.receipts, r)
	c.mu.Unlock()
}
func (c *capture) Reply(r gateway.Reply) {
	c.mu.Lock()
	c.replies = append(c.replies, r)
	c.mu.Unlock()
}

func (c *capture) snapshot() ([]gateway.Receipt, []gateway.Reply, []gateway.Exchange) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]gateway.Receipt(nil), c.receipts...), append([]gateway.Reply(nil), c.replies...), append([]gateway.Exchange(nil), c.trace...)
}

func start(t *testing.T, smsc *smsctest.Server, query string) (*Gateway, *capture) {
	t.Helper()
	cfg, err := gateway.ParseURL("carrier", "smpp://nudge:s3cret@"+smsc.Addr()+"?"+query)
	if err != nil {
		t.Fatal(err)
	}
	c := &capture{}
	g, err := New(cfg, gateway.Deps{Clock: clock.System{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Sink: c,
		Trace: func(e gateway.Exchange) {
			if e.Lazy != nil {
				e.Detail, e.Lazy = e.Lazy(), nil
			}
			c.mu.Lock()
			c.trace = append(c.trace, e)
			c.mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	deadline := time.Now().Add(5 * time.Second)
	for !g.Status().Up {
		if time.Now().After(deadline) {
			t.Fatalf("not bound: %+v", g.Status())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return g, c
}

func TestSubmitReceiptReplyAndLog(t *testing.T) {
	var mu sync.Mutex
	var got []*smpp.SubmitSM
	smsc, err := smsctest.Start("127.0.0.1:0", smsctest.Options{SystemID: "nudge", Password: "s3cret", Receipts: true,
		OnSubmit: func(conn int, sm *smpp.SubmitSM) smpp.Status {
			mu.Lock()
			got = append(got, sm)
			mu.Unlock()
			return smpp.ESME_ROK
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer smsc.Close()
	g, c := start(t, smsc, "window=8&source=10690001")
	ids, err := g.Submit(context.Background(), gateway.Message{ID: 1, To: "+8613812345678", Text: "hello", Parts: 1})
	if err != nil || len(ids) != 1 || ids[0] != "1" {
		t.Fatal(ids, err)
	}
	mu.Lock()
	sm := got[0]
	mu.Unlock()
	if sm.DestinationAddr != "8613812345678" || sm.DestAddrTON != 1 || sm.SourceAddr != "10690001" || string(sm.Message) != "hello" || sm.RegisteredDelivery != 1 {
		t.Fatalf("submit_sm %+v", sm)
	}
	if !smsc.Deliver("8613900001111", "10690001", "退订") {
		t.Fatal("no bound receiver")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		rs, ms, _ := c.snapshot()
		if len(rs) == 1 && len(ms) == 1 {
			if rs[0].Gateway != "carrier" || rs[0].ID != "1" || rs[0].State != gateway.Delivered || rs[0].Err != "000" || rs[0].Reason != "" {
				t.Fatalf("receipt %+v", rs[0])
			}
			if ms[0].From != "+8613900001111" || ms[0].To != "10690001" || ms[0].Text != "退订" {
				t.Fatalf("reply %+v", ms[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("receipts %v replies %v", rs, ms)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The interaction log: the bind's password never appears, even in
	// hex, and the numbers are masked in the raw bytes too.
	_, _, tr := c.snapshot()
	var sawBind, sawSubmit bool
	for _, e := range tr {
		raw, _ := hex.DecodeString(e.Detail)
		if strings.Contains(e.Summary+string(raw), "s3cret") {
			t.Fatalf("password in the log: %q", e.Summary)
		}
		if strings.Contains(string(raw), "13812345678") || strings.Contains(string(raw), "13900001111") {
			t.Fatalf("number unmasked in PDU bytes: %q", raw)
		}
		if strings.Contains(e.Summary, "bind_transceiver ") && e.Direction == gateway.Out {
			sawBind = true
		}
		if strings.Contains(e.Summary, "submit_sm ") && e.Direction == gateway.Out {
			sawSubmit = strings.Contains(string(raw), "86138****5678")
		}
	}
	if !sawBind || !sawSubmit {
		t.Fatalf("bind %v submit %v in %d exchanges", sawBind, sawSubmit, len(tr))
	}
}

func TestErrorsBecomeDecisions(t *testing.T) {
	status := map[string]smpp.Status{
		"+8613800000001": smpp.ESME_RINVDSTADR,
		"+8613800000002": smpp.ESME_RSYSERR,
		"+8613800000003": smpp.ESME_RINVSRCADR,
		"+8613800000004": smpp.ESME_RINVMSGLEN,
	}
	smsc, err := smsctest.Start("127.0.0.1:0", smsctest.Options{OnSubmit: func(conn int, sm *smpp.SubmitSM) smpp.Status {
		return status["+"+sm.DestinationAddr]
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer smsc.Close()
	g, _ := start(t, smsc, "")
	want := map[string]struct {
		action gateway.Action
		code   string
		reason string
	}{
		"+8613800000001": {gateway.Fail, "ESME_RINVDSTADR", gateway.ReasonInvalid},
		"+8613800000002": {gateway.Retry, "ESME_RSYSERR", ""},
		"+8613800000003": {gateway.Failover, "ESME_RINVSRCADR", ""},
		"+8613800000004": {gateway.Fail, "ESME_RINVMSGLEN", ""},
	}
	for to, w := range want {
		_, err := g.Submit(context.Background(), gateway.Message{To: to, Text: "x", Parts: 1})
		ge := gateway.Decide(err)
		if ge.Action != w.action || ge.Code != w.code || ge.Reason != w.reason {
			t.Errorf("%s: got %v %q %q, want %v %q %q", to, ge.Action, ge.Code, ge.Reason, w.action, w.code, w.reason)
		}
	}
}

func TestDownAtStartComesUp(t *testing.T) {
	// Reserve a port, then free it: the SMSC is not there yet.
	tmp, _ := smsctest.Start("127.0.0.1:0", smsctest.Options{})
	addr := tmp.Addr()
	tmp.Close()
	cfg, _ := gateway.ParseURL("late", "smpp://nudge:pw@"+addr)
	g, err := New(cfg, gateway.Deps{Clock: clock.System{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Sink: &capture{}, Trace: func(gateway.Exchange) {}})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	time.Sleep(100 * time.Millisecond)
	if st := g.Status(); st.Up || !strings.HasPrefix(st.Detail, "not bound: ") {
		t.Fatalf("%+v", st)
	}
	_, err = g.Submit(context.Background(), gateway.Message{To: "+8613800000000", Text: "x"})
	if gateway.Decide(err).Action != gateway.Retry {
		t.Fatalf("submit while unbound: %v", err)
	}
	smsc, err := smsctest.Start(addr, smsctest.Options{})
	if err != nil {
		t.Skip("port taken meanwhile: ", err)
	}
	defer smsc.Close()
	deadline := time.Now().Add(10 * time.Second)
	for !g.Status().Up {
		if time.Now().After(deadline) {
			t.Fatalf("never bound: %+v", g.Status())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		url, err string
	}{
		{"smpp://id:pw@host:2775?bind=transmitter&binds=2&long=sar&packed=1&window=64", ""},
		{"smpps://id:pw@host:3550?tls_skip_verify=1", ""},
		{"smpp://host:2775", "needs SYSTEM_ID:PASSWORD@"},
		{"smpp://id:pw@host", "needs HOST:PORT"},
		{"smpp://id:toolongpassword@host:1", "password of 8"},
		{"smpp://id:pw@host:1?bind=sideways", "bind=\"sideways\""},
		{"smpp://id:pw@host:1?long=fold", "long=\"fold\""},
	} {
		cfg, err := gateway.ParseURL("g", tc.url)
		if err != nil {
			t.Fatal(err)
		}
		c, _, err := parse(cfg)
		if tc.err == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.url, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: got %v, want %q", tc.url, err, tc.err)
		}
		if strings.Contains(tc.url, "binds=2") && (c.Binds != 2 || c.Bind != smpp.Transmitter || c.LongMode != smpp.LongSAR || !c.Packed || c.Window != 64) {
			t.Errorf("parsed %+v", c)
		}
	}
	cfg, _ := gateway.ParseURL("g", "smpps://id:pw@smsc.example.com:3550?tls_skip_verify=1")
	c, _, _ := parse(cfg)
	if c.TLS == nil || c.TLS.ServerName != "smsc.example.com" || !c.TLS.InsecureSkipVerify {
		t.Fatalf("tls %+v", c.TLS)
	}
}
