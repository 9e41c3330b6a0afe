package linkbench

import (
	"context"
	"os"
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
		if os.Getenv("CI") == "true" {
			t.Fatal("wrk is not installed: make test installs it (deps-wrk)")
		}
		t.Skip("wrk is not installed (apt-get install wrk, or make deps)")
	}
	const conns = 8
	res, err := Run(context.Background(), Options{Duration: time.Second, Warmup: -1, Rounds: 1, Links: 50, Connections: conns})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res)
	// wrk stops with up to a request per connection on the wire, and
	// counts a request cut by a reconnect as sent: a few more than the
	// server answered, never fewer. Every answered redirect is a click.
	if res.Clicks == 0 || res.Clicks != res.Handled || res.Requests < res.Handled || res.Requests-res.Handled > 2*conns {
		t.Fatalf("requests %d, handled %d, clicks %d", res.Requests, res.Handled, res.Clicks)
	}
	if res.Reference.RequestsPerSec <= 0 || res.Redirect.RequestsPerSec <= 0 || res.Redirect.P99 <= 0 {
		t.Fatalf("figures %+v", res)
	}
}
