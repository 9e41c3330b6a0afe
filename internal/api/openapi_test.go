package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

type openAPIOperation struct {
	Security  *[]map[string][]string     `json:"security"`
	Responses map[string]json.RawMessage `json:"responses"`
}

func loadDoc(t *testing.T) (map[string]any, map[string]map[string]openAPIOperation) {
	t.Helper()
	var raw map[string]any
	if err := json.Unmarshal(openAPIDoc, &raw); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	var doc struct {
		Paths map[string]map[string]openAPIOperation `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	return raw, doc.Paths
}

// TestOpenAPIMatchesRoutes keeps the document and the route table equal in
// both directions, and checks that the mux really routes each documented
// operation to the pattern the table registers.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	raw, paths := loadDoc(t)
	if raw["openapi"] != "3.1.0" {
		t.Fatalf("openapi = %v, want 3.1.0", raw["openapi"])
	}
	a := New(Deps{})
	mux := http.NewServeMux()
	a.Register(mux)

	routed := map[string]bool{}
	for _, rt := range a.routes() {
		method, path, _ := strings.Cut(rt.pattern, " ")
		key := strings.ToLower(method) + " " + path
		routed[key] = true
		op, ok := paths[path][strings.ToLower(method)]
		if !ok {
			t.Errorf("route %s is not in openapi.json", rt.pattern)
			continue
		}
		public := op.Security != nil && len(*op.Security) == 0
		if public != rt.public {
			t.Errorf("%s: public in the route table = %v, in openapi.json = %v", rt.pattern, rt.public, public)
		}
		if !rt.public {
			if _, ok := op.Responses["401"]; !ok {
				t.Errorf("%s: openapi.json documents no 401", rt.pattern)
			}
		}
		if _, ok := op.Responses["200"]; !ok {
			t.Errorf("%s: openapi.json documents no 200", rt.pattern)
		}
		// The mux must send a request for this operation to this pattern.
		concrete := strings.ReplaceAll(path, "{external_id}", "C1")
		_, pattern := mux.Handler(httptest.NewRequest(method, concrete, nil))
		if pattern != rt.pattern {
			t.Errorf("%s %s is routed to %q, want %q", method, concrete, pattern, rt.pattern)
		}
	}
	var documented []string
	for path, ops := range paths {
		for method := range ops {
			documented = append(documented, method+" "+path)
		}
	}
	sort.Strings(documented)
	for _, d := range documented {
		if !routed[d] {
			t.Errorf("openapi.json documents %s, which no route serves", d)
		}
	}
	if len(documented) != len(a.routes()) {
		t.Errorf("openapi.json has %d operations, the route table %d", len(documented), len(a.routes()))
	}
}

// TestOpenAPIReferencesResolve catches a renamed schema left referenced.
func TestOpenAPIReferencesResolve(t *testing.T) {
	raw, _ := loadDoc(t)
	var refs []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && k == "$ref" {
					refs = append(refs, s)
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(raw)
	if len(refs) < 20 {
		t.Fatalf("only %d $refs found; the walk is broken", len(refs))
	}
	for _, ref := range refs {
		var node any = raw
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			m, ok := node.(map[string]any)
			if !ok {
				node = nil
				break
			}
			node = m[part]
		}
		if node == nil {
			t.Errorf("$ref %s does not resolve", ref)
		}
	}
}

// TestOpenAPIErrorCodes keeps the documented error codes equal to the ones
// the API can answer.
func TestOpenAPIErrorCodes(t *testing.T) {
	raw, _ := loadDoc(t)
	enum := raw["components"].(map[string]any)["schemas"].(map[string]any)["Error"].(map[string]any)["properties"].(map[string]any)["code"].(map[string]any)["enum"].([]any)
	var got []string
	for _, e := range enum {
		got = append(got, e.(string))
	}
	want := []string{codeUnauthorized, codeMalformedJSON, codeBadParameter, codeInvalid, codeNotFound, codeMethodNotAllowed,
		codeTooLarge, codeUnsupportedType, codeInternal, codeUnavailable}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("documented codes %v, API codes %v", got, want)
	}
}

func TestOpenAPIServed(t *testing.T) {
	mux := http.NewServeMux()
	New(Deps{}).Register(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/api/openapi.json", nil))
	if rec.Code != 200 || rec.Body.String() != string(openAPIDoc) || rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("GET /api/openapi.json: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
}

// jsonFields lists the JSON names of a struct's fields, embedded structs
// flattened the way encoding/json does.
func jsonFields(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			out = append(out, jsonFields(f.Type)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// schemaFields lists a schema's property names, following allOf and $ref.
func schemaFields(schemas map[string]any, name string) []string {
	s := schemas[name].(map[string]any)
	var out []string
	if all, ok := s["allOf"].([]any); ok {
		for _, part := range all {
			p := part.(map[string]any)
			if ref, ok := p["$ref"].(string); ok {
				out = append(out, schemaFields(schemas, strings.TrimPrefix(ref, "#/components/schemas/"))...)
				continue
			}
			for k := range p["properties"].(map[string]any) {
				out = append(out, k)
			}
		}
	}
	props, _ := s["properties"].(map[string]any)
	for k := range props {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestOpenAPISchemasMatchTypes keeps each schema's properties equal to the
// JSON fields of the Go type that reads or writes it.
func TestOpenAPISchemasMatchTypes(t *testing.T) {
	raw, _ := loadDoc(t)
	schemas := raw["components"].(map[string]any)["schemas"].(map[string]any)
	for schema, v := range map[string]any{
		"CustomerInput":    customerIn{},
		"CustomerSummary":  customerSummary{},
		"Customer":         customerFull{},
		"OrderInput":       orderIn{},
		"LineInput":        lineIn{},
		"Order":            orderOut{},
		"Line":             lineOut{},
		"ProductInput":     productIn{},
		"Product":          productOut{},
		"Rejection":        rejection{},
		"WriteResult":      writeResult{},
		"OrderWriteResult": writeResult{},
		"Error":            apiError{},
	} {
		got, want := schemaFields(schemas, schema), jsonFields(reflect.TypeOf(v))
		if schema == "WriteResult" {
			want = slices.DeleteFunc(want, func(s string) bool { return s == "lines" }) // orders only
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("schema %s has %v; the Go type has %v", schema, got, want)
		}
	}
}
