package ingest

import "testing"

func TestDeferWorthIt(t *testing.T) {
	for _, c := range []struct {
		size, rows int64
		want       bool
	}{
		{0, 0, false},                // standard input: size unknown
		{1 << 20, 0, false},          // a small file into an empty table
		{90 << 20, 0, true},          // a first load
		{90 << 20, 500_000, true},    // more rows coming than stored
		{90 << 20, 1_000_000, false}, // a re-import of about what is there
		{900 << 20, 1_000_000, true}, // ten times the table
	} {
		if got := deferWorthIt(c.size, c.rows); got != c.want {
			t.Errorf("deferWorthIt(%d bytes, %d rows) = %v, want %v", c.size, c.rows, got, c.want)
		}
	}
}
