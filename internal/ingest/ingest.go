// Package ingest imports customers, orders and products from the files
// shops export: CSV (UTF-8 with or without BOM, or GBK as Chinese Excel
// writes it) and JSONL, with the Chinese and English headers those exports
// use.
//
// An import streams: memory stays the same whatever the file size. Rows are
// read, checked and sealed in batches on all cores while the database takes
// the previous batch, and written with the store's idempotent upserts, so
// importing a file twice changes nothing. A bad row never stops an import:
// it goes to a rejects file with its line number and a reason, and the good
// rows go in.
package ingest

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"nudge/internal/clock"
	"nudge/internal/customer"
)

// Options configure an import.
type Options struct {
	Kind Kind
	// Format is "csv" or "jsonl"; "" decides by Name's extension (.csv,
	// .jsonl, .ndjson, .json) and otherwise by the content.
	Format string
	// Name is the input as the user named it, for messages and the default
	// rejects path; "" or "-" is standard input.
	Name string
	// RejectsPath is where refused rows go; "" is Name+".rejects.csv", or
	// stdin.rejects.csv in the working directory for standard input.
	RejectsPath string
	// Size is the input's size in bytes, for the progress ETA and the
	// IndexesAuto decision; 0 is unknown.
	Size int64
	// Progress receives progress reports; nil reports nothing.
	Progress io.Writer
	// Terminal draws a progress bar instead of periodic lines.
	Terminal bool
	// BatchSize is rows per transaction; 0 is DefaultBatchSize.
	BatchSize int
	// Clock times the import; nil is the wall clock.
	Clock clock.Clock
	// Indexes says when the target tables' secondary indexes are built;
	// see IndexPolicy.
	Indexes IndexPolicy
}

// DefaultBatchSize is rows per transaction: large enough that a commit's
// fixed cost is spread thin, small enough that a batch in flight is a few
// hundred kilobytes.
const DefaultBatchSize = 2000

// Summary tells what an import did. Rows counts data rows read (not the
// header, not blank lines); Taken + Rejected = Rows. Inserted, Updated and
// Unchanged split Taken; for orders they count order lines, and Orders
// counts the orders the lines belong to.
type Summary struct {
	Kind                         Kind
	Rows, Taken, Rejected        int
	Inserted, Updated, Unchanged int
	Orders                       customer.WriteResult
	Duration                     time.Duration
	// RejectsPath is the rejects file, "" when nothing was rejected.
	RejectsPath string
}

// String is the one-line summary the CLI prints, such as
// "customers: 50000 rows, 49990 taken (49000 new, 990 updated, 0 unchanged),
// 10 rejected -> x.csv.rejects.csv, 3.2s, 15600 rows/s".
func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d rows, %d taken (%d new, %d updated, %d unchanged", s.Kind, s.Rows, s.Taken, s.Inserted, s.Updated, s.Unchanged)
	if s.Kind == Orders {
		fmt.Fprintf(&b, "; orders %d new, %d updated, %d unchanged", s.Orders.Inserted, s.Orders.Updated, s.Orders.Unchanged)
	}
	fmt.Fprintf(&b, "), %d rejected", s.Rejected)
	if s.RejectsPath != "" {
		fmt.Fprintf(&b, " -> %s", s.RejectsPath)
	}
	fmt.Fprintf(&b, ", %s", seconds(s.Duration))
	if s.Duration > 0 {
		fmt.Fprintf(&b, ", %.0f rows/s", float64(s.Rows)/s.Duration.Seconds())
	}
	return b.String()
}

