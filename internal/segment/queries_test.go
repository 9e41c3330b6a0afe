package segment

import (
	"strings"
	"testing"

	"nudge/internal/store"
)

// TestExcludedStatusesMatchQueries keeps the status list written into
// queries.sql equal to the one the compiler uses.
func TestExcludedStatusesMatchQueries(t *testing.T) {
	src, err := queryFS.ReadFile("queries.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		q, err := store.ParseQueries(string(src), d)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(q["rfm_fill"], CountedOrder("o")) {
			t.Errorf("%s rfm_fill does not contain %s", d, CountedOrder("o"))
		}
	}
}
