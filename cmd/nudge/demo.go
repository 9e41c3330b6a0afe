package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"

	"golang.org/x/term"

	"nudge/internal/app"
	"nudge/internal/auth"
	"nudge/internal/demo"
	"nudge/internal/ingest"
)

// Demo console login. A demo must be easy to enter, so on a loopback
// address the password is fixed and documented; when the demo listens on
// another address, where others could reach it, a random one is made and
// printed instead.
const (
	demoUser     = "admin"
	demoPassword = "nudge-demo"
	demoStore    = "demo.db"
)

// runDemo is `nudge demo`: a fresh SQLite store in the data directory,
// filled with a generated shop through the real import path, a console user,
// and the server. NUDGE_DB is ignored on purpose: the demo deletes its store
// before it starts and must never point at a real one.
func runDemo(ctx context.Context, e *env) error {
	cfg := app.DefaultConfig()
	flags := newFlags("demo", e)
	flags.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data directory; the demo store is DATA/"+demoStore+" [NUDGE_DATA]")
	flags.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address [NUDGE_ADDR]")
	customers := flags.Int("customers", demo.DefaultCustomers, "number of customers to generate")
	seed := flags.Int64("seed", 1, "random seed: the same seed makes the same shop")
	noServe := flags.Bool("no-serve", false, "generate the store and exit without serving it")
	if err := flags.Parse(e.args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", flags.Arg(0))
	}
	if *customers < 1 {
		return errors.New("--customers must be at least 1")
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return err
	}
	path := filepath.Join(cfg.DataDir, demoStore)
	removed, err := removeStore(path)
	if err != nil {
		return err
	}
	if removed {
		fmt.Fprintf(e.stdout, "removed the previous demo store %s\n", path)
	}
	cfg.DB = "sqlite:" + path
	a, err := app.Open(ctx, cfg, e.log)
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintf(e.stdout, "generating a shop of %d customers (seed %d) into %s\n", *customers, *seed, path)

	opt := demo.Options{Seed: *seed, Customers: *customers, Now: demo.Today(a.Clock.Now())}
	for _, step := range []struct {
		kind  ingest.Kind
		write func(io.Writer, demo.Options) (int, error)
	}{
		// Products and customers first: orders name them.
		{ingest.Products, demo.WriteProducts},
		{ingest.Customers, demo.WriteCustomers},
		{ingest.Orders, demo.WriteOrders},
	} {
		sum, err := importGenerated(ctx, e, a, step.kind, step.write, opt)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, sum)
		if sum.Rejected > 0 {
			// The generator only writes valid rows: a reject is a bug.
			return fmt.Errorf("the importer refused %d generated %s rows (see %s)", sum.Rejected, step.kind, sum.RejectsPath)
		}
	}

	// RFM and predictions now, so that every page has numbers at once
	// (the scheduler keeps them fresh from here on).
	if err := a.RefreshNow(ctx); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "RFM groups, purchase cycles and lifetime values computed")
	// The built-in simulator as the gateway, so that sending works.
	d, err := a.Delivery(ctx, nil)
	if err != nil {
		return err
	}
	added, err := d.AddDemoSimulator(ctx)
	d.Close()
	if err != nil {
		return err
	}
	if added {
		fmt.Fprintf(e.stdout, "gateway sim: the built-in simulator (%s)\n", app.DemoSimulatorURL)
	}

	password := demoPassword
	if !loopback(cfg.Addr) {
		password = rand.Text()[:16]
	}
	if _, err := a.Auth.AddUser(ctx, demoUser, password, auth.RoleAdmin); err != nil {
		return err
	}
	if *noServe {
		fmt.Fprintf(e.stdout, "demo store ready. Serve it with\n  nudge serve --data %s --db sqlite:%s\nthen open http://%s and sign in as %s / %s\n",
			cfg.DataDir, path, cfg.Addr, demoUser, password)
		return nil
	}
	return a.Serve(ctx, cfg.Addr, func(url string) {
		fmt.Fprintf(e.stdout, "Open %s and sign in as %s / %s\n", url, demoUser, password)
	})
}

// importGenerated streams one generator into the importer through a pipe,
// so that nothing is written to disk whatever the size of the shop.
func importGenerated(ctx context.Context, e *env, a *app.App, kind ingest.Kind, write func(io.Writer, demo.Options) (int, error), opt demo.Options) (ingest.Summary, error) {
	pr, pw := io.Pipe()
	wrote := make(chan error, 1)
	go func() {
		_, err := write(pw, opt)
		pw.CloseWithError(err)
		wrote <- err
	}()
	iopt := ingest.Options{
		Kind:        kind,
		Format:      "csv",
		Name:        "demo " + string(kind),
		RejectsPath: filepath.Join(a.Config.DataDir, "demo-"+string(kind)+".rejects.csv"),
		Progress:    e.stderr,
		Indexes:     ingest.IndexesDefer, // a fresh store, fed through a pipe of unknown size
	}
	if f, ok := e.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		iopt.Terminal = true
	}
	sum, err := ingest.Import(ctx, a.Customers, pr, iopt)
	pr.Close() // if the import stopped early, this unblocks the generator
	if werr := <-wrote; werr != nil && !errors.Is(werr, io.ErrClosedPipe) && err == nil {
		err = fmt.Errorf("generating %s: %w", kind, werr)
	}
	return sum, err
}

// removeStore deletes a SQLite database with its WAL and shared-memory
// files, reporting whether there was one.
func removeStore(path string) (bool, error) {
	removed := false
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		err := os.Remove(p)
		switch {
		case err == nil:
			removed = true
		case !errors.Is(err, fs.ErrNotExist):
			return removed, err
		}
	}
	return removed, nil
}

// loopback reports whether addr only accepts connections from this machine.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
