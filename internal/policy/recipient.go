package policy

import (
	"fmt"
	"time"
)

// Consent is a customer's marketing consent state.
type Consent uint8

// Consent states; the strings are those of the customers.consent column.
const (
	ConsentUnknown Consent = iota
	ConsentOptedIn
	ConsentOptedOut
	// ConsentPending waits for the reply that confirms a double opt-in.
	ConsentPending
)

var consentNames = [...]string{"unknown", "opted_in", "opted_out", "pending"}

func (c Consent) String() string {
	if int(c) < len(consentNames) {
		return consentNames[c]
	}
	return "unknown"
}

// ParseConsent reads a consent state as stored.
func ParseConsent(s string) (Consent, error) {
	for i, n := range consentNames {
		if n == s {
			return Consent(i), nil
		}
	}
	return ConsentUnknown, fmt.Errorf("consent %q is not unknown, opted_in, opted_out or pending", s)
}

// Suppression is the set of reasons a number is on the suppression list.
type Suppression uint8

// Suppression reasons. OptedOut and Complaint stop marketing only; a
// transactional or staff message still goes. InvalidNumber and Manual stop
// every message: they are the hard ones.
const (
	SuppressedOptedOut Suppression = 1 << iota
	SuppressedComplaint
	SuppressedInvalidNumber
	SuppressedManual

	hardSuppression = SuppressedInvalidNumber | SuppressedManual
)

// Reason is a suppression reason as stored and as typed on the command line.
type Reason string

// The suppression reasons.
const (
	ReasonOptedOut      Reason = "opted_out"
	ReasonInvalidNumber Reason = "invalid_number"
	ReasonComplaint     Reason = "complaint"
	ReasonManual        Reason = "manual"
)

// Reasons lists the suppression reasons, hardest first.
var Reasons = []Reason{ReasonManual, ReasonInvalidNumber, ReasonComplaint, ReasonOptedOut}

// Bit returns the Suppression bit of a reason, 0 for an unknown one.
func (r Reason) Bit() Suppression {
	switch r {
	case ReasonOptedOut:
		return SuppressedOptedOut
	case ReasonComplaint:
		return SuppressedComplaint
	case ReasonInvalidNumber:
		return SuppressedInvalidNumber
	case ReasonManual:
		return SuppressedManual
	}
	return 0
}

// Hard says whether the reason stops transactional messages too.
func (r Reason) Hard() bool { return r.Bit()&hardSuppression != 0 }

// ParseReason checks a suppression reason.
func ParseReason(s string) (Reason, error) {
	r := Reason(s)
	if r.Bit() == 0 {
		return "", fmt.Errorf("suppression reason %q is not opted_out, invalid_number, complaint or manual", s)
	}
	return r, nil
}

// Recipient is what the rules need to know about one customer (or one
// number that is not a customer: CustomerID 0). The loader fills it in bulk;
// Evaluate reads it without I/O. Times are Unix seconds, 0 when unknown.
type Recipient struct {
	CustomerID int64
	// Country is the ISO 3166 region of the number ("CN").
	Country string
	// Location is the customer's own zone; nil when unknown, in which case
	// quiet hours hold in every zone of Country.
	Location *time.Location
	Consent  Consent
	// ConsentAt and ConsentSourced say whether consent was recorded with
	// its time and source: marketing needs both.
	ConsentAt      int64
	ConsentSourced bool
	// LastInteraction is the latest order, human click, reply, registration
	// or consent.
	LastInteraction int64
	// Refused has a bit per refused category, in Rules.Categories order.
	Refused uint64
	// Suppressed is the union of the number's suppression reasons.
	Suppressed Suppression
	// Sent counts the messages queued within each cap's window, in
	// Rules.CapNames order, as of when the recipient was loaded.
	Sent [MaxCaps]uint16
}

// Refuse sets the preference bit of category c.
func (r *Recipient) Refuse(rules *Rules, c Category) {
	if b, ok := rules.Bit(c); ok {
		r.Refused |= b
	}
}

// CountSend adds a message of category cat to the recipient's cap counts,
// for a sender that decides several messages for the same recipient from
// one load (the counts are otherwise those of loading time).
func (r *Recipient) CountSend(rules *Rules, cat Category) {
	for i := range rules.caps {
		if rules.capCounts(cat, i) && r.Sent[i] < 65535 {
			r.Sent[i]++
		}
	}
}
