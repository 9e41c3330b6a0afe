package policy

import "time"

// Evaluate decides whether r may get a message of category cat at now,
// under rules. It is pure (no I/O, no clock) and allocates nothing. Every
// rule is evaluated, even after one has failed, so that the decision
// explains itself in full: a suppress wins over a defer, a defer over an
// allow. An unknown category suppresses.
func Evaluate(r *Recipient, cat Category, now time.Time, rules *Rules) Decision {
	return evaluate(r, cat, now, rules, nil)
}

// EvaluateWith is Evaluate with a gateway's own sending window, which
// narrows the quiet-hours window (a gateway can make the window shorter,
// never longer than the shop's rule).
func EvaluateWith(r *Recipient, cat Category, now time.Time, rules *Rules, gateway *Window) Decision {
	return evaluate(r, cat, now, rules, gateway)
}

func evaluate(r *Recipient, cat Category, now time.Time, rules *Rules, gateway *Window) Decision {
	d := Decision{rules: rules}
	cr, ok := rules.cats[cat]
	if !ok {
		d.add(Outcome{Rule: RuleCategory, Result: Fail, Code: CodeUnknownCategory})
		return d
	}
	marketing := cr.kind == kMarketing
	unix := now.Unix()

	// Consent: marketing needs an opt-in recorded with its time and source.
	o := Outcome{Rule: RuleConsent, Result: NotApplicable}
	if marketing {
		o.Result = Fail
		switch {
		case r.Consent == ConsentOptedOut:
			o.Code = CodeConsentOptedOut
		case r.Consent == ConsentPending:
			o.Code = CodeConsentPending
		case r.Consent != ConsentOptedIn:
			o.Code = CodeConsentMissing
		case r.ConsentAt == 0 || !r.ConsentSourced:
			o.Code = CodeConsentUnproven
		default:
			o.Result = Pass
		}
	}
	d.add(o)

	// Suppression: hard reasons stop every kind, soft ones marketing only.
	o = Outcome{Rule: RuleSuppression, Result: Pass}
	s := r.Suppressed
	if !marketing {
		s &= hardSuppression
	}
	switch {
	case s&SuppressedManual != 0:
		o.Result, o.Code = Fail, CodeSuppressedManual
	case s&SuppressedInvalidNumber != 0:
		o.Result, o.Code = Fail, CodeSuppressedInvalidNumber
	case s&SuppressedComplaint != 0:
		o.Result, o.Code = Fail, CodeSuppressedComplaint
	case s&SuppressedOptedOut != 0:
		o.Result, o.Code = Fail, CodeSuppressedOptedOut
	}
	d.add(o)

	// Preference: staff messages are the shop's own business.
	o = Outcome{Rule: RulePreference, Result: NotApplicable}
	if cr.kind != kStaff {
		o.Result = Pass
		if r.Refused&(1<<cr.bit) != 0 {
			o.Result, o.Code = Fail, CodePreferenceRefused
		}
	}
	d.add(o)

	// Frequency caps: counts of messages already queued in each window.
	for i := range rules.caps {
		c := &rules.caps[i]
		o = Outcome{Rule: RuleCap, Result: NotApplicable, Cap: uint8(i), Count: r.Sent[i], Limit: c.max}
		if cr.caps&(1<<i) != 0 {
			o.Result = Pass
			if r.Sent[i] >= c.max {
				o.Result, o.Code = Fail, CodeCap
			}
		}
		d.add(o)
	}

	// Quiet hours: defer to the next allowed minute in the recipient's zone.
	o = Outcome{Rule: RuleQuietHours, Result: NotApplicable}
	if rules.quietOn[cr.kind] {
		o.Result = Pass
		until, ok := rules.nextAllowed(r, now, gateway)
		switch {
		case !ok:
			o.Result, o.Code = Fail, CodeQuietNoWindow
		case until.After(now):
			o.Result, o.Code = Deferred, CodeQuietHours
			d.Until = until
		}
	}
	d.add(o)

	// Hygiene: no interaction for too long leaves marketing audiences.
	o = Outcome{Rule: RuleHygiene, Result: NotApplicable}
	if marketing && rules.hygiene > 0 {
		o.Result = Pass
		if r.LastInteraction == 0 || unix-r.LastInteraction > rules.hygiene {
			o.Result, o.Code = Fail, CodeInactive
		}
	}
	d.add(o)

	if d.Verdict != Defer {
		d.Until = time.Time{}
	}
	return d
}
