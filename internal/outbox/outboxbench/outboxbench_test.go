package outboxbench

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"nudge/internal/store/storetest"
)

// TestSmallRun runs the benchmark on 20,000 messages in both dialects and
// checks the exactly-once accounting; the full million is for make bench
// (NUDGE_BENCH_MESSAGES sets the size here).
func TestSmallRun(t *testing.T) {
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("NUDGE_BENCH_MESSAGES")); err == nil {
		n = v
	}
	for _, db := range []string{"sqlite", storetest.PostgresURL()} {
		for _, delay := range []time.Duration{0, 50 * time.Millisecond} {
			if db != "sqlite" && os.Getenv("CI") != "true" {
				if _, err := os.Stat("/var/run/postgresql"); err != nil {
					continue
				}
			}
			res, err := Run(context.Background(), Options{DB: db, Messages: n, Delay: delay, Progress: testWriter{t}})
			if err != nil {
				t.Fatal(err)
			}
			t.Log(res)
			if !res.Once {
				t.Errorf("not exactly once: %s", res.Problems)
			}
		}
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) { w.t.Log(string(b)); return len(b), nil }
