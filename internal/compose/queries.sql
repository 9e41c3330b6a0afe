-- Named queries of the compose package: its settings and the coupon pools.
-- Multi-row inserts of codes are built in coupons_import.go because their
-- length depends on the batch.

-- name: settings_get
SELECT value FROM settings WHERE key = ?

-- name: settings_put
INSERT INTO settings (key, value) VALUES (?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value

-- name: pool_add
INSERT INTO coupon_pools (name, description, created_at) VALUES (?, ?, ?)
ON CONFLICT (name) DO NOTHING

-- name: pool_by_name
SELECT id, name, description, created_at FROM coupon_pools WHERE name = ?

-- name: pools
SELECT id, name, description, created_at FROM coupon_pools ORDER BY name

-- name: pool_counts
SELECT COUNT(*), COUNT(message_key) FROM coupon_codes WHERE pool_id = ?

-- name: code_of_message
SELECT code FROM coupon_codes WHERE pool_id = ? AND message_key = ?

-- name: code_claim :postgres
-- A draw takes the pool's first free code. On PostgreSQL concurrent draws
-- skip each other's locked rows instead of queueing on the same one; on
-- SQLite the single writer connection already serialises them.
UPDATE coupon_codes SET message_key = ?, customer_id = ?, drawn_at = ?
WHERE id = (SELECT id FROM coupon_codes WHERE pool_id = ? AND message_key IS NULL
            ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING code

-- name: code_claim :sqlite
UPDATE coupon_codes SET message_key = ?, customer_id = ?, drawn_at = ?
WHERE id = (SELECT id FROM coupon_codes WHERE pool_id = ? AND message_key IS NULL
            ORDER BY id LIMIT 1)
RETURNING code

-- name: code_newest
-- A pool's newest code, whose length the preview's sample code copies.
SELECT code FROM coupon_codes WHERE pool_id = ? ORDER BY id DESC LIMIT 1
