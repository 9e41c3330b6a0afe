package customer

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"nudge/internal/store"
)

// Bulk writes send many rows per statement. Parsing a 400-row, 8,800
// parameter INSERT costs SQLite about as much as running it, so the
// statements are prepared once, for a few fixed row counts, and a write of n
// rows is cut into chunks of those counts (400, 100, 25, 5, 1), each a
// statement already prepared.
var bulkSizes = [...]int{400, 100, 25, 5, 1}

// bulkStmt is one multi-row statement, prepared for each of bulkSizes.
type bulkStmt struct {
	name  string
	build func(rows int) string // the SQL for rows rows, with ? marks
	cols  int                   // arguments per row
	// sqliteOnly marks a statement the other dialects neither take nor need.
	sqliteOnly bool
}

// bulkCache holds the prepared statements of a Store.
type bulkCache struct {
	mu    sync.Mutex
	stmts map[string]*[len(bulkSizes)]*sql.Stmt
}

// prepareBulk prepares the statements, once per Store. It must run outside
// a transaction: the SQLite writer pool has a single connection, which the
// transaction would be holding. Inside the transaction, tx.StmtContext then
// finds each statement already prepared on that connection.
func (s *Store) prepareBulk(ctx context.Context, stmts ...bulkStmt) error {
	c := &s.bulk
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stmts == nil {
		c.stmts = map[string]*[len(bulkSizes)]*sql.Stmt{}
	}
	for _, b := range stmts {
		if c.stmts[b.name] != nil || b.sqliteOnly && s.db.Dialect != store.SQLite {
			continue
		}
		var set [len(bulkSizes)]*sql.Stmt
		for i, n := range bulkSizes {
			st, err := s.db.W.PrepareContext(ctx, s.db.Rebind(b.build(n)))
			if err != nil {
				for _, p := range set[:i] {
					p.Close()
				}
				return fmt.Errorf("customer: prepare %s: %w", b.name, err)
			}
			set[i] = st
		}
		c.stmts[b.name] = &set
	}
	return nil
}

// bulkChunks calls fn for consecutive chunks of rows rows, each with the
// transaction's copy of the statement prepared for its size and the
// chunk's arguments.
func (s *Store) bulkChunks(ctx context.Context, tx *sql.Tx, b bulkStmt, rows int, args []any, fn func(st *sql.Stmt, args []any) error) error {
	if rows == 0 {
		return nil
	}
	s.bulk.mu.Lock()
	set := s.bulk.stmts[b.name]
	s.bulk.mu.Unlock()
	if set == nil {
		return fmt.Errorf("customer: statement %s was not prepared", b.name)
	}
	done := 0
	for i, size := range bulkSizes {
		for rows-done >= size {
			st := tx.StmtContext(ctx, set[i])
			err := fn(st, args[done*b.cols:(done+size)*b.cols])
			st.Close()
			if err != nil {
				return err
			}
			done += size
		}
	}
	return nil
}

// bulkExec runs b over rows rows of arguments.
func (s *Store) bulkExec(ctx context.Context, tx *sql.Tx, b bulkStmt, rows int, args []any) error {
	return s.bulkChunks(ctx, tx, b, rows, args, func(st *sql.Stmt, a []any) error {
		_, err := st.ExecContext(ctx, a...)
		return err
	})
}

// offerRows runs b, an INSERT OR IGNORE, over rows rows of arguments and
// tells each chunk [from, to) of rows whether its statement took every row
// (then last is the id of the last, and SQLite gave the others the ids just
// before it) or skipped some.
func (s *Store) offerRows(ctx context.Context, tx *sql.Tx, b bulkStmt, rows int, args []any, each func(from, to int, tookAll bool, last int64)) error {
	done := 0
	return s.bulkChunks(ctx, tx, b, rows, args, func(st *sql.Stmt, a []any) error {
		from, to := done, done+len(a)/b.cols
		done = to
		r, err := st.ExecContext(ctx, a...)
		if err != nil {
			return err
		}
		took, err := r.RowsAffected()
		if err != nil {
			return err
		}
		var last int64
		if int(took) == to-from {
			if last, err = r.LastInsertId(); err != nil {
				return err
			}
		}
		each(from, to, int(took) == to-from, last)
		return nil
	})
}

// maxID is the largest id of table inside tx, 0 for an empty table.
func maxID(ctx context.Context, tx *sql.Tx, table string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+table).Scan(&id)
	return id, err
}
