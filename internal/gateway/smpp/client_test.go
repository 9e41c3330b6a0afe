package smpp

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// testConfig has timeouts short enough for tests and long enough not to
// fire by accident on a loaded machine.
func testConfig(addr string) Config {
	return Config{
		Addr: addr, SystemID: "nudge", Password: "secret08",
		EnquireInterval: time.Hour, ResponseTimeout: 2 * time.Second,
		ReconnectMin: 10 * time.Millisecond, ReconnectMax: 40 * time.Millisecond,
		ThrottlePause: 50 * time.Millisecond,
		Logger:        slog.New(slog.DiscardHandler),
	}
}

func openPool(t *testing.T, cfg Config) *Pool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	p, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func ctx5s(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestBindAndSubmitBytesAndLog(t *testing.T) {
	f := newFakeSMSC(t)
	var mu sync.Mutex
	var logs []PDULog
	cfg := testConfig(f.addr())
	cfg.SourceAddr = "1069"
	cfg.OnPDU = func(l PDULog) { mu.Lock(); logs = append(logs, l); mu.Unlock() }
	p := openPool(t, cfg)

	bind := f.waitFor(BindTransceiver)
	wantBind := hexb(t, "00000024 00000009 00000000 00000001"+asciiHex("nudge")+"00"+asciiHex("secret08")+"00 00 34 00 00 00")
	if !bytes.Equal(bind.raw, wantBind) {
		t.Fatalf("bind:\n got %x\nwant %x", bind.raw, wantBind)
	}
	ids, err := p.Submit(ctx5s(t), Message{To: "8613800138000", Text: "Hi"})
	if err != nil || !reflect.DeepEqual(ids, []string{"m2"}) {
		t.Fatalf("Submit = %v, %v", ids, err)
	}
	sub := f.waitFor(SubmitSMID)
	wantSub := hexb(t, "00000034 00000004 00000000 00000002"+
		"00 00 00"+asciiHex("1069")+"00 01 01"+asciiHex("8613800138000")+"00"+
		"00 00 00 00 00 01 00 00 00 02"+asciiHex("Hi"))
	if !bytes.Equal(sub.raw, wantSub) {
		t.Fatalf("submit_sm:\n got %x\nwant %x", sub.raw, wantSub)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(logs) < 4 {
		t.Fatalf("%d PDUs logged, want bind, bind_resp, submit_sm, submit_sm_resp", len(logs))
	}
	secretHex := hex.EncodeToString([]byte("secret08"))
	for _, l := range logs {
		if strings.Contains(l.Summary, "secret08") || strings.Contains(l.Hex, secretHex) {
			t.Fatalf("password in log: %+v", l)
		}
	}
	b := logs[0]
	if b.Direction != Outbound || b.Command != BindTransceiver || b.Sequence != 1 ||
		!strings.Contains(b.Summary, "password=***") || !strings.Contains(b.Hex, hex.EncodeToString([]byte("***\x00"))) {
		t.Fatalf("bind log %+v", b)
	}
	if r := logs[3]; r.Direction != Inbound || r.Command != SubmitSMRespID || r.Summary != `submit_sm_resp message_id="m2"` {
		t.Fatalf("submit_sm_resp log %+v", r)
	}
}

func TestWindowBlocksSubmits(t *testing.T) {
	f := newFakeSMSC(t)
	f.hold = make(chan struct{})
	cfg := testConfig(f.addr())
	cfg.Window = 2
	p := openPool(t, cfg)

	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := p.Submit(ctx5s(t), Message{To: "1", Text: "w" + itoa(uint32(i))})
			errs <- err
		}()
	}
	f.waitFor(SubmitSMID)
	f.waitFor(SubmitSMID)
	// A third submit must not reach the SMSC while two are unanswered, and
	// a caller whose ctx ends while waiting for the window gets ctx's error.
	short, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := p.Submit(short, Message{To: "1", Text: "late"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("submit with full window: %v", err)
	}
	if n := len(f.all(SubmitSMID)); n != 2 {
		t.Fatalf("%d submit_sm outstanding, window is 2", n)
	}
	close(f.hold)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(f.all(SubmitSMID)); n != 3 {
		t.Fatalf("%d submit_sm, want 3", n)
	}
}

func TestThrottlingPausesAndRetries(t *testing.T) {
	f := newFakeSMSC(t)
	var mu sync.Mutex
	n := 0
	f.onSubmit = func(_ int, p *PDU) (Status, string) {
		mu.Lock()
		defer mu.Unlock()
		n++
		switch n {
		case 1, 2:
			return ESME_RTHROTTLED, ""
		case 3:
			return ESME_RMSGQFUL, ""
		}
		return ESME_ROK, "id" + itoa(uint32(n))
	}
	cfg := testConfig(f.addr())
	cfg.Window = 1
	cfg.Rate = 100
	p := openPool(t, cfg)
	for i := range 3 {
		ids, err := p.Submit(ctx5s(t), Message{To: "1", Text: "t" + itoa(uint32(i))})
		if err != nil || len(ids) != 1 {
			t.Fatalf("message %d: %v %v", i, ids, err)
		}
	}
	subs := f.all(SubmitSMID)
	if len(subs) != 6 {
		t.Fatalf("%d submit_sm, want 3 refused + 3 accepted", len(subs))
	}
	// Every retry is the same message, sent no sooner than the pause.
	for i := 1; i < 4; i++ {
		a, b := subs[i-1].pdu.Body.(*SubmitSM), subs[i].pdu.Body.(*SubmitSM)
		if !bytes.Equal(a.Message, b.Message) {
			t.Fatalf("retry %d sent %q after %q", i, b.Message, a.Message)
		}
		if gap := subs[i].at.Sub(subs[i-1].at); gap < cfg.ThrottlePause {
			t.Fatalf("retry %d after %s, pause is %s", i, gap, cfg.ThrottlePause)
		}
	}
	// Three throttles halve 100/s to 12.5/s; three acceptances add a little back.
	if r := p.lim.current(); r < 12.5 || r > 13 {
		t.Fatalf("rate after throttling = %v, want about 12.7", r)
	}
}

func TestRefusedSubmitIsTyped(t *testing.T) {
	f := newFakeSMSC(t)
	f.onSubmit = func(_ int, p *PDU) (Status, string) {
		if p.Sequence == 3 { // second part of the long message
			return ESME_RINVDSTADR, ""
		}
		return ESME_ROK, "ok" + itoa(p.Sequence)
	}
	p := openPool(t, testConfig(f.addr()))
	ids, err := p.Submit(ctx5s(t), Message{To: "1", Text: longGSM})
	var se *SubmitError
	if !errors.As(err, &se) || *se != (SubmitError{Status: ESME_RINVDSTADR, Temporary: false, Part: 2, Parts: 2}) {
		t.Fatalf("err = %#v", err)
	}
	if !reflect.DeepEqual(ids, []string{"ok2"}) {
		t.Fatalf("ids of accepted parts = %v", ids)
	}
}

func TestReconnectAfterServerDrop(t *testing.T) {
	f := newFakeSMSC(t)
	p := openPool(t, testConfig(f.addr()))
	f.waitFor(BindTransceiver)
	f.drop(0)
	f.waitFor(BindTransceiver) // the pool dials again by itself
	ids, err := p.Submit(ctx5s(t), Message{To: "1", Text: "after"})
	if err != nil || len(ids) != 1 {
		t.Fatalf("submit after reconnect: %v %v", ids, err)
	}
	if s := f.all(SubmitSMID); s[0].conn != 1 {
		t.Fatalf("submit went to connection %d", s[0].conn)
	}
}

func TestDeadLinkIsDetected(t *testing.T) {
	f := newFakeSMSC(t)
	f.silentEnquire = func(conn int) bool { return conn == 0 }
	cfg := testConfig(f.addr())
	cfg.EnquireInterval = 30 * time.Millisecond
	cfg.ResponseTimeout = 60 * time.Millisecond
	openPool(t, cfg)
	f.waitFor(BindTransceiver)
	f.waitFor(EnquireLinkID) // unanswered on connection 0
	r := f.waitFor(BindTransceiver)
	if r.conn != 1 {
		t.Fatalf("rebind on connection %d", r.conn)
	}
	if e := f.waitFor(EnquireLinkID); e.conn != 1 {
		t.Fatalf("keep-alive on connection %d", e.conn)
	}
}

func TestAnswersSMSCRequests(t *testing.T) {
	f := newFakeSMSC(t)
	receipts := make(chan Receipt, 1)
	mos := make(chan MO, 1)
	cfg := testConfig(f.addr())
	cfg.OnReceipt = func(r Receipt) { receipts <- r }
	cfg.OnMessage = func(m MO) { mos <- m }
	var mu sync.Mutex
	var in []PDULog
	cfg.OnPDU = func(l PDULog) {
		if l.Direction == Outbound {
			mu.Lock()
			in = append(in, l)
			mu.Unlock()
		}
	}
	openPool(t, cfg)
	f.waitFor(BindTransceiver)

	seq := f.push(0, &EnquireLink{})
	if r := f.waitFor(EnquireLinkRespID); r.pdu.Sequence != seq {
		t.Fatalf("enquire_link_resp seq %d, want %d", r.pdu.Sequence, seq)
	}
	seq = f.push(0, &DeliverSM{ShortMessage{SourceAddr: "8613800138000", ESMClass: 4,
		Message: []byte("id:m2 sub:001 dlvrd:001 submit date:2405011230 done date:2405011231 stat:DELIVRD err:000 text:")}})
	r := f.waitFor(DeliverSMRespID)
	if want := hexb(t, "00000011 80000005 00000000 0000000"+itoa(seq)+" 00"); !bytes.Equal(r.raw, want) {
		t.Fatalf("deliver_sm_resp %x, want %x", r.raw, want)
	}
	if got := <-receipts; got.MessageID != "m2" || got.State != StateDelivered {
		t.Fatalf("receipt %+v", got)
	}
	f.push(0, &DeliverSM{ShortMessage{SourceAddr: "8613800138000", ESMClass: 0x40, DataCoding: 8, Message: hexb(t, "050003 05 02 02 7684")}})
	f.push(0, &DeliverSM{ShortMessage{SourceAddr: "8613800138000", ESMClass: 0x40, DataCoding: 8, Message: hexb(t, "050003 05 02 01 597D")}})
	if m := <-mos; m.Text != "好的" || m.Parts != 2 {
		t.Fatalf("MO %+v", m)
	}
	seq = f.push(0, &Unknown{ID: 0x00000103, Raw: []byte{0}}) // data_sm
	if r := f.waitFor(GenericNack); r.pdu.Sequence != seq || r.pdu.Status != ESME_RINVCMDID {
		t.Fatalf("generic_nack %+v", r.pdu.Header)
	}
	seq = f.push(0, &Unbind{})
	if r := f.waitFor(UnbindRespID); r.pdu.Sequence != seq {
		t.Fatalf("unbind_resp seq %d", r.pdu.Sequence)
	}
	if r := f.waitFor(BindTransceiver); r.conn != 1 {
		t.Fatalf("rebind on %d", r.conn)
	}
}

func TestOpenFailsWhenBindRefused(t *testing.T) {
	f := newFakeSMSC(t)
	f.bindStatus = ESME_RINVPASWD
	_, err := Open(ctx5s(t), testConfig(f.addr()))
	var be *BindError
	if !errors.As(err, &be) || be.Status != ESME_RINVPASWD {
		t.Fatalf("err = %v", err)
	}
}

func TestPoolSpreadsAcrossBindsAndUnbindsOnClose(t *testing.T) {
	f := newFakeSMSC(t)
	cfg := testConfig(f.addr())
	cfg.Binds = 2
	p := openPool(t, cfg)
	f.waitFor(BindTransceiver)
	f.waitFor(BindTransceiver)
	for p.Bound() < 2 {
		time.Sleep(time.Millisecond)
	}
	for i := range 4 {
		if _, err := p.Submit(ctx5s(t), Message{To: "1", Text: "s" + itoa(uint32(i))}); err != nil {
			t.Fatal(err)
		}
	}
	per := map[int]int{}
	for _, s := range f.all(SubmitSMID) {
		per[s.conn]++
	}
	if per[0] != 2 || per[1] != 2 {
		t.Fatalf("submits per connection %v, want 2 and 2", per)
	}
	p.Close()
	if n := len(f.all(UnbindID)); n != 2 {
		t.Fatalf("%d unbinds on close, want 2", n)
	}
	if _, err := p.Submit(ctx5s(t), Message{To: "1", Text: "x"}); !errors.Is(err, ErrClosed) {
		t.Fatalf("submit after close: %v", err)
	}
}

func TestSequenceNumbersWrapBeforeResponseBit(t *testing.T) {
	var s session
	s.seq.Store(0x7FFFFFFD)
	got := []uint32{s.nextSeq(), s.nextSeq(), s.nextSeq()}
	if !reflect.DeepEqual(got, []uint32{0x7FFFFFFE, 0x7FFFFFFF, 1}) {
		t.Fatalf("sequence %x", got)
	}
}

// A message with a validity carries it as the absolute validity_period,
// byte for byte where the specification puts it (after
// schedule_delivery_time, before registered_delivery).
func TestSubmitCarriesValidityPeriod(t *testing.T) {
	if got := ValidityPeriod(time.Date(2026, 11, 24, 10, 5, 9, 700_000_000, time.FixedZone("CST", 8*3600))); got != "261124020509700+" {
		t.Fatalf("ValidityPeriod = %q, want 261124020509700+ (UTC)", got)
	}
	f := newFakeSMSC(t)
	cfg := testConfig(f.addr())
	cfg.SourceAddr = "1069"
	p := openPool(t, cfg)
	f.waitFor(BindTransceiver)
	until := time.Date(2026, 11, 24, 2, 5, 9, 0, time.UTC)
	if _, err := p.Submit(ctx5s(t), Message{To: "8613800138000", Text: "Hi", ValidUntil: until}); err != nil {
		t.Fatal(err)
	}
	sub := f.waitFor(SubmitSMID)
	want := hexb(t, "00000044 00000004 00000000 00000002"+
		"00 00 00"+asciiHex("1069")+"00 01 01"+asciiHex("8613800138000")+"00"+
		"00 00 00 00"+asciiHex("261124020509000+")+"00 01 00 00 00 02"+asciiHex("Hi"))
	if !bytes.Equal(sub.raw, want) {
		t.Fatalf("submit_sm:\n got %x\nwant %x", sub.raw, want)
	}
}
