// Package smsctest is an SMSC for tests and benchmarks: it binds any ESME
// (or only the configured one), answers submit_sm after an optional delay,
// counts what it receives, can send delivery receipts and customer replies,
// and survives clients that vanish mid-window (a kill -9 test's dispatcher).
// It is fast enough that a benchmark measures nudge rather than it: each
// connection has one reader and one writer that batches its writes, and
// Blast measures the server's own ceiling with pre-encoded PDUs.
package smsctest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"nudge/internal/gateway/smpp"
)

// Options configure a Server.
type Options struct {
	// SystemID and Password, when set, are required of binds.
	SystemID, Password string
	// RespDelay holds every submit_sm_resp back, as a carrier's round trip
	// would.
	RespDelay time.Duration
	// OnSubmit sees every submit_sm (from the connection's reader
	// goroutine) and returns the status to answer with; nil answers
	// ESME_ROK. It runs before the response is queued, so a count taken
	// there includes every submit whose answer the client may have seen.
	OnSubmit func(conn int, sm *smpp.SubmitSM) smpp.Status
	// Receipts sends a DELIVRD receipt for every accepted submit after
	// ReceiptDelay, on the connection it came from.
	Receipts     bool
	ReceiptDelay time.Duration
}

// Server is a running test SMSC.
type Server struct {
	opt Options
	ln  net.Listener

	submits atomic.Int64
	ids     atomic.Uint64

	mu     sync.Mutex
	conns  map[int]*conn
	nconn  int
	closed bool
	wg     sync.WaitGroup
}

// Start listens on addr ("127.0.0.1:0" for any port) and serves.
func Start(addr string, opt Options) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{opt: opt, ln: ln, conns: map[int]*conn{}}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Addr is the host:port the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Submits counts submit_sm received.
func (s *Server) Submits() int64 { return s.submits.Load() }

// Connections counts connections accepted so far.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nconn
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		n := s.nconn
		s.nconn++
		cn := &conn{s: s, n: n, c: c, out: make(chan item, 8192), done: make(chan struct{})}
		s.conns[n] = cn
		s.mu.Unlock()
		s.wg.Add(2)
		go cn.write()
		go cn.read()
	}
}

// Close stops listening and drops every connection.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	conns := make([]*conn, 0, len(s.conns))
	for _, c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	s.ln.Close()
	for _, c := range conns {
		c.close()
	}
	s.wg.Wait()
}

// Deliver sends a mobile-originated message from a customer on the first
// bound connection that can receive, and reports whether there was one.
func (s *Server) Deliver(from, to, text string) bool {
	s.mu.Lock()
	var target *conn
	for i := 0; i < s.nconn; i++ {
		if c := s.conns[i]; c != nil && c.bound.Load() && c.receives.Load() {
			target = c
			break
		}
	}
	s.mu.Unlock()
	if target == nil {
		return false
	}
	dc, msg := uint8(0), []byte(text)
	if !isASCII(text) {
		dc, msg = smpp.DataCodingUCS2, ucs2(text)
	}
	target.send(&smpp.PDU{Header: smpp.Header{Sequence: target.nextSeq()}, Body: &smpp.DeliverSM{ShortMessage: smpp.ShortMessage{
		SourceAddrTON: 1, SourceAddrNPI: 1, SourceAddr: from, DestinationAddr: to, DataCoding: dc, Message: msg}}}, time.Time{})
	return true
}

type item struct {
	due time.Time
	b   []byte
}

type conn struct {
	s        *Server
	n        int
	c        net.Conn
	out      chan item
	seq      atomic.Uint32
	bound    atomic.Bool
	receives atomic.Bool
	once     sync.Once
	done     chan struct{}
}

func (c *conn) nextSeq() uint32 { return c.seq.Add(1) & 0x7FFFFFFF }

func (c *conn) close() {
	c.once.Do(func() {
		close(c.done)
		c.c.Close()
	})
}

// send queues a PDU to be written at due (zero: now).
func (c *conn) send(p *smpp.PDU, due time.Time) {
	b, err := p.Marshal()
	if err != nil {
		return
	}
	select {
	case c.out <- item{due, b}:
	case <-c.done:
	}
}

func (c *conn) read() {
	defer c.s.wg.Done()
	defer c.close()
	r := bufio.NewReaderSize(c.c, 64<<10)
	for {
		p, _, err := smpp.ReadPDU(r)
		if p == nil {
			return
		}
		if err != nil {
			if !p.Command.IsResponse() {
				c.send(&smpp.PDU{Header: smpp.Header{Status: smpp.ESME_RINVCMDLEN, Sequence: p.Sequence}, Body: &smpp.GenericNackBody{}}, time.Time{})
			}
			continue
		}
		switch b := p.Body.(type) {
		case *smpp.Bind:
			st := smpp.ESME_ROK
			if c.s.opt.SystemID != "" && (b.SystemID != c.s.opt.SystemID || b.Password != c.s.opt.Password) {
				st = smpp.ESME_RINVPASWD
			}
			c.send(&smpp.PDU{Header: smpp.Header{Status: st, Sequence: p.Sequence}, Body: &smpp.BindResp{Type: b.Type, SystemID: "SMSCTEST"}}, time.Time{})
			if st == smpp.ESME_ROK {
				c.bound.Store(true)
				c.receives.Store(b.Type != smpp.Transmitter)
			}
		case *smpp.EnquireLink:
			c.send(&smpp.PDU{Header: smpp.Header{Sequence: p.Sequence}, Body: &smpp.EnquireLinkResp{}}, time.Time{})
		case *smpp.Unbind:
			c.send(&smpp.PDU{Header: smpp.Header{Sequence: p.Sequence}, Body: &smpp.UnbindResp{}}, time.Time{})
		case *smpp.SubmitSM:
			c.submit(p.Sequence, b)
		case *smpp.DeliverSMResp, *smpp.EnquireLinkResp, *smpp.UnbindResp, *smpp.GenericNackBody:
		default:
			c.send(&smpp.PDU{Header: smpp.Header{Status: smpp.ESME_RINVCMDID, Sequence: p.Sequence}, Body: &smpp.GenericNackBody{}}, time.Time{})
		}
	}
}

