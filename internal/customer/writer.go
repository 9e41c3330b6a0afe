package customer

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"

	"nudge/internal/store"
)

// Writer groups batch writes into one transaction. Importers use it to
// commit every few tens of thousands of rows instead of every batch: each
// commit rewrites every index page the batch touched, and the blind-index
// and order-id indexes are touched at random, so fewer, larger commits cut
// the bytes written per row several times over.
//
// On SQLite the Writer holds the single writer connection with foreign key
// enforcement off for the length of its transaction. Every reference it
// writes it has just read in that same transaction (an order's customer, a
// line's order), nobody else can write meanwhile, and it deletes nothing, so
// the checks could only repeat its own lookups. Without them, and with plain
// inserts that say OR FAIL or OR IGNORE, a multi-row insert needs no
// statement journal, which otherwise copies every page it touches.
type Writer struct {
	s    *Store
	conn *sql.Conn // SQLite: the writer connection, foreign keys off
	tx   *sql.Tx
}

// NewWriter begins a write transaction. On SQLite it holds the single
// writer connection until Commit or Rollback: keep it short (a second or
// so) so that the server's own writes are not kept waiting.
func (s *Store) NewWriter(ctx context.Context) (*Writer, error) {
	// The bulk statements are prepared outside the transaction: the SQLite
	// writer pool has one connection, which the transaction will hold.
	if err := s.prepareBulk(ctx, customerUpsert, customerInsert, customerFingerprints, orderUpsert, orderInsert, lineUpsert, lineInsert, customerIDsOf, storedOrdersOf); err != nil {
		return nil, err
	}
	w := &Writer{s: s}
	if s.db.Dialect != store.SQLite {
		tx, err := s.db.W.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		w.tx = tx
		return w, nil
	}
	conn, err := s.db.W.Conn(ctx)
	if err != nil {
		return nil, err
	}
	// The pragma takes effect outside a transaction only.
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		conn.Close()
		return nil, err
	}
	w.conn = conn
	if w.tx, err = conn.BeginTx(ctx, nil); err != nil {
		w.release()
		return nil, err
	}
	return w, nil
}

// release gives the SQLite writer connection back with foreign keys on, or
// discards it when they are not on again (the pragma does nothing, without
// an error, while a transaction that failed to commit is still open).
func (w *Writer) release() {
	if w.conn == nil {
		return
	}
	ctx := context.Background()
	on := 0
	_, err := w.conn.ExecContext(ctx, `PRAGMA foreign_keys = ON`)
	if err == nil {
		err = w.conn.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&on)
	}
	if err != nil || on != 1 {
		w.conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	w.conn.Close()
	w.conn = nil
}

// WritePrepared writes prepared customers; see Store.WritePrepared.
func (w *Writer) WritePrepared(ctx context.Context, ps []Prepared) (WriteResult, error) {
	var res WriteResult
	for start := 0; start < len(ps); start += customerBatch {
		r, err := w.s.writeCustomers(ctx, w.tx, ps[start:min(start+customerBatch, len(ps))])
		if err != nil {
			return res, err
		}
		res.Add(r)
	}
	return res, nil
}

// UpsertOrders writes normalised orders; see Store.UpsertOrders.
func (w *Writer) UpsertOrders(ctx context.Context, orders []Order) (OrderResult, error) {
	var res OrderResult
	for start := 0; start < len(orders); {
		// A chunk ends between two orders, not inside one: the lines of an
		// order usually come together, and an order split between chunks
		// would cost the second chunk a lookup (see insertFirst).
		end := min(start+orderBatch, len(orders))
		for end < len(orders) && orders[end].OrderID == orders[end-1].OrderID {
			end++
		}
		if err := w.s.writeOrders(ctx, w.tx, orders[start:end], &res); err != nil {
			return res, err
		}
		start = end
	}
	return res, nil
}

// UpsertProducts writes normalised products; see Store.UpsertProducts.
func (w *Writer) UpsertProducts(ctx context.Context, ps []Product) (WriteResult, error) {
	return w.s.upsertProducts(ctx, w.tx, ps)
}

// Commit makes the writes durable.
func (w *Writer) Commit() error {
	defer w.release()
	return w.tx.Commit()
}

// Rollback abandons the writes; after Commit it does nothing.
func (w *Writer) Rollback() error {
	defer w.release()
	if err := w.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return err
	}
	return nil
}

// finish commits when err is nil and rolls back otherwise.
func (w *Writer) finish(err error) error {
	if err != nil {
		w.Rollback()
		return err
	}
	return w.Commit()
}
