-- Named queries of the customer package. Multi-row upserts are built in
-- write.go because their length depends on the batch.

-- name: customer_by_id
SELECT id, external_id, phone_enc, region, carrier, name_enc, gender, birthday, city, lat, lon,
       registered_at, timezone, tags, attributes, consent, consent_at, consent_source, created_at, updated_at
FROM customers WHERE id = ?

-- name: customer_by_external_id
SELECT id, external_id, phone_enc, region, carrier, name_enc, gender, birthday, city, lat, lon,
       registered_at, timezone, tags, attributes, consent, consent_at, consent_source, created_at, updated_at
FROM customers WHERE external_id = ?

-- name: customers_page
SELECT id, external_id, phone_enc, region, carrier, name_enc, gender, birthday, city, lat, lon,
       registered_at, timezone, tags, attributes, consent, consent_at, consent_source, created_at, updated_at
FROM customers WHERE id > ? ORDER BY id LIMIT ?

-- name: customer_count
SELECT COUNT(*) FROM customers

-- name: orders_of_customer
SELECT id, order_id, ordered_at, status, currency, amount, items
FROM orders WHERE customer_id = ? ORDER BY ordered_at DESC, id DESC LIMIT ?

-- name: lines_of_order
SELECT sku, category, quantity, amount FROM order_lines WHERE order_ref = ? ORDER BY id

-- name: order_count
SELECT COUNT(*) FROM orders

-- name: line_count
SELECT COUNT(*) FROM order_lines

-- name: product_by_sku
SELECT sku, name, category, price, stock, safety_stock, updated_at FROM products WHERE sku = ?

-- name: products_page
SELECT sku, name, category, price, stock, safety_stock, updated_at FROM products WHERE sku > ? ORDER BY sku LIMIT ?
