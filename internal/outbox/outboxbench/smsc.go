package outboxbench

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"nudge/internal/gateway/smpp"
	"nudge/internal/gateway/smpp/smsctest"
)

// SMSC is the counting SMSC a run submits to. Local runs it in this
// process; Spawn in a process of its own, as a carrier's would be, so that
// its readers, timers and writers do not take processors from the
// dispatcher and the store engine it measures (SQLite runs inside nudge's
// process, and with the SMSC there too three parties share the Go
// scheduler's two processors on a 2-core machine).
type SMSC interface {
	// Addr is where it listens.
	Addr() string
	// Seen is how many submit_sm it has received so far.
	Seen() (int64, error)
	// Tally counts the messages "b<i>", i < n, received more than once
	// and never.
	Tally() (dup, missing int64, err error)
	// Ceiling measures, on a fresh instance with the same delay, what a
	// bare pipelined client gets from it: n submits, window outstanding.
	Ceiling(n, window int) (float64, error)
	Close() error
}

// local is an SMSC in this process.
type local struct {
	srv    *smsctest.Server
	counts []atomic.Uint32
	seen   atomic.Int64
	delay  time.Duration
}

// Local starts a counting SMSC in this process for messages "b0" to
// "b<n-1>", answering every submit_sm after delay.
func Local(n int, delay time.Duration) (SMSC, error) {
	l := &local{counts: make([]atomic.Uint32, n), delay: delay}
	srv, err := smsctest.Start("127.0.0.1:0", smsctest.Options{RespDelay: delay,
		OnSubmit: func(conn int, sm *smpp.SubmitSM) smpp.Status {
			if i, err := strconv.Atoi(string(sm.Message[1:])); err == nil && i >= 0 && i < len(l.counts) {
				l.counts[i].Add(1)
			}
			l.seen.Add(1)
			return smpp.ESME_ROK
		}})
	if err != nil {
		return nil, err
	}
	l.srv = srv
	return l, nil
}

func (l *local) Addr() string         { return l.srv.Addr() }
func (l *local) Seen() (int64, error) { return l.seen.Load(), nil }
func (l *local) Close() error         { l.srv.Close(); return nil }

func (l *local) Tally() (dup, missing int64, err error) {
	for i := range l.counts {
		switch c := l.counts[i].Load(); {
		case c == 0:
			missing++
		case c > 1:
			dup++
		}
	}
	return dup, missing, nil
}

func (l *local) Ceiling(n, window int) (float64, error) {
	ceil, err := smsctest.Start("127.0.0.1:0", smsctest.Options{RespDelay: l.delay})
	if err != nil {
		return 0, err
	}
	defer ceil.Close()
	return smsctest.Blast(ceil.Addr(), n, window)
}

// ServeSMSC runs a Local SMSC for a parent that started this process with
// Spawn: it writes the address as the first line of out, then answers the
// commands read from in, one line each ("seen", "tally", "ceiling N W"),
// until in ends.
func ServeSMSC(in io.Reader, out io.Writer, n int, delay time.Duration) error {
	s, err := Local(n, delay)
	if err != nil {
		return err
	}
	defer s.Close()
	w := bufio.NewWriter(out)
	fmt.Fprintln(w, s.Addr())
	if err := w.Flush(); err != nil {
		return err
	}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 1 && f[0] == "seen":
			v, _ := s.Seen()
			fmt.Fprintln(w, v)
		case len(f) == 1 && f[0] == "tally":
			d, m, _ := s.Tally()
			fmt.Fprintln(w, d, m)
		case len(f) == 3 && f[0] == "ceiling":
			cn, err1 := strconv.Atoi(f[1])
			cw, err2 := strconv.Atoi(f[2])
			if err := errors.Join(err1, err2); err != nil {
				fmt.Fprintln(w, "error", err)
				break
			}
			if v, err := s.Ceiling(cn, cw); err != nil {
				fmt.Fprintln(w, "error", err)
			} else {
				fmt.Fprintln(w, v)
			}
		default:
			fmt.Fprintf(w, "error unknown command %q\n", sc.Text())
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
	return sc.Err()
}

// spawned is an SMSC in a child process running ServeSMSC.
type spawned struct {
	cmd  *exec.Cmd
	addr string
	mu   sync.Mutex // one command at a time
	in   io.WriteCloser
	out  *bufio.Reader
}

// Spawn starts cmd, a process that runs ServeSMSC on its standard input
// and output, and returns once it listens.
func Spawn(cmd *exec.Cmd) (SMSC, error) {
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("outboxbench: start the SMSC: %w", err)
	}
	s := &spawned{cmd: cmd, in: in, out: bufio.NewReader(out)}
	addr, err := s.out.ReadString('\n')
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("outboxbench: the SMSC process did not say where it listens: %w", err)
	}
	s.addr = strings.TrimSpace(addr)
	return s, nil
}

func (s *spawned) Addr() string { return s.addr }

// ask sends one command and returns the fields of its answer.
func (s *spawned) ask(cmd string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := io.WriteString(s.in, cmd+"\n"); err != nil {
		return nil, fmt.Errorf("outboxbench: SMSC process: %w", err)
	}
	line, err := s.out.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("outboxbench: SMSC process: %w", err)
	}
	f := strings.Fields(line)
	if len(f) == 0 || f[0] == "error" {
		return nil, fmt.Errorf("outboxbench: SMSC process: %q answered %q", cmd, strings.TrimSpace(line))
	}
	return f, nil
}

func (s *spawned) Seen() (int64, error) {
	f, err := s.ask("seen")
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(f[0], 10, 64)
}

func (s *spawned) Tally() (dup, missing int64, err error) {
	f, err := s.ask("tally")
	if err != nil {
		return 0, 0, err
	}
	if len(f) != 2 {
		return 0, 0, fmt.Errorf("outboxbench: SMSC process: tally answered %q", f)
	}
	dup, err1 := strconv.ParseInt(f[0], 10, 64)
	missing, err2 := strconv.ParseInt(f[1], 10, 64)
	return dup, missing, errors.Join(err1, err2)
}

func (s *spawned) Ceiling(n, window int) (float64, error) {
	f, err := s.ask(fmt.Sprintf("ceiling %d %d", n, window))
	if err != nil {
		return 0, err
	}
	return strconv.ParseFloat(f[0], 64)
}

// Close ends the child (its standard input ends) and waits for it.
func (s *spawned) Close() error {
	s.in.Close()
	return s.cmd.Wait()
}
