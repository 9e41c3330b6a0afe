package link

import (
	"net/http/httptest"
	"testing"
)

func TestAppendUTM(t *testing.T) {
	tests := []struct{ target, campaign, content, want string }{
		{"https://shop.example/p?id=1#reviews", "spring", "v1",
			"https://shop.example/p?id=1&utm_source=sms&utm_medium=nudge&utm_campaign=spring&utm_content=v1#reviews"},
		{"https://shop.example/p", "spring", "",
			"https://shop.example/p?utm_source=sms&utm_medium=nudge&utm_campaign=spring"},
		{"https://shop.example/", "", "",
			"https://shop.example/?utm_source=sms&utm_medium=nudge"},
		{"https://shop.example/p?", "c", "",
			"https://shop.example/p?utm_source=sms&utm_medium=nudge&utm_campaign=c"},
		{"https://shop.example/p?a=1&", "c", "",
			"https://shop.example/p?a=1&utm_source=sms&utm_medium=nudge&utm_campaign=c"},
		// The merchant's own utm_* values stay; ours fill the gaps.
		{"https://shop.example/p?utm_source=wechat&utm_campaign=618", "spring", "v2",
			"https://shop.example/p?utm_source=wechat&utm_campaign=618&utm_medium=nudge&utm_content=v2"},
		// Existing encoding is untouched; ours is query-escaped.
		{"https://shop.example/s?q=a%20b&x=%E7%8C%AB", "618 大促", "a&b",
			"https://shop.example/s?q=a%20b&x=%E7%8C%AB&utm_source=sms&utm_medium=nudge&utm_campaign=618+%E5%A4%A7%E4%BF%83&utm_content=a%26b"},
		{"https://shop.example/app#/item/9?tab=1", "c", "",
			"https://shop.example/app?utm_source=sms&utm_medium=nudge&utm_campaign=c#/item/9?tab=1"},
	}
	for _, tc := range tests {
		if got := AppendUTM(tc.target, tc.campaign, tc.content); got != tc.want {
			t.Errorf("AppendUTM(%q)\n got %s\nwant %s", tc.target, got, tc.want)
		}
	}
}

func TestClassify(t *testing.T) {
	const iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
	tests := []struct {
		method, ua string
		header     [2]string
		want       string
	}{
		{"GET", iphone, [2]string{}, ""},
		{"GET", "Mozilla/5.0 (Linux; Android 13; V2227A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/86.0.4240.99 XWEB/4317 MMWEBSDK/20221011 Mobile Safari/537.36 MMWEBID/1234 MicroMessenger/8.0.30.2260(0x28001E3B) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64", [2]string{}, ""},
		{"GET", "Mozilla/5.0 (Linux; Android 10; CUBOT P30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/90.0 Mobile Safari/537.36", [2]string{}, ""},
		{"GET", "Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 QQ/8.9.28.635 V1_IPH_SQ_8.9.28_1_APP_A Pixel/1170 MiniAppEnable SimpleUISwitch/0 StudyMode/0 CurrentMode/0 CurrentFontScale/1.000000 QQTheme/1000 Core/WKWebView Device/Apple(iPhone 13) NetType/WIFI QBWebViewType/1 WKType/1", [2]string{}, ""},
		{"HEAD", iphone, [2]string{}, "head"},
		{"GET", iphone, [2]string{"Purpose", "prefetch"}, "prefetch"},
		{"GET", iphone, [2]string{"Sec-Purpose", "prefetch;prerender"}, "prefetch"},
		{"GET", iphone, [2]string{"X-Purpose", "preview"}, "prefetch"},
		{"GET", "", [2]string{}, "no_user_agent"},
		{"GET", "WhatsApp/2.23.20.0 A", [2]string{}, "preview:whatsapp"},
		{"GET", "TelegramBot (like TwitterBot)", [2]string{}, "preview:telegram"},
		{"GET", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", [2]string{}, "preview:slack"},
		{"GET", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", [2]string{}, "preview:facebook"},
		{"GET", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", [2]string{}, "preview:google"},
		{"GET", "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)", [2]string{}, "preview:baidu"},
		{"GET", "WeChat/8.0.44.29 CFNetwork/1410.0.3 Darwin/22.6.0", [2]string{}, "preview:wechat"},
		{"GET", "QQ/8.9.80 CFNetwork/1410.0.3 Darwin/22.6.0", [2]string{}, "preview:qq"},
		{"GET", "curl/7.88.1", [2]string{}, "tool:curl"},
		{"GET", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36", [2]string{}, "crawler"},
		{"GET", "okhttp/4.9.0", [2]string{}, "non_browser"},
	}
	for _, tc := range tests {
		r := httptest.NewRequest(tc.method, "/l/abcdefgh", nil)
		r.Header.Set("User-Agent", tc.ua)
		if tc.header[0] != "" {
			r.Header.Set(tc.header[0], tc.header[1])
		}
		if got := Classify(r); got != tc.want {
			t.Errorf("%s %q %v: got %q, want %q", tc.method, tc.ua, tc.header, got, tc.want)
		}
	}
}

func TestTokens(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 10000; i++ {
		tok := newToken(8)
		if len(tok) != 8 || !validToken(tok) || seen[tok] {
			t.Fatalf("token %q (seen before: %v)", tok, seen[tok])
		}
		seen[tok] = true
	}
	for _, bad := range []string{"", "abc", "abcd-efgh", "abcdefgh/", "ab cdefgh", "文字文字文字"} {
		if validToken(bad) {
			t.Errorf("%q valid", bad)
		}
	}
}
