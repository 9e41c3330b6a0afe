-- Coupon pools and their single-use codes ({{coupon}} in a template).
-- Times are Unix seconds (UTC).

-- A pool is a named set of codes, usually one per offer ("spring618").
CREATE TABLE coupon_pools (
	id          INTEGER PRIMARY KEY,
	name        TEXT    NOT NULL UNIQUE,
	description TEXT    NOT NULL DEFAULT '',
	created_at  BIGINT  NOT NULL
);

-- One code. A free code has no message_key; a draw sets message_key,
-- customer_id and drawn_at in one UPDATE. A code is unique across all
-- pools, so that importing the same file into two pools cannot hand one
-- code to two customers; (pool_id, message_key) is unique, so that a
-- retried send of one message gets the code it drew the first time.
CREATE TABLE coupon_codes (
	id          INTEGER PRIMARY KEY,
	pool_id     INTEGER NOT NULL REFERENCES coupon_pools(id),
	code        TEXT    NOT NULL UNIQUE,
	message_key TEXT,
	customer_id INTEGER,
	drawn_at    BIGINT,
	UNIQUE (pool_id, message_key)
);
-- The free codes of a pool in id order: what a draw reads and the
-- remaining count counts.
CREATE INDEX coupon_codes_free ON coupon_codes(pool_id, id) WHERE message_key IS NULL;
