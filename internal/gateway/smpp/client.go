package smpp

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"nudge/internal/pii"
)

// Message is one SMS to submit.
type Message struct {
	To   string // destination number, E.164 digits without '+' when DestTON is 1
	Text string
	From string // sender; empty means Config.SourceAddr
	// ValidUntil, when set, is sent as the absolute validity_period: the
	// SMSC drops the message undelivered after it.
	ValidUntil time.Time
}

// ValidityPeriod formats t as SMPP 3.4's absolute time (section 7.1.1),
// "YYMMDDhhmmsstnnp", in UTC: tenths of a second, then the offset from
// UTC in quarter hours ("00") and its sign ("+"). Zero gives "", no limit.
func ValidityPeriod(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	u := t.UTC()
	return fmt.Sprintf("%02d%02d%02d%02d%02d%02d%d00+", u.Year()%100, int(u.Month()), u.Day(), u.Hour(), u.Minute(), u.Second(), u.Nanosecond()/1e8)
}

// Pool keeps Config.Binds sessions bound to one SMSC, reconnecting each with
// capped, jittered exponential backoff, and spreads submits across them. It
// is safe for concurrent use; the intended caller is a dispatcher running
// several workers, whose submits share the sessions' windows.
type Pool struct {
	cfg   Config
	reasm *Reassembler
	lim   *limiter
	refs  refCounter

	ctx    context.Context // ends when the pool closes
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	sessions []*session    // by bind index, nil while down
	changed  chan struct{} // closed when sessions changes
	rr       int           // round-robin cursor
}

// Open starts the pool's sessions and returns when the first one is bound.
// If every session's first bind fails, Open returns the first error (a
// *BindError when the SMSC refused) and nothing keeps running. Sessions that
// failed while another succeeded go on retrying in the background.
func Open(ctx context.Context, cfg Config) (*Pool, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	p := &Pool{
		cfg:      cfg,
		reasm:    NewReassembler(cfg.Clock, cfg.ReassemblyTimeout, cfg.Packed),
		lim:      newLimiter(cfg.Rate, cfg.ThrottlePause),
		sessions: make([]*session, cfg.Binds),
		changed:  make(chan struct{}),
	}
	// Concatenation references start at a random point so that a restart
	// does not reuse the references of messages still being reassembled.
	p.refs.n.Store(rand.Uint32())
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.wg.Add(1)
	go p.janitor()
	first := make(chan error, cfg.Binds)
	for i := range cfg.Binds {
		p.wg.Add(1)
		go p.maintain(i, first)
	}
	var firstErr error
	for range cfg.Binds {
		select {
		case err := <-first:
			if err == nil {
				return p, nil
			}
			if firstErr == nil {
				firstErr = err
			}
		case <-ctx.Done():
			p.Close()
			return nil, ctx.Err()
		}
	}
	p.Close()
	return nil, firstErr
}

// maintain keeps session i bound until the pool closes.
func (p *Pool) maintain(i int, first chan<- error) {
	defer p.wg.Done()
	backoff := p.cfg.ReconnectMin
	reported := false
	for {
		s, err := dialSession(p.ctx, &p.cfg, i, p.onDeliver)
		if !reported {
			first <- err
			reported = true
		}
		if err != nil {
			if p.ctx.Err() != nil {
				return
			}
			// Half fixed, half random: binds that dropped together do not
			// come back together, yet none waits much less than the backoff.
			d := backoff/2 + rand.N(backoff/2+1)
			p.cfg.Logger.Warn("bind failed", "bind", i, "err", err, "retry_in", d)
			select {
			case <-time.After(d):
			case <-p.ctx.Done():
				return
			}
			backoff = min(backoff*2, p.cfg.ReconnectMax)
			continue
		}
		backoff = p.cfg.ReconnectMin
		p.cfg.Logger.Info("bound", "bind", i, "type", p.cfg.Bind.String())
		p.setSession(i, s)
		select {
		case <-s.done:
			p.setSession(i, nil)
			p.cfg.Logger.Warn("session ended", "bind", i, "err", s.err)
		case <-p.ctx.Done():
			p.setSession(i, nil)
			s.unbind()
			return
		}
	}
}

func (p *Pool) setSession(i int, s *session) {
	p.mu.Lock()
	p.sessions[i] = s
	close(p.changed)
	p.changed = make(chan struct{})
	p.mu.Unlock()
}

// Bound returns how many sessions are bound now.
func (p *Pool) Bound() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, s := range p.sessions {
		if s != nil {
			n++
		}
	}
	return n
}

// pick returns a bound session, round robin, preferring prev while it is
// alive so that the parts of one long message take the same connection.
func (p *Pool) pick(ctx context.Context, prev *session) (*session, error) {
	for {
		if prev != nil {
			select {
			case <-prev.done:
			default:
				return prev, nil
			}
		}
		p.mu.Lock()
		n := len(p.sessions)
		for k := range n {
			s := p.sessions[(p.rr+k)%n]
			if s != nil {
				p.rr = (p.rr + k + 1) % n
				p.mu.Unlock()
				return s, nil
			}
		}
		changed := p.changed
		p.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-p.ctx.Done():
			return nil, ErrClosed
		}
	}
}

