package sms

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// compoundSurnames are two-character Chinese surnames. A name that starts
// with one of them keeps both characters in its title: 欧阳娜娜 -> 欧阳女士.
var compoundSurnames = []string{
	"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐",
	"长孙", "宇文", "夏侯", "轩辕", "端木", "司徒", "司空", "西门", "南宫", "独孤",
	"澹台", "公冶", "宗政", "濮阳", "淳于", "单于", "太叔", "申屠", "钟离", "闻人",
	"赫连", "百里", "呼延", "万俟", "拓跋", "第五", "左丘", "东郭", "子车", "谷梁",
}

// SurnameTitle addresses a customer politely. locale "en..." gives the last
// word of the name with Ms/Mr (Jane Smith -> Ms Smith); any other locale,
// including the empty one, follows zh-CN: surname (compound surnames kept
// whole) + 女士 or 先生 (王芳 -> 王女士, 欧阳修 -> 欧阳先生).
//
// gender f, female, w, woman, 女 means 女士/Ms; m, male, man, 男 means
// 先生/Mr, case-insensitively. Any other value (unknown, empty, other) gives
// the full name alone: guessing a title wrongly offends, and addressing
// someone by full name is the neutral polite form in Chinese and English
// alike, so the neutral form adds no word. The caller's template can still
// say "{{surname_title}}，您好" either way. A name that already ends in
// 女士/先生 is returned as is; an empty name gives "" so that a template
// fallback applies.
func SurnameTitle(name, gender, locale string) string {
	head, tail := surnameTitle(name, gender, locale)
	return head + tail
}

// AppendSurnameTitle appends SurnameTitle(name, gender, locale) to dst, for
// a renderer that writes the value straight into the message.
func AppendSurnameTitle(dst []byte, name, gender, locale string) []byte {
	head, tail := surnameTitle(name, gender, locale)
	return append(append(dst, head...), tail...)
}

// surnameTitle returns SurnameTitle in two pieces, so that neither form
// has to build the other: "王"+"女士", "Ms "+"Smith", or the name and "".
func surnameTitle(name, gender, locale string) (head, tail string) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", ""
	}
	if strings.HasSuffix(name, "女士") || strings.HasSuffix(name, "先生") {
		return name, ""
	}
	female, male := false, false
	switch strings.ToLower(strings.TrimSpace(gender)) {
	case "f", "female", "w", "woman", "女":
		female = true
	case "m", "male", "man", "男":
		male = true
	}
	if !female && !male {
		return name, ""
	}
	if isEnglish(locale) {
		if female {
			return "Ms ", surname(name)
		}
		return "Mr ", surname(name)
	}
	if female {
		return surname(name), "女士"
	}
	return surname(name), "先生"
}

// isEnglish reports whether locale asks for English (en, en-US, en_GB ...).
func isEnglish(locale string) bool {
	// EqualFold instead of ToLower: "zh-CN" would be copied to lower case
	// on every message.
	if len(locale) < 2 || !strings.EqualFold(locale[:2], "en") {
		return false
	}
	return len(locale) == 2 || locale[2] == '-' || locale[2] == '_'
}

// surname picks the family name: for a name written in Han characters the
// first one (or two for a compound surname), for any other name its last
// word.
func surname(name string) string {
	first, size := utf8.DecodeRuneInString(name)
	if unicode.Is(unicode.Han, first) {
		for _, c := range compoundSurnames {
			if strings.HasPrefix(name, c) {
				return c
			}
		}
		return name[:size]
	}
	// The last word: name is trimmed, so it ends in one.
	i := strings.LastIndexFunc(name, unicode.IsSpace)
	if i < 0 {
		return name
	}
	_, size = utf8.DecodeRuneInString(name[i:])
	return name[i+size:]
}
