package sms

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Template is a message text with personal fields, parsed once and rendered
// per customer. A field is written {{name}}; {{name|fallback}} renders the
// fallback when the customer has no value. Names are letters (any script),
// digits, '_' and '.', not starting with a digit; spaces around the name are
// allowed. The well-known names are surname_title, name, nickname, level,
// points, coupon and link; any other name is looked up the same way, as a
// customer attribute. Spaces around a fallback are trimmed too. A lone '{' or '}' is plain text; "{{" always opens a
// field, so a template cannot print a literal "{{".
type Template struct {
	src    string
	chunks []chunk
}

// chunk is either literal text or a field reference.
type chunk struct {
	text  string
	field *FieldRef
}

// FieldRef is one field in a template source.
type FieldRef struct {
	Name        string
	Fallback    string
	HasFallback bool
	Pos         Position // where "{{" starts
	End         int      // byte offset just past "}}"
}

// Position locates a point in a template source: Offset in bytes from the
// start, Line and Column counted from 1, Column in characters (runes) so
// that it matches what an editor shows for Chinese text.
type Position struct {
	Offset int `json:"offset"`
	Line   int `json:"line"`
	Column int `json:"column"`
}

func (p Position) String() string {
	return fmt.Sprintf("line %d, column %d (byte %d)", p.Line, p.Column, p.Offset)
}

// positions turns byte offsets of one source into Positions. Offsets are
// asked for in increasing order while parsing, so it walks the source once
// instead of from the start for every field.
type positions struct {
	src string
	at  Position
}

func newPositions(src string) *positions {
	return &positions{src: src, at: Position{Line: 1, Column: 1}}
}

// of returns the Position of byte offset off; off must not go backwards.
func (p *positions) of(off int) Position {
	for _, r := range p.src[p.at.Offset:off] {
		if r == '\n' {
			p.at.Line++
			p.at.Column = 1
		} else {
			p.at.Column++
		}
	}
	p.at.Offset = off
	return p.at
}

// ParseError says where a template source is malformed and what is wrong.
type ParseError struct {
	Pos Position
	Msg string
}

func (e *ParseError) Error() string { return fmt.Sprintf("template: %s: %s", e.Pos, e.Msg) }

// ParseTemplate parses src. Errors are *ParseError: an unclosed "{{", an
// empty field name, a character that cannot be part of a name, or a "{{"
// inside a fallback.
func ParseTemplate(src string) (*Template, error) {
	t := &Template{src: src}
	pos := newPositions(src)
	rest := 0
	for {
		i := strings.Index(src[rest:], "{{")
		if i < 0 {
			break
		}
		open := rest + i
		if open > rest {
			t.chunks = append(t.chunks, chunk{text: src[rest:open]})
		}
		j := strings.Index(src[open+2:], "}}")
		if j < 0 {
			return nil, &ParseError{pos.of(open), `unclosed "{{": no "}}" follows`}
		}
		closeAt := open + 2 + j
		ref, err := parseField(src, open, closeAt, pos)
		if err != nil {
			return nil, err
		}
		t.chunks = append(t.chunks, chunk{field: ref})
		rest = closeAt + 2
	}
	if rest < len(src) {
		t.chunks = append(t.chunks, chunk{text: src[rest:]})
	}
	return t, nil
}

// parseField reads the inside of one {{...}}: src[open+2:closeAt].
func parseField(src string, open, closeAt int, pos *positions) (*FieldRef, error) {
	inner := src[open+2 : closeAt]
	ref := &FieldRef{Pos: pos.of(open), End: closeAt + 2}
	name := inner
	if k := strings.IndexByte(inner, '|'); k >= 0 {
		// Spaces around the fallback are layout, like those around the name.
		name, ref.Fallback, ref.HasFallback = inner[:k], strings.Trim(inner[k+1:], " \t"), true
		if f := strings.Index(ref.Fallback, "{{"); f >= 0 {
			return nil, &ParseError{pos.of(open + 2 + k + 1 + f), `"{{" inside the fallback of a field`}
		}
	}
	lead := len(name) - len(strings.TrimLeft(name, " \t"))
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, &ParseError{ref.Pos, "empty field name"}
	}
	for k, r := range name {
		ok := r == '_' || unicode.IsLetter(r) || (k > 0 && (unicode.IsDigit(r) || r == '.'))
		if !ok {
			at := open + 2 + lead + k
			what := fmt.Sprintf("character %q cannot be part of a field name", r)
			if k == 0 && unicode.IsDigit(r) {
				what = fmt.Sprintf("field name %q starts with a digit", name)
			}
			return nil, &ParseError{pos.of(at), what}
		}
	}
	ref.Name = name
	return ref, nil
}

