-- Customer intelligence: RFM scores, saved segments with their frozen
-- memberships, and per-customer predictions (BG/NBD, Gamma-Gamma, purchase
-- cycles, shopping habits). Times are Unix seconds (UTC); money is fen.
--
-- The derived tables (rfm*, customer_predictions, customer_cycles,
-- category_cycles) are rebuilt wholesale by their refresh jobs, so they
-- carry no foreign keys: checking a million parent rows on every refresh
-- would cost more than a dangling row of a deleted customer, which the
-- segment queries never reach because they start from customers.

-- Every per-customer aggregate (RFM, order conditions of segments, the
-- prediction streams) reads orders by customer and time and needs the
-- amount and status: this index answers all of them without the table.
CREATE INDEX orders_customer_cover ON orders(customer_id, ordered_at, amount, status);

-- Segment conditions restricted to a category or sku join lines by them.
CREATE INDEX order_lines_category ON order_lines(category, order_ref);
CREATE INDEX order_lines_sku ON order_lines(sku, order_ref);

-- The latest RFM scores: one row per customer with at least one order in
-- the window.
CREATE TABLE rfm (
	customer_id  BIGINT  PRIMARY KEY,
	recency_days INTEGER NOT NULL,
	frequency    INTEGER NOT NULL,
	monetary     BIGINT  NOT NULL,
	aov          BIGINT  NOT NULL,
	r_score      INTEGER NOT NULL,
	f_score      INTEGER NOT NULL,
	m_score      INTEGER NOT NULL,
	grp          TEXT    NOT NULL
);
CREATE INDEX rfm_grp ON rfm(grp);

-- The run that produced the rfm rows, with the averages the groups were
-- cut at (one row, replaced by each refresh).
CREATE TABLE rfm_run (
	id            INTEGER PRIMARY KEY CHECK (id = 1),
	as_of         TEXT    NOT NULL,
	window_days   INTEGER NOT NULL,
	scored        BIGINT  NOT NULL,
	no_orders     BIGINT  NOT NULL,
	avg_recency   DOUBLE PRECISION NOT NULL,
	avg_frequency DOUBLE PRECISION NOT NULL,
	avg_monetary  DOUBLE PRECISION NOT NULL,
	computed_at   BIGINT  NOT NULL
);

-- Size and revenue of each group in the latest run.
CREATE TABLE rfm_groups (
	grp       TEXT   PRIMARY KEY,
	customers BIGINT NOT NULL,
	revenue   BIGINT NOT NULL
);

-- Saved segments: a rule tree as JSON (see docs/segments.md).
CREATE TABLE segments (
	id          BIGSERIAL PRIMARY KEY,
	name        TEXT    NOT NULL UNIQUE,
	description TEXT    NOT NULL DEFAULT '',
	rule        TEXT    NOT NULL,
	builtin     INTEGER NOT NULL DEFAULT 0,
	created_at  BIGINT  NOT NULL,
	updated_at  BIGINT  NOT NULL
);

-- A segment's membership frozen at a moment (a campaign's send time),
-- with the rule as it was then.
CREATE TABLE segment_snapshots (
	id         BIGSERIAL PRIMARY KEY,
	segment_id BIGINT  NOT NULL REFERENCES segments(id),
	rule       TEXT    NOT NULL,
	members    BIGINT  NOT NULL,
	created_at BIGINT  NOT NULL
);
CREATE INDEX segment_snapshots_segment ON segment_snapshots(segment_id, id);

CREATE TABLE segment_members (
	segment_id  BIGINT  NOT NULL,
	snapshot_id BIGINT  NOT NULL REFERENCES segment_snapshots(id) ON DELETE CASCADE,
	customer_id BIGINT  NOT NULL,
	PRIMARY KEY (snapshot_id, customer_id)
);

