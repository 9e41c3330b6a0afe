package ingest

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"nudge/internal/customer"
	"nudge/internal/store"
)

// BenchImport imports a CSV of kind from r as `nudge import` would, without
// progress and with rejected rows discarded, for `make bench`.
func BenchImport(ctx context.Context, cs *customer.Store, kind Kind, r io.Reader) (Summary, error) {
	return Import(ctx, cs, r, Options{Kind: kind, Format: "csv", Name: "bench", RejectsPath: os.DevNull})
}

// BareInsert is the reference an import is measured against: the same CSV
// rows written with plain multi-row INSERTs in transactions of batch rows,
// with the same driver, and nothing else: no normalisation, no sealing, no
// comparison with what is stored, no rejects, no order totals. Customer
// phones and names are scrambled (not sealed, but not in the clear either)
// so that the row sizes match; it is for scratch benchmark stores only.
// Order lines find their customer and order through subqueries, the least a
// database must do to link them. It returns the rows written.
func BareInsert(ctx context.Context, db *store.DB, kind Kind, r io.Reader, batch int) (int, error) {
	s, err := specFor(kind)
	if err != nil {
		return 0, err
	}
	if kind == Products {
		return 0, errors.New("bare insert: customers or orders")
	}
	if batch <= 0 {
		batch = DefaultBatchSize
	}
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return 0, err
	}
	lay, err := newLayout(s, header)
	if err != nil {
		return 0, err
	}
	loc, err := customer.LoadLocation(customer.DefaultTimezone)
	if err != nil {
		return 0, err
	}
	v := make([]string, len(s.columns))
	b := bareBatch{db: db, kind: kind, loc: loc}
	rows := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return rows, err
		}
		for i, p := range lay.pos {
			v[i] = ""
			if p >= 0 {
				v[i] = rec[p]
			}
		}
		b.add(v)
		rows++
		if rows%batch == 0 {
			if err := b.flush(ctx); err != nil {
				return rows, err
			}
		}
	}
	return rows, b.flush(ctx)
}

// bareChunk rows go in one statement, as the store's upserts do.
const bareChunk = 400

type bareBatch struct {
	db    *store.DB
	kind  Kind
	loc   *time.Location
	args  [][]any // one row's arguments each
	extra [][]any // orders: the line of each row
}

func scramble(s string) []byte {
	b := []byte(s)
	for i := range b {
		b[i] ^= 0x5a
	}
	return append(b, make([]byte, 28)...) // a sealed value's overhead
}

func index16(s string) []byte {
	h := fnv.New128a()
	h.Write([]byte(s))
	return h.Sum(nil)
}

func (b *bareBatch) add(v []string) {
	if b.kind == Customers {
		var reg any
		if t, ok := fastTime(v[cRegisteredAt], b.loc); ok {
			reg = t.Unix()
		}
		var lat, lon any
		if f, err := strconv.ParseFloat(v[cLat], 64); err == nil {
			lat = f
		}
		if f, err := strconv.ParseFloat(v[cLon], 64); err == nil {
			lon = f
		}
		tags := ""
		if v[cTags] != "" {
			tags = ";" + v[cTags] + ";"
		}
		b.args = append(b.args, []any{v[cID], scramble(v[cPhone]), index16(v[cPhone]), "CN", "", scramble(v[cName]), v[cGender],
			v[cBirthday], v[cCity], lat, lon, reg, "", tags, "{}", v[cConsent],
			nil, "", "bare", index16(v[cID]), int64(0), int64(0)})
		return
	}
	var at int64
	if t, ok := fastTime(v[oOrderedAt], b.loc); ok {
		at = t.Unix()
	}
	amount, _ := customer.ParseMoney(v[oAmount])
	q, _ := strconv.ParseInt(v[oQuantity], 10, 64)
	b.args = append(b.args, []any{v[oOrderID], v[oCustomerID], at, v[oStatus], "CNY", amount, q, int64(0), int64(0)})
	b.extra = append(b.extra, []any{v[oOrderID], v[oSKU], v[oCategory], q, amount})
}

func (b *bareBatch) flush(ctx context.Context) error {
	if len(b.args) == 0 {
		return nil
	}
	err := b.db.Tx(ctx, func(tx *sql.Tx) error {
		for start := 0; start < len(b.args); start += bareChunk {
			end := min(start+bareChunk, len(b.args))
			if err := b.exec(ctx, tx, b.args[start:end], b.extraRows(start, end)); err != nil {
				return err
			}
		}
		return nil
	})
	b.args, b.extra = b.args[:0], b.extra[:0]
	return err
}

func (b *bareBatch) extraRows(start, end int) [][]any {
	if b.extra == nil {
		return nil
	}
	return b.extra[start:end]
}

func (b *bareBatch) exec(ctx context.Context, tx *sql.Tx, rows, lines [][]any) error {
	flat := func(rows [][]any) []any {
		var out []any
		for _, r := range rows {
			out = append(out, r...)
		}
		return out
	}
	if b.kind == Customers {
		q := `INSERT INTO customers (external_id, phone_enc, phone_index, region, carrier, name_enc, gender, birthday,
	city, lat, lon, registered_at, timezone, tags, attributes, consent, consent_at, consent_source, pii_key, fingerprint,
	created_at, updated_at) VALUES ` + store.Placeholders(len(rows), 22) + ` ON CONFLICT (external_id) DO NOTHING`
		_, err := tx.ExecContext(ctx, b.db.Rebind(q), flat(rows)...)
		return err
	}
	// Orders: look the customers up, insert the orders and read their ids
	// back, insert the lines. Nothing is compared or totalled.
	ids := map[string]any{}
	var keys []any
	for _, r := range rows {
		if _, ok := ids[r[1].(string)]; !ok {
			ids[r[1].(string)] = nil
			keys = append(keys, r[1])
		}
	}
	if err := queryPairs(ctx, tx, b.db.Rebind(`SELECT id, external_id FROM customers WHERE external_id IN (`+marks(len(keys))+`)`), keys, ids); err != nil {
		return fmt.Errorf("bare customers: %w", err)
	}
	seen := map[string]bool{}
	var args []any
	n := 0
	for _, r := range rows {
		if oid := r[0].(string); !seen[oid] {
			seen[oid] = true
			args = append(args, r[0], ids[r[1].(string)])
			args = append(args, r[2:]...)
			n++
		}
	}
	refs := map[string]any{}
	q := `INSERT INTO orders (order_id, customer_id, ordered_at, status, currency, amount, items, created_at, updated_at) VALUES ` +
		store.Placeholders(n, 9) + ` ON CONFLICT (order_id) DO UPDATE SET order_id = excluded.order_id RETURNING id, order_id`
	if err := queryPairs(ctx, tx, b.db.Rebind(q), args, refs); err != nil {
		return fmt.Errorf("bare orders: %w", err)
	}
	args = args[:0]
	for _, l := range lines {
		args = append(args, refs[l[0].(string)])
		args = append(args, l[1:]...)
	}
	q = `INSERT INTO order_lines (order_ref, sku, category, quantity, amount) VALUES ` + store.Placeholders(len(lines), 5) +
		` ON CONFLICT (order_ref, sku) DO NOTHING`
	if _, err := tx.ExecContext(ctx, b.db.Rebind(q), args...); err != nil {
		return fmt.Errorf("bare order lines: %w", err)
	}
	return nil
}

// queryPairs reads (id, key) rows into into[key].
func queryPairs(ctx context.Context, tx *sql.Tx, q string, args []any, into map[string]any) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			return err
		}
		into[key] = id
	}
	return rows.Err()
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }
