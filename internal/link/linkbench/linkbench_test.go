package linkbench

import (
	"context"
	"os/exec"
	"testing"
	"time"
)

// TestRunCountsEveryClick runs a one-second round against each server and
// checks the bookkeeping, not the speed: every request the redirect
// answered is a click in the store.
func TestRunCountsEveryClick(t *testing.T) {
	if testing.Short() {
		t.Skip("runs wrk for a few seconds")
	}
	if _, err := exec.LookPath("wrk"); err != nil {
		t.Skip("wrk is not installed (apt-get install wrk)")
	}
	res, err := Run(context.Background(), Options{Duration: time.Second, Warmup: -1, Rounds: 1, Links: 50, Connections: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res)
	if res.Clicks == 0 || res.Clicks != res.Handled || res.Requests < res.Handled || res.Requests-res.Handled > 8 {
		t.Fatalf("requests %d, handled %d, clicks %d", res.Requests, res.Handled, res.Clicks)
	}
	if res.Reference.RequestsPerSec <= 0 || res.Redirect.RequestsPerSec <= 0 || res.Redirect.P99 <= 0 {
		t.Fatalf("figures %+v", res)
	}
}
