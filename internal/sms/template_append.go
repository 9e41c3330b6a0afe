package sms

import (
	"unicode"
	"unicode/utf8"
)

// FieldAppender is a Fields that can also write a value straight into the
// message being rendered. AppendRender prefers it: a value the Fields
// computes (a surname and title, a date, a number read from JSON) then
// never becomes a string of its own, which is an allocation per field per
// recipient in a campaign.
//
// AppendField appends to dst exactly what Field would return for name and
// reports the same ok; when ok is false it returns dst unchanged.
type FieldAppender interface {
	Fields
	AppendField(dst []byte, name string) ([]byte, bool)
}

// AppendRender appends the text Render would return to dst and returns the
// extended buffer: Render without the spans, for a sender that renders one
// template many times and reuses its buffer (a campaign's send loop; the
// spans serve the copy lint, which runs when a template is written). f is
// used through FieldAppender when it implements it.
//
// Values follow Render's rules: a value that is empty or only spaces
// counts as missing and its fallback applies; a field with neither is a
// *MissingFieldError naming the first one, and dst is then returned as it
// was given.
func (t *Template) AppendRender(dst []byte, f Fields) ([]byte, error) {
	start := len(dst)
	fa, _ := f.(FieldAppender)
	for _, c := range t.chunks {
		if c.field == nil {
			dst = append(dst, c.text...)
			continue
		}
		ref := c.field
		at := len(dst)
		var ok bool
		if fa != nil {
			dst, ok = fa.AppendField(dst, ref.Name)
		} else {
			var v string
			v, ok = f.Field(ref.Name)
			dst = append(dst, v...)
		}
		if ok && !blank(dst[at:]) {
			continue
		}
		dst = dst[:at]
		if !ref.HasFallback {
			return dst[:start], &MissingFieldError{Name: ref.Name, Pos: ref.Pos}
		}
		dst = append(dst, ref.Fallback...)
	}
	return dst, nil
}

// blank reports whether v is empty or only white space, as
// strings.TrimSpace(v) == "" does.
func blank(v []byte) bool {
	for i := 0; i < len(v); {
		r, n := rune(v[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRune(v[i:])
		}
		if !unicode.IsSpace(r) {
			return false
		}
		i += n
	}
	return true
}
