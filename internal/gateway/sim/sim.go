// Package sim is a simulated SMS network, the gateway the demo sends
// through: it answers submits after a latency, throttles beyond its
// throughput, sends delivery receipts after a delay, fails a configurable
// share of messages for the reasons real networks give (no such number,
// handset off, sender blocked, network error) and has some customers reply.
//
// Every outcome is a function of the seed, the number and the text, never
// of the order or timing of submits, so two runs with the same seed and
// messages tell the same story. Receipts and replies fall due on the
// gateway's clock: a test with a fake clock advances it and calls Flush.
package sim

import (
	"container/heap"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"sync"
	"sync/atomic"
	"time"

	"nudge/internal/gateway"
)

// Kind registers the simulator under sim://.
var Kind = gateway.Kind{
	Name:    "sim",
	Schemes: []string{"sim"},
	New: func(ctx context.Context, cfg gateway.Config, deps gateway.Deps) (gateway.Gateway, error) {
		o, err := ParseOptions(cfg)
		if err != nil {
			return nil, err
		}
		return New(cfg.Name, o, deps), nil
	},
	Check: func(cfg gateway.Config) error {
		_, err := ParseOptions(cfg)
		return err
	},
}

// Sim is a simulated network. It is safe for concurrent use.
type Sim struct {
	name   string
	opt    Options
	deps   gateway.Deps
	prefix string
	seq    atomic.Uint64
	down   atomic.Bool

	mu       sync.Mutex
	events   eventHeap
	attempts map[int64]int // submits seen per outbox message, for fail_submit
	tokens   float64
	tokensAt time.Time

	stop chan struct{}
	wg   sync.WaitGroup
	once sync.Once

	submitted atomic.Int64
}

// New starts a simulator that reports to deps.Sink.
func New(name string, o Options, deps gateway.Deps) *Sim {
	b := make([]byte, 3)
	rand.Read(b)
	s := &Sim{name: name, opt: o, deps: deps, prefix: hex.EncodeToString(b), attempts: map[int64]int{},
		stop: make(chan struct{}), tokens: o.Throughput}
	s.down.Store(o.Down)
	s.wg.Add(1)
	go s.pump()
	return s
}

// SetDown makes the network refuse (true) or take (false) submits.
func (s *Sim) SetDown(down bool) { s.down.Store(down) }

// Status reports the simulated network up unless set down.
func (s *Sim) Status() gateway.Status {
	if s.down.Load() {
		return gateway.Status{Up: false, Detail: "simulated outage"}
	}
	return gateway.Status{Up: true, Detail: "simulated network", Binds: 1}
}

// Submitted counts accepted submits.
func (s *Sim) Submitted() int64 { return s.submitted.Load() }

// outcome is the fate of one message.
type outcome struct {
	state  gateway.State
	reason string
	err    string
}

// fate decides a message's outcome from the seed, the number and the text.
// Per-number failures (no such number, sender blocked) hit every message
// to that number, as they do on a real network.
func (s *Sim) fate(to, text string) outcome {
	num := unit(s.opt.Seed, "number", to)
	switch {
	case num < s.opt.FailEmpty:
		return outcome{gateway.Undelivered, gateway.ReasonEmptyNumber, "001"}
	case num < s.opt.FailEmpty+s.opt.FailBlack:
		return outcome{gateway.Undelivered, gateway.ReasonBlacklisted, "B01"}
	}
	msg := unit(s.opt.Seed, "message", to, text)
	switch {
	case msg < s.opt.FailOff:
		return outcome{gateway.Undelivered, gateway.ReasonSwitchedOff, "027"}
	case msg < s.opt.FailOff+s.opt.FailCarrier:
		return outcome{gateway.Undelivered, gateway.ReasonCarrierError, "069"}
	}
	return outcome{state: gateway.Delivered, err: "000"}
}

// unit maps its inputs to a number in [0, 1), the same for the same
// inputs.
func unit(seed uint64, parts ...string) float64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d", seed)
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	// fnv's low bits are weak for similar inputs; mix before scaling.
	x := h.Sum64()
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	return float64(x>>11) / float64(1<<53)
}

// Submit answers after the configured latency with one id per part, and
// schedules the receipts (and perhaps a reply).
func (s *Sim) Submit(ctx context.Context, m gateway.Message) ([]string, error) {
	if s.down.Load() {
		s.trace(m, nil, "refused: network down", true)
		return nil, &gateway.Error{Action: gateway.Failover, Code: "down", Err: fmt.Errorf("sim %s: simulated outage", s.name)}
	}
	if s.opt.Latency > 0 {
		t := time.NewTimer(s.opt.Latency)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, gateway.NotSent(ctx.Err())
		}
	}
	if !s.take() {
		s.trace(m, nil, "throttled", true)
		return nil, &gateway.Error{Action: gateway.Retry, Code: "throttled", RetryAfter: time.Second,
			Err: fmt.Errorf("sim %s: over %.0f submits/s", s.name, s.opt.Throughput)}
	}
	if s.opt.FailSubmit > 0 {
		// The attempt number takes part in the draw, so that a retried
		// message is not refused forever; only counted when needed, since
		// the map grows with every message.
		s.mu.Lock()
		s.attempts[m.ID]++
		n := s.attempts[m.ID]
		s.mu.Unlock()
		if unit(s.opt.Seed, "submit", m.To, m.Text, fmt.Sprint(n)) < s.opt.FailSubmit {
			s.trace(m, nil, "temporary refusal", true)
			return nil, &gateway.Error{Action: gateway.Retry, Code: "SYSERR", Err: fmt.Errorf("sim %s: temporary refusal", s.name)}
		}
	}
	parts := max(m.Parts, 1)
	ids := make([]string, parts)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s-%d", s.prefix, s.seq.Add(1))
	}
	s.submitted.Add(1)
	s.trace(m, ids, "", false)
	s.schedule(m, ids)
	return ids, nil
}