func (c *conn) submit(seq uint32, sm *smpp.SubmitSM) {
	c.s.submits.Add(1)
	st := smpp.ESME_ROK
	if c.s.opt.OnSubmit != nil {
		st = c.s.opt.OnSubmit(c.n, sm)
	}
	id := ""
	if st == smpp.ESME_ROK {
		id = strconv.FormatUint(c.s.ids.Add(1), 16)
	}
	var due time.Time
	if c.s.opt.RespDelay > 0 {
		due = time.Now().Add(c.s.opt.RespDelay)
	}
	c.send(&smpp.PDU{Header: smpp.Header{Status: st, Sequence: seq}, Body: &smpp.SubmitSMResp{MessageID: id}}, due)
	if st == smpp.ESME_ROK && c.s.opt.Receipts {
		to, from := sm.DestinationAddr, sm.SourceAddr
		time.AfterFunc(c.s.opt.RespDelay+c.s.opt.ReceiptDelay, func() {
			now := time.Now().UTC().Format("0601021504")
			text := fmt.Sprintf("id:%s sub:001 dlvrd:001 submit date:%s done date:%s stat:DELIVRD err:000 text:", id, now, now)
			c.send(&smpp.PDU{Header: smpp.Header{Sequence: c.nextSeq()}, Body: &smpp.DeliverSM{ShortMessage: smpp.ShortMessage{
				SourceAddrTON: 1, SourceAddrNPI: 1, SourceAddr: to, DestinationAddr: from, ESMClass: smpp.ESMClassReceipt,
				Message: []byte(text),
				TLVs:    smpp.TLVs{smpp.CStringTLV(smpp.TagReceiptedMessageID, id), smpp.Uint8TLV(smpp.TagMessageState, 2)},
			}}}, time.Time{})
		})
	}
}

// write sends queued PDUs in order, each no earlier than its due time,
// flushing whenever the queue runs dry so that responses leave in batches
// under load and at once when idle.
func (c *conn) write() {
	defer c.s.wg.Done()
	defer c.close()
	w := bufio.NewWriterSize(c.c, 64<<10)
	for {
		var it item
		select {
		case it = <-c.out:
		case <-c.done:
			return
		}
		if d := time.Until(it.due); d > 0 {
			if w.Flush() != nil {
				return
			}
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-c.done:
				t.Stop()
				return
			}
		}
		if _, err := w.Write(it.b); err != nil {
			return
		}
		if len(c.out) == 0 {
			if w.Flush() != nil {
				return
			}
		}
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func ucs2(s string) []byte {
	var out []byte
	for _, r := range s {
		if r > 0xFFFF {
			r1, r2 := 0xD800+((r-0x10000)>>10), 0xDC00+((r-0x10000)&0x3FF)
			out = append(out, byte(r1>>8), byte(r1), byte(r2>>8), byte(r2))
			continue
		}
		out = append(out, byte(r>>8), byte(r))
	}
	return out
}

// Blast measures the server's ceiling: one connection binds, then n
// pre-encoded submit_sm go out with up to window unanswered, and the
// answers are counted. It returns submits per second. Nothing of nudge is
// on the path, so the figure is what the server (and loopback) can do.
func Blast(addr string, n, window int) (float64, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	bind, _ := (&smpp.PDU{Header: smpp.Header{Sequence: 1}, Body: &smpp.Bind{Type: smpp.Transmitter, SystemID: "blast", InterfaceVersion: smpp.InterfaceVersion34}}).Marshal()
	if _, err := c.Write(bind); err != nil {
		return 0, err
	}
	r := bufio.NewReaderSize(c, 64<<10)
	if p, _, err := smpp.ReadPDU(r); err != nil || p.Status != smpp.ESME_ROK {
		return 0, fmt.Errorf("smsctest: blast bind: %v", err)
	}
	tokens := make(chan struct{}, window)
	errc := make(chan error, 1)
	start := time.Now()
	go func() {
		w := bufio.NewWriterSize(c, 64<<10)
		for i := range n {
			tokens <- struct{}{}
			p := &smpp.PDU{Header: smpp.Header{Sequence: uint32(i + 2)}, Body: &smpp.SubmitSM{ShortMessage: smpp.ShortMessage{
				DestAddrTON: 1, DestAddrNPI: 1, DestinationAddr: "8613800000000", Message: []byte("blast " + strconv.Itoa(i))}}}
			b, _ := p.Marshal()
			w.Write(b)
			if len(tokens) == cap(tokens) || i == n-1 {
				if err := w.Flush(); err != nil {
					errc <- err
					return
				}
			}
		}
		errc <- nil
	}()
	for got := 0; got < n; {
		p, _, err := smpp.ReadPDU(r)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return 0, fmt.Errorf("smsctest: blast: server closed after %d answers", got)
			}
			return 0, err
		}
		if p.Command == smpp.SubmitSMRespID {
			got++
			<-tokens
		}
	}
	if err := <-errc; err != nil {
		return 0, err
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
