package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"nudge/internal/outbox"
)

// runOutboxReview is `nudge outbox review [--resend IDS|all] [--dismiss
// IDS|all]`: the messages whose submit may or may not have reached the
// gateway (a dispatcher died, or the answer was lost). Without flags it
// lists them; --resend puts them back in the queue (a handset may get a
// message twice), --dismiss marks them failed for good.
func runOutboxReview(ctx context.Context, e *env) error {
	fs := newFlags("outbox review", e)
	resend := fs.String("resend", "", "ids (comma separated) or all: send again")
	dismiss := fs.String("dismiss", "", "ids (comma separated) or all: never send, mark failed")
	a, err := openApp(ctx, e, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	s, err := outbox.NewStore(ctx, a.DB, a.Keys, a.Clock, outbox.Options{Region: a.Config.Region})
	if err != nil {
		return err
	}
	if *resend != "" && *dismiss != "" {
		return &exitError{code: 2, err: errors.New("give --resend or --dismiss, not both")}
	}
	if arg := *resend + *dismiss; arg != "" {
		ids, err := reviewIDs(ctx, s, arg)
		if err != nil {
			return err
		}
		n, err := s.ResolveReview(ctx, ids, *resend != "")
		if err != nil {
			return err
		}
		what := "dismissed (failed, never sent again)"
		if *resend != "" {
			what = "queued again"
		}
		fmt.Fprintf(e.stdout, "%d of %d messages %s\n", n, len(ids), what)
		return nil
	}
	vs, err := s.Review(ctx, 0, 1000)
	if err != nil {
		return err
	}
	if len(vs) == 0 {
		fmt.Fprintln(e.stdout, "no message is held for review")
		return nil
	}
	loc := a.Customers.Location()
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPHONE\tGATEWAY\tSOURCE\tSENDING SINCE\tWHY")
	for _, v := range vs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", v.ID, v.Phone, v.Gateway, v.Source, v.SendingAt.In(loc).Format("2006-01-02 15:04:05"), v.Error)
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "%d held: the gateway may or may not have them. nudge outbox review --resend all (risking duplicates) or --dismiss all\n", len(vs))
	return nil
}

func reviewIDs(ctx context.Context, s *outbox.Store, arg string) ([]int64, error) {
	if arg == "all" {
		return s.ReviewIDs(ctx)
	}
	var ids []int64
	for _, f := range strings.Split(arg, ",") {
		id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a message id", f)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// runOutboxControl makes `nudge outbox pause|resume|cancel KIND:REF`.
func runOutboxControl(verb string) func(ctx context.Context, e *env) error {
	return func(ctx context.Context, e *env) error {
		fs := newFlags("outbox "+verb, e)
		a, err := openApp(ctx, e, fs)
		if err != nil {
			return err
		}
		defer a.Close()
		kind, ref, ok := strings.Cut(fs.Arg(0), ":")
		if fs.NArg() != 1 || !ok || kind == "" {
			return &exitError{code: 2, err: fmt.Errorf("usage: nudge outbox %s KIND:REF (such as campaign:42; see nudge outbox sources)", verb)}
		}
		s, err := outbox.NewStore(ctx, a.DB, a.Keys, a.Clock, outbox.Options{Region: a.Config.Region})
		if err != nil {
			return err
		}
		src := outbox.Source{Kind: kind, Ref: ref}
		switch verb {
		case "pause":
			err = s.Pause(ctx, src)
		case "resume":
			err = s.Resume(ctx, src)
		case "cancel":
			var n int64
			n, err = s.Cancel(ctx, src)
			if err == nil {
				fmt.Fprintf(e.stdout, "%s cancelled: %d queued messages will never be sent\n", src, n)
				return nil
			}
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s %sd\n", src, verb)
		return nil
	}
}

// runOutboxSources is `nudge outbox sources`: what is being sent, for whom
// pause, resume and cancel are meant.
func runOutboxSources(ctx context.Context, e *env) error {
	fs := newFlags("outbox sources", e)
	a, err := openApp(ctx, e, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	s, err := outbox.NewStore(ctx, a.DB, a.Keys, a.Clock, outbox.Options{Region: a.Config.Region})
	if err != nil {
		return err
	}
	srcs, err := s.Sources(ctx, 50)
	if err != nil {
		return err
	}
	totals, err := s.Totals(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tSTATE\tQUEUED")
	for _, si := range srcs {
		fmt.Fprintf(tw, "%s\t%s\t%d\n", si.Source, si.State, si.Queued)
	}
	tw.Flush()
	var parts []string
	for _, k := range sortedKeys(totals) {
		parts = append(parts, fmt.Sprintf("%s %d", k, totals[k]))
	}
	fmt.Fprintln(e.stdout, "all messages: "+strings.Join(parts, ", "))
	return nil
}
