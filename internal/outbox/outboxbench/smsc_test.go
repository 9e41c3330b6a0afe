package outboxbench

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"nudge/internal/gateway/smpp"
)

// TestMain lets the test binary serve as the SMSC process of Spawn.
func TestMain(m *testing.M) {
	if v := os.Getenv("NUDGE_OUTBOXBENCH_SMSC"); v != "" {
		ns, ds, _ := strings.Cut(v, ",")
		n, _ := strconv.Atoi(ns)
		delay, _ := time.ParseDuration(ds)
		if err := ServeSMSC(os.Stdin, os.Stdout, n, delay); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func spawnSelf(n int, delay time.Duration) (SMSC, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "NUDGE_OUTBOXBENCH_SMSC="+strconv.Itoa(n)+","+delay.String())
	cmd.Stderr = os.Stderr
	return Spawn(cmd)
}

// TestSMSCCounts sends b0 twice and b2 once to an SMSC expecting b0..b2,
// in this process and in a child, and checks what each counted: one
// duplicate, one missing, three seen; then that each measures a ceiling.
func TestSMSCCounts(t *testing.T) {
	for name, start := range map[string]func(int, time.Duration) (SMSC, error){"local": Local, "spawned": spawnSelf} {
		t.Run(name, func(t *testing.T) {
			s, err := start(3, 20*time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			p, err := smpp.Open(ctx, smpp.Config{Addr: s.Addr(), SystemID: "bench", Password: "pw",
				EnquireInterval: time.Hour, ResponseTimeout: 5 * time.Second, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			for _, text := range []string{"b0", "b2", "b0"} {
				if _, err := p.Submit(ctx, smpp.Message{To: "8613900000001", Text: text}); err != nil {
					t.Fatal(err)
				}
			}
			seen, err := s.Seen()
			if err != nil || seen != 3 {
				t.Fatalf("seen %d, %v; want 3", seen, err)
			}
			dup, missing, err := s.Tally()
			if err != nil || dup != 1 || missing != 1 {
				t.Fatalf("tally: %d duplicated, %d missing, %v; want 1 and 1", dup, missing, err)
			}
			// 200 submits, 50 outstanding, 20 ms each: at most 2,500/s.
			c, err := s.Ceiling(200, 50)
			if err != nil || c <= 0 || c > 2500 {
				t.Fatalf("ceiling %.0f/s, %v; want (0, 2500]", c, err)
			}
		})
	}
}

// TestSpawnedRun runs the delayed benchmark against an SMSC in a child
// process, the way make bench does.
func TestSpawnedRun(t *testing.T) {
	res, err := Run(context.Background(), Options{DB: "sqlite", Messages: 3000, Delay: 20 * time.Millisecond, SMSC: spawnSelf})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res)
	if !res.Once || res.Steady <= 0 || res.Ceiling <= 0 {
		t.Errorf("got %s", res)
	}
}
