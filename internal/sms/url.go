package sms

import "regexp"

// urlPattern finds links as they appear in SMS copy: with a scheme, with
// www., or a bare host under a common top-level domain (short-link hosts
// such as t.cn or dwz.cn; .example for the demo shop). It stops at whitespace and at CJK text, since
// Chinese copy often runs straight into or out of a link.
var urlPattern = regexp.MustCompile(`(?i)(?:https?://|www\.)[\x21-\x7E]+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|cn|net|org|io|me|cc|top|xyz|shop|link|ly|co|vip|club|info|app|site|example)(?:/[\x21-\x7E]*)?`)

// containsURL reports whether s holds a link.
func containsURL(s string) bool { return urlPattern.MatchString(s) }