// take spends a throughput token; false means over the limit.
func (s *Sim) take() bool {
	if s.opt.Throughput <= 0 {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if !s.tokensAt.IsZero() {
		s.tokens = min(s.opt.Throughput, s.tokens+now.Sub(s.tokensAt).Seconds()*s.opt.Throughput)
	}
	s.tokensAt = now
	if s.tokens < 1 {
		return false
	}
	s.tokens--
	return true
}

func (s *Sim) schedule(m gateway.Message, ids []string) {
	now := s.deps.Clock.Now()
	f := s.fate(m.To, m.Text)
	delay := s.opt.ReceiptDelay
	if s.opt.ReceiptJitter > 0 {
		delay += time.Duration(unit(s.opt.Seed, "delay", m.To, m.Text) * float64(s.opt.ReceiptJitter))
	}
	done := now.Add(delay)
	if f.reason == gateway.ReasonSwitchedOff && !m.ValidUntil.IsZero() && done.After(m.ValidUntil) {
		// The network kept trying until the message's validity ran out.
		f = outcome{gateway.Expired, gateway.ReasonExpired, "000"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		heap.Push(&s.events, event{at: done, receipt: &gateway.Receipt{Gateway: s.name, ID: id, State: f.state,
			Reason: f.reason, Err: f.err, At: done}})
	}
	if f.state == gateway.Delivered && len(s.opt.Replies) > 0 && unit(s.opt.Seed, "reply", m.To, m.Text) < s.opt.ReplyRate {
		pick := int(unit(s.opt.Seed, "reply-text", m.To, m.Text) * float64(len(s.opt.Replies)))
		at := done.Add(s.opt.ReplyDelay)
		heap.Push(&s.events, event{at: at, reply: &gateway.Reply{Gateway: s.name, ID: fmt.Sprintf("%s-mo-%d", s.prefix, s.seq.Add(1)),
			From: m.To, To: "10690000", Text: s.opt.Replies[pick], At: at}})
	}
}

// Receive injects a customer's reply, as if it came from the network now.
func (s *Sim) Receive(from, text string) {
	at := s.deps.Clock.Now()
	s.mu.Lock()
	heap.Push(&s.events, event{at: at, reply: &gateway.Reply{Gateway: s.name, ID: fmt.Sprintf("%s-mo-%d", s.prefix, s.seq.Add(1)),
		From: from, To: "10690000", Text: text, At: at}})
	s.mu.Unlock()
	s.Flush()
}

// Flush hands every receipt and reply due by the clock's now to the sink.
// It runs every 20 ms by itself; tests on a fake clock call it after
// moving the clock.
func (s *Sim) Flush() int {
	now := s.deps.Clock.Now()
	var due []event
	s.mu.Lock()
	for len(s.events) > 0 && !s.events[0].at.After(now) {
		due = append(due, heap.Pop(&s.events).(event))
	}
	s.mu.Unlock()
	for _, e := range due {
		if e.receipt != nil {
			s.deps.Trace(gateway.Exchange{Direction: gateway.In, Kind: "sim", Failed: e.receipt.State != gateway.Delivered,
				Summary: fmt.Sprintf("receipt id=%s state=%s reason=%s err=%s", e.receipt.ID, e.receipt.State, e.receipt.Reason, e.receipt.Err)})
			s.deps.Sink.Receipt(*e.receipt)
		} else {
			s.deps.Trace(gateway.Exchange{Direction: gateway.In, Kind: "sim",
				Summary: fmt.Sprintf("reply id=%s from=%s chars=%d", e.reply.ID, e.reply.From, len([]rune(e.reply.Text)))})
			s.deps.Sink.Reply(*e.reply)
		}
	}
	return len(due)
}

// Pending counts receipts and replies not yet due.
func (s *Sim) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.events)
}

func (s *Sim) pump() {
	defer s.wg.Done()
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.Flush()
		case <-s.stop:
			return
		}
	}
}

func (s *Sim) trace(m gateway.Message, ids []string, problem string, failed bool) {
	sum := fmt.Sprintf("submit id=%d to=%s parts=%d category=%s", m.ID, m.To, m.Parts, m.Category)
	if problem != "" {
		sum += " -> " + problem
	} else {
		sum += fmt.Sprintf(" -> ids=%v", ids)
	}
	s.deps.Trace(gateway.Exchange{Direction: gateway.Out, Kind: "sim", Failed: failed, Summary: sum})
}

// Close stops the simulator; receipts not yet due are lost, as they would
// be with a network that went away.
func (s *Sim) Close() error {
	s.once.Do(func() { close(s.stop) })
	s.wg.Wait()
	return nil
}

type event struct {
	at      time.Time
	receipt *gateway.Receipt
	reply   *gateway.Reply
}

type eventHeap []event

func (h eventHeap) Len() int           { return len(h) }
func (h eventHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h eventHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)        { *h = append(*h, x.(event)) }
func (h *eventHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