// Source returns the text the template was parsed from.
func (t *Template) Source() string { return t.src }

// Fields returns the fields of the template in source order.
func (t *Template) Fields() []FieldRef {
	var out []FieldRef
	for _, c := range t.chunks {
		if c.field != nil {
			out = append(out, *c.field)
		}
	}
	return out
}

// Fields supplies field values when a template renders. The caller decides
// where values come from (a customer row, an order, a coupon issued for
// this send); ok is false when there is no value.
type Fields interface {
	Field(name string) (value string, ok bool)
}

// MapFields is a Fields backed by a map, for tests, previews and the CLI.
type MapFields map[string]string

// Field returns m[name].
func (m MapFields) Field(name string) (string, bool) {
	v, ok := m[name]
	return v, ok
}

// MissingFieldError reports a field with no value and no fallback.
type MissingFieldError struct {
	Name string
	Pos  Position
}

func (e *MissingFieldError) Error() string {
	return fmt.Sprintf("template: field {{%s}} at %s has no value and no fallback", e.Name, e.Pos)
}

// Rendered is a rendered message and where each field's value landed in it.
type Rendered struct {
	Text  string
	Spans []FieldSpan
}

// FieldSpan is the place of one rendered field in Rendered.Text, in runes
// [Start, End). Fallback says the fallback was used; Link says the value
// contains a URL, which the link_in_field lint cares about.
type FieldSpan struct {
	Name     string
	Start    int
	End      int
	Fallback bool
	Link     bool
}

// LinkFields returns the names of the fields whose value held a URL, each
// once, in order of first appearance: feed them to LintOptions.LinkFields.
func (r Rendered) LinkFields() []string {
	var out []string
	for _, s := range r.Spans {
		if s.Link && !contains(out, s.Name) {
			out = append(out, s.Name)
		}
	}
	return out
}

// Render fills the fields from f. A value that is empty or only spaces
// counts as missing, so its fallback applies: "，您的订单" with no name is
// worse than "亲爱的会员，您的订单". A field with neither value nor fallback
// is a *MissingFieldError naming the first one.
func (t *Template) Render(f Fields) (string, error) {
	r, err := t.RenderSpans(f)
	return r.Text, err
}

// RenderSpans is Render that also reports where each field landed.
func (t *Template) RenderSpans(f Fields) (Rendered, error) {
	var b strings.Builder
	var out Rendered
	runes := 0
	for _, c := range t.chunks {
		if c.field == nil {
			b.WriteString(c.text)
			runes += utf8.RuneCountInString(c.text)
			continue
		}
		ref := c.field
		v, ok := f.Field(ref.Name)
		span := FieldSpan{Name: ref.Name, Start: runes}
		if !ok || strings.TrimSpace(v) == "" {
			if !ref.HasFallback {
				return Rendered{}, &MissingFieldError{Name: ref.Name, Pos: ref.Pos}
			}
			v, span.Fallback = ref.Fallback, true
		}
		b.WriteString(v)
		runes += utf8.RuneCountInString(v)
		span.End = runes
		span.Link = mayHoldURL(v) && containsURL(v)
		out.Spans = append(out.Spans, span)
	}
	out.Text = b.String()
	return out, nil
}

// mayHoldURL is a quick test that lets most values skip the URL pattern:
// every form it knows has a scheme's ':' or a '.' before www or a
// top-level domain, and a customer's level or name rarely has either.
func mayHoldURL(v string) bool { return strings.ContainsAny(v, ".:") }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
