package smpp

import (
	"bufio"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// fakeSMSC is an in-process SMSC for session tests. It binds everyone,
// answers enquire_link and unbind, and lets each test decide how submit_sm
// is answered through onSubmit. Every PDU it receives is recorded with its
// raw bytes and the connection it came on.
type fakeSMSC struct {
	t  *testing.T
	ln net.Listener

	// onSubmit returns the status and message id for a submit_sm; nil
	// answers ESME_ROK with id "m<seq>". A negative delay holds the answer
	// until release is closed.
	onSubmit func(conn int, p *PDU) (Status, string)
	// bindStatus answers binds; silentEnquire ignores enquire_link on the
	// connections it returns true for.
	bindStatus    Status
	silentEnquire func(conn int) bool
	hold          chan struct{} // non-nil: submit responses wait for it to close

	mu     sync.Mutex
	conns  []net.Conn
	got    []received
	seq    uint32
	cursor map[CommandID]int // how many of each command waitFor has returned
}

type received struct {
	conn int
	pdu  *PDU
	raw  []byte
	at   time.Time
}

func newFakeSMSC(t *testing.T) *fakeSMSC {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return startFakeSMSC(t, ln)
}

func startFakeSMSC(t *testing.T, ln net.Listener) *fakeSMSC {
	f := &fakeSMSC{t: t, ln: ln, cursor: map[CommandID]int{}}
	go f.accept()
	t.Cleanup(f.close)
	return f
}

func (f *fakeSMSC) addr() string { return f.ln.Addr().String() }

func (f *fakeSMSC) accept() {
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.mu.Lock()
		f.conns = append(f.conns, c)
		n := len(f.conns) - 1
		f.mu.Unlock()
		go f.serve(n, c)
	}
}

func (f *fakeSMSC) close() {
	f.ln.Close()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.conns {
		c.Close()
	}
}

// drop closes connection n from the SMSC side.
func (f *fakeSMSC) drop(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.conns[n].Close()
}

func (f *fakeSMSC) serve(n int, c net.Conn) {
	var wmu sync.Mutex
	send := func(p *PDU) {
		b, err := p.Marshal()
		if err != nil {
			f.t.Errorf("fake SMSC marshal: %v", err)
			return
		}
		wmu.Lock()
		c.Write(b)
		wmu.Unlock()
	}
	r := bufio.NewReader(c)
	for {
		p, raw, err := ReadPDU(r)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				f.t.Logf("fake SMSC conn %d: %v", n, err)
			}
			return
		}
		rec := received{conn: n, pdu: p, raw: raw, at: time.Now()}
		f.mu.Lock()
		f.got = append(f.got, rec)
		f.mu.Unlock()
		switch b := p.Body.(type) {
		case *Bind:
			send(&PDU{Header: Header{Status: f.bindStatus, Sequence: p.Sequence}, Body: &BindResp{Type: b.Type, SystemID: "FAKE"}})
		case *EnquireLink:
			if f.silentEnquire == nil || !f.silentEnquire(n) {
				send(&PDU{Header: Header{Sequence: p.Sequence}, Body: &EnquireLinkResp{}})
			}
		case *Unbind:
			send(&PDU{Header: Header{Sequence: p.Sequence}, Body: &UnbindResp{}})
		case *SubmitSM:
			st, id := ESME_ROK, ""
			if f.onSubmit != nil {
				st, id = f.onSubmit(n, p)
			} else {
				id = "m" + itoa(p.Sequence)
			}
			resp := &PDU{Header: Header{Status: st, Sequence: p.Sequence}, Body: &SubmitSMResp{MessageID: id}}
			if f.hold != nil {
				go func() { <-f.hold; send(resp) }()
			} else {
				send(resp)
			}
		}
	}
}

// push sends a request from the SMSC on connection n.
func (f *fakeSMSC) push(n int, body Body) uint32 {
	f.mu.Lock()
	f.seq++
	seq := f.seq
	c := f.conns[n]
	f.mu.Unlock()
	p := &PDU{Header: Header{Sequence: seq}, Body: body}
	b, err := p.Marshal()
	if err != nil {
		f.t.Fatal(err)
	}
	c.Write(b)
	return seq
}

// waitFor returns the next received PDU with the command (each call moves
// past the one it returned), failing the test after a generous timeout that
// is only reached when something is broken. Connections are served by
// separate goroutines, so PDUs of other commands are never skipped over.
func (f *fakeSMSC) waitFor(cmd CommandID) received {
	f.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		f.mu.Lock()
		seen := 0
		for _, r := range f.got {
			if r.pdu.Command != cmd {
				continue
			}
			if seen == f.cursor[cmd] {
				f.cursor[cmd]++
				f.mu.Unlock()
				return r
			}
			seen++
		}
		f.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	f.t.Fatalf("fake SMSC: no %s received", cmd)
	return received{}
}

// all returns the received PDUs with the command.
func (f *fakeSMSC) all(cmd CommandID) []received {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []received
	for _, r := range f.got {
		if r.pdu.Command == cmd {
			out = append(out, r)
		}
	}
	return out
}

func itoa(n uint32) string {
	if n == 0 {
		return "0"
	}
	var b [10]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
