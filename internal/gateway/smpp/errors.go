package smpp

import (
	"errors"
	"fmt"
)

// DecodeError says why bytes are not a valid PDU: which field of which
// command, and at which byte offset from the start of the PDU the problem
// was found.
type DecodeError struct {
	Command CommandID // zero when the header itself could not be read
	Field   string
	Offset  int
	Reason  string
}

func (e *DecodeError) Error() string {
	if e.Command == 0 {
		return fmt.Sprintf("smpp: decode %s at byte %d: %s", e.Field, e.Offset, e.Reason)
	}
	return fmt.Sprintf("smpp: decode %s.%s at byte %d: %s", e.Command, e.Field, e.Offset, e.Reason)
}

// EncodeError says which field could not be encoded and why, typically a
// C-Octet string longer than its maximum.
type EncodeError struct {
	Command CommandID
	Field   string
	Reason  string
}

func (e *EncodeError) Error() string {
	return fmt.Sprintf("smpp: encode %s.%s: %s", e.Command, e.Field, e.Reason)
}

// SubmitError is a submit_sm refused by the SMSC with a non-zero status.
// Temporary says whether sending the same message again later may succeed,
// so that a dispatcher can decide between retry and failed without knowing
// SMPP status codes.
type SubmitError struct {
	Status    Status
	Temporary bool
	Part      int // 1-based index of the refused part of a long message
	Parts     int
}

func (e *SubmitError) Error() string {
	t := "permanent"
	if e.Temporary {
		t = "temporary"
	}
	return fmt.Sprintf("smpp: submit_sm part %d/%d refused: %s (%s)", e.Part, e.Parts, e.Status, t)
}

// BindError is a bind refused by the SMSC.
type BindError struct {
	Status Status
}

func (e *BindError) Error() string { return "smpp: bind refused: " + e.Status.String() }

var (
	// ErrClosed is returned by operations on a closed Pool.
	ErrClosed = errors.New("smpp: client closed")
	// ErrNoResponse means a request was written but its response never came
	// (timeout or lost connection). For submit_sm the SMSC may or may not have
	// accepted the message: a dispatcher that resends risks a duplicate.
	ErrNoResponse = errors.New("smpp: no response to request")
	// ErrConnLost means the session ended while a request was outstanding.
	ErrConnLost = errors.New("smpp: connection lost")
)
