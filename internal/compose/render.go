package compose

import (
	"context"

	"nudge/internal/customer"
	"nudge/internal/sms"
)

// Renderer renders one template, as messages of one category, for one
// recipient after another: the inner loop of a campaign or a flow step. Its
// messages are exactly those Service.Render returns for the same template,
// category, customer and Extras (settings changed meanwhile included); it
// saves what repeats from one recipient to the next: the template lookup,
// the signature and opt-out line worked out from the settings, the
// customer's fields and the buffers the text is built in. With
// Extras.NoLint a render allocates once, for Message.Text, when the
// template's fields come from the customer and Extras.Values.
//
// A Renderer is not safe for concurrent use: give each worker its own.
type Renderer struct {
	s        *Service
	p        *parsed
	category string
	sc       scratch
}

// NewRenderer parses src (or takes it from the cache) and checks category,
// so that a campaign learns of a malformed template or an unknown category
// before its first recipient. Errors are those of Render.
func (s *Service) NewRenderer(src, category string) (*Renderer, error) {
	if src == "" {
		return nil, ErrNoText
	}
	p, err := s.cache.get(src)
	if err != nil {
		return nil, err
	}
	if _, err := s.isMarketing(category); err != nil {
		return nil, err
	}
	return &Renderer{s: s, p: p, category: category}, nil
}

// Render renders the template for customer c (nil for a number that is no
// customer's), as Service.Render does.
func (r *Renderer) Render(ctx context.Context, c *customer.Customer, x Extras) (Message, error) {
	return r.s.renderParsed(ctx, &r.sc, r.p, c, r.category, x, false)
}

// scratch is what a render keeps for the next one: the fields (their
// attribute index), the map of codes and links made for a message, the
// buffers the body and the message are built in, and the sms.Composer of
// the settings and locale it last composed for.
type scratch struct {
	f          Fields
	special    map[string]string
	body, text []byte
	st         *Settings
	locale     string
	marketing  bool
	comp       sms.Composer
}

// render is Render, or with preview set the same without drawing codes or
// making links, and with the name masked.
func (s *Service) render(ctx context.Context, src string, c *customer.Customer, category string, x Extras, preview bool) (Message, error) {
	if src == "" {
		return Message{}, ErrNoText
	}
	p, err := s.cache.get(src)
	if err != nil {
		return Message{}, err
	}
	sc, _ := s.scratch.Get().(*scratch)
	if sc == nil {
		sc = new(scratch)
	}
	defer s.scratch.Put(sc)
	return s.renderParsed(ctx, sc, p, c, category, x, preview)
}

// renderParsed renders p with sc's buffers. Without lint the body is
// rendered into sc.body and composed into sc.text, and only the finished
// text becomes a string; the lint needs the spans of the fields, so with it
// the body is rendered with sms.Template.RenderSpans.
func (s *Service) renderParsed(ctx context.Context, sc *scratch, p *parsed, c *customer.Customer, category string, x Extras, preview bool) (Message, error) {
	marketing, err := s.isMarketing(category)
	if err != nil {
		return Message{}, err
	}
	st := s.settings.Load()
	if x.Locale == "" {
		x.Locale = st.DefaultLocale
	}
	if sc.st != st || sc.locale != x.Locale || sc.marketing != marketing {
		// Settings changed, or another locale or kind: optOutFor parses
		// locales, which is worth doing once rather than per message.
		sc.comp = sms.NewComposer(sms.ComposeOptions{Brand: st.Brand, Suffix: st.suffix(), Marketing: marketing,
			OptOut: st.optOutFor(x.Locale), Locale: x.Locale})
		sc.st, sc.locale, sc.marketing = st, x.Locale, marketing
	}

	sc.f.attrs.reset()
	sc.f = Fields{c: c, locale: x.Locale, values: x.Values, now: s.clock.Now(), loc: s.location(), maskName: preview, attrs: sc.f.attrs}
	// Drop the references to this customer and message when done, so
	// that a pooled scratch does not keep them alive.
	defer func() {
		sc.f = Fields{attrs: sc.f.attrs}
		clear(sc.special)
	}()
	if needsSpecial(p, x) {
		if sc.special == nil {
			sc.special = make(map[string]string, len(p.coupons)+1)
		}
		clear(sc.special)
		sc.f.special = sc.special
		if err := s.fillSpecial(ctx, p, c, x, preview, sc.special); err != nil {
			return Message{}, err
		}
	}

	var (
		text  string
		spans sms.Rendered
	)
	if x.NoLint {
		sc.body, err = p.tpl.AppendRender(sc.body[:0], &sc.f)
		if err == nil {
			sc.text = sc.comp.Append(sc.text[:0], sc.body)
			text = string(sc.text)
		}
	} else {
		spans, err = p.tpl.RenderSpans(&sc.f)
		if err == nil {
			text = sc.comp.Compose(spans.Text)
		}
	}
	if err != nil {
		if me, ok := err.(*sms.MissingFieldError); ok {
			return Message{}, &RenderError{Field: me.Name, Pos: me.Pos, Reason: "no value and no fallback", Err: me}
		}
		return Message{}, err
	}
	n := sms.CountText(text)
	m := Message{Text: text, Encoding: n.Encoding, Segments: n.Segments, Units: n.Units, PerSegment: n.PerSegment,
		Chars: runeCount(text)}
	if !x.NoLint {
		m.Warnings = lint(text, spans, st, marketing)
	}
	return m, nil
}

// needsSpecial reports whether compose must draw a coupon code or make a
// short link for this message: the template has such a field and the
// sender did not pass its value.
func needsSpecial(p *parsed, x Extras) bool {
	for _, u := range p.coupons {
		if _, given := x.Values[u.field]; !given {
			return true
		}
	}
	if p.link != nil {
		if _, given := x.Values[fieldLink]; !given {
			return true
		}
	}
	return false
}
