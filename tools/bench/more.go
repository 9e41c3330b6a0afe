package main

import "context"

// moreSections adds the compose, link and delivery figures, each section when
// run (from -only) asks for it.
func moreSections(ctx context.Context, a caseArgs, t *table, run map[string]bool, stores []struct{ label, dsn string }) error {
	if run["compose"] {
		if err := composeFigures(ctx, a, t); err != nil {
			return err
		}
	}
	if run["links"] {
		if err := linkFigures(ctx, a, t, stores); err != nil {
			return err
		}
	}
	if run["delivery"] {
		if err := deliveryFigures(ctx, a, t, stores); err != nil {
			return err
		}
	}
	return nil
}
