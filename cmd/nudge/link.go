package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"nudge/internal/app"
	"nudge/internal/link"
)

// linkService builds the short-link service for a command, under the
// configured base URL (NUDGE_BASE_URL).
func linkService(ctx context.Context, a *app.App) (*link.Service, error) {
	return link.New(ctx, a.DB, a.Keys, a.Clock, link.Options{BaseURL: a.Config.BaseURL, Log: a.Log})
}

// runLinkCreate implements `nudge link create URL [--campaign C]
// [--content V] [--customer ID]`: it prints the short URL.
func runLinkCreate(ctx context.Context, e *env) error {
	fs := newFlags("link create", e)
	campaign := fs.String("campaign", "", "utm_campaign")
	content := fs.String("content", "", "utm_content (a variant, a message)")
	cust := fs.String("customer", "", "the shop's customer id the link is personal to")
	a, pos, err := openAppArgs(ctx, e, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	if len(pos) != 1 {
		return errors.New("usage: nudge link create URL [--campaign C] [--content V] [--customer ID]")
	}
	var id int64
	if *cust != "" {
		c, err := a.Customers.GetByExternalID(ctx, *cust)
		if err != nil {
			return fmt.Errorf("customer %q: %w", *cust, err)
		}
		id = c.ID
	}
	s, err := linkService(ctx, a)
	if err != nil {
		return err
	}
	defer s.Close()
	u, err := s.Create(ctx, pos[0], *campaign, *content, id)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, u)
	return nil
}

// runLinkStats implements `nudge link stats CAMPAIGN [--json]`: links,
// clicks by people, distinct clickers and bot hits.
func runLinkStats(ctx context.Context, e *env) error {
	fs := newFlags("link stats", e)
	asJSON := fs.Bool("json", false, "print JSON")
	a, pos, err := openAppArgs(ctx, e, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	if len(pos) != 1 {
		return errors.New("usage: nudge link stats CAMPAIGN [--json]")
	}
	s, err := linkService(ctx, a)
	if err != nil {
		return err
	}
	defer s.Close()
	st, err := s.Stats(ctx, pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(st)
	}
	fmt.Fprintf(e.stdout, "%s: %d links, %d clicks by %d customers, %d bot or preview requests left out\n",
		pos[0], st.Links, st.Clicks, st.Clickers, st.BotHits)
	return nil
}
