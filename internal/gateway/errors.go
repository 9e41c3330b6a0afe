package gateway

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Action is what the dispatcher does with a message after a failed submit.
type Action int

// Actions, from the safest to assume to the least.
const (
	// Uncertain: the submit may have reached the network and its answer
	// was lost. Resending risks a duplicate, so the message is held for
	// review unless the gateway is configured to resend.
	Uncertain Action = iota
	// Retry: nothing was accepted and the same submit may succeed later on
	// this gateway (throttling, a network error before sending, a
	// temporary refusal).
	Retry
	// Fail: the message can never be delivered as it is (invalid number,
	// text refused). Trying elsewhere would fail the same way.
	Fail
	// Failover: this gateway will not take the message (no route for the
	// number, account limits, gateway down); the next gateway may.
	Failover
)

func (a Action) String() string {
	switch a {
	case Retry:
		return "retry"
	case Fail:
		return "fail"
	case Failover:
		return "failover"
	}
	return "uncertain"
}

// Error is a failed submit, carrying the decision the dispatcher acts on.
type Error struct {
	Action Action
	// RetryAfter is the gateway's own hint (an HTTP Retry-After header);
	// zero leaves the backoff to the dispatcher.
	RetryAfter time.Duration
	// Code is the gateway's code in its own terms ("ESME_RINVDSTADR",
	// "http 503"), for the message log.
	Code string
	// Reason is a Reason constant when the failure says something about
	// the number, such as ReasonInvalid.
	Reason string
	// Accepted holds the ids of parts the gateway took before it refused a
	// later part: those parts must never be sent again.
	Accepted []string
	Err      error
}

func (e *Error) Error() string {
	s := "gateway: " + e.Action.String()
	if e.Code != "" {
		s += " (" + e.Code + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error with a formatted cause.
func Errorf(a Action, code, format string, args ...any) *Error {
	return &Error{Action: a, Code: code, Err: fmt.Errorf(format, args...)}
}

// Decide returns the action for err. An error that is not an *Error is
// Uncertain, unless it is a context error (the dispatcher is stopping:
// whether the submit left depends on the gateway, so Uncertain too). This
// makes a gateway that forgets to classify an error safe: the message is
// held, never silently duplicated.
func Decide(err error) *Error {
	var ge *Error
	if errors.As(err, &ge) {
		return ge
	}
	return &Error{Action: Uncertain, Err: err}
}

// NotSent wraps an error that happened before anything reached the network
// (dial failure, the context ending while waiting for a window slot): the
// message can be retried safely.
func NotSent(err error) *Error {
	code := "not sent"
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		code = "not sent: " + err.Error()
	}
	return &Error{Action: Retry, Code: code, Err: err}
}
