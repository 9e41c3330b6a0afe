package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFiles embed.FS

// Migration is one schema step: a file NNNN_name.sql per dialect.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the steps for the dialect, in order.
func (db *DB) Migrations() ([]Migration, error) {
	dir := "migrations/" + db.Dialect.String()
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("store: migration file %s is not NNNN_name.sql", name)
		}
		body, err := fs.ReadFile(migrationFiles, dir+"/"+name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: rest, SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("store: migrations must be numbered 1, 2, 3...: found %d at position %d", m.Version, i+1)
		}
	}
	return out, nil
}

const createVersionTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at BIGINT NOT NULL
)`

// Version returns the highest applied migration (0 for an empty store).
func (db *DB) Version(ctx context.Context) (int, error) {
	if _, err := db.W.ExecContext(ctx, createVersionTable); err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	var v sql.NullInt64
	err := db.W.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v)
	return int(v.Int64), err
}

// Pending lists the migrations not yet applied.
func (db *DB) Pending(ctx context.Context) ([]Migration, error) {
	all, err := db.Migrations()
	if err != nil {
		return nil, err
	}
	v, err := db.Version(ctx)
	if err != nil {
		return nil, err
	}
	if v > len(all) {
		return nil, fmt.Errorf("store: database is at schema version %d but this nudge knows only %d: upgrade nudge", v, len(all))
	}
	return all[v:], nil
}

// migrateLockID is the PostgreSQL advisory lock that serialises migrations
// when several nudge processes start at once.
const migrateLockID = 7_245_001

// Migrate applies every pending migration, each in its own transaction,
// rebuilds any index a bulk import left deferred (see DeferIndexes), and
// returns the migrations it applied.
func (db *DB) Migrate(ctx context.Context) ([]Migration, error) {
	if db.Dialect == Postgres {
		conn, err := db.W.Conn(ctx)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrateLockID); err != nil {
			return nil, fmt.Errorf("store: migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLockID)
	}
	pending, err := db.Pending(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range pending {
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)`),
				m.Version, m.Name, time.Now().Unix())
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("store: migration %04d_%s: %w", m.Version, m.Name, err)
		}
	}
	// Indexes a bulk import dropped and did not live to rebuild.
	if err := db.RestoreIndexes(ctx); err != nil {
		return nil, err
	}
	return pending, nil
}
