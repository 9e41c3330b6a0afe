package policy

import (
	"strings"
	"time"
)

// Verdict is what a decision says to do with a message.
type Verdict uint8

// The three verdicts.
const (
	Allow Verdict = iota
	// Defer means send at Decision.Until, not before; never drop.
	Defer
	// Suppress means do not send this message.
	Suppress
)

func (v Verdict) String() string {
	switch v {
	case Defer:
		return "defer"
	case Suppress:
		return "suppress"
	}
	return "allow"
}

// Rule names one check of a decision.
type Rule uint8

// The rules, in the order a decision lists them.
const (
	RuleCategory Rule = iota // only listed when the category is unknown
	RuleConsent
	RuleSuppression
	RulePreference
	RuleCap
	RuleQuietHours
	RuleHygiene
)

var ruleNames = [...]string{"category", "consent", "suppression", "preference", "cap", "quiet_hours", "hygiene"}

func (r Rule) String() string { return ruleNames[r] }

// Result is how one rule came out.
type Result uint8

// Rule results.
const (
	Pass Result = iota
	Fail
	Deferred
	// NotApplicable: the rule does not apply to this kind of message.
	NotApplicable
)

var resultNames = [...]string{"pass", "fail", "defer", "n/a"}

func (r Result) String() string { return resultNames[r] }

// Code says why a rule failed or deferred; the strings are stable and are
// what the decision log stores.
type Code uint8

// Reason codes. CodeCap is written as the cap's name ("cap_7d").
const (
	CodeNone Code = iota
	CodeUnknownCategory
	CodeConsentMissing
	CodeConsentPending
	CodeConsentOptedOut
	CodeConsentUnproven
	CodeSuppressedOptedOut
	CodeSuppressedComplaint
	CodeSuppressedInvalidNumber
	CodeSuppressedManual
	CodePreferenceRefused
	CodeCap
	CodeQuietHours
	CodeQuietNoWindow
	CodeInactive
)

var codeNames = [...]string{"", "unknown_category", "consent_missing", "consent_pending", "consent_opted_out",
	"consent_unproven", "suppressed_opted_out", "suppressed_complaint", "suppressed_invalid_number",
	"suppressed_manual", "preference_refused", "cap", "quiet_hours", "quiet_hours_no_window", "inactive"}

func (c Code) String() string { return codeNames[c] }

// Outcome is one rule's result within a decision.
type Outcome struct {
	Rule   Rule
	Result Result
	Code   Code
	// Cap is the index of the cap (RuleCap only); Count and Limit are the
	// messages already queued in its window and its maximum.
	Cap   uint8
	Count uint16
	Limit uint16
}

const maxOutcomes = 6 + MaxCaps

// Decision is the answer for one recipient, category and time: the verdict
// and every rule's outcome. It is a value with no pointers to the heap
// beyond the Rules it was made with, so deciding allocates nothing.
type Decision struct {
	Verdict Verdict
	// Until is when a deferred message may go (UTC); zero otherwise.
	Until    time.Time
	n        uint8
	outcomes [maxOutcomes]Outcome
	rules    *Rules
}

func (d *Decision) add(o Outcome) {
	d.outcomes[d.n] = o
	d.n++
	switch {
	case o.Result == Fail:
		d.Verdict = Suppress
	case o.Result == Deferred && d.Verdict == Allow:
		d.Verdict = Defer
	}
}

// Outcomes returns each rule's outcome, in rule order.
func (d *Decision) Outcomes() []Outcome { return d.outcomes[:d.n] }

// CodeName returns the stable name of an outcome's code ("quiet_hours",
// "cap_7d"), "" for a pass.
func (d *Decision) CodeName(o Outcome) string {
	if o.Code == CodeCap && d.rules != nil && int(o.Cap) < len(d.rules.caps) {
		return d.rules.caps[o.Cap].name
	}
	return o.Code.String()
}

// RuleName returns the stable name of an outcome's rule ("consent",
// "cap_7d", "quiet_hours").
func (d *Decision) RuleName(o Outcome) string {
	if o.Rule == RuleCap && d.rules != nil && int(o.Cap) < len(d.rules.caps) {
		return d.rules.caps[o.Cap].name
	}
	return o.Rule.String()
}

// Codes returns the codes of the rules that failed or deferred, in rule
// order: what the decision log stores.
func (d *Decision) Codes() []string {
	var out []string
	for _, o := range d.Outcomes() {
		if o.Result == Fail || o.Result == Deferred {
			out = append(out, d.CodeName(o))
		}
	}
	return out
}

// codesText joins Codes with commas, for the decision log.
func (d *Decision) codesText() string { return strings.Join(d.Codes(), ",") }
