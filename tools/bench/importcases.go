package main

import (
	"bufio"
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"nudge/internal/clock"
	"nudge/internal/customer"
	"nudge/internal/demo"
	"nudge/internal/ingest"
	"nudge/internal/pii"
	"nudge/internal/store"
)

// benchNow pins the demo shop's history so every run generates the same rows.
var benchNow = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func customersFile(dir string) string { return filepath.Join(dir, "customers.csv") }
func ordersFile(dir string) string    { return filepath.Join(dir, "orders.csv") }

// caseGenerate writes the demo generator's customers and the first a.lines
// order lines to files, and reports the generator's own speed.
func caseGenerate(ctx context.Context, a caseArgs) (result, error) {
	opt := demo.Options{Seed: 1, Customers: a.customers, Now: benchNow}
	start := time.Now()
	f, err := os.Create(customersFile(a.dir))
	if err != nil {
		return result{}, err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	nc, err := demo.WriteCustomers(bw, opt)
	if err == nil {
		err = bw.Flush()
	}
	f.Close()
	if err != nil {
		return result{}, err
	}
	g, err := os.Create(ordersFile(a.dir))
	if err != nil {
		return result{}, err
	}
	lw := &lineLimit{w: bufio.NewWriterSize(g, 1<<20), max: a.lines + 1} // + header
	no, err := demo.WriteOrders(lw, opt)
	if err == errEnough {
		err = nil
		no = lw.lines - 1
	}
	if err == nil {
		err = lw.w.Flush()
	}
	g.Close()
	if err != nil {
		return result{}, err
	}
	return result{Rows: int64(nc + no), Seconds: time.Since(start).Seconds()}, nil
}

var errEnough = fmt.Errorf("enough lines")

// lineLimit passes whole lines through until max lines were written.
type lineLimit struct {
	w     *bufio.Writer
	max   int
	lines int
}

func (l *lineLimit) Write(p []byte) (int, error) {
	for i, c := range p {
		if c == '\n' {
			l.lines++
			if l.lines == l.max {
				l.w.Write(p[:i+1])
				return i + 1, errEnough
			}
		}
	}
	return l.w.Write(p)
}

// freshStore prepares an empty store for one dialect's figures: a new SQLite
// file, or a new PostgreSQL schema (dropped by the returned cleanup).
func freshStore(ctx context.Context, label, dsn string) (string, func(), error) {
	if strings.HasPrefix(dsn, "sqlite:") {
		path := strings.TrimPrefix(dsn, "sqlite:")
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(path + suffix)
		}
		return dsn, func() {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(path + suffix)
			}
		}, nil
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", nil, err
	}
	b := make([]byte, 4)
	rand.Read(b)
	schema := "nudge_bench_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("%s: %w", label, err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	}, nil
}

// importRounds is how many times the SQLite import figures are measured:
// these machines are shared, and a neighbour's burst during one child
// moves a single figure by a sixth either way. Every round measures each
// reference right before its import, on a fresh store, and the table gives
// the median of the rounds for each (the peak RSS is the largest seen).
// PostgreSQL has no rate target and is measured once.
const importRounds = 3

func importFigures(ctx context.Context, a caseArgs, t *table, label, dsn string) error {
	rounds := importRounds
	if !strings.HasPrefix(dsn, "sqlite:") {
		rounds = 1
	}
	names := []string{"bare-customers", "import-customers", "bare-orders", "import-orders"}
	got := make([][]result, len(names))
	for round := range rounds {
		fresh, cleanup, err := freshStore(ctx, label, dsn)
		if err != nil {
			return err
		}
		for i, name := range names {
			fmt.Fprintf(os.Stderr, "%s: %s (round %d of %d)...\n", label, name, round+1, rounds)
			r, err := child(ctx, a, name, fresh)
			if err != nil {
				cleanup()
				return err
			}
			got[i] = append(got[i], r)
		}
		cleanup()
	}
	bc, ic, bo, io := median(got[0]), median(got[1]), median(got[2]), median(got[3])
	of := ""
	if rounds > 1 {
		of = fmt.Sprintf(" (median of %d)", rounds)
	}
	t.row(label+": import customers (normalise, seal, blind index)"+of, rate(ic), rate(bc), ratio(ic, bc), ">= 100,000 rows/s (50,000 at least)", rss(ic))
	t.row(label+": import order lines"+of, rate(io), rate(bo), ratio(io, bo), ">= 50% of bare; >= 100,000 rows/s on SQLite", rss(io))
	return nil
}

