package policy

import (
	"fmt"
	"strings"
	"time"
)

// Explain evaluates like EvaluateWith and also returns one line per rule,
// in rule order, each "RULE RESULT[ CODE]: detail" — for instance
// "quiet_hours defer quiet_hours: 21:30 in Asia/Shanghai is outside
// 08:00-20:00; next allowed 2025-06-02 08:00 Asia/Shanghai". RULE is
// consent, suppression, preference, a cap's name, quiet_hours or hygiene;
// RESULT is pass, fail, defer or n/a. It is for people (nudge why, the
// console), not for the hot path.
func Explain(r *Recipient, cat Category, now time.Time, rules *Rules, gateway *Window) (Decision, []string) {
	d := EvaluateWith(r, cat, now, rules, gateway)
	lines := make([]string, 0, d.n)
	for _, o := range d.Outcomes() {
		head := d.RuleName(o) + " " + o.Result.String()
		if o.Code != CodeNone {
			head += " " + d.CodeName(o)
		}
		lines = append(lines, head+": "+detail(r, cat, now, rules, gateway, o))
	}
	return d, lines
}

func detail(r *Recipient, cat Category, now time.Time, rules *Rules, gateway *Window, o Outcome) string {
	kind, _ := rules.Kind(cat)
	switch o.Rule {
	case RuleCategory:
		return fmt.Sprintf("%q is not in the category table", cat)
	case RuleConsent:
		switch o.Code {
		case CodeNone:
			if o.Result == NotApplicable {
				return fmt.Sprintf("%s messages need no marketing consent", kind)
			}
			return "opted in at " + stamp(r.ConsentAt) + ", source recorded"
		case CodeConsentOptedOut:
			return "the customer opted out of marketing"
		case CodeConsentPending:
			return "double opt-in requested, the confirming reply has not come"
		case CodeConsentUnproven:
			return "opted in, but the time or the source of the consent is not recorded"
		}
		return fmt.Sprintf("no recorded marketing consent (state %s)", r.Consent)
	case RuleSuppression:
		if o.Result == Fail {
			return "the number is on the suppression list: " + strings.TrimPrefix(o.Code.String(), "suppressed_")
		}
		if r.Suppressed != 0 {
			return fmt.Sprintf("suppressed for marketing only (%s); %s messages still go", suppressionText(r.Suppressed), kind)
		}
		return "the number is not on the suppression list"
	case RulePreference:
		switch o.Result {
		case NotApplicable:
			return "staff messages ignore customer preferences"
		case Fail:
			return fmt.Sprintf("the customer refused %s messages", cat)
		}
		return fmt.Sprintf("%s messages not refused", cat)
	case RuleCap:
		c := rules.caps[o.Cap]
		w := Duration(time.Duration(c.window) * time.Second)
		if o.Result == NotApplicable {
			return fmt.Sprintf("the cap counts %s only", c.label)
		}
		s := fmt.Sprintf("%d of at most %d %s queued in the last %s", o.Count, o.Limit, c.label, w)
		if o.Result == Fail {
			s += ": cap reached"
		}
		return s
	case RuleQuietHours:
		return quietDetail(r, now, rules, gateway, o, kind)
	case RuleHygiene:
		if o.Result == NotApplicable {
			if kind != Marketing {
				return fmt.Sprintf("%s messages are not held back for inactivity", kind)
			}
			return "the hygiene rule is off"
		}
		limit := Duration(time.Duration(rules.hygiene) * time.Second)
		if r.LastInteraction == 0 {
			return fmt.Sprintf("no interaction recorded (limit %s)", limit)
		}
		days := (now.Unix() - r.LastInteraction) / 86400
		return fmt.Sprintf("last interaction %s, %d days ago (limit %s)", stamp(r.LastInteraction), days, limit)
	}
	return ""
}

func quietDetail(r *Recipient, now time.Time, rules *Rules, gateway *Window, o Outcome, kind Kind) string {
	if o.Result == NotApplicable {
		return fmt.Sprintf("quiet hours do not apply to %s messages", kind)
	}
	w, zones := rules.QuietWindow(r, gateway)
	if o.Code == CodeQuietNoWindow {
		return "no minute is allowed: the shop's window and the gateway's do not overlap"
	}
	where := zoneText(r, zones)
	local := make([]string, len(zones))
	for i, z := range zones {
		local[i] = now.In(z).Format("15:04") + " " + z.String()
	}
	if o.Result == Pass {
		return fmt.Sprintf("%s within %s%s", strings.Join(local, ", "), w, where)
	}
	// Until is only kept when the verdict is defer; a suppressed message
	// still says when quiet hours would have let it go.
	until, _ := rules.nextAllowed(r, now, gateway)
	at := until.In(zones[0])
	return fmt.Sprintf("%s outside %s%s; next allowed %s %s", strings.Join(local, ", "), w, where,
		at.Format("2006-01-02 15:04"), zones[0])
}

func zoneText(r *Recipient, zones []*time.Location) string {
	if r.Location != nil || len(zones) < 2 {
		return ""
	}
	return fmt.Sprintf(" (zone unknown: must hold in all %d zones of %s)", len(zones), r.Country)
}

func stamp(unix int64) string {
	if unix == 0 {
		return "(unknown time)"
	}
	return time.Unix(unix, 0).UTC().Format(time.RFC3339)
}

func suppressionText(s Suppression) string {
	var out []string
	for _, r := range Reasons {
		if s&r.Bit() != 0 {
			out = append(out, string(r))
		}
	}
	return strings.Join(out, ", ")
}
