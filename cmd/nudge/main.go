// Command nudge is a self-hosted SMS customer-operations platform: one
// binary with subcommands. main parses the command line and hands over to
// internal/app; nothing here holds domain logic.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// env is what a command gets from main: its arguments and the process's
// standard streams, so that tests can run commands in-process.
type env struct {
	args   []string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger
}

type command struct {
	name    string // may be two words: "keys rotate"
	summary string
	run     func(ctx context.Context, e *env) error
}

// commands is the whole command table, in the order `nudge help` lists it.
var commands = []command{
	{"serve", "serve the console, the API and the workers", runServe},
	{"demo", "generate a demo shop into a fresh SQLite store and serve it", runDemo},
	{"import", "import customers|orders|products from CSV or JSONL", runImport},
	{"migrate", "apply pending schema migrations", runMigrate},
	{"user add", "add a console user", runUserAdd},
	{"token create", "create an API bearer token", runTokenCreate},
	{"keys rotate", "add a master key and re-seal all personal data (resumable)", runKeysRotate},
	{"sms count", "count the encoding and billed segments of a text", func(ctx context.Context, e *env) error {
		return runSMSCount(ctx, e.args, e.stdout)
	}},
	{"template lint", "check marketing copy against the copy rules", func(ctx context.Context, e *env) error {
		return runTemplateLint(ctx, e.args, e.stdin, e.stdout)
	}},
	{"template preview", "show a template as a customer would get it (nothing sent, no coupon drawn)", runTemplatePreview},
	{"template starters", "list the starter templates of common scenarios", runTemplateStarters},
	{"coupon import", "import single-use coupon codes into a pool from a file", runCouponImport},
	{"coupon generate", "add random coupon codes to a pool", runCouponGenerate},
	{"coupon status", "show coupon pools with their remaining codes", runCouponStatus},
	{"rfm", "compute RFM scores and show the eight customer groups", runRFM},
	{"segment create", "save a segment: a rule over customers, orders, RFM, predictions", runSegmentCreate},
	{"segment list", "list saved segments", runSegmentList},
	{"segment count", "count the customers a segment or rule matches now", runSegmentCount},
	{"segment export", "export a segment's customers as CSV (phones masked)", runSegmentExport},
	{"predict refresh", "recompute lifetime value, purchase cycles and habits per customer", runPredictRefresh},
	{"clv fit", "fit the BG/NBD and Gamma-Gamma models and print their parameters", runCLVFit},
	{"why", "explain the policy decision for a number: one line per rule", runWhy},
	{"suppress add", "put a number on the suppression list", runSuppressAdd},
	{"suppress remove", "take a number off the suppression list", runSuppressRemove},
	{"suppress list", "list the suppression list (phones masked)", runSuppressList},
	{"suppress import", "import numbers to suppress from CSV", runSuppressImport},
	{"suppress export", "export the suppression list as CSV (phones masked unless --clear)", runSuppressExport},
	{"link create", "make a short link with UTM parameters", runLinkCreate},
	{"link stats", "clicks of a campaign's links, bots left out", runLinkStats},
	{"send", "send a text to a number, or a template to a CSV list, and wait for the outcome", runSend},
	{"gateway add", "add a gateway from a URL (smpp://, smpps://, http(s)://, sim://)", runGatewayAdd},
	{"gateway set", "replace a gateway's URL", runGatewaySet},
	{"gateway remove", "remove a gateway", runGatewayRemove},
	{"gateway list", "list gateways with their state", runGatewayList},
	{"gateway log", "show a gateway's interaction log (numbers masked, secrets redacted)", runGatewayLog},
	{"outbox review", "list, resend or dismiss messages whose submit may not have reached the gateway", runOutboxReview},
	{"outbox sources", "list what is being sent, with queued counts", runOutboxSources},
	{"outbox pause", "pause a source's messages (KIND:REF)", runOutboxControl("pause")},
	{"outbox resume", "resume a paused source", runOutboxControl("resume")},
	{"outbox cancel", "cancel every queued message of a source", runOutboxControl("cancel")},
	{"config", "print the effective configuration", runConfig},
}

// exitError carries an exit status other than 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, log))
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, log *slog.Logger) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return 0
	}
	for _, c := range commands {
		words := strings.Fields(c.name)
		if len(args) < len(words) || strings.Join(args[:len(words)], " ") != c.name {
			continue
		}
		err := c.run(ctx, &env{args: args[len(words):], stdin: stdin, stdout: stdout, stderr: stderr, log: log})
		if err == nil {
			return 0
		}
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.err != nil && ee.err.Error() != "" {
				fmt.Fprintln(stderr, "nudge:", ee.err)
			}
			return ee.code
		}
		fmt.Fprintf(stderr, "nudge %s: %v\n", c.name, err)
		return 1
	}
	fmt.Fprintf(stderr, "nudge: unknown command %q\n\n", strings.Join(args, " "))
	usage(stderr)
	return 1
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "nudge: SMS customer operations for shops\n\nUsage: nudge COMMAND [flags]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-17s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'nudge COMMAND -h' for a command's flags.")
}