// ImportFile imports the file at path. See Import.
func ImportFile(ctx context.Context, cs *customer.Store, path string, opt Options) (Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return Summary{Kind: opt.Kind}, err
	}
	defer f.Close()
	if opt.Name == "" {
		opt.Name = path
	}
	st, err := f.Stat()
	if err != nil {
		return Summary{Kind: opt.Kind}, err
	}
	if opt.Size == 0 && st.Mode().IsRegular() {
		opt.Size = st.Size()
	}
	// Creating the rejects file truncates it: it must not be the input.
	if opt.RejectsPath != "" {
		if rst, err := os.Stat(opt.RejectsPath); err == nil && os.SameFile(st, rst) {
			return Summary{Kind: opt.Kind}, fmt.Errorf("%s: the rejects file would overwrite the input", path)
		}
	}
	return Import(ctx, cs, f, opt)
}

// Import reads rows of opt.Kind from r and writes them to cs. It returns an
// error only when the input cannot be read at all (not text, no header, a
// required column missing, a read error) or the store fails; rejected rows
// are counted in the Summary and listed in the rejects file. A Summary is
// returned either way, with what was written before an error.
func Import(ctx context.Context, cs *customer.Store, r io.Reader, opt Options) (Summary, error) {
	clk := opt.Clock
	if clk == nil {
		clk = clock.System{}
	}
	start := clk.Now()
	sum := Summary{Kind: opt.Kind}
	name := opt.Name
	if name == "" || name == "-" {
		name = "stdin"
	}
	rejectsPath := opt.RejectsPath
	if rejectsPath == "" {
		rejectsPath = name + ".rejects.csv"
	}
	src, err := openSource(r, opt)
	if err != nil {
		removeStale(rejectsPath)
		return sum, fmt.Errorf("%s: %w", name, err)
	}
	rej, err := openRejects(rejectsPath, src.rejectHeader())
	if err != nil {
		return sum, fmt.Errorf("rejects file: %w", err)
	}
	prog := newProgress(opt.Progress, opt.Terminal, opt.Kind, opt.Size, src.bytesRead, start)
	p := &pipeline{cs: cs, kind: opt.Kind, loc: cs.Location(), src: src, rej: rej, prog: prog, clk: clk, sum: &sum}
	p.batchSize = opt.BatchSize
	if p.batchSize <= 0 {
		p.batchSize = DefaultBatchSize
	}
	deferred, runErr := p.deferIndexes(ctx, opt.Indexes, opt.Size)
	if runErr == nil {
		runErr = p.run(ctx)
	}
	if err := p.restoreIndexes(ctx, deferred); runErr == nil {
		runErr = err
	}
	closeErr := rej.close()
	if sum.Rejected > 0 {
		sum.RejectsPath = rejectsPath
	}
	sum.Duration = clk.Now().Sub(start)
	prog.done(sum.Rows, clk.Now())
	if runErr != nil {
		return sum, fmt.Errorf("%s: %w", name, runErr)
	}
	if closeErr != nil {
		return sum, fmt.Errorf("rejects file: %w", closeErr)
	}
	return sum, nil
}

// input is a source with the byte count of the raw input behind it.
type input struct {
	source
	counter *countReader
}

func (in input) bytesRead() int64 { return in.counter.n.Load() }

func openSource(r io.Reader, opt Options) (input, error) {
	s, err := specFor(opt.Kind)
	if err != nil {
		return input{}, err
	}
	cr := &countReader{r: r}
	text, _, err := decodeText(cr)
	if err != nil {
		return input{}, err
	}
	format := opt.Format
	if format == "" {
		switch strings.ToLower(filepath.Ext(opt.Name)) {
		case ".csv":
			format = "csv"
		case ".jsonl", ".ndjson":
			format = "jsonl"
		default:
			format = sniffFormat(text)
		}
	}
	switch format {
	case "csv":
		src, err := newCSVSource(text, s)
		return input{source: src, counter: cr}, err
	case "jsonl", "ndjson":
		if head, _ := text.Peek(64); strings.HasPrefix(strings.TrimSpace(string(head)), "[") {
			return input{}, fmt.Errorf("a JSON array: write one object per line (JSONL) instead")
		}
		return input{source: newJSONLSource(text, s), counter: cr}, nil
	}
	return input{}, fmt.Errorf("unknown format %q (csv or jsonl)", format)
}
