package link

import (
	"net/http"
	"strings"
)

// Classify tells a person's click from a machine's fetch. It returns "" for
// a person and otherwise what fetched the link:
//
//   - "head": a HEAD request (link checkers, some previewers);
//   - "prefetch": a browser prefetch or prerender announced by a Purpose,
//     Sec-Purpose, X-Purpose or X-Moz header;
//   - "no_user_agent": no User-Agent at all, which no browser does;
//   - "preview:NAME": a known link-preview bot or crawler (WeChat, QQ,
//     WhatsApp, Telegram, Slack, Facebook, Twitter, Googlebot, Baidu...);
//   - "tool:NAME": curl, wget, python-requests, Go's client;
//   - "crawler": an unnamed bot, crawler, spider or headless browser;
//   - "non_browser": a User-Agent that is not a browser's (every browser,
//     WeChat's and QQ's in-app ones included, starts with "Mozilla/" or
//     "Opera/"): scripts and the native HTTP stacks that
//     messaging apps use to fetch previews ("WeChat/8.0 CFNetwork/...").
//
// A person opening the link in WeChat's or QQ's in-app browser (MicroMessenger,
// QQ/MQQBrowser inside a Mozilla string) is a person.
func Classify(r *http.Request) string {
	if r.Method == http.MethodHead {
		return "head"
	}
	for _, h := range [...]string{"Purpose", "Sec-Purpose", "X-Purpose", "X-Moz"} {
		if v := strings.ToLower(r.Header.Get(h)); strings.Contains(v, "prefetch") || strings.Contains(v, "prerender") || strings.Contains(v, "preview") {
			return "prefetch"
		}
	}
	return ClassifyUserAgent(r.UserAgent())
}

// previewBots maps a lowercase User-Agent fragment to what Classify returns.
var previewBots = []struct{ token, kind string }{
	{"facebookexternalhit", "preview:facebook"}, {"facebot", "preview:facebook"}, {"meta-externalagent", "preview:facebook"},
	// Telegram's bot says it is "like TwitterBot": it must come first.
	{"telegrambot", "preview:telegram"}, {"twitterbot", "preview:twitter"}, {"slackbot", "preview:slack"},
	{"slack-imgproxy", "preview:slack"}, {"whatsapp", "preview:whatsapp"}, {"discordbot", "preview:discord"},
	{"linkedinbot", "preview:linkedin"}, {"skypeuripreview", "preview:skype"}, {"viber", "preview:viber"},
	{"googlebot", "preview:google"}, {"google-inspectiontool", "preview:google"}, {"bingbot", "preview:bing"},
	{"baiduspider", "preview:baidu"}, {"yisouspider", "preview:shenma"}, {"sogou", "preview:sogou"}, {"360spider", "preview:360"},
	{"bytespider", "preview:bytedance"}, {"petalbot", "preview:petal"}, {"applebot", "preview:apple"}, {"yandex", "preview:yandex"},
	{"pinterest", "preview:pinterest"}, {"redditbot", "preview:reddit"}, {"embedly", "preview:embedly"}, {"iframely", "preview:iframely"},
	{"curl/", "tool:curl"}, {"wget/", "tool:wget"}, {"python-requests", "tool:python"}, {"go-http-client", "tool:go"},
}

// ClassifyUserAgent is Classify for the User-Agent alone.
func ClassifyUserAgent(ua string) string {
	if strings.TrimSpace(ua) == "" {
		return "no_user_agent"
	}
	l := strings.ToLower(ua)
	for _, b := range previewBots {
		if strings.Contains(l, b.token) {
			return b.kind
		}
	}
	// WeChat's and QQ's own fetchers name themselves without the in-app
	// browser's MicroMessenger / Mozilla.
	if strings.Contains(l, "wechat") && !strings.Contains(l, "micromessenger") {
		return "preview:wechat"
	}
	if strings.HasPrefix(l, "qq/") || strings.Contains(l, "qq-url") {
		return "preview:qq"
	}
	for _, s := range [...]string{"bot/", "bot;", "crawler", "spider", "headlesschrome", "preview", "lighthouse"} {
		if strings.Contains(l, s) {
			return "crawler"
		}
	}
	if !strings.HasPrefix(l, "mozilla/") && !strings.HasPrefix(l, "opera/") {
		return "non_browser"
	}
	return ""
}
