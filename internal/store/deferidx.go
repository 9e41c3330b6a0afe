package store

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// A bulk load into a table that holds few rows is faster without the
// table's secondary indexes: every row then costs one append instead of an
// insert at a random place in each index, and building an index afterwards
// is one sorted pass. DeferIndexes drops the indexes that enforce nothing
// (not unique, not a primary key), recording their definitions in
// deferred_indexes first, in the same transaction; RestoreIndexes builds
// them again. Definitions left behind by a crash are rebuilt by Migrate, so
// every start repairs the schema. Queries keep their results meanwhile;
// only their speed suffers.

// Execer is what index deferral runs its statements on: the writer pool or
// an open transaction.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// secondaryIndexes lists a table's indexes that enforce nothing.
func (db *DB) secondaryIndexes(ctx context.Context, ex Execer, table string) (names, ddls []string, err error) {
	q := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL AND upper(sql) NOT LIKE 'CREATE UNIQUE%' ORDER BY name`
	if db.Dialect == Postgres {
		q = `SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
			JOIN pg_class i ON i.oid = x.indexrelid
			JOIN pg_class t ON t.oid = x.indrelid
			WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = $1
				AND NOT x.indisunique AND NOT x.indisprimary
			ORDER BY i.relname`
	}
	rows, err := ex.QueryContext(ctx, q, table)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var name, ddl string
		if err := rows.Scan(&name, &ddl); err != nil {
			return nil, nil, err
		}
		names, ddls = append(names, name), append(ddls, ddl)
	}
	return names, ddls, rows.Err()
}

// DeferIndexes drops the secondary indexes of tables and returns their
// names. Call RestoreIndexes when the load is done.
func (db *DB) DeferIndexes(ctx context.Context, tables ...string) ([]string, error) {
	var dropped []string
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		now := time.Now().Unix()
		for _, t := range tables {
			names, ddls, err := db.secondaryIndexes(ctx, tx, t)
			if err != nil {
				return err
			}
			for i, name := range names {
				if _, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO deferred_indexes (name, tbl, ddl, since) VALUES (?, ?, ?, ?)`), name, t, ddls[i], now); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `DROP INDEX `+quoteIdent(name)); err != nil {
					return err
				}
				dropped = append(dropped, name)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: defer indexes of %s: %w", strings.Join(tables, ", "), err)
	}
	return dropped, nil
}

// RestoreIndexes builds the named deferred indexes again (every deferred
// index when no name is given), each in its own transaction so that a
// writer waiting for SQLite's lock gets it between two builds.
func (db *DB) RestoreIndexes(ctx context.Context, names ...string) error {
	if len(names) == 0 {
		rows, err := db.W.QueryContext(ctx, `SELECT name FROM deferred_indexes ORDER BY name`)
		if err != nil {
			return fmt.Errorf("store: deferred indexes: %w", err)
		}
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return err
			}
			names = append(names, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	if len(names) == 0 {
		return nil
	}
	if db.Dialect == SQLite {
		// The writer keeps temporary data in memory (statement journals),
		// but an index build sorts the whole table: let that spill to a
		// file, so memory stays flat whatever the table's size.
		// The sorter's memory is the page cache's size: a quarter of it
		// still sorts in few merge passes. Helper threads sort the full
		// parts of the sorter's list while the build reads on: on 2 cores
		// the builds of an import took 15 to 25% less time (about 8 MB
		// more memory per helper).
		helpers := strconv.Itoa(min(runtime.NumCPU(), 4))
		if _, err := db.W.ExecContext(ctx, `PRAGMA temp_store = FILE; PRAGMA threads = `+helpers+`; PRAGMA cache_size = -`+strconv.Itoa(writerCacheKiB/4)); err != nil {
			return err
		}
		defer db.W.ExecContext(context.WithoutCancel(ctx), `PRAGMA temp_store = MEMORY; PRAGMA threads = 0; PRAGMA cache_size = -`+strconv.Itoa(writerCacheKiB))
	}
	for _, n := range names {
		if err := db.Tx(ctx, func(tx *sql.Tx) error { return db.RestoreIndex(ctx, tx, n) }); err != nil {
			return err
		}
	}
	return nil
}

// RestoreIndex builds one deferred index inside ex (a transaction, for a
// writer that needs the index before it goes on). An index that is not
// deferred is left alone.
func (db *DB) RestoreIndex(ctx context.Context, ex Execer, name string) error {
	rows, err := ex.QueryContext(ctx, db.Rebind(`SELECT ddl FROM deferred_indexes WHERE name = ?`), name)
	if err != nil {
		return fmt.Errorf("store: restore index %s: %w", name, err)
	}
	var ddl string
	found := rows.Next()
	if found {
		err = rows.Scan(&ddl)
	}
	rows.Close()
	if err != nil || !found {
		return err
	}
	if _, err := ex.ExecContext(ctx, ifNotExists(ddl)); err != nil {
		return fmt.Errorf("store: restore index %s: %w", name, err)
	}
	_, err = ex.ExecContext(ctx, db.Rebind(`DELETE FROM deferred_indexes WHERE name = ?`), name)
	return err
}

// ifNotExists makes an index definition safe to run twice (two processes
// may both repair after a crash).
func ifNotExists(ddl string) string {
	const p = "CREATE INDEX "
	if len(ddl) >= len(p) && strings.EqualFold(ddl[:len(p)], p) {
		return p + "IF NOT EXISTS " + ddl[len(p):]
	}
	return ddl
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