-- The articles' tiers, editable (not deletable) by the merchant. Money in
-- fen: 500 CNY = 50000. See docs/segments.md for why dormant requires an
-- earlier order.
INSERT INTO segments (name, description, rule, builtin, created_at, updated_at) VALUES
('value', '价值型: >= 3 orders in the last 90 days and an average order of at least 500 CNY',
 '{"all":[{"field":"orders.count","op":"gte","value":3,"within_days":90},{"field":"orders.avg","op":"gte","value":50000,"within_days":90}]}',
 1, CAST(EXTRACT(EPOCH FROM now()) AS BIGINT), CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)),
('potential', '潜力型: exactly 2 orders in the last 180 days, average order 300 to under 500 CNY',
 '{"all":[{"field":"orders.count","op":"eq","value":2,"within_days":180},{"field":"orders.avg","op":"gte","value":30000,"within_days":180},{"field":"orders.avg","op":"lt","value":50000,"within_days":180}]}',
 1, CAST(EXTRACT(EPOCH FROM now()) AS BIGINT), CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)),
('dormant', '沉睡型: bought before, but no order in the last 365 days',
 '{"all":[{"field":"orders.count","op":"gte","value":1},{"field":"orders.count","op":"eq","value":0,"within_days":365}]}',
 1, CAST(EXTRACT(EPOCH FROM now()) AS BIGINT), CAST(EXTRACT(EPOCH FROM now()) AS BIGINT));

-- The latest BG/NBD and Gamma-Gamma fit (Gamma-Gamma in yuan, as the
-- papers use dollars), one row replaced by each fit.
CREATE TABLE model_fit (
	id              INTEGER PRIMARY KEY CHECK (id = 1),
	calibration_end TEXT    NOT NULL,
	customers       BIGINT  NOT NULL,
	bg_r            DOUBLE PRECISION NOT NULL,
	bg_alpha        DOUBLE PRECISION NOT NULL,
	bg_a            DOUBLE PRECISION NOT NULL,
	bg_b            DOUBLE PRECISION NOT NULL,
	bg_loglik       DOUBLE PRECISION NOT NULL,
	gg_p            DOUBLE PRECISION,
	gg_q            DOUBLE PRECISION,
	gg_gamma        DOUBLE PRECISION,
	gg_loglik       DOUBLE PRECISION,
	fitted_at       BIGINT  NOT NULL
);

-- Per-customer predictions of the latest refresh. The model columns are
-- NULL when no model could be fitted (too few customers).
CREATE TABLE customer_predictions (
	customer_id      BIGINT  PRIMARY KEY,
	run              BIGINT  NOT NULL,
	orders           INTEGER NOT NULL,
	x                INTEGER NOT NULL,
	t_x              DOUBLE PRECISION NOT NULL,
	t_cal            DOUBLE PRECISION NOT NULL,
	mean_value       DOUBLE PRECISION NOT NULL,
	first_at         BIGINT  NOT NULL,
	last_at          BIGINT  NOT NULL,
	prob_alive       DOUBLE PRECISION,
	expected_30      DOUBLE PRECISION,
	expected_90      DOUBLE PRECISION,
	expected_value   DOUBLE PRECISION,
	clv              BIGINT,
	habit_weekday    INTEGER NOT NULL,
	habit_hour       INTEGER NOT NULL,
	habit_confidence DOUBLE PRECISION NOT NULL
);
CREATE INDEX customer_predictions_run ON customer_predictions(run);

-- Purchase cycle per customer and category, and when the next purchase is
-- due.
CREATE TABLE customer_cycles (
	customer_id BIGINT  NOT NULL,
	category    TEXT    NOT NULL,
	run         BIGINT  NOT NULL,
	purchases   INTEGER NOT NULL,
	cycle_days  DOUBLE PRECISION NOT NULL,
	last_at     BIGINT  NOT NULL,
	next_due    BIGINT  NOT NULL,
	PRIMARY KEY (customer_id, category)
);
CREATE INDEX customer_cycles_due ON customer_cycles(category, next_due);
CREATE INDEX customer_cycles_run ON customer_cycles(run);

-- Each category's median interval over all customers.
CREATE TABLE category_cycles (
	category    TEXT   PRIMARY KEY,
	median_days DOUBLE PRECISION NOT NULL,
	intervals   BIGINT NOT NULL,
	computed_at BIGINT NOT NULL
);
