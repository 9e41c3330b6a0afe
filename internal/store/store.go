// Package store opens the database nudge keeps its state in — an SQLite file
// (the embedded default) or PostgreSQL (scale-out) — applies migrations, and
// hides the few differences between the two dialects.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// Dialect is the SQL flavour of an open store.
type Dialect int

// The two supported dialects.
const (
	SQLite Dialect = iota
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// ErrNotFound is returned by lookups that find nothing.
var ErrNotFound = errors.New("not found")

// DB is an open store. SQLite allows one writer at a time, so writes go
// through W, a pool of exactly one connection, while reads use R; with
// PostgreSQL both are the same pool.
type DB struct {
	Dialect Dialect
	W       *sql.DB
	R       *sql.DB
	// Location is what the store was opened from, with any password removed.
	Location string
}

// Open opens the store named by dsn: "sqlite:PATH" (or a bare path ending in
// .db), or a "postgres://" / "postgresql://" URL.
func Open(ctx context.Context, dsn string) (*DB, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return openPostgres(ctx, dsn)
	case strings.HasPrefix(dsn, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	case strings.HasSuffix(dsn, ".db") && !strings.Contains(dsn, "://"):
		return openSQLite(ctx, dsn)
	default:
		return nil, fmt.Errorf("store: %q is neither sqlite:PATH nor a postgres:// URL", dsn)
	}
}

// writerCacheKiB is the SQLite writer's page cache.
const writerCacheKiB = 32 << 10

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("store: sqlite: empty path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	// busy_timeout comes first so that every later pragma already waits for
	// a lock instead of failing; immediate transactions take the write lock
	// at BEGIN, which avoids deadlocks between a reader upgrading to writer
	// and the single writer connection.
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	// The writer also keeps statement journals in memory (every multi-row
	// upsert needs one, and on disk it costs a write per page it touches)
	// and a 32 MB page cache instead of 2 MB, so that a bulk import's
	// transaction (tens of thousands of rows, see customer.Writer) is not
	// spilled to the WAL halfway and the randomly touched blind-index pages
	// stay in memory; checkpoints wait for 64 MB of WAL instead of 4 MB so
	// that each copies a page back once for many commits, and the WAL is
	// truncated back to that size afterwards.
	w, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=temp_store(MEMORY)&_pragma=cache_size(-"+strconv.Itoa(writerCacheKiB)+")&_pragma=wal_autocheckpoint(16384)&_pragma=journal_size_limit(67108864)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(4)
	db := &DB{Dialect: SQLite, W: w, R: r, Location: "sqlite:" + path}
	if err := w.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return db, nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	p, err := sql.Open("pgx", withoutJIT(dsn))
	if err != nil {
		return nil, err
	}
	p.SetMaxOpenConns(16)
	p.SetMaxIdleConns(8)
	db := &DB{Dialect: Postgres, W: p, R: p, Location: redact(dsn)}
	if err := p.PingContext(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("store: connect %s: %w", db.Location, err)
	}
	return db, nil
}

// withoutJIT turns PostgreSQL's JIT compiler off for nudge's sessions unless
// the URL says otherwise: nudge's queries are short (a segment count reads an
// index for a few hundred milliseconds), and compiling them costs about
// 250 ms each, more than it saves.
func withoutJIT(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	if q.Has("jit") {
		return dsn
	}
	q.Set("jit", "off")
	u.RawQuery = q.Encode()
	return u.String()
}

// redact removes the password from a connection URL for logs and screens.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://(unparseable)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "***")
	}
	return u.String()
}

// Close closes both pools.
func (db *DB) Close() error {
	err := db.W.Close()
	if db.R != db.W {
		if e := db.R.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Rebind turns the ? placeholders that nudge's SQL is written with into the
// $1, $2... that PostgreSQL expects. Question marks inside quoted strings are
// left alone.
func (db *DB) Rebind(q string) string {
	if db.Dialect != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	inString := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inString = !inString
			b.WriteByte(c)
		case c == '?' && !inString:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Tx runs fn inside a write transaction, committing when fn returns nil.
func (db *DB) Tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Placeholders returns "(?,?,?),(?,?,?)" for rows rows of cols columns, for
// multi-row inserts.
func Placeholders(rows, cols int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	return strings.TrimSuffix(strings.Repeat(one+",", rows), ",")
}
