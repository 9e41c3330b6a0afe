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
// A kind maps to a function writing a condition over the customer c that
// holds when such an event happened at or after a Unix time; a kind whose
// function is nil is known but not recorded, and compiling a rule that uses
// it fails with a "not available yet" error naming the condition, so that
// a segment can never silently match nobody. A new kind needs its function
// here and a store test with exact members (TestEngagementMembers).
//
// The three kinds read the tables of the delivery, link and inbound
// packages:
//
//   - messaged: a message to the customer was accepted by a gateway
//     (messages.submitted_at), found through messages_customer;
//   - clicked: a person (not a bot) clicked one of the customer's short
//     links (links.customer_id, link_click_counts.last_human_at);
//   - replied: a reply from the customer reached the inbox, whatever it
//     said (inbox.received_at; an opt-out is a reply too).
type engagementSource func(c *compiler, since int64) string

var engagementSources = map[string]engagementSource{
	"messaged": func(c *compiler, since int64) string {
		return "EXISTS (SELECT 1 FROM messages m WHERE m.customer_id = c.id AND m.submitted_at >= " + c.arg(since) + ")"
	},
	"clicked": func(c *compiler, since int64) string {
		return "EXISTS (SELECT 1 FROM links k JOIN link_click_counts n ON n.link_id = k.id WHERE k.customer_id = c.id AND n.last_human_at >= " +
			c.arg(since) + ")"
	},
	// The inbox has no index by customer: its few rows are read once for
	// all customers rather than once per customer.
	"replied": func(c *compiler, since int64) string {
		return "c.id IN (SELECT i.customer_id FROM inbox i WHERE i.customer_id IS NOT NULL AND i.received_at >= " + c.arg(since) + ")"
	},
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
	if k.Op == "not_within_last_days" {
		return "NOT (" + src(c, since) + ")", nil
	}
	return "(" + src(c, since) + ")", nil
}
