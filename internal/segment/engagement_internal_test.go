package segment

import (
	"testing"
	"time"

	"nudge/internal/store"
)

// TestEngagementNotAvailable checks the extension point's promise: a kind
// without a source fails to compile, naming the condition.
func TestEngagementNotAvailable(t *testing.T) {
	engagementSources["opened"] = nil
	defer delete(engagementSources, "opened")
	r, err := ParseRule([]byte(`{"all":[{"field":"city","op":"eq","value":"x"},{"field":"engagement.opened","op":"within_last_days","value":30}]}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = compileRule(r, store.SQLite, time.Now(), time.UTC)
	if err == nil || err.Error() != "rules.all[1].field: engagement.opened is not available yet: nudge does not record this engagement in this version" {
		t.Fatalf("err = %v", err)
	}
	for _, f := range Fields() {
		if f.Name == "engagement.opened" {
			t.Error("an unavailable kind is offered to builders")
		}
	}
}
