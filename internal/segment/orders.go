package segment

import "math"

// ordersField compiles an aggregate over a customer's counted orders
// (count, sum, avg in fen, first_at, last_at), optionally only those of
// the last within_days days and only their lines of a category or sku
// (then count is orders with such a line, sum their amount, avg sum/count).
//
// The aggregate is a subquery correlated with the customer, which the
// covering index orders_customer_cover answers with one short range read.
// Both databases evaluate it after the cheaper conditions beside it, so a
// segment "in Shanghai, female, 2 orders in 90 days" reads the orders of
// Shanghai women only; a grouped subquery over all orders in the window
// was several times slower at a million customers. A customer with no
// matching order has count 0 and sum 0 (so "count eq 0" finds them) but no
// average or dates (so those conditions are false for them).
func ordersField(agg string) func(*compiler, *Condition) (string, error) {
	return func(c *compiler, k *Condition) (string, error) {
		lines := k.Category != "" || k.SKU != ""
		from, count, sum := "orders o", "COUNT(*)", "SUM(o.amount)"
		if lines {
			from, count, sum = "orders o JOIN order_lines l ON l.order_ref = o.id", "COUNT(DISTINCT o.id)", "SUM(l.amount)"
		}
		// Validate before binding anything.
		var cmp comparison
		var from0, to0 int64
		var err error
		switch agg {
		case "count":
			cmp, err = c.comparison(k, numRange{lo: 0, hi: math.Inf(1), ints: true, unit: "orders"})
		case "sum", "avg":
			cmp, err = c.comparison(k, numRange{lo: math.Inf(-1), hi: math.Inf(1), ints: true, unit: "fen"})
		default:
			from0, to0, err = c.dateBounds(k)
		}
		if err != nil {
			return "", err
		}

		where := "o.customer_id = c.id AND " + CountedOrder("o")
		if k.WithinDays != nil {
			where += " AND o.ordered_at >= " + c.arg(c.today.AddDate(0, 0, -(*k.WithinDays-1)).Unix())
		}
		if k.Category != "" {
			where += " AND l.category = " + c.arg(k.Category)
		}
		if k.SKU != "" {
			where += " AND l.sku = " + c.arg(k.SKU)
		}
		scalar := func(expr string) string { return "(SELECT " + expr + " FROM " + from + " WHERE " + where + ")" }
		switch agg {
		case "count":
			// A count compared with values up to v cannot tell v+1 from
			// more, so it stops reading at v+1 orders: "at least one order"
			// reads one index entry, not the customer's whole history.
			limit := int64(0)
			for _, v := range cmp.vals {
				limit = max(limit, int64(v))
			}
			one := "1"
			if lines {
				one = "DISTINCT o.id"
			}
			capped := "(SELECT COUNT(*) FROM (SELECT " + one + " FROM " + from + " WHERE " + where + " LIMIT " + c.arg(limit+1) + ") capped)"
			return cmp.sql(c, capped), nil
		case "sum":
			return cmp.sql(c, scalar("COALESCE("+sum+", 0)")), nil
		case "avg":
			// An aggregate without GROUP BY yields one row even for no
			// orders, whose NULL sum fails HAVING: no average, no match.
			return "EXISTS (SELECT " + count + " FROM " + from + " WHERE " + where + " HAVING " + avgSQL(c, cmp, sum, count) + ")", nil
		case "first_at":
			return c.dateSQLOnce(scalar("MIN(o.ordered_at)"), from0, to0), nil
		default:
			return c.dateSQLOnce(scalar("MAX(o.ordered_at)"), from0, to0), nil
		}
	}
}

// avgSQL compares sum/count with the operands without dividing: sum op
// v*count is exact integer arithmetic in both dialects, where a division
// would be integer in SQLite and decimal in PostgreSQL.
func avgSQL(c *compiler, cmp comparison, sum, count string) string {
	if cmp.op == "between" {
		return sum + " >= " + c.arg(cmp.val(0)) + " * " + count + " AND " + sum + " <= " + c.arg(cmp.val(1)) + " * " + count
	}
	return sum + " " + sqlOps[cmp.op] + " " + c.arg(cmp.val(0)) + " * " + count
}
