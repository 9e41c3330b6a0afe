// Package gateway is the contract between nudge's send path and the networks
// that carry SMS: the Gateway interface every carrier connection implements
// (SMPP, HTTP providers, the simulator), the typed send errors that tell the
// dispatcher what to do next, gateway configuration written as a URL, an
// explicit registry of constructors, routing by carrier, country prefix and
// category, the per-gateway interaction log, and the Manager that keeps the
// configured gateways running.
//
// Gateways know nothing of campaigns or customers: they take a number and a
// text, and report receipts and replies through a Sink.
package gateway

import (
	"context"
	"time"
)

// Message is one SMS handed to a gateway.
type Message struct {
	// ID is the outbox message id; gateways that can carry a reference of
	// ours (HTTP providers) send it along.
	ID       int64
	To       string // E.164, with the leading +
	Text     string
	Category string // transactional, marketing, staff
	Parts    int    // billed segments, as counted at enqueue
	// ValidUntil, when set, is the moment after which the network should
	// drop the message rather than deliver it (a flash sale that ended).
	ValidUntil time.Time
}

// Gateway submits messages to one carrier connection. Implementations are
// safe for concurrent use: the dispatcher keeps up to the configured window
// of submits in flight at once.
type Gateway interface {
	// Submit sends m and returns the gateway's id for each part, in order.
	// Errors should be *Error so that the dispatcher knows whether to
	// retry, fail, fail over or hold the message for review; any other
	// error is treated as Uncertain.
	Submit(ctx context.Context, m Message) ([]string, error)
	// Status reports whether the gateway can take submits now.
	Status() Status
	// Close stops the gateway and releases its connections.
	Close() error
}

// Status is a gateway's condition as the console shows it.
type Status struct {
	Up     bool   `json:"up"`
	Detail string `json:"detail,omitempty"` // why it is down, or the binds, in words
	Binds  int    `json:"binds,omitempty"`  // sessions bound now (SMPP)
}

// State is what a delivery receipt says about a message.
type State string

// Receipt states. Intermediate reports (en route, accepted) are Unknown and
// change nothing.
const (
	Delivered   State = "delivered"
	Undelivered State = "undelivered"
	Expired     State = "expired"
	Rejected    State = "rejected"
	Unknown     State = "unknown"
)

// Final reports whether s ends a message's life.
func (s State) Final() bool {
	return s == Delivered || s == Undelivered || s == Expired || s == Rejected
}

// Failure reasons that receipts and refusals carry, in nudge's vocabulary.
// Hard reasons mean the number itself cannot take messages; enough of them
// put the number on the suppression list.
const (
	ReasonEmptyNumber  = "empty_number"  // no such subscriber
	ReasonSwitchedOff  = "switched_off"  // handset off or out of coverage
	ReasonBlacklisted  = "blacklisted"   // the carrier or the user blocks us
	ReasonCarrierError = "carrier_error" // the network failed
	ReasonExpired      = "expired"       // validity passed before delivery
	ReasonInvalid      = "invalid_number"
)

// HardReason reports whether a failure reason means the number is unusable.
func HardReason(reason string) bool {
	return reason == ReasonEmptyNumber || reason == ReasonInvalid
}

// Receipt is a delivery report for one part of a submitted message.
type Receipt struct {
	Gateway string
	ID      string // the id Submit returned for the part
	State   State
	Reason  string // one of the Reason constants when known
	Err     string // the network's own error code, as written
	At      time.Time
}

// Reply is a message a customer sent to us (mobile originated).
type Reply struct {
	Gateway string
	// ID is the gateway's id for the reply when it has one; it makes a
	// redelivered reply recognisable.
	ID   string
	From string // the customer's number, E.164
	To   string // our number or short code
	Text string
	At   time.Time
	// Incomplete: some parts of a long reply never arrived.
	Incomplete bool
}

// Sink receives what gateways hear back. Calls come from gateway goroutines
// (an SMPP read loop, an HTTP hook handler) and must not block for long.
type Sink interface {
	Receipt(Receipt)
	Reply(Reply)
}

// SinkFuncs adapts two functions to a Sink; a nil function drops.
type SinkFuncs struct {
	OnReceipt func(Receipt)
	OnReply   func(Reply)
}

// Receipt calls OnReceipt.
func (s SinkFuncs) Receipt(r Receipt) {
	if s.OnReceipt != nil {
		s.OnReceipt(r)
	}
}

// Reply calls OnReply.
func (s SinkFuncs) Reply(r Reply) {
	if s.OnReply != nil {
		s.OnReply(r)
	}
}
