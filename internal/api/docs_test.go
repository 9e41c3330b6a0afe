package api

import (
	"os"
	"strings"
	"testing"
)

// TestDocsListEveryRoute keeps docs/api.md's route table in step with the
// OpenAPI document, which another test keeps in step with the routes.
func TestDocsListEveryRoute(t *testing.T) {
	md, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	_, paths := loadDoc(t)
	for p, ops := range paths {
		if !strings.HasPrefix(p, "/api/v1") {
			continue
		}
		for m := range ops {
			if row := "| `" + strings.ToUpper(m) + " " + p + "` |"; !strings.Contains(string(md), row) {
				t.Errorf("docs/api.md lacks a row for %s %s", strings.ToUpper(m), p)
			}
		}
	}
}
