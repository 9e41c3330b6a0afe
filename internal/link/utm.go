package link

import (
	"net/url"
	"strings"
)

// AppendUTM returns target with utm_source=sms, utm_medium=nudge,
// utm_campaign and utm_content (the last two only when not empty) appended
// to its query string.
//
// The target is edited as text, not re-encoded: the path, the existing
// query (its order, its encoding) and the fragment stay byte for byte as
// the merchant wrote them, and the parameters go before the fragment
// (https://shop.example/p?id=1#reviews becomes
// https://shop.example/p?id=1&utm_source=sms&...#reviews).
//
// A utm_* parameter the target already has is kept and not added again:
// the merchant who wrote utm_campaign=618 into the link chose that name for
// their analytics on purpose, and two values for one key would leave the
// analytics tool to pick one.
func AppendUTM(target, campaign, content string) string {
	base, frag, hasFrag := strings.Cut(target, "#")
	path, query, _ := strings.Cut(base, "?")
	have, _ := url.ParseQuery(query) // a malformed pair only hides itself
	var b strings.Builder
	b.Grow(len(target) + 80 + len(campaign) + len(content))
	b.WriteString(path)
	b.WriteByte('?')
	b.WriteString(query)
	sep := query != "" && !strings.HasSuffix(query, "&")
	add := func(k, v string) {
		if v == "" || have.Has(k) {
			return
		}
		if sep {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(v))
		sep = true
	}
	add("utm_source", "sms")
	add("utm_medium", "nudge")
	add("utm_campaign", campaign)
	add("utm_content", content)
	out := b.String()
	if strings.HasSuffix(out, "?") {
		out = out[:len(out)-1] // nothing to add and no query: leave no bare '?'
	}
	if hasFrag {
		out += "#" + frag
	}
	return out
}
