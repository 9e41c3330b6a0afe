package segment

import (
	"encoding/json"
	"sort"
	"strings"
)

// Engagement conditions ask whether a customer was messaged, clicked a link
// or replied within the last N days:
//
//	{"field": "engagement.clicked", "op": "within_last_days", "value": 30}
//	{"field": "engagement.replied", "op": "not_within_last_days", "value": 180}
//
// This is the extension point for the packages that record those events.
// A kind maps to a function writing the set of customer ids with such an
// event since a Unix time; while its value is nil the kind is known but
// compiling a rule that uses it fails with a "not available yet" error
// naming the condition, so a segment can never silently match nobody.
// To enable a kind, set its source here to a query over the table that
// records it, for example for clicks:
//
//	"clicked": func(c *compiler, since int64) string {
//		return "SELECT k.customer_id FROM link_clicks k WHERE k.bot = '' AND k.at >= " + c.arg(since)
//	},
//
// and add a store test with exact members, as for every other field.
type engagementSource func(c *compiler, since int64) string

var engagementSources = map[string]engagementSource{
	"messaged": nil, // messages sent (the outbox)
	"clicked":  nil, // short-link clicks
	"replied":  nil, // replies (inbound)
}

func (c *compiler) engagement(k *Condition) (string, error) {
	kind := strings.TrimPrefix(k.Field, "engagement.")
	src, known := engagementSources[kind]
	if !known {
		kinds := make([]string, 0, len(engagementSources))
		for name := range engagementSources {
			kinds = append(kinds, "engagement."+name)
		}
		sort.Strings(kinds)
		return "", ruleErr(k.Path+".field", "unknown field %q (engagement fields are %s)", k.Field, strings.Join(kinds, ", "))
	}
	if src == nil {
		return "", ruleErr(k.Path+".field", "%s is not available yet: nudge does not record this engagement in this version", k.Field)
	}
	if err := checkModifiers(k, 0); err != nil {
		return "", err
	}
	if k.Op != "within_last_days" && k.Op != "not_within_last_days" {
		return "", ruleErr(k.Path+".op", "field %s takes within_last_days or not_within_last_days", k.Field)
	}
	if err := c.needValue(k); err != nil {
		return "", err
	}
	var n int
	if err := json.Unmarshal(k.Value, &n); err != nil || n < 1 || n > 36600 {
		return "", ruleErr(valuePath(k), "must be a whole number of days from 1 to 36600")
	}
	since := c.today.AddDate(0, 0, -(n - 1)).Unix()
	in := "IN"
	if k.Op == "not_within_last_days" {
		in = "NOT IN"
	}
	return "(c.id " + in + " (" + src(c, since) + "))", nil
}
