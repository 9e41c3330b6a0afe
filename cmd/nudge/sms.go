package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"nudge/internal/sms"
)

// runSMSCount implements `nudge sms count [--json] TEXT`: the encoding and
// billed segments of a text. Several arguments are joined with single
// spaces, so the text need not be quoted.
func runSMSCount(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("nudge sms count", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the count as JSON")
	if done, err := parseFlags(fs, args, stdout, "nudge sms count [--json] TEXT"); done || err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("no text given (usage: nudge sms count [--json] TEXT)")
	}
	c := sms.CountText(strings.Join(fs.Args(), " "))
	if *asJSON {
		return json.NewEncoder(stdout).Encode(c)
	}
	unit := "septets"
	if c.Encoding == sms.UCS2 {
		unit = "UTF-16 units"
	}
	_, err := fmt.Fprintf(stdout, "%s, %d %s, %d %s (%d per segment)\n",
		c.Encoding, c.Segments, plural(c.Segments, "segment", "segments"), c.Units, unit, c.PerSegment)
	return err
}

// runTemplateLint implements
// `nudge template lint [--json] [--marketing=true] [--brand NAME] FILE|TEXT`.
// The argument is read as a file when it names an existing file, as stdin
// when it is '-', and as the text itself otherwise (several arguments are
// joined with spaces). A final line break of a file or stdin is dropped.
// Warnings are advice, not failures: the command succeeds whenever it
// could lint the text.
func runTemplateLint(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("nudge template lint", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the warnings as JSON")
	marketing := fs.Bool("marketing", true, "lint as a marketing message (offer, length, opt-out checks)")
	brand := fs.String("brand", "", "the shop's signature name, expected as 【NAME】")
	const usage = "nudge template lint [--json] [--marketing=true] [--brand NAME] FILE|TEXT"
	if done, err := parseFlags(fs, args, stdout, usage); done || err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("no file or text given (usage: %s)", usage)
	}
	text, err := lintInput(fs.Args(), stdin)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	ws := sms.Lint(text, sms.LintOptions{Marketing: *marketing, Brand: *brand})
	if *asJSON {
		// The CLI prints exactly code, message, start and end; the Chinese
		// message stays with the API and the console.
		type warning struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Start   int    `json:"start"`
			End     int    `json:"end"`
		}
		out := struct {
			Warnings []warning `json:"warnings"`
		}{Warnings: []warning{}}
		for _, w := range ws {
			out.Warnings = append(out.Warnings, warning{w.Code, w.Message, w.Start, w.End})
		}
		return json.NewEncoder(stdout).Encode(out)
	}
	if len(ws) == 0 {
		_, err := fmt.Fprintln(stdout, "no warnings")
		return err
	}
	for _, w := range ws {
		if _, err := fmt.Fprintf(stdout, "%d-%d %s: %s\n", w.Start, w.End, w.Code, w.Message); err != nil {
			return err
		}
	}
	return nil
}

// lintInput resolves the FILE|TEXT|- argument of template lint.
func lintInput(args []string, stdin io.Reader) (string, error) {
	if len(args) == 1 {
		switch arg := args[0]; {
		case arg == "-":
			b, err := io.ReadAll(stdin)
			if err != nil {
				return "", fmt.Errorf("read stdin: %w", err)
			}
			return strings.TrimRight(string(b), "\r\n"), nil
		default:
			if st, err := os.Stat(arg); err == nil && st.Mode().IsRegular() {
				b, err := os.ReadFile(arg)
				if err != nil {
					return "", err
				}
				return strings.TrimRight(string(b), "\r\n"), nil
			}
		}
	}
	return strings.Join(args, " "), nil
}

// parseFlags parses args. For -h it prints the usage to stdout and
// reports done; other flag errors come back with the usage line, for main
// to print.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer, usage string) (done bool, err error) {
	fs.SetOutput(io.Discard)
	err = fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		fmt.Fprintf(stdout, "Usage: %s\n", usage)
		fs.PrintDefaults()
		return true, nil
	}
	if err != nil {
		return true, fmt.Errorf("%w (usage: %s)", err, usage)
	}
	return false, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
