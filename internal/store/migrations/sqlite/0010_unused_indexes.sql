-- Two indexes of the first schema serve no query, yet every customer or
-- order write keeps them and every bulk import builds them again:
-- * customers_pii_key: key rotation walks the table by id and re-seals
--   every row it meets, and "pii_key <> ?" cannot seek an index anyway;
--   only its progress count read the index, once per rotation.
-- * orders_ordered_at: orders are read by customer and time, through
--   orders_customer_cover; a range over ordered_at alone only lured the
--   planner away from that index (see rfm_fill in the segment queries).
-- An import cut off while it had them deferred left them dropped already.
DROP INDEX IF EXISTS customers_pii_key;
DROP INDEX IF EXISTS orders_ordered_at;
DELETE FROM deferred_indexes WHERE name IN ('customers_pii_key', 'orders_ordered_at');
