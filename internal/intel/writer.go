package intel

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"nudge/internal/store"
)

// upserter writes rows of one table in multi-row upserts, a transaction
// per batch, so that a refresh never holds the (SQLite) write lock for
// longer than one batch and other writers get their turn in between.
type upserter struct {
	db       *store.DB
	table    string
	cols     []string
	conflict string
	batch    int
	args     []any
	n        int
	written  int64
}

// rowsPerStatement keeps a statement's parameters far below every
// driver's limit (PostgreSQL 65535, SQLite 32766).
const rowsPerStatement = 500

func newUpserter(db *store.DB, table, conflict string, batch int, cols ...string) *upserter {
	return &upserter{db: db, table: table, cols: cols, conflict: conflict, batch: batch}
}

func (u *upserter) add(ctx context.Context, vals ...any) error {
	u.args = append(u.args, vals...)
	u.n++
	if u.n >= u.batch {
		return u.flush(ctx)
	}
	return nil
}

func (u *upserter) statement(rows int) string {
	key := map[string]bool{}
	for _, c := range strings.Split(u.conflict, ",") {
		key[strings.TrimSpace(c)] = true
	}
	var set []string
	for _, c := range u.cols {
		if !key[c] {
			set = append(set, c+" = excluded."+c)
		}
	}
	return u.db.Rebind("INSERT INTO " + u.table + " (" + strings.Join(u.cols, ", ") + ") VALUES " +
		store.Placeholders(rows, len(u.cols)) + " ON CONFLICT (" + u.conflict + ") DO UPDATE SET " + strings.Join(set, ", "))
}

func (u *upserter) flush(ctx context.Context) error {
	if u.n == 0 {
		return nil
	}
	cols := len(u.cols)
	err := u.db.Tx(ctx, func(tx *sql.Tx) error {
		for start := 0; start < u.n; start += rowsPerStatement {
			end := min(start+rowsPerStatement, u.n)
			if _, err := tx.ExecContext(ctx, u.statement(end-start), u.args[start*cols:end*cols]...); err != nil {
				return fmt.Errorf("intel: write %s: %w", u.table, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	u.written += int64(u.n)
	u.args, u.n = u.args[:0], 0
	return nil
}
