package customer

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"nudge/internal/store"
)

// Order is a purchase, with its lines. Amounts are fen.
type Order struct {
	ID         int64     `json:"-"`
	OrderID    string    `json:"order_id"`
	CustomerID string    `json:"customer_id"` // the shop's customer id
	OrderedAt  time.Time `json:"ordered_at"`
	Status     string    `json:"status,omitempty"`
	Currency   string    `json:"currency,omitempty"`
	Amount     int64     `json:"amount"` // sum of the lines, computed by the store
	Items      int64     `json:"items"`  // sum of quantities, computed by the store
	Lines      []Line    `json:"lines"`
}

// Line is one product in an order. A line is identified by (order, sku):
// a later line with the same sku for the same order updates it.
type Line struct {
	SKU      string `json:"sku"`
	Category string `json:"category,omitempty"`
	Quantity int64  `json:"quantity"`
	Amount   int64  `json:"amount"`
	// Ref is the caller's reference for this line (an importer's line
	// number), returned with a rejection.
	Ref int `json:"-"`
}

// Rejected is an input the store refused, with a reason a person understands.
type Rejected struct {
	Ref    int
	Reason string
}

// OrderResult counts what an order write did.
type OrderResult struct {
	Orders   WriteResult `json:"orders"`
	Lines    WriteResult `json:"lines"`
	Rejected []Rejected  `json:"-"`
}

// Normalize checks an order and its lines.
func (o *Order) Normalize() error {
	o.OrderID = strings.TrimSpace(o.OrderID)
	o.CustomerID = strings.TrimSpace(o.CustomerID)
	switch {
	case o.OrderID == "":
		return fieldErr("order_id", "missing")
	case o.CustomerID == "":
		return fieldErr("customer_id", "missing")
	case o.OrderedAt.IsZero():
		return fieldErr("ordered_at", "missing")
	}
	o.Status = strings.ToLower(strings.TrimSpace(o.Status))
	o.Currency = strings.ToUpper(strings.TrimSpace(o.Currency))
	if o.Currency == "" || o.Currency == "RMB" || o.Currency == "人民币" {
		o.Currency = "CNY"
	}
	if len(o.Currency) != 3 {
		return fieldErr("currency", "%q is not a three-letter currency code", o.Currency)
	}
	if len(o.Lines) == 0 {
		return fieldErr("sku", "an order needs at least one line")
	}
	for i := range o.Lines {
		if err := o.Lines[i].normalize(); err != nil {
			return err
		}
	}
	return nil
}

func (l *Line) normalize() error {
	l.SKU = strings.TrimSpace(l.SKU)
	l.Category = strings.TrimSpace(l.Category)
	switch {
	case l.SKU == "":
		return fieldErr("sku", "missing")
	case l.Quantity <= 0:
		return fieldErr("quantity", "must be at least 1, got %d", l.Quantity)
	case l.Amount < 0:
		return fieldErr("amount", "negative amount %s", FormatMoney(l.Amount))
	}
	return nil
}

