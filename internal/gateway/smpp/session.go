package smpp

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// errNotSent means a request never reached the wire (the session was
// already closing), so it is safe to send it on another session.
var errNotSent = errors.New("smpp: request not sent")

// errDeadLink closes a session whose SMSC stopped answering enquire_link.
var errDeadLink = errors.New("smpp: no enquire_link_resp, link is dead")

// session is one bound connection. It lives until the connection fails or
// is unbound; the pool then dials a new one.
type session struct {
	idx  int
	cfg  *Config
	conn net.Conn
	r    *bufio.Reader // shared by the bind exchange and the read loop
	// deliver handles deliver_sm and returns the status to acknowledge with.
	deliver func(*DeliverSM) Status

	wmu sync.Mutex // one writer at a time, so PDUs never interleave
	seq atomic.Uint32

	mu      sync.Mutex
	pending map[uint32]chan *PDU

	window chan struct{} // one token per outstanding submit_sm

	done     chan struct{}
	doneOnce sync.Once
	err      error // why the session ended; read after done is closed
}

// dialSession connects and binds. It returns once the SMSC accepted the
// bind, with the read loop and keep-alive running.
func dialSession(ctx context.Context, cfg *Config, idx int, deliver func(*DeliverSM) Status) (*session, error) {
	var conn net.Conn
	var err error
	d := net.Dialer{Timeout: cfg.ResponseTimeout}
	if cfg.TLS != nil {
		td := tls.Dialer{NetDialer: &d, Config: cfg.TLS}
		conn, err = td.DialContext(ctx, "tcp", cfg.Addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", cfg.Addr)
	}
	if err != nil {
		return nil, fmt.Errorf("smpp: dial %s: %w", cfg.Addr, err)
	}
	s := &session{
		idx: idx, cfg: cfg, conn: conn, r: bufio.NewReader(conn), deliver: deliver,
		pending: map[uint32]chan *PDU{},
		window:  make(chan struct{}, cfg.Window),
		done:    make(chan struct{}),
	}
	if err := s.bind(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	go s.readLoop()
	go s.keepAlive()
	return s, nil
}

// bind runs the bind exchange before the read loop starts, so that nothing
// else can be sent on an unbound connection.
func (s *session) bind(ctx context.Context) error {
	deadline := time.Now().Add(s.cfg.ResponseTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	s.conn.SetDeadline(deadline)
	defer s.conn.SetDeadline(time.Time{})
	req := &PDU{Header: Header{Sequence: s.nextSeq()}, Body: &Bind{
		Type: s.cfg.Bind, SystemID: s.cfg.SystemID, Password: s.cfg.Password, SystemType: s.cfg.SystemType,
		InterfaceVersion: InterfaceVersion34, AddrTON: s.cfg.AddrTON, AddrNPI: s.cfg.AddrNPI, AddressRange: s.cfg.AddressRange,
	}}
	if err := s.write(req); err != nil {
		return fmt.Errorf("smpp: send bind: %w", err)
	}
	for {
		p, raw, err := ReadPDU(s.r)
		if err != nil {
			return fmt.Errorf("smpp: read bind response: %w", err)
		}
		s.log(Inbound, p, raw)
		if p.Command == EnquireLinkID {
			s.write(&PDU{Header: Header{Sequence: p.Sequence}, Body: &EnquireLinkResp{}})
			continue
		}
		if p.Sequence != req.Sequence || !(p.Command == req.Command|0x80000000 || p.Command == GenericNack) {
			return fmt.Errorf("smpp: unexpected %s while binding", p.Command)
		}
		if p.Status != ESME_ROK {
			return &BindError{Status: p.Status}
		}
		return nil
	}
}

// nextSeq returns the next sequence number. SMPP 3.4 allows 1..0x7FFFFFFF,
// so the counter wraps before reaching the response bit.
func (s *session) nextSeq() uint32 {
	for {
		n := s.seq.Add(1)
		if n&0x7FFFFFFF != 0 {
			return n & 0x7FFFFFFF
		}
	}
}

func (s *session) write(p *PDU) error {
	b, err := p.Marshal()
	if err != nil {
		return err
	}
	// Logged before the write so that the log never shows a response ahead
	// of its request.
	s.log(Outbound, p, b)
	s.wmu.Lock()
	s.conn.SetWriteDeadline(time.Now().Add(s.cfg.ResponseTimeout))
	_, err = s.conn.Write(b)
	s.wmu.Unlock()
	return err
}

func (s *session) log(dir Direction, p *PDU, raw []byte) {
	if s.cfg.OnPDU != nil && p != nil {
		s.cfg.OnPDU(newPDULog(s.cfg.Clock.Now(), s.idx, dir, p, raw))
	}
}

// request sends a request and waits for its response, the timeout, ctx or
// the end of the session.
func (s *session) request(ctx context.Context, body Body) (*PDU, error) {
	seq := s.nextSeq()
	ch := make(chan *PDU, 1)
	s.mu.Lock()
	select {
	case <-s.done:
		s.mu.Unlock()
		return nil, errNotSent
	default:
	}
	s.pending[seq] = ch
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.pending, seq)
		s.mu.Unlock()
	}()
	if err := s.write(&PDU{Header: Header{Sequence: seq}, Body: body}); err != nil {
		var ee *EncodeError
		if errors.As(err, &ee) {
			return nil, err
		}
		s.close(err)
		return nil, fmt.Errorf("%w: %w", ErrNoResponse, err)
	}
	t := time.NewTimer(s.cfg.ResponseTimeout)
	defer t.Stop()
	select {
	case p := <-ch:
		return p, nil
	case <-t.C:
		return nil, fmt.Errorf("%w: %s seq %d after %s", ErrNoResponse, body.CommandID(), seq, s.cfg.ResponseTimeout)
	case <-s.done:
		return nil, fmt.Errorf("%w: %w", ErrNoResponse, ErrConnLost)
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %w", ErrNoResponse, ctx.Err())
	}
}

// submit sends one submit_sm within the window. It returns the response
// header status and message id; errNotSent if it never left.
func (s *session) submit(ctx context.Context, sm *SubmitSM) (string, Status, error) {
	select {
	case s.window <- struct{}{}:
	case <-s.done:
		return "", 0, errNotSent
	case <-ctx.Done():
		return "", 0, ctx.Err()
	}
	defer func() { <-s.window }()
	p, err := s.request(ctx, sm)
	if err != nil {
		return "", 0, err
	}
	if p.Command == GenericNack {
		if p.Status == ESME_ROK {
			return "", ESME_RUNKNOWNERR, nil
		}
		return "", p.Status, nil
	}
	r, _ := p.Body.(*SubmitSMResp)
	if r == nil {
		return "", 0, fmt.Errorf("smpp: %s in answer to submit_sm", p.Command)
	}
	return r.MessageID, p.Status, nil
}

func (s *session) readLoop() {
	for {
		p, raw, err := ReadPDU(s.r)
		if p == nil {
			// No header: the stream is broken or closed and cannot be resynchronised.
			s.close(err)
			return
		}
		s.log(Inbound, p, raw)
		if err != nil {
			s.cfg.Logger.Warn("undecodable PDU", "bind", s.idx, "err", err)
			if !p.Command.IsResponse() {
				s.write(&PDU{Header: Header{Status: nackStatus(err), Sequence: p.Sequence}, Body: &GenericNackBody{}})
				continue
			}
		}
		if p.Command.IsResponse() {
			s.mu.Lock()
			ch := s.pending[p.Sequence]
			delete(s.pending, p.Sequence)
			s.mu.Unlock()
			if ch != nil {
				ch <- p
			}
			continue
		}
		switch b := p.Body.(type) {
		case *EnquireLink:
			s.write(&PDU{Header: Header{Sequence: p.Sequence}, Body: &EnquireLinkResp{}})
		case *DeliverSM:
			st := s.deliver(b)
			s.write(&PDU{Header: Header{Status: st, Sequence: p.Sequence}, Body: &DeliverSMResp{}})
		case *Unbind:
			s.write(&PDU{Header: Header{Sequence: p.Sequence}, Body: &UnbindResp{}})
			s.close(errors.New("smpp: unbound by SMSC"))
			return
		default:
			s.write(&PDU{Header: Header{Status: ESME_RINVCMDID, Sequence: p.Sequence}, Body: &GenericNackBody{}})
		}
	}
}

// nackStatus picks the generic_nack status for a body that did not decode.
func nackStatus(err error) Status {
	var de *DecodeError
	if errors.As(err, &de) {
		switch de.Field {
		case "sm_length", "short_message":
			return ESME_RINVMSGLEN
		case "command_length", "body":
			return ESME_RINVCMDLEN
		}
		if strings.HasPrefix(de.Field, "tlv") || tagByName(de.Field) {
			return ESME_RINVOPTPARSTREAM
		}
	}
	return ESME_RINVCMDLEN
}

func tagByName(name string) bool {
	for _, n := range tagNames {
		if n == name {
			return true
		}
	}
	return false
}

// keepAlive sends enquire_link every EnquireInterval and closes the session
// when one goes unanswered for ResponseTimeout: a NAT or firewall that
// silently dropped the connection is only noticed this way.
func (s *session) keepAlive() {
	t := time.NewTicker(s.cfg.EnquireInterval)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
		}
		_, err := s.request(context.Background(), &EnquireLink{})
		if err != nil && !errors.Is(err, errNotSent) {
			s.close(fmt.Errorf("%w: %w", errDeadLink, err))
			return
		}
	}
}

// unbind ends the session politely: unbind, wait for unbind_resp (bounded
// by ResponseTimeout), close.
func (s *session) unbind() {
	s.request(context.Background(), &Unbind{})
	s.close(ErrClosed)
}

func (s *session) close(err error) {
	s.doneOnce.Do(func() {
		s.err = err
		close(s.done)
		s.conn.Close()
	})
}
