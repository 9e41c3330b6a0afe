package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"nudge/internal/app"
	"nudge/internal/outbox"
	"nudge/internal/outbox/direct"
)

// runSend is `nudge send`: one text to one number, or a template to a CSV
// list, through the policy and the outbox like every other message. It
// waits for the outcome (submitted, then delivery receipts for up to
// --wait) and prints it per status, or returns at once with --no-wait.
// When no `nudge serve` is dispatching, it dispatches itself while it
// waits. Exit status 0 when every message went, 2 when some rows were
// refused or some messages failed, 1 when nothing could be done.
func runSend(ctx context.Context, e *env) error {
	fs := newFlags("send", e)
	to := fs.String("to", "", "the number to send to")
	text := fs.String("text", "", "the message (may hold {{fields}})")
	tplFile := fs.String("template", "", "read the message from this file")
	file := fs.String("file", "", "CSV list: a phone column (phone, mobile, 手机号...) and any template fields")
	category := fs.String("category", "transactional", "policy category: transactional, order, marketing, staff...")
	requestID := fs.String("request-id", "", "makes a retried send a no-op: the same id never queues a row twice")
	noWait := fs.Bool("no-wait", false, "return once queued")
	wait := fs.Duration("wait", 30*time.Second, "how long to wait for delivery receipts after submission")
	a, err := openApp(ctx, e, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	body := *text
	if *tplFile != "" {
		if body != "" {
			return &exitError{code: 2, err: errors.New("give --text or --template, not both")}
		}
		b, err := os.ReadFile(*tplFile)
		if err != nil {
			return err
		}
		body = strings.TrimSpace(string(b))
	}
	if body == "" || (*to == "") == (*file == "") {
		return &exitError{code: 2, err: errors.New("usage: nudge send --to PHONE --text TEXT | --file LIST.csv --template FILE|--text TEXT [--category C] [--request-id ID] [--no-wait]")}
	}
	var rcs []direct.Recipient
	var problems []direct.Problem
	if *to != "" {
		rcs = []direct.Recipient{{Phone: *to}}
	} else {
		if rcs, problems, err = readList(*file); err != nil {
			return err
		}
	}
	d, err := a.Delivery(ctx, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	// Route at enqueue from the configuration; the gateways themselves
	// start only if this command ends up dispatching.
	if err := d.Manager.Plan(ctx); err != nil {
		return err
	}
	svc := d.Direct()
	res, err := svc.Send(ctx, direct.Request{RequestID: *requestID, Category: *category, Text: body, Recipients: rcs})
	if err != nil {
		return err
	}
	problems = append(problems, res.Problems...)
	for _, p := range problems {
		where := ""
		if p.Line > 0 {
			where = fmt.Sprintf("line %d: ", p.Line)
		}
		fmt.Fprintf(e.stderr, "%s%s: %s\n", where, p.Phone, p.Reason)
	}
	fmt.Fprintf(e.stdout, "request %s: %d queued, %d already queued, %d deferred to allowed hours, %d refused\n",
		res.RequestID, res.Queued, res.Duplicates, res.Deferred, len(problems))
	if len(res.IDs) == 0 {
		return &exitError{code: 2, err: errors.New("nothing to send")}
	}
	if *noWait {
		if n, _ := d.Outbox.LiveDispatchers(ctx, outbox.DefaultLease); n == 0 {
			fmt.Fprintln(e.stdout, "no dispatcher is running: the messages go when `nudge serve` starts")
		}
		return exitFor(problems, nil)
	}
	counts, err := dispatchAndWait(ctx, e, a, d, res.IDs, *wait)
	if err != nil {
		return err
	}
	return exitFor(problems, counts)
}

// dispatchAndWait waits until every message left the queue and, for up to
// wait, until receipts came. It starts a dispatcher in this process when no
// other one is alive.
func dispatchAndWait(ctx context.Context, e *env, a *app.App, d *app.Delivery, ids []int64, wait time.Duration) (map[string]int, error) {
	if n, err := d.Outbox.LiveDispatchers(ctx, outbox.DefaultLease); err != nil {
		return nil, err
	} else if n == 0 {
		recs, err := d.Gateways.List(ctx)
		if err != nil {
			return nil, err
		}
		if len(recs) == 0 {
			return nil, errors.New("no gateway configured: add one, e.g. nudge gateway add sim sim://")
		}
		if err := d.Start(ctx, app.Roles{Dispatch: true}); err != nil {
			return nil, err
		}
		defer d.Stop()
	}
	var submittedAt time.Time
	var counts map[string]int
	for {
		var err error
		if counts, err = d.Outbox.CountByStatus(ctx, ids); err != nil {
			return nil, err
		}
		pending := counts["queued"] + counts["sending"]
		waiting := counts["submitted"]
		if pending == 0 && submittedAt.IsZero() {
			submittedAt = time.Now()
		}
		if pending == 0 && (waiting == 0 || time.Since(submittedAt) >= wait) {
			break
		}
		select {
		case <-ctx.Done():
			printCounts(e, counts)
			return counts, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	printCounts(e, counts)
	if len(ids) <= 20 {
		for _, id := range ids {
			v, err := d.Outbox.Get(ctx, id)
			if err != nil {
				continue
			}
			line := fmt.Sprintf("  #%d %s %s", v.ID, v.Phone, v.Status)
			if v.Review {
				line += " (held for review)"
			}
			if v.Reason != "" {
				line += " " + v.Reason
			}
			if v.Gateway != "" {
				line += " via " + v.Gateway
			}
			fmt.Fprintln(e.stdout, line)
		}
	}
	return counts, nil
}

func printCounts(e *env, counts map[string]int) {
	var parts []string
	for _, st := range append([]string{"delivered", "submitted", "undelivered", "expired", "failed", "cancelled", "review", "deferred"}, "queued", "sending") {
		if n := counts[st]; n > 0 {
			label := st
			if st == "submitted" {
				label = "submitted, no receipt yet"
			}
			parts = append(parts, fmt.Sprintf("%d %s", n, label))
		}
	}
	fmt.Fprintln(e.stdout, strings.Join(parts, ", "))
}

// exitFor is 2 when rows were refused or messages did not go, else nil.
func exitFor(problems []direct.Problem, counts map[string]int) error {
	bad := len(problems) + counts["undelivered"] + counts["failed"] + counts["cancelled"] + counts["expired"] + counts["review"]
	if bad > 0 {
		return &exitError{code: 2}
	}
	return nil
}

// phoneColumns are the headers a list's phone column may have.
var phoneColumns = []string{"phone", "mobile", "tel", "手机号", "手机", "手机号码", "电话", "号码"}

// readList reads a CSV list: a header row with a phone column, the other
// columns being template fields. It takes UTF-8 (with or without BOM) and
// GBK, as Excel in China saves it. Rows that cannot be read are problems
// with their line numbers; the rest go.
func readList(path string) ([]direct.Recipient, []direct.Problem, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	var r io.Reader = bytes.NewReader(raw)
	if !utf8.Valid(raw) {
		r = transform.NewReader(r, simplifiedchinese.GB18030.NewDecoder())
	}
	cr := csv.NewReader(bufio.NewReader(r))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: no header row: %w", path, err)
	}
	col := -1
	for i, h := range header {
		header[i] = strings.TrimSpace(h)
		for _, p := range phoneColumns {
			if strings.EqualFold(header[i], p) && col < 0 {
				col = i
			}
		}
	}
	if col < 0 {
		return nil, nil, fmt.Errorf("%s: no phone column (one of %s)", path, strings.Join(phoneColumns, ", "))
	}
	var rcs []direct.Recipient
	var problems []direct.Problem
	for {
		rec, err := cr.Read()
		line, _ := cr.FieldPos(0)
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				problems = append(problems, direct.Problem{Line: pe.Line, Reason: "unreadable CSV row: " + pe.Err.Error()})
				continue
			}
			return nil, nil, err
		}
		if len(rec) != len(header) {
			problems = append(problems, direct.Problem{Line: line, Reason: fmt.Sprintf("%d fields, the header has %d", len(rec), len(header))})
			continue
		}
		fields := make(map[string]string, len(rec))
		for i, v := range rec {
			if i != col {
				fields[header[i]] = strings.TrimSpace(v)
			}
		}
		rcs = append(rcs, direct.Recipient{Phone: strings.TrimSpace(rec[col]), Fields: fields, Line: line})
	}
	return rcs, problems, nil
}
