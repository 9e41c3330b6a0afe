-- Named queries of the intel package. The statuses in 'NOT IN' are
-- segment.ExcludedStatuses (a test keeps them equal): cancelled and refunded
-- orders are not purchases.

-- Every counted order before the end, grouped by customer in time order:
-- the one cursor the BG/NBD and Gamma-Gamma fit reads. The covering index
-- orders_customer_cover answers it without touching the table.
-- name: orders_stream
SELECT o.customer_id, o.ordered_at, o.amount
FROM orders o
WHERE o.ordered_at < ?
	AND o.status NOT IN ('cancelled', 'canceled', 'refunded', 'closed', '已取消', '已退款', '交易关闭')
ORDER BY o.customer_id, o.ordered_at

-- The same orders with the category of each line (NULL for an order
-- without lines), for purchase cycles; an order appears once per line.
-- name: lines_stream
SELECT o.customer_id, o.id, o.ordered_at, o.amount, l.category
FROM orders o LEFT JOIN order_lines l ON l.order_ref = o.id
WHERE o.ordered_at < ?
	AND o.status NOT IN ('cancelled', 'canceled', 'refunded', 'closed', '已取消', '已退款', '交易关闭')
ORDER BY o.customer_id, o.ordered_at

-- Customers with a time zone other than the shop's (the parameter),
-- merged with the streams by id.
-- name: customer_zones
SELECT id, timezone FROM customers WHERE timezone <> '' AND timezone <> ? ORDER BY id

-- name: next_run
SELECT COALESCE(MAX(run), 0) + 1 FROM customer_predictions

-- name: predictions_delete_stale
DELETE FROM customer_predictions WHERE run <> ?

-- name: cycles_delete_stale
DELETE FROM customer_cycles WHERE run <> ?

-- name: category_cycles_clear
DELETE FROM category_cycles

-- name: category_cycle_insert
INSERT INTO category_cycles (category, median_days, intervals, computed_at) VALUES (?, ?, ?, ?)

-- name: model_fit_clear
DELETE FROM model_fit

-- name: model_fit_insert
INSERT INTO model_fit (id, calibration_end, customers, bg_r, bg_alpha, bg_a, bg_b, bg_loglik, gg_p, gg_q, gg_gamma, gg_loglik, fitted_at)
VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)

-- name: model_fit
SELECT calibration_end, customers, bg_r, bg_alpha, bg_a, bg_b, bg_loglik, gg_p, gg_q, gg_gamma, gg_loglik, fitted_at
FROM model_fit WHERE id = 1

-- name: prediction_of
SELECT orders, x, t_x, t_cal, mean_value, first_at, last_at, prob_alive, expected_30, expected_90, expected_value, clv,
	habit_weekday, habit_hour, habit_confidence
FROM customer_predictions WHERE customer_id = ?

-- name: cycles_of
SELECT category, purchases, cycle_days, last_at, next_due FROM customer_cycles WHERE customer_id = ? ORDER BY next_due, category

-- name: category_cycles
SELECT category, median_days, intervals FROM category_cycles ORDER BY category

-- The per-customer model inputs of the latest refresh, for FitStored.
-- mean_value is fen. Grouping them in Go with a map is faster than a
-- GROUP BY, which sorts a million rows in SQLite.
-- name: stored_histories
SELECT x, t_x, t_cal, mean_value FROM customer_predictions
