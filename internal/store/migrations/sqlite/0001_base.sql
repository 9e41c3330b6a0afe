-- Customers, orders and products; console users, sessions and API tokens.
-- Times are Unix seconds (UTC); money is integer minor units (fen).
-- Phone and name are sealed (SM4-GCM) before they arrive here: *_enc columns
-- hold ciphertext, phone_index the keyed blind index used for lookups.

CREATE TABLE customers (
	id             INTEGER PRIMARY KEY,
	external_id    TEXT    NOT NULL UNIQUE,
	phone_enc      BLOB,
	phone_index    BLOB,
	region         TEXT    NOT NULL DEFAULT '',
	carrier        TEXT    NOT NULL DEFAULT '',
	name_enc       BLOB,
	gender         TEXT    NOT NULL DEFAULT '',
	birthday       TEXT    NOT NULL DEFAULT '',
	city           TEXT    NOT NULL DEFAULT '',
	lat            REAL,
	lon            REAL,
	registered_at  BIGINT,
	timezone       TEXT    NOT NULL DEFAULT '',
	tags           TEXT    NOT NULL DEFAULT '',
	attributes     TEXT    NOT NULL DEFAULT '{}',
	consent        TEXT    NOT NULL DEFAULT 'unknown',
	consent_at     BIGINT,
	consent_source TEXT    NOT NULL DEFAULT '',
	pii_key        TEXT    NOT NULL DEFAULT '',
	fingerprint    BLOB,
	created_at     BIGINT  NOT NULL,
	updated_at     BIGINT  NOT NULL
);
CREATE INDEX customers_phone_index ON customers(phone_index);
CREATE INDEX customers_pii_key ON customers(pii_key);

CREATE TABLE orders (
	id           INTEGER PRIMARY KEY,
	order_id     TEXT    NOT NULL UNIQUE,
	customer_id  INTEGER NOT NULL REFERENCES customers(id),
	ordered_at   BIGINT  NOT NULL,
	status       TEXT    NOT NULL DEFAULT '',
	currency     TEXT    NOT NULL DEFAULT 'CNY',
	amount       BIGINT  NOT NULL DEFAULT 0,
	items        INTEGER NOT NULL DEFAULT 0,
	created_at   BIGINT  NOT NULL,
	updated_at   BIGINT  NOT NULL
);
CREATE INDEX orders_customer ON orders(customer_id, ordered_at);
CREATE INDEX orders_ordered_at ON orders(ordered_at);

CREATE TABLE order_lines (
	id        INTEGER PRIMARY KEY,
	order_ref INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
	sku       TEXT    NOT NULL,
	category  TEXT    NOT NULL DEFAULT '',
	quantity  INTEGER NOT NULL,
	amount    BIGINT  NOT NULL,
	UNIQUE (order_ref, sku)
);

CREATE TABLE products (
	id           INTEGER PRIMARY KEY,
	sku          TEXT    NOT NULL UNIQUE,
	name         TEXT    NOT NULL DEFAULT '',
	category     TEXT    NOT NULL DEFAULT '',
	price        BIGINT  NOT NULL DEFAULT 0,
	stock        BIGINT  NOT NULL DEFAULT 0,
	safety_stock BIGINT  NOT NULL DEFAULT 0,
	updated_at   BIGINT  NOT NULL
);

CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	name          TEXT    NOT NULL UNIQUE,
	password_hash TEXT    NOT NULL,
	role          TEXT    NOT NULL,
	locale        TEXT    NOT NULL DEFAULT 'zh-CN',
	created_at    BIGINT  NOT NULL
);

CREATE TABLE sessions (
	token_hash BLOB    PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	csrf       TEXT    NOT NULL,
	created_at BIGINT  NOT NULL,
	expires_at BIGINT  NOT NULL
);

CREATE TABLE api_tokens (
	id           INTEGER PRIMARY KEY,
	name         TEXT    NOT NULL UNIQUE,
	token_hash   BLOB    NOT NULL UNIQUE,
	created_at   BIGINT  NOT NULL,
	last_used_at BIGINT
);

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