// median returns the run of median rate, carrying the largest peak RSS of
// all the runs.
func median(rs []result) result {
	sorted := slices.Clone(rs)
	slices.SortFunc(sorted, func(x, y result) int { return cmp.Compare(x.rate(), y.rate()) })
	m := sorted[len(sorted)/2]
	for _, r := range rs {
		m.MaxRSSMB = max(m.MaxRSSMB, r.MaxRSSMB)
	}
	return m
}

func rate(r result) string       { return fmt.Sprintf("%.0f rows/s", r.rate()) }
func ratio(r, ref result) string { return fmt.Sprintf("%.0f%%", 100*r.rate()/ref.rate()) }
func rss(r result) string        { return fmt.Sprintf("%.0f MB", r.MaxRSSMB) }

func openCustomers(ctx context.Context, dsn string) (*customer.Store, *store.DB, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		return nil, nil, err
	}
	kr, err := pii.NewKeyring(pii.GenerateMasterKey())
	if err != nil {
		return nil, nil, err
	}
	cs, err := customer.NewStore(ctx, db, kr, clock.System{}, customer.Options{})
	return cs, db, err
}

func caseImportCustomers(ctx context.Context, a caseArgs) (result, error) {
	return importKind(ctx, a, ingest.Customers, customersFile(a.dir))
}

func caseImportOrders(ctx context.Context, a caseArgs) (result, error) {
	return importKind(ctx, a, ingest.Orders, ordersFile(a.dir))
}

func importKind(ctx context.Context, a caseArgs, kind ingest.Kind, path string) (result, error) {
	cs, db, err := openCustomers(ctx, a.dsn)
	if err != nil {
		return result{}, err
	}
	defer db.Close()
	sum, err := ingest.ImportFile(ctx, cs, path, ingest.Options{Kind: kind, RejectsPath: path + ".rejects.csv"})
	if err != nil {
		return result{}, err
	}
	if sum.Rejected > 0 {
		return result{}, fmt.Errorf("%d rows rejected (see %s)", sum.Rejected, sum.RejectsPath)
	}
	return result{Rows: int64(sum.Rows), Seconds: sum.Duration.Seconds()}, nil
}

// The references: the same rows, read from the same CSV with the same
// driver, inserted in batched multi-row statements of the same size into a
// plain table, with no normalising, sealing, lookups or upserts.

func caseBareCustomers(ctx context.Context, a caseArgs) (result, error) {
	return bareInsert(ctx, a.dsn, customersFile(a.dir), "bench_bare_customers")
}

func caseBareOrders(ctx context.Context, a caseArgs) (result, error) {
	return bareInsert(ctx, a.dsn, ordersFile(a.dir), "bench_bare_lines")
}

func bareInsert(ctx context.Context, dsn, path, table string) (result, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return result{}, err
	}
	defer db.Close()
	f, err := os.Open(path)
	if err != nil {
		return result{}, err
	}
	defer f.Close()
	start := time.Now()
	r := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return result{}, err
	}
	cols := make([]string, len(header))
	for i := range header {
		cols[i] = fmt.Sprintf("c%d TEXT", i)
	}
	if _, err := db.W.ExecContext(ctx, "CREATE TABLE "+table+" (id BIGINT, "+strings.Join(cols, ", ")+")"); err != nil {
		return result{}, err
	}
	const batch = 2000
	per := max(1, min(500, 30000/(len(header)+1))) // rows per statement, under every parameter limit
	var rows int64
	args := make([]any, 0, per*(len(header)+1))
	tx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		return result{}, err
	}
	inTx := 0
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		n := len(args) / (len(header) + 1)
		_, err := tx.ExecContext(ctx, db.Rebind("INSERT INTO "+table+" VALUES "+store.Placeholders(n, len(header)+1)), args...)
		args = args[:0]
		return err
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return result{}, err
		}
		rows++
		args = append(args, rows)
		for _, v := range rec {
			args = append(args, strings.Clone(v))
		}
		if len(args) == per*(len(header)+1) {
			if err := flush(); err != nil {
				return result{}, err
			}
		}
		if inTx++; inTx == batch {
			if err := flush(); err != nil {
				return result{}, err
			}
			if err := tx.Commit(); err != nil {
				return result{}, err
			}
			if tx, err = db.W.BeginTx(ctx, nil); err != nil {
				return result{}, err
			}
			inTx = 0
		}
	}
	if err := flush(); err != nil {
		return result{}, err
	}
	if err := tx.Commit(); err != nil {
		return result{}, err
	}
	return result{Rows: rows, Seconds: time.Since(start).Seconds()}, nil
}
