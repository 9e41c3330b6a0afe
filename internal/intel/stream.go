package intel

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// history is one customer's counted orders, as the stream delivers them.
// Its slices are reused for the next customer: callers must not keep them.
type history struct {
	customer int64
	orders   []order        // distinct orders in time order
	lines    []linePurchase // (category, time) per order line; with lines only
}

type order struct {
	id     int64 // only read with lines, to keep each order once
	at     int64 // Unix seconds
	amount int64 // fen
}

type linePurchase struct {
	category string
	at       int64
}

// eachHistory runs one cursor over the counted orders before until,
// ordered by customer and time, and calls fn once per customer. With
// withLines the cursor also carries each line's category; an order then
// arrives once per line and is kept once.
func (s *Service) eachHistory(ctx context.Context, withLines bool, until int64, fn func(*history) error) error {
	name := "orders_stream"
	if withLines {
		name = "lines_stream"
	}
	rows, err := s.db.R.QueryContext(ctx, s.q.Get(name), until)
	if err != nil {
		return fmt.Errorf("intel: %s: %w", name, err)
	}
	defer rows.Close()
	h := &history{customer: -1}
	// An order's lines are adjacent unless two orders of the customer share
	// a timestamp, so the ids seen for the current customer are kept.
	seen := map[int64]bool{}
	for rows.Next() {
		var cust int64
		var o order
		var cat sql.NullString
		if withLines {
			err = rows.Scan(&cust, &o.id, &o.at, &o.amount, &cat)
		} else {
			err = rows.Scan(&cust, &o.at, &o.amount)
		}
		if err != nil {
			return err
		}
		if cust != h.customer {
			if h.customer >= 0 {
				if err := fn(h); err != nil {
					return err
				}
			}
			h.customer, h.orders, h.lines = cust, h.orders[:0], h.lines[:0]
			clear(seen)
		}
		if !withLines || !seen[o.id] {
			h.orders = append(h.orders, o)
			seen[o.id] = true
		}
		if cat.Valid && cat.String != "" {
			h.lines = append(h.lines, linePurchase{category: cat.String, at: o.at})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if h.customer >= 0 {
		return fn(h)
	}
	return nil
}

// zones tells each customer's time zone by merging a second cursor, over
// the customers that have their own zone, with the history stream: both
// ascend by customer id, so neither is held in memory.
type zones struct {
	rows   *sql.Rows
	def    *time.Location
	nextID int64
	next   string
	done   bool
	cache  map[string]*time.Location
	err    error
}

func (s *Service) openZones(ctx context.Context) (*zones, error) {
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("customer_zones"), s.opt.Location.String())
	if err != nil {
		return nil, fmt.Errorf("intel: customer zones: %w", err)
	}
	z := &zones{rows: rows, def: s.opt.Location, nextID: -1, cache: map[string]*time.Location{}}
	z.advance()
	return z, nil
}

func (z *zones) advance() {
	if z.done {
		return
	}
	if !z.rows.Next() {
		z.done = true
		z.err = z.rows.Err()
		return
	}
	if err := z.rows.Scan(&z.nextID, &z.next); err != nil {
		z.done, z.err = true, err
	}
}

// For returns the zone of customer id; ids must be asked in ascending order.
func (z *zones) For(id int64) *time.Location {
	for !z.done && z.nextID < id {
		z.advance()
	}
	if z.done || z.nextID != id {
		return z.def
	}
	if loc, ok := z.cache[z.next]; ok {
		return loc
	}
	loc, err := time.LoadLocation(z.next)
	if err != nil {
		loc = z.def // validated on import; an unknown zone falls back
	}
	z.cache[z.next] = loc
	return loc
}

func (z *zones) Close() error {
	err := z.rows.Close()
	if z.err != nil {
		return z.err
	}
	return err
}
