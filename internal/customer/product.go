package customer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"nudge/internal/store"
)

// Product is an item the shop sells. Price is fen.
type Product struct {
	SKU         string    `json:"sku"`
	Name        string    `json:"name"`
	Category    string    `json:"category,omitempty"`
	Price       int64     `json:"price"`
	Stock       int64     `json:"stock"`
	SafetyStock int64     `json:"safety_stock"`
	UpdatedAt   time.Time `json:"updated_at,omitzero"`
}

// Normalize checks a product.
func (p *Product) Normalize() error {
	p.SKU = strings.TrimSpace(p.SKU)
	p.Name = strings.TrimSpace(p.Name)
	p.Category = strings.TrimSpace(p.Category)
	switch {
	case p.SKU == "":
		return fieldErr("sku", "missing")
	case p.Price < 0:
		return fieldErr("price", "negative price %s", FormatMoney(p.Price))
	case p.SafetyStock < 0:
		return fieldErr("safety_stock", "negative safety stock %d", p.SafetyStock)
	}
	return nil
}

// UpsertProducts writes normalised products in one transaction, touching
// only those that changed.
func (s *Store) UpsertProducts(ctx context.Context, ps []Product) (WriteResult, error) {
	w, err := s.NewWriter(ctx)
	if err != nil {
		return WriteResult{}, err
	}
	res, err := w.UpsertProducts(ctx, ps)
	return res, w.finish(err)
}

func (s *Store) upsertProducts(ctx context.Context, tx *sql.Tx, ps []Product) (WriteResult, error) {
	var res WriteResult
	for start := 0; start < len(ps); start += 500 {
		batch := ps[start:min(start+500, len(ps))]
		last := map[string]int{}
		args := make([]any, 0, len(batch))
		for i, p := range batch {
			if _, seen := last[p.SKU]; !seen {
				args = append(args, p.SKU)
			}
			last[p.SKU] = i
		}
		existing := map[string]Product{}
		rows, err := tx.QueryContext(ctx, s.db.Rebind(`SELECT sku, name, category, price, stock, safety_stock FROM products WHERE sku IN (`+marks(len(args))+`)`), args...)
		if err != nil {
			return res, err
		}
		for rows.Next() {
			var p Product
			if err := rows.Scan(&p.SKU, &p.Name, &p.Category, &p.Price, &p.Stock, &p.SafetyStock); err != nil {
				rows.Close()
				return res, err
			}
			existing[p.SKU] = p
		}
		rows.Close()
		now := s.clock.Now().Unix()
		var vals []any
		n := 0
		for i, p := range batch {
			e, found := existing[p.SKU]
			switch {
			case last[p.SKU] != i:
				res.Unchanged++
				continue
			case found && e.Name == p.Name && e.Category == p.Category && e.Price == p.Price && e.Stock == p.Stock && e.SafetyStock == p.SafetyStock:
				res.Unchanged++
				continue
			case found:
				res.Updated++
			default:
				res.Inserted++
			}
			vals = append(vals, p.SKU, p.Name, p.Category, p.Price, p.Stock, p.SafetyStock, now)
			n++
		}
		if n == 0 {
			continue
		}
		q := `INSERT INTO products (sku, name, category, price, stock, safety_stock, updated_at) VALUES ` + store.Placeholders(n, 7) + `
ON CONFLICT (sku) DO UPDATE SET name = excluded.name, category = excluded.category, price = excluded.price,
	stock = excluded.stock, safety_stock = excluded.safety_stock, updated_at = excluded.updated_at`
		if _, err := tx.ExecContext(ctx, s.db.Rebind(q), vals...); err != nil {
			return res, fmt.Errorf("customer: write products: %w", err)
		}
	}
	return res, nil
}

// Product returns the product with the sku.
func (s *Store) Product(ctx context.Context, sku string) (Product, error) {
	var p Product
	var at int64
	err := s.db.R.QueryRowContext(ctx, s.q.Get("product_by_sku"), sku).Scan(&p.SKU, &p.Name, &p.Category, &p.Price, &p.Stock, &p.SafetyStock, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return p, store.ErrNotFound
	}
	p.UpdatedAt = time.Unix(at, 0).UTC()
	return p, err
}

// Products returns up to limit products with a sku after the given one.
func (s *Store) Products(ctx context.Context, after string, limit int) ([]Product, error) {
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("products_page"), after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Product
	for rows.Next() {
		var p Product
		var at int64
		if err := rows.Scan(&p.SKU, &p.Name, &p.Category, &p.Price, &p.Stock, &p.SafetyStock, &at); err != nil {
			return nil, err
		}
		p.UpdatedAt = time.Unix(at, 0).UTC()
		out = append(out, p)
	}
	return out, rows.Err()
}
