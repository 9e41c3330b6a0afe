package api

import (
	"reflect"
	"strings"
	"testing"

	"nudge/internal/link"
	"nudge/internal/policy"
)

// TestPolicySchemasMatchTypes keeps the policy and link schemas of
// openapi.json equal to the JSON fields of the Go types behind them.
func TestPolicySchemasMatchTypes(t *testing.T) {
	raw, _ := loadDoc(t)
	schemas := raw["components"].(map[string]any)["schemas"].(map[string]any)
	for schema, v := range map[string]any{
		"Why":                whyOut{},
		"Suppression":        policy.Suppressed{},
		"SuppressionPage":    suppressionsOut{},
		"SuppressionInput":   suppressionIn{},
		"SuppressionAdded":   suppressionAdded{},
		"SuppressionRemoved": suppressionRemoved{},
		"PolicySettings":     policy.Config{},
		"ConsentInput":       consentIn{},
		"ConsentEvent":       consentEventOut{},
		"ConsentHistory":     consentOut{},
		"LinkInput":          linkIn{},
		"Link":               linkOut{},
		"LinkStats":          link.CampaignStats{},
	} {
		got, want := schemaFields(schemas, schema), jsonFields(reflect.TypeOf(v))
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("schema %s has %v; the Go type has %v", schema, got, want)
		}
	}
}
