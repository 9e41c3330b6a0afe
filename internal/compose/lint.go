package compose

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"nudge/internal/sms"
)

// lint checks a composed message against the copy rules with the shop's
// brand and sensitive words. sms.Lint sees only the finished text, so the
// one rule that needs to know where fields landed, link_in_field (a
// customer field or per-message value holding a URL), is checked here from
// the render's spans. {{link}} itself is the personal short link and is
// not flagged.
func lint(text string, r sms.Rendered, st *Settings, marketing bool) []sms.Warning {
	ws := sms.Lint(text, sms.LintOptions{Marketing: marketing, Brand: st.Brand, SensitiveWords: st.SensitiveWords})
	var sig string
	if st.Brand != "" {
		sig = sms.Signature(st.Brand)
	}
	shift, from, to, ok := bodyPlace(r.Text, text, sig)
	added := false
	for _, sp := range r.Spans {
		if !sp.Link || sp.Name == fieldLink || !ok || sp.Start < from || sp.End > to {
			continue
		}
		ws = append(ws, sms.Warning{
			Code:      sms.CodeLinkInField,
			Message:   fmt.Sprintf("field {{%s}} holds a link; carriers reject templates whose links are variables", sp.Name),
			MessageZH: fmt.Sprintf("字段{{%s}}的值是链接，运营商审核常拒绝链接放在变量里", sp.Name),
			Start:     sp.Start + shift, End: sp.End + shift,
		})
		added = true
	}
	if added {
		sort.SliceStable(ws, func(i, j int) bool {
			if ws[i].Start != ws[j].Start {
				return ws[i].Start < ws[j].Start
			}
			return ws[i].End < ws[j].End
		})
	}
	return ws
}

// bodyPlace finds where the rendered body landed in the composed message:
// sms.Compose trims it and takes off a signature it already carried before
// adding its own. A rune offset i of rendered in [from, to) is i+shift in
// composed; ok is false when the body cannot be found (it then carries
// something Compose rewrote).
func bodyPlace(rendered, composed, sig string) (shift, from, to int, ok bool) {
	core := strings.TrimLeftFunc(rendered, unicode.IsSpace)
	lead := len(rendered) - len(core)
	core = strings.TrimRightFunc(core, unicode.IsSpace)
	if sig != "" {
		switch {
		case strings.HasPrefix(core, sig):
			after := strings.TrimPrefix(core, sig)
			rest := strings.TrimLeftFunc(after, unicode.IsSpace)
			lead += len(sig) + len(after) - len(rest)
			core = rest
		case strings.HasSuffix(core, sig):
			core = strings.TrimRightFunc(strings.TrimSuffix(core, sig), unicode.IsSpace)
		}
	}
	search := 0
	if sig != "" && strings.HasPrefix(composed, sig) {
		search = len(sig)
	}
	at := strings.Index(composed[search:], core)
	if at < 0 {
		return 0, 0, 0, false
	}
	at += search
	from = utf8.RuneCountInString(rendered[:lead])
	to = from + utf8.RuneCountInString(core)
	return utf8.RuneCountInString(composed[:at]) - from, from, to, true
}

// Lint checks template source src as it will be sent: each {{link}}
// replaced by a short link of the real length, composed with the shop's
// signature and, for a marketing category, its opt-out line, then linted
// with the shop's brand and sensitive words. It returns that text, which
// the warnings' positions index (a position inside another field covers
// the whole {{...}}).
func (s *Service) Lint(src, category, locale string) (string, []sms.Warning, error) {
	marketing, err := s.isMarketing(category)
	if err != nil {
		return "", nil, err
	}
	st := s.settings.Load()
	if locale == "" {
		locale = st.DefaultLocale
	}
	text := sms.Compose(s.withLinks(src), sms.ComposeOptions{Brand: st.Brand, Suffix: st.suffix(), Marketing: marketing,
		OptOut: st.optOutFor(locale), Locale: locale})
	ws := sms.Lint(text, sms.LintOptions{Marketing: marketing, Brand: st.Brand, SensitiveWords: st.SensitiveWords})
	return text, ws, nil
}

// withLinks replaces each {{link}} of src by the placeholder short link. A
// source that does not parse is linted as it is, like sms.Lint does.
func (s *Service) withLinks(src string) string {
	p, err := s.cache.get(src)
	if err != nil || p.link == nil {
		return src
	}
	var b strings.Builder
	last := 0
	for _, f := range p.tpl.Fields() {
		if f.Name == fieldLink {
			b.WriteString(src[last:f.Pos.Offset])
			b.WriteString(s.placeholder)
			last = f.End
		}
	}
	b.WriteString(src[last:])
	return b.String()
}

func runeCount(s string) int { return utf8.RuneCountInString(s) }
