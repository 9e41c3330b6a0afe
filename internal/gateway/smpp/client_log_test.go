package smpp

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"nudge/internal/clock"
)

// Numbers in the pool's own log lines are masked: an unreadable MO and an
// MO whose parts never all arrived both name their sender.
func TestPoolLogsMaskTheSender(t *testing.T) {
	var logs bytes.Buffer
	clk := clock.NewFake(t0)
	p := &Pool{cfg: Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))}, reasm: NewReassembler(clk, time.Minute, false)}
	p.onDeliver(moPart("8613812341234", 0x40, 0, hexb(t, "050003 01 02 03 41"))) // seq > total: unreadable
	p.onDeliver(moPart("8613912345678", 0x40, 8, hexb(t, "050003 2A 02 01 597D")))
	clk.Advance(2 * time.Minute)
	p.sweep() // the second part never came
	out := logs.String()
	for _, clear := range []string{"8613812341234", "8613912345678"} {
		if strings.Contains(out, clear) {
			t.Errorf("log holds %s in clear:\n%s", clear, out)
		}
	}
	if !strings.Contains(out, "unreadable MO message") || !strings.Contains(out, "incomplete MO message") || !strings.Contains(out, "1234") {
		t.Errorf("log lacks the masked lines:\n%s", out)
	}
}
