package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"nudge/internal/compose"
	"nudge/internal/sms"
)

// The template editor: a textarea with the template, a customer to
// preview it for (a phone number or the shop's id), a category and a
// locale. htmx posts the form as the merchant types (debounced) and swaps
// in the preview: the composed text with the lint warnings' characters
// marked, the encoding, the character, unit and segment count (sms.CountText,
// the same counter as `nudge sms count`) and the warnings. Without
// JavaScript the Preview button does the same with a whole page. The
// starter library loads a starter into the editor with a plain link.

// maxTemplateBytes bounds the template a preview renders: an SMS of ten
// segments is under 2 KB.
const maxTemplateBytes = 8 << 10

// templateForm is the editor's state.
type templateForm struct {
	Text, Customer, Category, Locale, CouponPool string
}

// templateEditData is the editor page's data.
type templateEditData struct {
	Form       templateForm
	Categories []string
	Locales    []string
	Pools      []string
	Starters   []starterRow
	Preview    *previewView
}

// starterRow is one scenario of the starter library, with a link per
// locale.
type starterRow struct {
	Key      string
	Category string
	Locales  []string
}

// previewView is the rendered preview.
type previewView struct {
	// Problem is the catalogue key of what keeps the preview from
	// rendering; Detail is the render error (it names the field, the line
	// and the column).
	Problem string
	Detail  string
	// Customer is who the preview is for, masked; nil for no customer.
	Customer   *compose.CustomerRef
	Pieces     []textPiece
	Encoding   string
	Chars      int
	Units      int
	Segments   int
	PerSegment int
	Warnings   []warningRow
}

// textPiece is a run of the composed text, marked when a warning points
// at it.
type textPiece struct {
	Text  string
	Mark  bool
	Codes string
}

// warningRow is one lint warning in the user's language; Start and End
// are shown from 1 as an editor counts.
type warningRow struct {
	Code       string
	Message    string
	Start, End int
	Empty      bool
}

// templateEdit serves GET /templates: the editor, empty or with
// ?starter=KEY&locale=LOC loaded from the starter library.
func (c *Console) templateEdit(w http.ResponseWriter, r *http.Request) {
	if c.compose == nil {
		c.notFound(w, r)
		return
	}
	locale := normalLocale(sessionFrom(r.Context()).User.Locale)
	f := templateForm{Category: sms.CategoryMarketing, Locale: locale}
	q := r.URL.Query()
	if key := q.Get("starter"); key != "" {
		want := q.Get("locale")
		if want == "" {
			want = locale
		}
		found := false
		for _, s := range sms.Starters() {
			if s.Key == key && s.Locale == want {
				f.Text, f.Category, f.Locale, found = s.Text, s.Category, s.Locale, true
				break
			}
		}
		if !found {
			c.notFound(w, r)
			return
		}
	}
	d, err := c.templateData(r, f)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	if f.Text != "" {
		d.Preview = c.preview(r, f)
	}
	c.render(w, r, http.StatusOK, "templates", d)
}

// templatePreview serves POST /templates/preview: the preview fragment for
// htmx, or the whole editor with the preview filled in.
func (c *Console) templatePreview(w http.ResponseWriter, r *http.Request) {
	if c.compose == nil {
		c.notFound(w, r)
		return
	}
	f := templateForm{Text: r.PostForm.Get("text"), Customer: strings.TrimSpace(r.PostForm.Get("customer")),
		Category: r.PostForm.Get("category"), Locale: r.PostForm.Get("locale"), CouponPool: r.PostForm.Get("coupon_pool")}
	if len(f.Text) > maxTemplateBytes {
		c.errorPage(w, r, http.StatusRequestEntityTooLarge, nil)
		return
	}
	if !slices.Contains(Locales, f.Locale) {
		f.Locale = normalLocale(sessionFrom(r.Context()).User.Locale)
	}
	d := templateEditData{Form: f, Preview: c.preview(r, f)}
	if isHTMX(r) {
		c.renderTemplate(w, r, http.StatusOK, "templates", "template_preview", d)
		return
	}
	full, err := c.templateData(r, f)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	full.Preview = d.Preview
	c.render(w, r, http.StatusOK, "templates", full)
}

