package api

import (
	"reflect"
	"strings"
	"testing"

	"nudge/internal/segment"
)

// TestSegmentSchemasMatchTypes keeps the segment and RFM schemas of
// openapi.json equal to the JSON fields of the Go types behind them.
func TestSegmentSchemasMatchTypes(t *testing.T) {
	raw, _ := loadDoc(t)
	schemas := raw["components"].(map[string]any)["schemas"].(map[string]any)
	for schema, v := range map[string]any{
		"Segment":      segment.Segment{},
		"SegmentInput": segmentIn{},
		"RuleInput":    ruleIn{},
		"Count":        countOut{},
		"Member":       segment.Member{},
		"Preview":      previewOut{},
		"Deleted":      deletedOut{},
		"Snapshot":     segment.Snapshot{},
		"RFMGroup":     segment.GroupStat{},
		"HeatCell":     segment.HeatCell{},
		"RFMReport":    rfmOut{},
		"RFMInput":     rfmIn{},
	} {
		got, want := schemaFields(schemas, schema), jsonFields(reflect.TypeOf(v))
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("schema %s has %v; the Go type has %v", schema, got, want)
		}
	}
}
