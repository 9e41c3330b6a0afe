package api

import (
	"reflect"
	"strings"
	"testing"

	"nudge/internal/compose"
	"nudge/internal/sms"
)

// TestTemplateSchemasMatchTypes keeps the template, count, settings and
// coupon schemas of openapi.json equal to the JSON fields of the Go types
// behind them.
func TestTemplateSchemasMatchTypes(t *testing.T) {
	raw, _ := loadDoc(t)
	schemas := raw["components"].(map[string]any)["schemas"].(map[string]any)
	for schema, v := range map[string]any{
		"TemplatePreviewInput": previewIn{},
		"TemplatePreview":      compose.Preview{},
		"CustomerRef":          compose.CustomerRef{},
		"LintWarning":          sms.Warning{},
		"TemplateLintInput":    lintIn{},
		"TemplateLint":         lintOut{},
		"SMSCountInput":        countIn{},
		"SMSCount":             sms.Count{},
		"Starter":              sms.Starter{},
		"StarterList":          startersOut{},
		"ComposeSettings":      compose.Settings{},
		"CouponGenerate":       generateIn{},
		"CouponPoolInput":      poolIn{},
		"CouponPool":           compose.Pool{},
		"CouponPoolList":       poolsOut{},
		"CouponCodesInput":     codesIn{},
		"CodeProblem":          compose.CodeProblem{},
		"CouponImport":         codesOut{},
	} {
		got, want := schemaFields(schemas, schema), jsonFields(reflect.TypeOf(v))
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("schema %s has %v; the Go type has %v", schema, got, want)
		}
	}
	// The documented warning codes are the lint's.
	code := schemas["LintWarning"].(map[string]any)["properties"].(map[string]any)["code"].(map[string]any)["enum"].([]any)
	want := []string{sms.CodeOfferLate, sms.CodeVagueValue, sms.CodeDeadlineMissing, sms.CodeTooManyPoints, sms.CodeLength,
		sms.CodeNoCTA, sms.CodeNoSignature, sms.CodeNoOptOut, sms.CodeBracketInBody, sms.CodeLinkInField, sms.CodeSensitiveWord}
	if len(code) != len(want) {
		t.Fatalf("documented warning codes %v, lint codes %v", code, want)
	}
	for i := range want {
		if code[i] != want[i] {
			t.Errorf("warning code %d: documented %v, lint %s", i, code[i], want[i])
		}
	}
}
