package ingest

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progress reports an import as it runs: a bar redrawn in place on a
// terminal, or a plain line every couple of seconds when stderr is a file
// or a pipe (a log should not fill with carriage returns).
type progress struct {
	w     io.Writer
	term  bool
	kind  Kind
	size  int64        // input bytes, 0 when unknown (stdin)
	read  func() int64 // input bytes read so far
	start time.Time
	last  time.Time
	every time.Duration
	drawn bool
}

func newProgress(w io.Writer, term bool, kind Kind, size int64, read func() int64, now time.Time) *progress {
	if w == nil {
		return nil
	}
	every := 2 * time.Second
	if term {
		every = 200 * time.Millisecond
	}
	return &progress{w: w, term: term, kind: kind, size: size, read: read, start: now, last: now, every: every}
}

// update shows rows done so far, at most once per interval.
func (p *progress) update(rows int, now time.Time) {
	if p == nil || now.Sub(p.last) < p.every {
		return
	}
	p.last = now
	elapsed := now.Sub(p.start)
	rate := 0.0
	if elapsed > 0 {
		rate = float64(rows) / elapsed.Seconds()
	}
	frac, eta := -1.0, time.Duration(-1)
	if p.size > 0 {
		frac = min(float64(p.read())/float64(p.size), 1)
		if frac > 0 {
			eta = time.Duration(float64(elapsed) * (1 - frac) / frac)
		}
	}
	if p.term {
		p.drawn = true
		fmt.Fprintf(p.w, "\r%s %s%d rows  %.0f rows/s%s\x1b[K", p.kind, bar(frac), rows, rate, etaText(eta, "  ETA "))
		return
	}
	pct := ""
	if frac >= 0 {
		pct = fmt.Sprintf(", %.0f%%", frac*100)
	}
	fmt.Fprintf(p.w, "%s: %d rows, %.0f rows/s%s%s\n", p.kind, rows, rate, pct, etaText(eta, ", ETA "))
}

// done ends the report: the bar is wiped (the summary follows on its own
// line), and a plain report gets its last line.
func (p *progress) done(rows int, now time.Time) {
	if p == nil {
		return
	}
	if p.term {
		if p.drawn {
			fmt.Fprint(p.w, "\r\x1b[K")
		}
		return
	}
	fmt.Fprintf(p.w, "%s: %d rows, done in %s\n", p.kind, rows, seconds(now.Sub(p.start)))
}

func bar(frac float64) string {
	if frac < 0 {
		return ""
	}
	const width = 30
	n := int(frac * width)
	return fmt.Sprintf("[%s%s] %3.0f%%  ", strings.Repeat("=", n), strings.Repeat(" ", width-n), frac*100)
}

func etaText(eta time.Duration, prefix string) string {
	if eta < 0 {
		return ""
	}
	return prefix + eta.Round(time.Second).String()
}

// seconds writes a duration as people read an import's time: "3.2s".
func seconds(d time.Duration) string { return fmt.Sprintf("%.1fs", d.Seconds()) }

// note reports a step after the rows, such as building indexes.
func (p *progress) note(what string) {
	if p == nil {
		return
	}
	if p.term {
		fmt.Fprintf(p.w, "\r%s: %s...\x1b[K", p.kind, what)
		p.drawn = true
		return
	}
	fmt.Fprintf(p.w, "%s: %s\n", p.kind, what)
}
