package segment

import (
	"context"
	"database/sql"

	"nudge/internal/store"
)

// querier is what a compiled rule runs on: the read pool, or a read
// transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// read runs fn with a querier for a compiled rule. On PostgreSQL that is a
// read-only transaction with JIT compilation off: a rule's correlated
// order subqueries make the planner's cost estimate large (it charges them
// to every customer, though they run only for those that pass the cheaper
// conditions), which triggers JIT, and compiling costs about 250 ms, more
// than the count itself at a million customers. SQLite reads the pool.
func (s *Service) read(ctx context.Context, fn func(q querier) error) error {
	if s.db.Dialect != store.Postgres {
		return fn(s.db.R)
	}
	tx, err := s.db.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SET LOCAL jit = off"); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}
