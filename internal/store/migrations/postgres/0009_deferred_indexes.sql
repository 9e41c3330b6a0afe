-- Secondary indexes a bulk import dropped and will build again in one
-- sorted pass (store.DeferIndexes); any left here by a crash are rebuilt by
-- the next start.
CREATE TABLE deferred_indexes (
	name  TEXT   PRIMARY KEY,
	tbl   TEXT   NOT NULL,
	ddl   TEXT   NOT NULL,
	since BIGINT NOT NULL
);

-- orders_customer_cover (customer_id, ordered_at, amount, status) serves
-- every lookup the narrower index did.
DROP INDEX orders_customer;
