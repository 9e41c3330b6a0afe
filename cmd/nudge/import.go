package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"golang.org/x/term"

	"nudge/internal/app"
	"nudge/internal/ingest"
)

// runImport is `nudge import customers|orders|products FILE`. The summary
// goes to stdout, progress to stderr. Exit status: 0 when every row was
// taken, 2 when some were rejected (listed in the rejects file), 1 when the
// file could not be read at all.
func runImport(ctx context.Context, e *env) error {
	if len(e.args) == 0 || (e.args[0] != "customers" && e.args[0] != "orders" && e.args[0] != "products") {
		return errors.New("usage: nudge import customers|orders|products [flags] FILE (- for standard input)")
	}
	kind := ingest.Kind(e.args[0])
	fs := newFlags("import "+e.args[0], e)
	format := fs.String("format", "", "csv or jsonl (default: from the file name's extension, else from the content)")
	rejects := fs.String("rejects", "", "where refused rows go (default FILE.rejects.csv, or stdin.rejects.csv)")
	batch := fs.Int("batch", ingest.DefaultBatchSize, "rows per transaction")
	indexes := fs.String("indexes", "auto", "secondary indexes: keep (updated row by row), defer (built once at the end), auto (defer for a file large beside the table)")
	cfg := app.DefaultConfig()
	cfg.Flags(fs)
	// Flags may come before or after FILE. The flag package stops at the
	// first argument that is not a flag, so parsing resumes after each one.
	var files []string
	for rest := e.args[1:]; ; {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(files) != 1 {
		return errors.New("usage: nudge import customers|orders|products [flags] FILE (- for standard input)")
	}
	file := files[0]
	policy, err := ingest.ParseIndexPolicy(*indexes)
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg, e.log)
	if err != nil {
		return err
	}
	defer a.Close()

	opt := ingest.Options{Kind: kind, Format: *format, Name: file, RejectsPath: *rejects, BatchSize: *batch, Progress: e.stderr, Indexes: policy}
	if f, ok := e.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		opt.Terminal = true
	}
	var sum ingest.Summary
	if file == "-" {
		sum, err = ingest.Import(ctx, a.Customers, e.stdin, opt)
	} else {
		sum, err = ingest.ImportFile(ctx, a.Customers, file, opt)
	}
	if err != nil {
		if sum.Rows > 0 {
			fmt.Fprintln(e.stdout, sum)
		}
		return &exitError{code: 1, err: err}
	}
	fmt.Fprintln(e.stdout, sum)
	if sum.Rejected > 0 {
		return &exitError{code: 2}
	}
	return nil
}
