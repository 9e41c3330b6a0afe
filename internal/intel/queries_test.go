package intel

import (
	"strings"
	"testing"

	"nudge/internal/segment"
	"nudge/internal/store"
)

// TestStreamsSkipTheSegmentStatuses keeps the statuses the streams leave
// out equal to the ones RFM and segments leave out.
func TestStreamsSkipTheSegmentStatuses(t *testing.T) {
	src, err := queryFS.ReadFile("queries.sql")
	if err != nil {
		t.Fatal(err)
	}
	q, err := store.ParseQueries(string(src), store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"orders_stream", "lines_stream"} {
		if !strings.Contains(q[name], segment.CountedOrder("o")) {
			t.Errorf("%s does not contain %s", name, segment.CountedOrder("o"))
		}
	}
}
