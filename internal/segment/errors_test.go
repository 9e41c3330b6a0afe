package segment_test

import (
	"errors"
	"strings"
	"testing"

	"nudge/internal/segment"
)

// TestRuleErrors checks that a rule that cannot compile is refused with
// the JSON path of the bad part and a reason.
func TestRuleErrors(t *testing.T) {
	tests := []struct {
		rule string
		want string
	}{
		{``, `rules: empty rule`},
		{`[]`, `rules: must be an object like {"all":[...]} or {"field":...}`},
		{`{}`, `rules: needs exactly one of "all", "any", "not" or "field", got none`},
		{`{"all":[],"any":[]}`, `rules: needs exactly one of "all", "any", "not" or "field", got all, any`},
		{`{"all":{}}`, `rules.all: must be a list of rules`},
		{`{"not":{"field":"city","op":"eq","value":"x"},"x":1}`, `rules: "not" takes no other keys, got not, x`},
		{`{"all":[{"field":"city","op":"eq","value":"a"},{"field":"city","op":"eq","value":"b"},{"field":"citty","op":"eq","value":"x"}]}`,
			`rules.all[2].field: unknown field "citty" (did you mean "city"?)`},
		{`{"any":[{"not":{"field":"gender","op":"gt","value":"f"}}]}`,
			`rules.any[0].not.op: field gender does not take "gt" (it takes eq, ne, in, not_in)`},
		{`{"field":"city","op":"eq","value":3}`, `rules.value: must be a string`},
		{`{"field":"city","op":"eq"}`, `rules.value: missing (op eq needs a value)`},
		{`{"field":"city","value":"x"}`, `rules.op: missing (field city takes eq, ne, in, not_in)`},
		{`{"op":"eq","value":"x"}`, `rules: needs exactly one of "all", "any", "not" or "field", got op, value`},
		{`{"field":"city","op":"eq","value":"x","colour":"red"}`, `rules.colour: unknown key "colour" (a condition has field, op, value, key, category, sku, within_days, lat, lon)`},
		{`{"field":"city","op":"eq","value":"x","within_days":30}`, `rules.within_days: does not apply to field city`},
		{`{"field":"gender","op":"eq","value":"女"}`, `rules.value: "女" is not one of "f", "m", ""`},
		{`{"field":"consent","op":"in","value":[]}`, `rules.value: must be a list of 1 to 1000 strings`},
		{`{"field":"orders.count","op":"gte","value":2.5}`, `rules.value: 2.5 is not a whole number (orders)`},
		{`{"field":"orders.count","op":"gte","value":3,"within_days":0}`, `rules.within_days: must be a whole number of days from 1 to 36600`},
		{`{"field":"orders.avg","op":"in","value":[1]}`, `rules.op: field orders.avg does not take "in" (it takes eq, ne, gt, gte, lt, lte, between)`},
		{`{"field":"orders.last_at","op":"before","value":"yesterday"}`, `rules.value: "yesterday" is not a date (YYYY-MM-DD) or an RFC 3339 time`},
		{`{"field":"registered_at","op":"between","value":["2026-02-01","2026-01-01"]}`, `rules.value: the end comes before the start`},
		{`{"field":"birthday_month","op":"eq","value":13}`, `rules.value: 13 is outside 1..12`},
		{`{"field":"orders.sum","op":"between","value":[5,1]}`, `rules.value: between needs [low, high] with low <= high`},
		{`{"field":"tag","op":"has","value":"a;b"}`, `rules.value: "a;b" is not a tag (tags are non-empty and have no ';')`},
		{`{"field":"attribute","op":"eq","value":"x"}`, `rules.key: missing (field attribute needs it)`},
		{`{"field":"attribute","key":"a","op":"exists","value":1}`, `rules.value: exists takes no value`},
		{`{"field":"attribute","key":"a","op":"in","value":["x",{}]}`, `rules.value[1]: must be a string, number, true or false`},
		{`{"field":"distance","lat":31,"op":"lte","value":5}`, `rules.lon: missing (field distance needs it)`},
		{`{"field":"distance","lat":95,"lon":121,"op":"lte","value":5}`, `rules.lat: latitude 95 is outside -89..89`},
		{`{"field":"distance","lat":"31","lon":121,"op":"lte","value":5}`, `rules.lat: must be a number`},
		{`{"field":"rfm.group","op":"eq","value":"vip"}`, `rules.value: "vip" is not one of "important_value", "important_develop", "important_retain", "important_winback", "general_value", "general_develop", "general_retain", "general_winback"`},
		{`{"field":"predict.due_in_days","op":"lte","value":5}`, `rules.category: missing (predict.due_in_days needs the category)`},
		{`{"field":"predict.prob_alive","op":"gte","value":2}`, `rules.value: 2 is outside 0..1`},
		{`{"any":[{"field":"engagement.clicked","op":"gte","value":30}]}`,
			`rules.any[0].op: field engagement.clicked takes within_last_days or not_within_last_days`},
		{`{"field":"engagement.replied","op":"within_last_days","value":0}`, `rules.value: must be a whole number of days from 1 to 36600`},
		{`{"field":"engagement.opened","op":"within_last_days","value":30}`,
			`rules.field: unknown field "engagement.opened" (engagement fields are engagement.clicked, engagement.messaged, engagement.replied)`},
	}
	for _, tc := range tests {
		err := segment.Validate([]byte(tc.rule))
		var re *segment.RuleError
		if !errors.As(err, &re) {
			t.Errorf("%s: err = %v, want a RuleError", tc.rule, err)
			continue
		}
		if err.Error() != tc.want {
			t.Errorf("%s\n got %s\nwant %s", tc.rule, err, tc.want)
		}
	}
}

func TestRuleDepthIsBounded(t *testing.T) {
	rule := `{"field":"city","op":"eq","value":"x"}`
	for i := 0; i < 40; i++ {
		rule = `{"not":` + rule + `}`
	}
	err := segment.Validate([]byte(rule))
	if err == nil || err.Error()[:5] != "rules" {
		t.Fatalf("deep rule: %v", err)
	}
}

func TestFieldsDescribeTheVocabulary(t *testing.T) {
	fs := segment.Fields()
	byName := map[string]segment.FieldInfo{}
	for _, f := range fs {
		byName[f.Name] = f
	}
	if len(fs) != 37 || fs[0].Name != "attribute" {
		t.Fatalf("%d fields, first %q", len(fs), fs[0].Name)
	}
	if f := byName["orders.count"]; !f.Numeric || strings.Join(f.Modifiers, ",") != "category,sku,within_days" {
		t.Errorf("orders.count %+v", f)
	}
	if f := byName["city"]; f.Numeric || strings.Join(f.Ops, ",") != "eq,ne,in,not_in" {
		t.Errorf("city %+v", f)
	}
	if f := byName["distance"]; strings.Join(f.Modifiers, ",") != "lat,lon" {
		t.Errorf("distance %+v", f)
	}
	if f := byName["engagement.clicked"]; strings.Join(f.Ops, ",") != "within_last_days,not_within_last_days" {
		t.Errorf("engagement.clicked %+v", f)
	}
}
