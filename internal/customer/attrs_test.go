package customer

import (
	"encoding/json"
	"testing"
)

func TestAttributesMustBeAJSONObject(t *testing.T) {
	for in, ok := range map[string]bool{
		`{"level":"gold"}`: true, " \n{}": true, `{"a":{"b":[1,2]}}`: true,
		`[1,2]`: false, `"x"`: false, `{bad`: false, `{"a":1} x`: false, `12`: false, `{"a":1`: false,
	} {
		c := Customer{Phone: "13812341234", Attributes: json.RawMessage(in)}
		if err := c.Normalize("CN"); (err == nil) != ok {
			t.Errorf("attributes %q: %v, want ok=%v", in, err, ok)
		}
	}
}