// FormatMoney writes fen as yuan: 12990 -> "129.90".
func FormatMoney(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

// orderBatch bounds the rows of one chunk of orders (see Writer.UpsertOrders):
// the lookups and the inserts of a chunk go in statements of at most 400 rows.
const orderBatch = 500

// UpsertOrders writes orders and their lines in one transaction. Orders must
// be normalised. An order whose customer is unknown is rejected whole (each
// of its lines is reported by Ref); the others are written. Order totals are
// kept equal to the sum of their lines.
func (s *Store) UpsertOrders(ctx context.Context, orders []Order) (OrderResult, error) {
	w, err := s.NewWriter(ctx)
	if err != nil {
		return OrderResult{}, err
	}
	res, err := w.UpsertOrders(ctx, orders)
	return res, w.finish(err)
}

type storedOrder struct {
	id         int64
	customerID int64
	orderedAt  int64
	status     string
	currency   string
}

type storedLine struct {
	category string
	quantity int64
	amount   int64
}

func (s *Store) writeOrders(ctx context.Context, tx *sql.Tx, orders []Order, res *OrderResult) error {
	// Merge orders named twice in the batch, so each is written once.
	merged := make([]Order, 0, len(orders))
	at := map[string]int{}
	for _, o := range orders {
		if i, ok := at[o.OrderID]; ok {
			merged[i].Lines = append(merged[i].Lines, o.Lines...)
			continue
		}
		at[o.OrderID] = len(merged)
		merged = append(merged, o)
	}
	custIDs, err := s.customerIDs(ctx, tx, merged)
	if err != nil {
		return err
	}
	keep := merged[:0]
	for _, o := range merged {
		if _, ok := custIDs[o.CustomerID]; !ok {
			for _, l := range o.Lines {
				res.Rejected = append(res.Rejected, Rejected{Ref: l.Ref, Reason: fmt.Sprintf("unknown customer %q (import customers first)", o.CustomerID)})
			}
			continue
		}
		keep = append(keep, o)
	}
	if len(keep) == 0 {
		return nil
	}
	w := orderWrite{s: s, tx: tx, custIDs: custIDs, res: res, now: s.clock.Now().Unix(),
		written: make(map[string]writtenOrder, len(keep))}
	if s.db.Dialect == store.SQLite {
		err = w.insertFirst(ctx, keep)
	} else {
		err = w.lookUpFirst(ctx, keep)
	}
	if err != nil {
		return err
	}
	return s.writeLines(ctx, tx, keep, w.written, res)
}

// orderWrite is one chunk of orders on its way in.
type orderWrite struct {
	s       *Store
	tx      *sql.Tx
	custIDs map[string]int64
	res     *OrderResult
	now     int64
	written map[string]writtenOrder
}

// writtenOrder is an order once written: its id, and whether this write
// created it (then its lines need no comparison with stored ones).
type writtenOrder struct {
	id    int64
	fresh bool
}

// row appends an order's columns as orderInsert and orderUpsert take them.
// Totals are those of a new order; a stored order's are recomputed from its
// lines after they are written.
func (w *orderWrite) row(args []any, o *Order) []any {
	var amount, items int64
	for _, l := range lastLines(o.Lines) {
		amount += l.Amount
		items += l.Quantity
	}
	return append(args, o.OrderID, w.custIDs[o.CustomerID], o.OrderedAt.Unix(), o.Status, o.Currency, amount, items, w.now, w.now)
}

// insertFirst writes orders on SQLite, where the transaction holds the only
// writer from its BEGIN (_txlock=immediate). Every order is offered to
// INSERT OR IGNORE, which needs no lookup first and, like every plain insert
// of the Writer, no statement journal. SQLite numbers a new row one past the
// table's largest id, so a statement that took all its rows tells their ids
// by its last one. Only a statement that skipped some (orders stored
// already, typically one whose lines straddle two batches) costs a lookup,
// which tells the rows it inserted from the stored orders; those go on to
// the upsert, compared with what is stored. A first import of a large file
// almost never looks up.
func (w *orderWrite) insertFirst(ctx context.Context, orders []Order) error {
	before, err := maxID(ctx, w.tx, "orders")
	if err != nil {
		return fmt.Errorf("customer: write orders: %w", err)
	}
	args := make([]any, 0, len(orders)*orderInsert.cols)
	for i := range orders {
		args = w.row(args, &orders[i])
	}
	var skipped []Order
	err = w.s.offerRows(ctx, w.tx, orderInsert, len(orders), args, func(from, to int, tookAll bool, last int64) {
		if !tookAll {
			skipped = append(skipped, orders[from:to]...)
			return
		}
		for i := from; i < to; i++ {
			w.created(orders[i].OrderID, last-int64(to-1-i))
		}
	})
	if err != nil {
		return fmt.Errorf("customer: write orders: %w", err)
	}
	if len(skipped) == 0 {
		return nil
	}
	found, err := w.s.storedOrders(ctx, w.tx, skipped)
	if err != nil {
		return err
	}
	stored := skipped[:0]
	for _, o := range skipped {
		if e := found[o.OrderID]; e.id > before {
			w.created(o.OrderID, e.id)
		} else {
			stored = append(stored, o)
		}
	}
	return w.upsert(ctx, stored, found)
}

// lookUpFirst writes orders where another writer may insert the same order
// meanwhile (PostgreSQL): it reads what is stored of them, then upserts the
// new and the changed, and the upsert's RETURNING tells which id won.
func (w *orderWrite) lookUpFirst(ctx context.Context, orders []Order) error {
	found, err := w.s.storedOrders(ctx, w.tx, orders)
	if err != nil {
		return err
	}
	return w.upsert(ctx, orders, found)
}

func (w *orderWrite) created(orderID string, id int64) {
	w.written[orderID] = writtenOrder{id: id, fresh: true}
	w.res.Orders.Inserted++
}

// upsert writes orders given what is stored of them (found): a stored order
// that changed is updated, one that did not is left alone, a missing one is
// inserted.
func (w *orderWrite) upsert(ctx context.Context, orders []Order, found map[string]storedOrder) error {
	var args []any
	n := 0
	for i := range orders {
		o := &orders[i]
		e, stored := found[o.OrderID]
		if stored {
			w.written[o.OrderID] = writtenOrder{id: e.id}
			if e.customerID == w.custIDs[o.CustomerID] && e.orderedAt == o.OrderedAt.Unix() && e.status == o.Status && e.currency == o.Currency {
				w.res.Orders.Unchanged++
				continue
			}
			w.res.Orders.Updated++
		}
		args = w.row(args, o)
		n++
	}
	return w.s.bulkChunks(ctx, w.tx, orderUpsert, n, args, func(st *sql.Stmt, args []any) error {
		rows, err := st.QueryContext(ctx, args...)
		if err != nil {
			return fmt.Errorf("customer: write orders: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var oid string
			if err := rows.Scan(&id, &oid); err != nil {
				return err
			}
			if _, ok := w.written[oid]; !ok {
				w.created(oid, id)
			}
		}
		return rows.Err()
	})
}

// orderUpsert writes orders and returns their ids. Totals are written for
// new orders only; a stored order's are recomputed from its lines.
var orderUpsert = bulkStmt{name: "order_upsert", cols: 9, build: func(n int) string {
	return `INSERT INTO orders (order_id, customer_id, ordered_at, status, currency, amount, items, created_at, updated_at)
VALUES ` + store.Placeholders(n, 9) + `
ON CONFLICT (order_id) DO UPDATE SET customer_id = excluded.customer_id, ordered_at = excluded.ordered_at,
	status = excluded.status, currency = excluded.currency, updated_at = excluded.updated_at
RETURNING id, order_id`
}}

// orderInsert offers orders to the table, skipping those stored already
// (see insertFirst), on SQLite only. The ids are SQLite's to give: a value
// for the INTEGER PRIMARY KEY would need a statement journal (it could fail
// to be an integer).
var orderInsert = bulkStmt{name: "order_insert", cols: 9, sqliteOnly: true, build: func(n int) string {
	return `INSERT OR IGNORE INTO orders (order_id, customer_id, ordered_at, status, currency, amount, items, created_at, updated_at)
VALUES ` + store.Placeholders(n, 9)
}}

// lineUpsert writes order lines, one per (order, sku).
var lineUpsert = bulkStmt{name: "line_upsert", cols: 5, build: func(n int) string {
	return `INSERT INTO order_lines (order_ref, sku, category, quantity, amount) VALUES ` + store.Placeholders(n, 5) + `
ON CONFLICT (order_ref, sku) DO UPDATE SET category = excluded.category, quantity = excluded.quantity, amount = excluded.amount`
}}

// lineInsert writes the lines of new orders, on SQLite only (see
// insertFirst). OR FAIL instead of the default ABORT spares the statement
// journal: a failure rolls the whole transaction back anyway.
var lineInsert = bulkStmt{name: "line_insert", cols: 5, sqliteOnly: true, build: func(n int) string {
	return `INSERT OR FAIL INTO order_lines (order_ref, sku, category, quantity, amount) VALUES ` + store.Placeholders(n, 5)
}}

// customerIDsOf maps shop customer ids to internal ones.
var customerIDsOf = bulkStmt{name: "customer_ids_of", cols: 1, build: func(n int) string {
	return `SELECT id, external_id FROM customers WHERE external_id IN (` + marks(n) + `)`
}}

// storedOrdersOf reads what is stored of a chunk of orders.
var storedOrdersOf = bulkStmt{name: "stored_orders_of", cols: 1, build: func(n int) string {
	return `SELECT id, order_id, customer_id, ordered_at, status, currency FROM orders WHERE order_id IN (` + marks(n) + `)`
}}

// lastLines keeps the last line per sku, which is the one stored.
func lastLines(lines []Line) []Line {
	if len(lines) < 2 {
		return lines
	}
	pos := make(map[string]int, len(lines))
	out := make([]Line, 0, len(lines))
	for _, l := range lines {
		if i, ok := pos[l.SKU]; ok {
			out[i] = l
			continue
		}
		pos[l.SKU] = len(out)
		out = append(out, l)
	}
	return out
}

func (s *Store) writeLines(ctx context.Context, tx *sql.Tx, orders []Order, written map[string]writtenOrder, res *OrderResult) error {
	// Lines of orders that existed before this batch are compared with what
	// is stored; lines of new orders are simply inserted.
	var oldRefs []any
	for _, o := range orders {
		if w := written[o.OrderID]; !w.fresh {
			oldRefs = append(oldRefs, w.id)
		}
	}
	old := map[int64]map[string]storedLine{}
	if len(oldRefs) > 0 {
		rows, err := tx.QueryContext(ctx, s.db.Rebind(`SELECT order_ref, sku, category, quantity, amount FROM order_lines WHERE order_ref IN (`+marks(len(oldRefs))+`)`), oldRefs...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var ref int64
			var sku string
			var l storedLine
			if err := rows.Scan(&ref, &sku, &l.category, &l.quantity, &l.amount); err != nil {
				rows.Close()
				return err
			}
			if old[ref] == nil {
				old[ref] = map[string]storedLine{}
			}
			old[ref][sku] = l
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	// Lines of new orders cannot conflict with anything stored: on SQLite,
	// where nobody else writes meanwhile, they go in with a plain insert.
	plain := s.db.Dialect == store.SQLite
	var args, newArgs []any // lineUpsert's and lineInsert's, cols each per line
	var touched []any
	flush := func() error {
		if err := s.bulkExec(ctx, tx, lineUpsert, len(args)/lineUpsert.cols, args); err != nil {
			return fmt.Errorf("customer: write order lines: %w", err)
		}
		if err := s.bulkExec(ctx, tx, lineInsert, len(newArgs)/lineInsert.cols, newArgs); err != nil {
			return fmt.Errorf("customer: write order lines: %w", err)
		}
		args, newArgs = args[:0], newArgs[:0]
		return nil
	}
	for _, o := range orders {
		w := written[o.OrderID]
		ref, isOld := w.id, !w.fresh
		changed := false
		buf := &args
		if !isOld && plain {
			buf = &newArgs
		}
		lines := lastLines(o.Lines)
		for _, l := range lines {
			if isOld {
				if e, ok := old[ref][l.SKU]; ok {
					if e == (storedLine{l.Category, l.Quantity, l.Amount}) {
						res.Lines.Unchanged++
						continue
					}
					res.Lines.Updated++
				} else {
					res.Lines.Inserted++
				}
				changed = true
			} else {
				res.Lines.Inserted++
			}
			*buf = append(*buf, ref, l.SKU, l.Category, l.Quantity, l.Amount)
			if (len(args)+len(newArgs))/lineUpsert.cols == 1000 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		res.Lines.Unchanged += len(o.Lines) - len(lines)
		if changed {
			touched = append(touched, ref)
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if len(touched) > 0 {
		q := `UPDATE orders SET
	amount = (SELECT COALESCE(SUM(amount), 0) FROM order_lines WHERE order_ref = orders.id),
	items = (SELECT COALESCE(SUM(quantity), 0) FROM order_lines WHERE order_ref = orders.id)
WHERE id IN (` + marks(len(touched)) + `)`
		if _, err := tx.ExecContext(ctx, s.db.Rebind(q), touched...); err != nil {
			return fmt.Errorf("customer: order totals: %w", err)
		}
	}
	return nil
}

func (s *Store) customerIDs(ctx context.Context, tx *sql.Tx, orders []Order) (map[string]int64, error) {
	seen := map[string]bool{}
	var args []any
	for _, o := range orders {
		if !seen[o.CustomerID] {
			seen[o.CustomerID] = true
			args = append(args, o.CustomerID)
		}
	}
	out := make(map[string]int64, len(args))
	err := s.bulkChunks(ctx, tx, customerIDsOf, len(args), args, func(st *sql.Stmt, args []any) error {
		rows, err := st.QueryContext(ctx, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var ext string
			if err := rows.Scan(&id, &ext); err != nil {
				return err
			}
			out[ext] = id
		}
		return rows.Err()
	})
	return out, err
}

func (s *Store) storedOrders(ctx context.Context, tx *sql.Tx, orders []Order) (map[string]storedOrder, error) {
	args := make([]any, len(orders))
	for i, o := range orders {
		args[i] = o.OrderID
	}
	out := make(map[string]storedOrder, len(orders))
	err := s.bulkChunks(ctx, tx, storedOrdersOf, len(args), args, func(st *sql.Stmt, args []any) error {
		rows, err := st.QueryContext(ctx, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var o storedOrder
			var oid string
			if err := rows.Scan(&o.id, &oid, &o.customerID, &o.orderedAt, &o.status, &o.currency); err != nil {
				return err
			}
			out[oid] = o
		}
		return rows.Err()
	})
	return out, err
}

// OrdersOf returns a customer's most recent orders with their lines.
func (s *Store) OrdersOf(ctx context.Context, customerID int64, limit int) ([]Order, error) {
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("orders_of_customer"), customerID, limit)
	if err != nil {
		return nil, err
	}
	var out []Order
	for rows.Next() {
		var o Order
		var at int64
		if err := rows.Scan(&o.ID, &o.OrderID, &at, &o.Status, &o.Currency, &o.Amount, &o.Items); err != nil {
			rows.Close()
			return nil, err
		}
		o.OrderedAt = time.Unix(at, 0).UTC()
		out = append(out, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		lr, err := s.db.R.QueryContext(ctx, s.q.Get("lines_of_order"), out[i].ID)
		if err != nil {
			return nil, err
		}
		for lr.Next() {
			var l Line
			if err := lr.Scan(&l.SKU, &l.Category, &l.Quantity, &l.Amount); err != nil {
				lr.Close()
				return nil, err
			}
			out[i].Lines = append(out[i].Lines, l)
		}
		lr.Close()
	}
	return out, nil
}

// Counts returns how many orders and order lines are stored.
func (s *Store) Counts(ctx context.Context) (orders, lines int64, err error) {
	if err = s.db.R.QueryRowContext(ctx, s.q.Get("order_count")).Scan(&orders); err != nil {
		return
	}
	err = s.db.R.QueryRowContext(ctx, s.q.Get("line_count")).Scan(&lines)
	return
}
