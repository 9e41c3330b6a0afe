package smpp

import (
	"crypto/tls"
	"errors"
	"log/slog"
	"time"

	"nudge/internal/clock"
)

// Config configures a Pool. Zero values take the defaults documented on
// each field; parsing a gateway URL into a Config is done by the gateway
// layer.
type Config struct {
	Addr       string // host:port of the SMSC; required
	SystemID   string // required, at most 15 octets
	Password   string // at most 8 octets
	SystemType string
	Bind       BindType // default Transceiver
	// AddrTON, AddrNPI and AddressRange go into the bind; most SMSCs
	// ignore them.
	AddrTON, AddrNPI uint8
	AddressRange     string

	TLS *tls.Config // non-nil: connect with TLS

	Binds  int     // sessions kept open at once; default 1
	Window int     // outstanding submit_sm per session before Submit blocks; default 10
	Rate   float64 // submits per second across all binds; 0 = unlimited

	EnquireInterval time.Duration // enquire_link period; default 30s
	ResponseTimeout time.Duration // wait for any response (and for connect); default 10s
	ReconnectMin    time.Duration // first reconnect delay; default 1s
	ReconnectMax    time.Duration // reconnect delay cap; default 1m
	// ThrottlePause is how long every sender waits after ESME_RTHROTTLED or
	// ESME_RMSGQFUL before the refused submit is tried again; default 1s.
	ThrottlePause time.Duration
	// ReassemblyTimeout is how long the parts of a concatenated MO are held
	// before what arrived is handed over as incomplete; default 5m.
	ReassemblyTimeout time.Duration

	LongMode LongMode // default LongUDH
	Packed   bool     // GSM-7 packed 7 bits per character instead of one per octet

	SourceAddr           string // sender id or number; default empty (the SMSC's choice)
	SourceTON, SourceNPI uint8
	DestTON, DestNPI     uint8 // type of the destination numbers; default 1/1 (international, E.164)
	ServiceType          string
	// NoReceipts stops asking for delivery receipts (registered_delivery 0
	// instead of 1).
	NoReceipts bool

	// OnReceipt and OnMessage receive delivery receipts and customer
	// replies. They run on the session's read loop and the deliver_sm is
	// acknowledged when they return, so they should hand the value on (to a
	// store or a queue) rather than do slow work; a crash before they return
	// makes the SMSC deliver again instead of losing it. With several binds
	// they are called from several goroutines at once.
	OnReceipt func(Receipt)
	OnMessage func(MO)
	// OnPDU receives every PDU sent or received, for the interaction log.
	// The bind password is never in it; phone numbers are, so the log must
	// be stored like other personal data. Called from several goroutines.
	OnPDU func(PDULog)

	Clock  clock.Clock  // time for MO reassembly; default clock.System
	Logger *slog.Logger // operational log; default slog.Default()
}

func (c Config) withDefaults() (Config, error) {
	if c.Addr == "" {
		return c, errors.New("smpp: config: Addr is required")
	}
	if c.SystemID == "" {
		return c, errors.New("smpp: config: SystemID is required")
	}
	if len(c.SystemID) >= maxSystemID || len(c.Password) >= maxPassword || len(c.SystemType) >= maxSystemType {
		return c, errors.New("smpp: config: SystemID, Password or SystemType too long for SMPP 3.4 (15, 8, 12 octets)")
	}
	if c.Binds <= 0 {
		c.Binds = 1
	}
	if c.Window <= 0 {
		c.Window = 10
	}
	if c.Rate < 0 {
		return c, errors.New("smpp: config: Rate must not be negative")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.EnquireInterval, 30*time.Second)
	def(&c.ResponseTimeout, 10*time.Second)
	def(&c.ReconnectMin, time.Second)
	def(&c.ReconnectMax, time.Minute)
	def(&c.ThrottlePause, time.Second)
	def(&c.ReassemblyTimeout, 5*time.Minute)
	if c.ReconnectMax < c.ReconnectMin {
		c.ReconnectMax = c.ReconnectMin
	}
	if c.DestTON == 0 && c.DestNPI == 0 {
		c.DestTON, c.DestNPI = 1, 1
	}
	if c.Clock == nil {
		c.Clock = clock.System{}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	c.Logger = c.Logger.With("component", "smpp", "addr", c.Addr)
	return c, nil
}