// Submit sends m and returns the SMSC's message id for each part, in order.
// It blocks while the chosen session's window is full, and honours ctx.
//
// ESME_RTHROTTLED and ESME_RMSGQFUL do not fail the message: the part is
// sent again after Config.ThrottlePause at a lowered rate, until ctx ends.
// A part that never reached the SMSC is moved to another session. Other
// refusals return a *SubmitError. A part written but never answered returns
// an error wrapping ErrNoResponse: the SMSC may have taken it.
//
// On any error the ids of the parts already accepted are returned with it,
// so that the caller can record them: those parts must not be sent again.
func (p *Pool) Submit(ctx context.Context, m Message) ([]string, error) {
	if p.cfg.Bind == Receiver {
		return nil, errors.New("smpp: a receiver bind cannot submit")
	}
	parts, err := EncodeText(m.Text, p.cfg.LongMode, p.cfg.Packed, p.refs.next())
	if err != nil {
		return nil, err
	}
	from := m.From
	if from == "" {
		from = p.cfg.SourceAddr
	}
	var reg uint8 = 1
	if p.cfg.NoReceipts {
		reg = 0
	}
	ids := make([]string, 0, len(parts))
	var s *session
	for i, part := range parts {
		sm := &SubmitSM{ShortMessage{
			ServiceType:   p.cfg.ServiceType,
			SourceAddrTON: p.cfg.SourceTON, SourceAddrNPI: p.cfg.SourceNPI, SourceAddr: from,
			DestAddrTON: p.cfg.DestTON, DestAddrNPI: p.cfg.DestNPI, DestinationAddr: m.To,
			ESMClass: part.ESMClass, RegisteredDelivery: reg, DataCoding: part.DataCoding,
			ValidityPeriod: ValidityPeriod(m.ValidUntil),
			Message:        part.Message, TLVs: part.TLVs,
		}}
		for {
			if s, err = p.pick(ctx, s); err != nil {
				return ids, err
			}
			if err = p.lim.wait(ctx); err != nil {
				return ids, err
			}
			id, st, err := s.submit(ctx, sm)
			if errors.Is(err, errNotSent) {
				s = nil
				continue
			}
			if err != nil {
				return ids, fmt.Errorf("smpp: submit part %d/%d: %w", i+1, len(parts), err)
			}
			if st == ESME_ROK {
				p.lim.accepted()
				ids = append(ids, id)
				break
			}
			if st.Throttling() {
				p.lim.throttled()
				continue
			}
			return ids, &SubmitError{Status: st, Temporary: st.Temporary(), Part: i + 1, Parts: len(parts)}
		}
	}
	return ids, nil
}

// onDeliver handles a deliver_sm from any session. Receipts and replies
// that cannot be understood are still acknowledged: sending them again
// would not make them readable, and an unacknowledged deliver_sm blocks
// some SMSCs' queues for the whole account.
func (p *Pool) onDeliver(d *DeliverSM) Status {
	if IsReceipt(d) {
		r, err := ParseReceipt(d)
		if err != nil {
			p.cfg.Logger.Warn("unreadable delivery receipt", "err", err)
			return ESME_ROK
		}
		if p.cfg.OnReceipt != nil {
			p.cfg.OnReceipt(r)
		}
		return ESME_ROK
	}
	mo, ok, err := p.reasm.Add(d)
	if err != nil {
		p.cfg.Logger.Warn("unreadable MO message", "source", pii.MaskPhone(d.SourceAddr), "err", err)
	}
	if ok && p.cfg.OnMessage != nil {
		p.cfg.OnMessage(mo)
	}
	p.sweep()
	return ESME_ROK
}

// sweep hands over MO sets whose reassembly timed out.
func (p *Pool) sweep() {
	for _, mo := range p.reasm.Expire() {
		p.cfg.Logger.Warn("incomplete MO message", "source", pii.MaskPhone(mo.Source), "parts", mo.Parts)
		if p.cfg.OnMessage != nil {
			p.cfg.OnMessage(mo)
		}
	}
}

// janitor sweeps timed-out MO sets even when no further deliver_sm comes
// to trigger it.
func (p *Pool) janitor() {
	defer p.wg.Done()
	t := time.NewTicker(min(p.cfg.ReassemblyTimeout/4, 30*time.Second))
	defer t.Stop()
	for {
		select {
		case <-t.C:
			p.sweep()
		case <-p.ctx.Done():
			return
		}
	}
}

// Close unbinds every session and stops reconnecting. It waits for the
// unbinds, each bounded by ResponseTimeout.
func (p *Pool) Close() error {
	p.cancel()
	p.wg.Wait()
	return nil
}
