// Package smppgw adapts nudge's SMPP client (internal/gateway/smpp) to the
// gateway interface: it reads an smpp:// or smpps:// URL into a pool
// configuration, keeps trying to bind while the SMSC is unreachable, turns
// submit errors into the dispatcher's decisions, and hands receipts,
// replies and PDUs on to the sink and the interaction log.
package smppgw

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"nudge/internal/gateway"
	"nudge/internal/gateway/smpp"
)

// Kind registers SMPP under smpp:// and smpps:// (TLS).
var Kind = gateway.Kind{
	Name:    "smpp",
	Schemes: []string{"smpp", "smpps"},
	New: func(ctx context.Context, cfg gateway.Config, deps gateway.Deps) (gateway.Gateway, error) {
		return New(cfg, deps)
	},
	Check: func(cfg gateway.Config) error {
		_, _, err := parse(cfg)
		return err
	},
}

// options are the adapter's own settings beside the pool's.
type options struct {
	hardErrors []string // receipt err codes that mean the number does not exist
}

// parse reads the URL:
//
//	smpp://SYSTEM_ID:PASSWORD@HOST:PORT?bind=transceiver&binds=1&long=udh&packed=0
//	  &source=10690000&source_ton=5&source_npi=0&system_type=&service_type=
//	  &enquire=30s&timeout=10s&receipts=1&hard_errors=001,013
//	smpps://...?tls_skip_verify=1
//
// window (submits in flight per bind) comes from nudge's common parameters.
func parse(cfg gateway.Config) (smpp.Config, options, error) {
	u := cfg.URL
	var c smpp.Config
	var o options
	if u.Host == "" || u.Port() == "" {
		return c, o, fmt.Errorf("smpp gateway %s: the URL needs HOST:PORT", cfg.Name)
	}
	c.Addr = u.Host
	if u.User != nil {
		c.SystemID = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	if c.SystemID == "" {
		return c, o, fmt.Errorf("smpp gateway %s: the URL needs SYSTEM_ID:PASSWORD@ before the host", cfg.Name)
	}
	if len(c.SystemID) > 15 || len(c.Password) > 8 {
		return c, o, fmt.Errorf("smpp gateway %s: SMPP 3.4 allows a system id of 15 and a password of 8 characters at most", cfg.Name)
	}
	q := u.Query()
	bad := func(p, want string) error {
		return fmt.Errorf("smpp gateway %s: %s=%q: want %s", cfg.Name, p, q.Get(p), want)
	}
	switch q.Get("bind") {
	case "", "transceiver", "trx":
		c.Bind = smpp.Transceiver
	case "transmitter", "tx":
		c.Bind = smpp.Transmitter
	case "receiver", "rx":
		c.Bind = smpp.Receiver
	default:
		return c, o, bad("bind", "transceiver, transmitter or receiver")
	}
	var err error
	intParam := func(name string, dst *int, lo, hi int) {
		if v := q.Get(name); v != "" && err == nil {
			n, e := strconv.Atoi(v)
			if e != nil || n < lo || n > hi {
				err = bad(name, fmt.Sprintf("%d to %d", lo, hi))
			}
			*dst = n
		}
	}
	u8Param := func(name string, dst *uint8) {
		var n int
		intParam(name, &n, 0, 255)
		*dst = uint8(n)
	}
	durParam := func(name string, dst *time.Duration) {
		if v := q.Get(name); v != "" && err == nil {
			d, e := time.ParseDuration(v)
			if e != nil || d <= 0 {
				err = bad(name, "a duration such as 30s")
			}
			*dst = d
		}
	}
	intParam("binds", &c.Binds, 1, 64)
	u8Param("source_ton", &c.SourceTON)
	u8Param("source_npi", &c.SourceNPI)
	u8Param("dest_ton", &c.DestTON)
	u8Param("dest_npi", &c.DestNPI)
	durParam("enquire", &c.EnquireInterval)
	durParam("timeout", &c.ResponseTimeout)
	durParam("throttle_pause", &c.ThrottlePause)
	if err != nil {
		return c, o, err
	}
	switch q.Get("long") {
	case "", "udh":
		c.LongMode = smpp.LongUDH
	case "sar":
		c.LongMode = smpp.LongSAR
	case "payload":
		c.LongMode = smpp.LongPayload
	default:
		return c, o, bad("long", "udh, sar or payload")
	}
	if v := q.Get("packed"); v != "" {
		if c.Packed, err = strconv.ParseBool(v); err != nil {
			return c, o, bad("packed", "1 or 0")
		}
	}
	if v := q.Get("receipts"); v != "" {
		on, e := strconv.ParseBool(v)
		if e != nil {
			return c, o, bad("receipts", "1 or 0")
		}
		c.NoReceipts = !on
	}
	c.SourceAddr, c.SystemType, c.ServiceType = q.Get("source"), q.Get("system_type"), q.Get("service_type")
	c.Window = cfg.Window
	if cfg.Scheme == "smpps" {
		host, _, _ := net.SplitHostPort(u.Host)
		c.TLS = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		if v := q.Get("tls_skip_verify"); v == "1" || v == "true" {
			c.TLS.InsecureSkipVerify = true
		}
	}
	o.hardErrors = []string{"001"}
	if v := q.Get("hard_errors"); v != "" {
		o.hardErrors = strings.Split(v, ",")
	}
	return c, o, nil
}

// Gateway is an SMPP connection set behind the gateway interface.
type Gateway struct {
	name string
	cfg  smpp.Config
	opt  options
	deps gateway.Deps

	mu      sync.Mutex
	pool    *smpp.Pool
	lastErr error
	ready   chan struct{} // closed once the pool is open

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

// New starts binding in the background and returns at once: an SMSC that
// is down at start-up makes a gateway that is down, not an error, and it
// comes up by itself.
func New(gc gateway.Config, deps gateway.Deps) (*Gateway, error) {
	c, o, err := parse(gc)
	if err != nil {
		return nil, err
	}
	g := &Gateway{name: gc.Name, cfg: c, opt: o, deps: deps, ready: make(chan struct{}), done: make(chan struct{})}
	c.Clock, c.Logger = deps.Clock, deps.Log
	c.OnReceipt, c.OnMessage = g.onReceipt, g.onMessage
	// The client describes every PDU it hands to OnPDU (hex, a summary)
	// before the journal can sample it away; with the log off, nothing is
	// described at all.
	if gc.LogMode != "off" {
		c.OnPDU = g.onPDU
	}
	// The dispatcher keeps the configured rate; the pool's own limiter
	// still slows down on ESME_RTHROTTLED.
	c.Rate = 0
	g.cfg = c
	g.ctx, g.cancel = context.WithCancel(context.Background())
	go g.open()
	return g, nil
}

// open tries smpp.Open until it binds or the gateway closes. Once open, the
// pool reconnects by itself.
func (g *Gateway) open() {
	defer close(g.done)
	backoff := time.Second
	for {
		p, err := smpp.Open(g.ctx, g.cfg)
		if err == nil {
			g.mu.Lock()
			g.pool, g.lastErr = p, nil
			g.mu.Unlock()
			close(g.ready)
			return
		}
		g.mu.Lock()
		g.lastErr = err
		g.mu.Unlock()
		if g.ctx.Err() != nil {
			return
		}
		g.deps.Log.Warn("smpp bind failed", "err", err, "retry_in", backoff)
		select {
		case <-time.After(backoff/2 + rand.N(backoff/2+1)):
		case <-g.ctx.Done():
			return
		}
		backoff = min(backoff*2, time.Minute)
	}
}

// Status is up while at least one bind is bound.
func (g *Gateway) Status() gateway.Status {
	g.mu.Lock()
	p, lastErr := g.pool, g.lastErr
	g.mu.Unlock()
	if p == nil {
		d := "binding"
		if lastErr != nil {
			d = "not bound: " + lastErr.Error()
		}
		return gateway.Status{Detail: d}
	}
	n := p.Bound()
	return gateway.Status{Up: n > 0, Binds: n, Detail: fmt.Sprintf("%d of %d binds bound", n, g.cfg.Binds)}
}

// Submit sends the message through the pool.
func (g *Gateway) Submit(ctx context.Context, m gateway.Message) ([]string, error) {
	g.mu.Lock()
	p := g.pool
	g.mu.Unlock()
	if p == nil {
		return nil, &gateway.Error{Action: gateway.Retry, Code: "not bound", Err: errors.New("smpp: not bound yet")}
	}
	to := strings.TrimPrefix(m.To, "+")
	ids, err := p.Submit(ctx, smpp.Message{To: to, Text: m.Text, ValidUntil: m.ValidUntil})
	if err != nil {
		return nil, classify(err, ids)
	}
	return ids, nil
}

// invalidNumber are refusals that say the destination itself is wrong:
// no other gateway would take it either.
var invalidNumber = []smpp.Status{smpp.ESME_RINVDSTADR, smpp.ESME_RINVDSTTON, smpp.ESME_RINVDSTNPI}

// badMessage are refusals of the message's form.
var badMessage = []smpp.Status{smpp.ESME_RINVMSGLEN, smpp.ESME_RINVESMCLASS, smpp.ESME_RINVOPTPARAMVAL, smpp.ESME_RINVEXPIRY}

// classify turns a pool error into the dispatcher's decision.
func classify(err error, accepted []string) *gateway.Error {
	ge := &gateway.Error{Err: err, Accepted: accepted}
	var se *smpp.SubmitError
	var ee *smpp.EncodeError
	switch {
	case errors.As(err, &se):
		ge.Code = se.Status.String()
		switch {
		case se.Temporary:
			ge.Action = gateway.Retry
		case slices.Contains(invalidNumber, se.Status):
			ge.Action, ge.Reason = gateway.Fail, gateway.ReasonInvalid
		case slices.Contains(badMessage, se.Status):
			ge.Action = gateway.Fail
		default:
			// The SMSC will not take it from us (source address, service
			// type, account limits): another gateway may.
			ge.Action = gateway.Failover
		}
	case errors.Is(err, smpp.ErrNoResponse):
		ge.Action, ge.Code = gateway.Uncertain, "no response"
	case errors.As(err, &ee):
		ge.Action, ge.Code = gateway.Fail, "encode"
	case errors.Is(err, smpp.ErrClosed), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		// The pool refused before writing: waiting for a bind or a
		// window slot, or closing.
		ge.Action, ge.Code = gateway.Retry, "not sent"
	default:
		ge.Action = gateway.Uncertain
	}
	return ge
}

func (g *Gateway) onReceipt(r smpp.Receipt) {
	st := gateway.Unknown
	switch r.State {
	case smpp.StateDelivered:
		st = gateway.Delivered
	case smpp.StateUndelivered:
		st = gateway.Undelivered
	case smpp.StateExpired:
		st = gateway.Expired
	case smpp.StateRejected:
		st = gateway.Rejected
	}
	reason := ""
	switch {
	case st == gateway.Expired:
		reason = gateway.ReasonExpired
	case (st == gateway.Undelivered || st == gateway.Rejected) && slices.Contains(g.opt.hardErrors, r.Err):
		reason = gateway.ReasonEmptyNumber
	}
	at := r.DoneDate
	if at.IsZero() {
		at = g.deps.Clock.Now()
	}
	g.deps.Sink.Receipt(gateway.Receipt{Gateway: g.name, ID: r.MessageID, State: st, Reason: reason, Err: r.Err, At: at})
}

func (g *Gateway) onMessage(mo smpp.MO) {
	from := mo.Source
	if mo.SourceTON == 1 && !strings.HasPrefix(from, "+") {
		from = "+" + from
	}
	at := mo.Received
	if at.IsZero() {
		at = g.deps.Clock.Now()
	}
	g.deps.Sink.Reply(gateway.Reply{Gateway: g.name, From: from, To: mo.Destination, Text: mo.Text, At: at, Incomplete: mo.Incomplete})
}

func (g *Gateway) onPDU(l smpp.PDULog) {
	dir := gateway.Out
	if l.Direction == smpp.Inbound {
		dir = gateway.In
	}
	raw := l.Hex
	g.deps.Trace(gateway.Exchange{At: l.Time, Direction: dir, Kind: "pdu", Failed: l.Status != smpp.ESME_ROK,
		Summary: fmt.Sprintf("bind %d seq %d %s", l.Bind, l.Sequence, l.Summary),
		Lazy:    func() string { return gateway.MaskHex(raw) }})
}

// Close unbinds and stops reconnecting.
func (g *Gateway) Close() error {
	g.cancel()
	<-g.done
	g.mu.Lock()
	p := g.pool
	g.mu.Unlock()
	if p != nil {
		return p.Close()
	}
	return nil
}
