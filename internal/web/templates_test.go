package web

import (
	"html/template"
	"strings"
	"testing"
)

func testAssets(t *testing.T) *assets {
	t.Helper()
	st, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestEveryPageParsesInEveryLocale(t *testing.T) {
	cat, err := loadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	e, err := newEngine(cat, testAssets(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, loc := range Locales {
		if len(e.sets[loc]) != len(pages) {
			t.Errorf("%s: %d pages parsed, want %d", loc, len(e.sets[loc]), len(pages))
		}
	}
}

// A page whose partial is missing stops the engine, and the error names it.
func TestBrokenPageIsNamed(t *testing.T) {
	cat, _ := loadCatalogue()
	st := testAssets(t)
	pages["broken"] = pageSpec{partials: []string{"no_such_partial"}}
	defer delete(pages, "broken")
	_, err := newEngine(cat, st)
	if err == nil || !strings.Contains(err.Error(), `page "broken"`) {
		t.Fatalf("err = %v, want it to name page \"broken\"", err)
	}
	pages["broken"] = pageSpec{}
	_, err = newEngine(cat, st)
	if err == nil || !strings.Contains(err.Error(), `page "broken"`) {
		t.Fatalf("err = %v, want it to name page \"broken\" (no file)", err)
	}
	delete(pages, "broken")
	login := pages["login"]
	pages["login"] = pageSpec{scripts: []string{"jquery"}}
	defer func() { pages["login"] = login }()
	_, err = newEngine(cat, st)
	if err == nil || err.Error() != `web: page "login": unknown script "jquery"` {
		t.Fatalf("err = %v, want the unknown script named", err)
	}
}

// checkSet finds what parsing does not: a missing define, a call of an
// undefined template, an unknown catalogue key or asset.
func TestCheckSet(t *testing.T) {
	cat, _ := loadCatalogue()
	st := testAssets(t)
	for src, want := range map[string]string{
		`{{define "title"}}x{{end}}`: `does not define "content"`,
		`{{define "title"}}{{end}}{{define "content"}}{{template "nope" .}}{{end}}`:                          `calls undefined template "nope"`,
		`{{define "title"}}{{end}}{{define "content"}}{{if .}}{{t "no.such.key"}}{{end}}{{end}}`:             `catalogue key "no.such.key"`,
		`{{define "title"}}{{end}}{{define "content"}}{{range .}}{{else}}{{asset "x.css"}}{{end}}{{end}}`:    `asset "x.css"`,
		`{{define "title"}}{{end}}{{define "content"}}{{with .}}{{t "nav.customers" | print}}{{end}}{{end}}`: ``,
	} {
		set := template.Must(template.New("p").Funcs(funcMap(cat, st, "en")).Parse(src))
		err := checkSet(set, cat, st)
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", src, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: err = %v, want %q", src, err, want)
		}
	}
}
