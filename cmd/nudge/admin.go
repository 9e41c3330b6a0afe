package main

import (
	"context"
	"flag"
	"fmt"

	"nudge/internal/app"
	"nudge/internal/pii"
	"nudge/internal/rekey"
)

// openApp parses the shared flags plus the command's own and opens the app.
func openApp(ctx context.Context, e *env, fs *flag.FlagSet) (*app.App, error) {
	cfg := app.DefaultConfig()
	cfg.Flags(fs)
	if err := fs.Parse(e.args); err != nil {
		return nil, err
	}
	return app.Open(ctx, cfg, e.log)
}

func newFlags(name string, e *env) *flag.FlagSet {
	fs := flag.NewFlagSet("nudge "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

func runMigrate(ctx context.Context, e *env) error {
	a, err := openApp(ctx, e, newFlags("migrate", e))
	if err != nil {
		return err
	}
	defer a.Close()
	v, err := a.DB.Version(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s is at schema version %d\n", a.DB.Location, v)
	return nil
}

func runConfig(ctx context.Context, e *env) error {
	cfg := app.DefaultConfig()
	fs := newFlags("config", e)
	cfg.Flags(fs)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address [NUDGE_ADDR]")
	if err := fs.Parse(e.args); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	cfg.Print(e.stdout)
	return nil
}

// runKeysRotate adds a master key (to the key file; with NUDGE_MASTER_KEY
// the operator puts the new key last in the variable) and re-seals every
// row. If a previous rotation was interrupted, it resumes with the key it
// was rotating to instead of adding another.
func runKeysRotate(ctx context.Context, e *env) error {
	fs := newFlags("keys rotate", e)
	batch := fs.Int("batch", 500, "rows per transaction")
	a, err := openApp(ctx, e, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	remaining, err := rekey.Remaining(ctx, a.DB, a.Keys)
	if err != nil {
		return err
	}
	keys := a.Keys
	switch {
	case remaining > 0:
		fmt.Fprintf(e.stdout, "resuming: %d rows not yet sealed with key %s\n", remaining, keys.Current().ID)
	case a.Config.MasterKey != "":
		fmt.Fprintln(e.stdout, "every row is sealed with the newest key in NUDGE_MASTER_KEY; to rotate, append a new key to it (comma separated) and run again")
		return nil
	default:
		if keys, err = pii.AppendKeyFile(a.Config.DataDir); err != nil {
			return err
		}
		if remaining, err = rekey.Remaining(ctx, a.DB, keys); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "new key %s added to %s/%s; re-sealing %d rows\n", keys.Current().ID, a.Config.DataDir, pii.KeyFileName, remaining)
	}
	n, err := rekey.Run(ctx, a.DB, keys, *batch, func(table string, done, _ int64) {
		if done%50000 < int64(*batch) {
			fmt.Fprintf(e.stdout, "%s: %d re-sealed\n", table, done)
		}
	})
	if err != nil {
		return fmt.Errorf("%w (run again to resume)", err)
	}
	fmt.Fprintf(e.stdout, "done: %d rows re-sealed with key %s; older keys can be removed from the key file once backups made with them have expired\n", n, keys.Current().ID)
	return nil
}
