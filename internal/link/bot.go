package link

import (
	"bytes"
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
var previewBots = []struct {
	token []byte
	kind  string
}{
	{[]byte("facebookexternalhit"), "preview:facebook"}, {[]byte("facebot"), "preview:facebook"}, {[]byte("meta-externalagent"), "preview:facebook"},
	// Telegram's bot says it is "like TwitterBot": it must come first.
	{[]byte("telegrambot"), "preview:telegram"}, {[]byte("twitterbot"), "preview:twitter"}, {[]byte("slackbot"), "preview:slack"},
	{[]byte("slack-imgproxy"), "preview:slack"}, {[]byte("whatsapp"), "preview:whatsapp"}, {[]byte("discordbot"), "preview:discord"},
	{[]byte("linkedinbot"), "preview:linkedin"}, {[]byte("skypeuripreview"), "preview:skype"}, {[]byte("viber"), "preview:viber"},
	{[]byte("googlebot"), "preview:google"}, {[]byte("google-inspectiontool"), "preview:google"}, {[]byte("bingbot"), "preview:bing"},
	{[]byte("baiduspider"), "preview:baidu"}, {[]byte("yisouspider"), "preview:shenma"}, {[]byte("sogou"), "preview:sogou"}, {[]byte("360spider"), "preview:360"},
	{[]byte("bytespider"), "preview:bytedance"}, {[]byte("petalbot"), "preview:petal"}, {[]byte("applebot"), "preview:apple"}, {[]byte("yandex"), "preview:yandex"},
	{[]byte("pinterest"), "preview:pinterest"}, {[]byte("redditbot"), "preview:reddit"}, {[]byte("embedly"), "preview:embedly"}, {[]byte("iframely"), "preview:iframely"},
	{[]byte("curl/"), "tool:curl"}, {[]byte("wget/"), "tool:wget"}, {[]byte("python-requests"), "tool:python"}, {[]byte("go-http-client"), "tool:go"},
}

// ClassifyUserAgent is Classify for the User-Agent alone. It runs on every
// redirect, so it lowercases into a stack buffer and allocates nothing.
func ClassifyUserAgent(ua string) string {
	if strings.TrimSpace(ua) == "" {
		return "no_user_agent"
	}
	var buf [512]byte
	l := buf[:0]
	for i := 0; i < len(ua) && i < len(buf); i++ {
		c := ua[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		l = append(l, c)
	}
	for _, b := range previewBots {
		if bytes.Contains(l, b.token) {
			return b.kind
		}
	}
	// WeChat's and QQ's own fetchers name themselves without the in-app
	// browser's MicroMessenger / Mozilla.
	if bytes.Contains(l, []byte("wechat")) && !bytes.Contains(l, []byte("micromessenger")) {
		return "preview:wechat"
	}
	if bytes.HasPrefix(l, []byte("qq/")) || bytes.Contains(l, []byte("qq-url")) {
		return "preview:qq"
	}
	for _, s := range crawlerWords {
		if bytes.Contains(l, s) {
			return "crawler"
		}
	}
	if !bytes.HasPrefix(l, []byte("mozilla/")) && !bytes.HasPrefix(l, []byte("opera/")) {
		return "non_browser"
	}
	return ""
}

// crawlerWords mark an unnamed robot. "bot/" and "bot;" rather than "bot",
// which would also catch phones of the Cubot brand.
var crawlerWords = [][]byte{[]byte("bot/"), []byte("bot;"), []byte("crawler"), []byte("spider"),
	[]byte("headlesschrome"), []byte("preview"), []byte("lighthouse")}
