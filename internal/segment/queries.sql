-- Named queries of the segment package. Rule-tree queries are compiled in
-- compile.go; the statuses in 'NOT IN' are segment.ExcludedStatuses (a
-- test keeps the two equal).

-- name: rfm_clear :sqlite
DELETE FROM rfm

-- name: rfm_clear :postgres
TRUNCATE rfm

-- RFM of every customer with at least one counted order in [start, end).
-- Parameters: end, start, end. Recency is whole days from the last order to
-- the end of the as-of date. Scores: 1 + 5*(rank-1)/n with RANK(), so that
-- equal values share the rank of their first occurrence and hence a score.
-- Groups compare each value with the average through exact integer
-- arithmetic (value * n against the sum), identical in both dialects.
-- How it stays fast at a million customers (SQLite; PostgreSQL does not
-- mind): the unary plus keeps SQLite from reading a wide window through
-- an index on ordered_at with a lookup per order and a sort (migration 0010
-- dropped that index; the plus stays should one come back), where scanning
-- the covering index in customer order is several times faster; the
-- totals are one aggregate over the materialised per-customer rows rather
-- than windows over them; and rows are inserted in customer order, which
-- appends to the table instead of splitting pages at random.
-- name: rfm_fill
WITH agg AS MATERIALIZED (
	SELECT o.customer_id,
		(CAST(? AS BIGINT) - 1 - MAX(o.ordered_at)) / 86400 AS r,
		COUNT(*) AS f,
		CAST(SUM(o.amount) AS BIGINT) AS m
	FROM orders o
	WHERE +o.ordered_at >= ? AND +o.ordered_at < ?
		AND o.status NOT IN ('cancelled', 'canceled', 'refunded', 'closed', '已取消', '已退款', '交易关闭')
	GROUP BY o.customer_id
), tot AS (
	SELECT COUNT(*) AS n, CAST(SUM(r) AS BIGINT) AS sum_r, CAST(SUM(f) AS BIGINT) AS sum_f, CAST(SUM(m) AS BIGINT) AS sum_m
	FROM agg
), ranked AS (
	SELECT customer_id, r, f, m,
		RANK() OVER (ORDER BY r DESC) AS rr,
		RANK() OVER (ORDER BY f) AS fr,
		RANK() OVER (ORDER BY m) AS mr
	FROM agg
)
INSERT INTO rfm (customer_id, recency_days, frequency, monetary, aov, r_score, f_score, m_score, grp)
SELECT customer_id, r, f, m, m / f,
	1 + (rr - 1) * 5 / n, 1 + (fr - 1) * 5 / n, 1 + (mr - 1) * 5 / n,
	CASE WHEN m * n > sum_m THEN
		CASE WHEN r * n < sum_r THEN
			CASE WHEN f * n > sum_f THEN 'important_value' ELSE 'important_develop' END
		ELSE
			CASE WHEN f * n > sum_f THEN 'important_retain' ELSE 'important_winback' END
		END
	ELSE
		CASE WHEN r * n < sum_r THEN
			CASE WHEN f * n > sum_f THEN 'general_value' ELSE 'general_develop' END
		ELSE
			CASE WHEN f * n > sum_f THEN 'general_retain' ELSE 'general_winback' END
		END
	END
FROM ranked CROSS JOIN tot
ORDER BY customer_id

-- name: rfm_groups_clear
DELETE FROM rfm_groups

-- name: rfm_groups_fill
INSERT INTO rfm_groups (grp, customers, revenue)
SELECT grp, COUNT(*), CAST(SUM(monetary) AS BIGINT) FROM rfm GROUP BY grp

-- name: rfm_run_clear
DELETE FROM rfm_run

-- Parameters: as_of, window_days, computed_at.
-- name: rfm_run_fill
INSERT INTO rfm_run (id, as_of, window_days, scored, no_orders, avg_recency, avg_frequency, avg_monetary, computed_at)
SELECT 1, CAST(? AS TEXT), CAST(? AS INTEGER), COUNT(*), (SELECT COUNT(*) FROM customers) - COUNT(*),
	COALESCE(AVG(recency_days), 0), COALESCE(AVG(frequency), 0), COALESCE(AVG(monetary), 0), CAST(? AS BIGINT)
FROM rfm

-- name: rfm_run
SELECT as_of, window_days, scored, no_orders, avg_recency, avg_frequency, avg_monetary, computed_at FROM rfm_run WHERE id = 1

-- name: rfm_group_stats
SELECT grp, customers, revenue FROM rfm_groups

-- name: rfm_heatmap
SELECT r_score, f_score, COUNT(*), CAST(SUM(monetary) AS BIGINT) FROM rfm GROUP BY r_score, f_score ORDER BY r_score, f_score

-- name: rfm_of_customer
SELECT recency_days, frequency, monetary, aov, r_score, f_score, m_score, grp FROM rfm WHERE customer_id = ?

-- name: segment_insert
INSERT INTO segments (name, description, rule, builtin, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?) RETURNING id

-- name: segment_update
UPDATE segments SET description = ?, rule = ?, updated_at = ? WHERE name = ?

-- name: segment_by_name
SELECT id, name, description, rule, builtin, created_at, updated_at FROM segments WHERE name = ?

-- name: segment_by_id
SELECT id, name, description, rule, builtin, created_at, updated_at FROM segments WHERE id = ?

-- name: segment_list
SELECT id, name, description, rule, builtin, created_at, updated_at FROM segments ORDER BY builtin DESC, name

-- name: segment_delete
DELETE FROM segments WHERE id = ?

-- name: segment_has_snapshots
SELECT COUNT(*) FROM segment_snapshots WHERE segment_id = ?

-- name: snapshot_insert
INSERT INTO segment_snapshots (segment_id, rule, members, created_at) VALUES (?, ?, 0, ?) RETURNING id

-- name: snapshot_set_members
UPDATE segment_snapshots SET members = (SELECT COUNT(*) FROM segment_members WHERE snapshot_id = ?) WHERE id = ?

-- name: snapshot_by_id
SELECT id, segment_id, rule, members, created_at FROM segment_snapshots WHERE id = ?

-- name: snapshot_members_page
SELECT customer_id FROM segment_members WHERE snapshot_id = ? AND customer_id > ? ORDER BY customer_id LIMIT ?
