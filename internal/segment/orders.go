package segment

import "math"

// ordersField compiles an aggregate over a customer's counted orders
// (count, sum, avg in fen, first_at, last_at), optionally only those of
// the last within_days days and only their lines of a category or sku
// (then count is orders with such a line, sum their amount, avg sum/count).
//
// The aggregate is computed once for all customers as a grouped subquery,
// not once per customer. A customer with no matching order has count 0
// and sum 0 but no average or dates; when the comparison holds at zero
// ("count eq 0", "sum lt 10000") the condition is written as "not among
// the customers for whom it fails", so that those customers are included.
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

		where := CountedOrder("o")
		if k.WithinDays != nil {
			where += " AND o.ordered_at >= " + c.arg(c.today.AddDate(0, 0, -(*k.WithinDays-1)).Unix())
		}
		if k.Category != "" {
			where += " AND l.category = " + c.arg(k.Category)
		}
		if k.SKU != "" {
			where += " AND l.sku = " + c.arg(k.SKU)
		}
		sub := "SELECT o.customer_id FROM " + from + " WHERE " + where + " GROUP BY o.customer_id HAVING "

		var having string
		zeroHolds := false
		switch agg {
		case "count":
			having = cmp.sql(c, count)
			zeroHolds = cmp.holds(0)
		case "sum":
			having = cmp.sql(c, sum)
			zeroHolds = cmp.holds(0)
		case "avg":
			having = avgSQL(c, cmp, sum, count)
		case "first_at":
			having = c.dateSQL("MIN(o.ordered_at)", from0, to0)
		case "last_at":
			having = c.dateSQL("MAX(o.ordered_at)", from0, to0)
		}
		if zeroHolds {
			return "c.id NOT IN (" + sub + "NOT (" + having + "))", nil
		}
		return "c.id IN (" + sub + having + ")", nil
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