// templateData fills the editor's choices around a form.
func (c *Console) templateData(r *http.Request, f templateForm) (templateEditData, error) {
	d := templateEditData{Form: f, Categories: c.compose.Categories(), Locales: Locales}
	pools, err := c.compose.Pools(r.Context())
	if err != nil {
		return d, err
	}
	for _, p := range pools {
		d.Pools = append(d.Pools, p.Name)
	}
	for _, s := range sms.Starters() {
		if n := len(d.Starters); n > 0 && d.Starters[n-1].Key == s.Key {
			d.Starters[n-1].Locales = append(d.Starters[n-1].Locales, s.Locale)
			continue
		}
		d.Starters = append(d.Starters, starterRow{Key: s.Key, Category: s.Category, Locales: []string{s.Locale}})
	}
	return d, nil
}

// preview renders the form's template for its customer. Problems the
// merchant can fix (no such customer, a template that does not render) are
// part of the preview, not errors of the page.
func (c *Console) preview(r *http.Request, f templateForm) *previewView {
	if strings.TrimSpace(f.Text) == "" {
		return &previewView{Problem: "tpl.preview.empty"}
	}
	p, err := c.compose.Preview(r.Context(), f.Text, f.Customer, f.Category,
		compose.Extras{Locale: f.Locale, CouponPool: f.CouponPool})
	var (
		re *compose.RenderError
		pe *sms.ParseError
	)
	switch {
	case errors.Is(err, compose.ErrNoCustomer):
		return &previewView{Problem: "tpl.preview.no_customer"}
	case errors.Is(err, compose.ErrUnknownCategory):
		return &previewView{Problem: "tpl.preview.category"}
	case errors.As(err, &re), errors.As(err, &pe):
		return &previewView{Problem: "tpl.preview.error", Detail: err.Error(), Customer: p.Customer}
	case err != nil:
		ref := newReference()
		c.log.Error("template preview failed", "ref", ref, "err", err)
		return &previewView{Problem: "tpl.preview.failed", Detail: ref}
	}
	locale := normalLocale(sessionFrom(r.Context()).User.Locale)
	v := &previewView{Customer: p.Customer, Pieces: markPieces(p.Text, p.Warnings), Encoding: string(p.Encoding),
		Chars: p.Chars, Units: p.Units, Segments: p.Segments, PerSegment: p.PerSegment}
	for _, w := range p.Warnings {
		msg := w.Message
		if locale == "zh-CN" && w.MessageZH != "" {
			msg = w.MessageZH
		}
		v.Warnings = append(v.Warnings, warningRow{Code: w.Code, Message: msg, Start: w.Start + 1, End: w.End, Empty: w.Start == w.End})
	}
	return v
}

// markPieces cuts text at the edges of the warnings that point at some of
// its characters; warnings about the whole message (length, no call to
// action) or about something missing mark nothing, they are listed only.
func markPieces(text string, ws []sms.Warning) []textPiece {
	runes := []rune(text)
	n := len(runes)
	codes := make([][]string, n)
	for _, w := range ws {
		if w.Start >= w.End || (w.Start == 0 && w.End >= n) {
			continue
		}
		for i := max(w.Start, 0); i < min(w.End, n); i++ {
			if !slices.Contains(codes[i], w.Code) {
				codes[i] = append(codes[i], w.Code)
			}
		}
	}
	var out []textPiece
	for i := 0; i < n; {
		j := i + 1
		for j < n && slices.Equal(codes[j], codes[i]) {
			j++
		}
		out = append(out, textPiece{Text: string(runes[i:j]), Mark: len(codes[i]) > 0, Codes: strings.Join(codes[i], " ")})
		i = j
	}
	return out
}
