package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"text/template/parse"
)

//go:embed templates
var templateFS embed.FS

// pageSpec says what a page is made of beyond templates/layout.html and
// templates/pages/<name>.html.
type pageSpec struct {
	// partials are files in templates/partials (without .html) the page uses.
	partials []string
	// scripts are vendored scripts the page needs besides htmx, which every
	// page loads; ECharts is heavy, so only chart pages ask for it.
	scripts []string
}

// pages is the explicit map of the console's pages to the partials they
// use. A page is parsed once per locale at start, so a broken template
// stops the server from starting instead of failing a request later.
var pages = map[string]pageSpec{
	"login":        {},
	"customers":    {partials: []string{"customer_table", "tags"}},
	"customer":     {partials: []string{"tags"}},
	"error":        {},
	"segments":     {partials: []string{"segment_count"}},
	"segment_edit": {partials: []string{"segment_count"}},
	"rfm":          {scripts: []string{"echarts", "rfm"}},
	"suppressions": {},
	"gateways":     {},
	"gateway_log":  {},
	"messages":     {},
	"message":      {},
	"inbox":        {},
	"templates":    {partials: []string{"template_preview"}},
	"settings":     {},
}

// vendorScripts maps the names pages use in pageSpec.scripts to files in
// static/vendor.
var vendorScripts = map[string]string{
	"htmx":    "vendor/htmx.min.js",
	"echarts": "vendor/echarts.min.js",
	"rfm":     "rfm.js",
}

// engine holds every page parsed once per locale.
type engine struct {
	sets map[string]map[string]*template.Template // locale -> page -> set
}

// newEngine parses every page for every locale and checks what parsing
// alone does not: that each page defines "title" and "content", that every
// {{template}} it calls exists, and that every catalogue key and asset named
// in a template exists. Errors name the page and the template.
func newEngine(cat catalogue, st *assets) (*engine, error) {
	e := &engine{sets: map[string]map[string]*template.Template{}}
	for _, loc := range Locales {
		e.sets[loc] = map[string]*template.Template{}
		for name, spec := range pages {
			files := []string{"templates/layout.html"}
			for _, p := range spec.partials {
				files = append(files, "templates/partials/"+p+".html")
			}
			files = append(files, "templates/pages/"+name+".html")
			t, err := template.New("layout.html").Funcs(funcMap(cat, st, loc)).ParseFS(templateFS, files...)
			if err != nil {
				return nil, fmt.Errorf("web: page %q: %w", name, err)
			}
			if err := checkSet(t, cat, st); err != nil {
				return nil, fmt.Errorf("web: page %q: %w", name, err)
			}
			for _, s := range spec.scripts {
				if _, ok := vendorScripts[s]; !ok {
					return nil, fmt.Errorf("web: page %q: unknown script %q", name, s)
				}
			}
			e.sets[loc][name] = t
		}
	}
	return e, nil
}

// funcMap is the functions templates may call, bound to one locale.
func funcMap(cat catalogue, st *assets, locale string) template.FuncMap {
	return template.FuncMap{
		"t": func(key string, args ...any) string { return cat.text(locale, key, args...) },
		"asset": func(name string) string {
			u, _ := st.url(name)
			return u
		},
	}
}

// render executes the named template of page into memory, so that a
// failing template never sends half a page.
func (e *engine) render(locale, page, name string, data any) ([]byte, error) {
	set, ok := e.sets[normalLocale(locale)][page]
	if !ok {
		return nil, fmt.Errorf("web: no page %q", page)
	}
	var buf bytes.Buffer
	if err := set.ExecuteTemplate(&buf, name, data); err != nil {
		return nil, fmt.Errorf("web: page %q template %q: %w", page, name, err)
	}
	return buf.Bytes(), nil
}

// checkSet walks the parse trees of a template set.
func checkSet(set *template.Template, cat catalogue, st *assets) error {
	for _, want := range []string{"title", "content"} {
		if set.Lookup(want) == nil {
			return fmt.Errorf("does not define %q", want)
		}
	}
	for _, t := range set.Templates() {
		if t.Tree == nil {
			continue
		}
		var err error
		walk(t.Tree.Root, func(n parse.Node) {
			if err != nil {
				return
			}
			switch n := n.(type) {
			case *parse.TemplateNode:
				if set.Lookup(n.Name) == nil {
					err = fmt.Errorf("template %q calls undefined template %q", t.Name(), n.Name)
				}
			case *parse.CommandNode:
				err = checkCall(t.Name(), n, cat, st)
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// checkCall checks a literal argument of t or asset: {{t "nav.customers"}}.
func checkCall(tpl string, n *parse.CommandNode, cat catalogue, st *assets) error {
	if len(n.Args) < 2 {
		return nil
	}
	id, ok := n.Args[0].(*parse.IdentifierNode)
	if !ok {
		return nil
	}
	s, ok := n.Args[1].(*parse.StringNode)
	if !ok {
		return nil
	}
	switch id.Ident {
	case "t":
		if !cat.has(s.Text) {
			return fmt.Errorf("template %q uses catalogue key %q, which is not in locales/*.json", tpl, s.Text)
		}
	case "asset":
		if _, ok := st.url(s.Text); !ok {
			return fmt.Errorf("template %q uses asset %q, which is not in static/", tpl, s.Text)
		}
	}
	return nil
}

// walk calls fn for every node under n.
func walk(n parse.Node, fn func(parse.Node)) {
	if n == nil {
		return
	}
	fn(n)
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walk(c, fn)
		}
	case *parse.ActionNode:
		walk(n.Pipe, fn)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walk(c, fn)
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			walk(a, fn)
		}
	case *parse.IfNode:
		walkBranch(&n.BranchNode, fn)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, fn)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, fn)
	case *parse.TemplateNode:
		walk(n.Pipe, fn)
	}
}

func walkBranch(b *parse.BranchNode, fn func(parse.Node)) {
	walk(b.Pipe, fn)
	walk(b.List, fn)
	if b.ElseList != nil {
		walk(b.ElseList, fn)
	}
}
